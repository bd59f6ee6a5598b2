"""Claims about the models (learnable_bases.models)."""

from __future__ import annotations

import pytest
import torch

from learnable_bases.activations import ACTIVATIONS, get_activation
from learnable_bases.models import (
    MLP,
    GaussianMLP,
    GaussianPrediction,
    count_parameters,
)


@pytest.mark.parametrize(("d", "h"), [(1, 1), (1, 16), (2, 16), (5, 64)])
def test_one_hidden_layer_parameter_count(d, h):
    model = MLP(d, h, seed=0)
    assert count_parameters(model) == h * (d + 1) + (h + 1)
    # and it is what torch itself counts
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())


def test_deep_parameter_count_and_layout():
    d, h, depth, out = 3, 8, 4, 2
    model = MLP(d, h, depth=depth, out_dim=out, seed=0)
    expected = h * (d + 1) + (depth - 1) * h * (h + 1) + out * (h + 1)
    assert count_parameters(model) == expected
    assert isinstance(model.layers, torch.nn.ModuleList) and len(model.layers) == depth
    assert all(isinstance(layer, torch.nn.Linear) for layer in model.layers)
    assert (model.head.in_features, model.head.out_features) == (h, out)
    model.head.weight.requires_grad_(False)
    assert count_parameters(model) == expected - out * h
    assert count_parameters(model, trainable_only=False) == expected


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("depth", [1, 3])
def test_forward_is_the_layer_recursion(activation, depth):
    model = MLP(2, 6, depth=depth, activation=activation, out_dim=3, seed=1)
    x = torch.randn(10, 2, generator=torch.Generator().manual_seed(0))
    g = get_activation(activation)
    h = x
    for layer in model.layers:
        h = g(h @ layer.weight.T + layer.bias)
    torch.testing.assert_close(model.features(x), h)
    torch.testing.assert_close(model(x), h @ model.head.weight.T + model.head.bias)
    assert model(x).shape == (10, 3) and model.features(x).shape == (10, 6)


def test_sigmoid_head():
    model = MLP(1, 4, output="sigmoid", seed=0)
    x = torch.linspace(-5, 5, 30)[:, None]
    out = model(x)
    assert torch.all((out > 0) & (out < 1))
    torch.testing.assert_close(out, torch.sigmoid(model.head(model.features(x))))


def test_seeded_init_is_reproducible_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a, b = MLP(2, 16, depth=2, seed=3), MLP(2, 16, depth=2, seed=3)
    c = MLP(2, 16, depth=2, seed=4)
    d = MLP(2, 16, depth=2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(torch.get_rng_state(), state)
    skip = MLP(2, 16, depth=2, seed=3, skip=True)  # its skip layer starts at zero
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.all(skip.skip_layer.weight == 0)
    for pa, pb, pc, pd in zip(
        a.parameters(), b.parameters(), c.parameters(), d.parameters(), strict=True
    ):
        assert torch.equal(pa, pb) and torch.equal(pa, pd)
        assert not torch.equal(pa, pc)
    # PyTorch's default scale: uniform on +-1/sqrt(fan_in)
    assert a.layers[1].weight.abs().max() <= 16**-0.5
    assert a.layers[0].weight.abs().max() <= 2**-0.5
    assert a.layers[0].weight.abs().max() > 0.5 * 2**-0.5


def test_default_init_is_pytorch_uniform_drawn_in_layer_order():
    """init="pytorch" (the default) is today's init: same draws, same weights."""
    model = MLP(3, 7, depth=2, out_dim=2, seed=5)
    explicit = MLP(3, 7, depth=2, out_dim=2, init="pytorch", seed=5)
    g = torch.Generator().manual_seed(5)
    for layer, same in zip(
        (*model.layers, model.head), (*explicit.layers, explicit.head), strict=True
    ):
        bound = layer.in_features**-0.5
        w = torch.empty_like(layer.weight).uniform_(-bound, bound, generator=g)
        b = torch.empty_like(layer.bias).uniform_(-bound, bound, generator=g)
        assert torch.equal(layer.weight, w) and torch.equal(layer.bias, b)
        assert torch.equal(same.weight, w) and torch.equal(same.bias, b)
    assert "init" not in repr(model) and "init='he'" in repr(MLP(3, 7, init="he"))


def _moments(w):
    w = w.detach().double().flatten()
    var = float(w.var())
    return var, float(((w - w.mean()) ** 4).mean()) / var**2


@pytest.mark.parametrize(
    ("init", "variance", "kurtosis"),
    [("he", 2 / 512, 3.0), ("pytorch", 1 / (3 * 512), 1.8)],  # normal; uniform
)
def test_init_variance_of_a_wide_layer(init, variance, kurtosis):
    model = MLP(512, 256, depth=2, init=init, seed=0)
    var, kurt = _moments(model.layers[0].weight)  # 256 x 512 weights, fan_in 512
    assert var == pytest.approx(variance, rel=0.05)
    assert kurt == pytest.approx(kurtosis, abs=0.1)
    var2, _ = _moments(model.layers[1].weight)  # fan_in 256
    assert var2 == pytest.approx(variance * 2, rel=0.05)
    biases = torch.cat([lay.bias for lay in (*model.layers, model.head)])
    assert torch.all(biases == 0) == (init == "he")


def test_he_init_is_seeded_and_reaches_the_gaussian_mlp():
    state = torch.get_rng_state()
    a = MLP(2, 16, depth=2, init="he", seed=3)
    b = GaussianMLP(2, 16, depth=2, init="he", seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.mean.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(
        a.layers[0].weight, MLP(2, 16, depth=2, seed=3).layers[0].weight
    )
    assert b.mean.init == "he" and GaussianMLP(2, 4).mean.init == "pytorch"
    with pytest.raises(ValueError, match=r"unknown init 'xavier'.*\['he', 'pytorch'\]"):
        GaussianMLP(2, 4, init="xavier")


def test_gaussian_mlp():
    model = GaussianMLP(1, 8, log_sigma_init=-0.5, seed=0)
    x = torch.linspace(-1, 1, 7)[:, None]
    out = model(x)
    assert isinstance(out, GaussianPrediction)
    mu, log_sigma = out
    assert mu.shape == log_sigma.shape == (7, 1)
    assert torch.all(log_sigma == -0.5)
    assert float(model.sigma) == pytest.approx(torch.tensor(-0.5).exp().item())
    assert count_parameters(model) == count_parameters(MLP(1, 8)) + 1
    assert model.features(x).shape == (7, 8)
    (mu.sum() + log_sigma.sum()).backward()
    assert model.log_sigma.grad is not None and float(model.log_sigma.grad) == 7.0
    same = GaussianMLP(1, 8, log_sigma_init=-0.5, seed=0)
    torch.testing.assert_close(same(x).mu, mu)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"width": 0}, ValueError, "width"),
        ({"width": -3}, ValueError, "width"),
        ({"width": 2.5}, TypeError, "width"),
        ({"depth": 0}, ValueError, "depth"),
        ({"in_dim": 0}, ValueError, "in_dim"),
        ({"out_dim": 0}, ValueError, "out_dim"),
        ({"activation": "swish"}, ValueError, "allowed values.*relu"),
        ({"output": "softmax"}, ValueError, "allowed values.*sigmoid"),
        ({"init": "kaiming"}, ValueError, r"allowed values are \['he', 'pytorch'\]"),
        ({"init": None}, TypeError, "init must be a string"),
        ({"seed": 1, "generator": torch.Generator()}, ValueError, "not both"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"generator": 3}, TypeError, "generator"),
        ({"skip": 1}, TypeError, "skip must be True or False"),
    ],
)
def test_bad_constructor_arguments(kwargs, exc, match):
    args = {"in_dim": 2, "width": 4} | kwargs
    with pytest.raises(exc, match=match):
        MLP(**args)


@pytest.mark.parametrize(
    ("x", "exc", "match"),
    [
        (
            torch.zeros(5),
            ValueError,
            r"expected input of shape \(n, in_dim\) = \(n, 2\)",
        ),
        (torch.zeros(5, 3), ValueError, r"got shape \(5, 3\)"),
        (torch.zeros(5, 2, 1), ValueError, r"\(n, 2\)"),
        (torch.full((5, 2), float("nan")), ValueError, "NaN"),
        (torch.zeros(5, 2, dtype=torch.int64), TypeError, "floating"),
        (torch.zeros(5, 2, dtype=torch.float64), TypeError, "dtype"),
        ([[0.0, 0.0]], TypeError, "torch.Tensor"),
    ],
)
def test_bad_forward_input(x, exc, match):
    model = MLP(2, 4, seed=0)
    with pytest.raises(exc, match=match):
        model(x)
    with pytest.raises(exc, match=match):
        model.features(x)


def test_gaussian_mlp_bad_arguments():
    with pytest.raises(ValueError, match="finite"):
        GaussianMLP(1, 4, log_sigma_init=float("inf"))
    with pytest.raises(TypeError, match="log_sigma_init"):
        GaussianMLP(1, 4, log_sigma_init="0")
    with pytest.raises(ValueError, match="width"):
        GaussianMLP(1, 0)
    with pytest.raises(TypeError, match="Module"):
        count_parameters([torch.zeros(3)])


def test_skip_layer_adds_a_linear_map_that_starts_at_zero():
    x = torch.randn(9, 3, generator=torch.Generator().manual_seed(0))
    plain = MLP(3, 5, depth=2, out_dim=4, seed=7)
    skipped = MLP(3, 5, depth=2, out_dim=4, skip=True, seed=7)
    # same hidden layers and head, and V = 0: the same function at the start
    torch.testing.assert_close(skipped(x), plain(x), rtol=0, atol=0)
    assert skipped.skip_layer.weight.shape == (4, 3)
    assert skipped.skip_layer.bias is None
    assert count_parameters(skipped) == count_parameters(plain) + 3 * 4
    with torch.no_grad():
        skipped.skip_layer.weight.normal_(generator=torch.Generator().manual_seed(1))
    expected = skipped.head(skipped.features(x)) + x @ skipped.skip_layer.weight.T
    torch.testing.assert_close(skipped(x), expected)
    assert "skip=True" in repr(skipped) and "skip" not in repr(plain)
    assert plain.skip_layer is None
