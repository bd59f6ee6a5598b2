"""Claims of learnable_bases.basis: neurons, ReLU kinks, best fits, deep features."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases import basis, targets
from learnable_bases.activations import get_activation

F64 = torch.float64


def grid(n: int = 1001, lo: float = -3.0, hi: float = 3.0) -> torch.Tensor:
    return torch.linspace(lo, hi, n, dtype=F64)


def bent_cells(features: torch.Tensor) -> torch.Tensor:
    """Per column: grid cells where the second difference is not ~0 (kinks)."""
    d2 = (features[2:] - 2 * features[1:-1] + features[:-2]).abs()
    scale = features.abs().max(dim=0).values.clamp_min(1e-12)
    return (d2 > 1e-9 * scale).sum(dim=0)


# ------------------------------------------------------------------ random neurons
def test_random_neurons_shapes_and_reproducible():
    v, b = basis.random_neurons(7, seed=3, in_dim=2)
    assert v.shape == (7, 2) and b.shape == (7,)
    assert v.dtype == F64 and b.dtype == F64
    v2, b2 = basis.random_neurons(7, seed=3, in_dim=2)
    assert torch.equal(v, v2) and torch.equal(b, b2)
    v3, _ = basis.random_neurons(7, seed=4, in_dim=2)
    assert not torch.equal(v, v3)


def test_random_neurons_accepts_generator_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    gen = torch.Generator().manual_seed(0)
    v1, _ = basis.random_neurons(3, seed=gen)
    v2, _ = basis.random_neurons(3, seed=gen)  # the generator advances
    assert not torch.equal(v1, v2)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("interval", [(-3.0, 3.0), (0.5, 2.0)])
def test_random_neuron_kinks_lie_inside_interval(interval):
    v, b = basis.random_neurons(2000, seed=1, interval=interval)
    kinks = -b / v[:, 0]
    assert kinks.min() >= interval[0] and kinks.max() <= interval[1]
    # spread over the whole interval, not bunched up
    width = interval[1] - interval[0]
    assert kinks.min() < interval[0] + 0.05 * width
    assert kinks.max() > interval[1] - 0.05 * width


def test_random_neurons_in_2d_cross_zero_inside_the_box():
    # b = -v . c with c in [-3, 3]^2, so |b| <= 3 * (|v_1| + |v_2|)
    v, b = basis.random_neurons(500, seed=2, in_dim=2)
    assert (b.abs() <= 3 * v.abs().sum(dim=1) + 1e-12).all()


def test_random_neurons_bias_scale_draws_gaussian_biases():
    _, b = basis.random_neurons(20_000, seed=0, bias_scale=2.0)
    assert b.std().item() == pytest.approx(2.0, rel=0.03)
    assert abs(b.mean().item()) < 0.06


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_neurons": 0, "seed": 0}, ValueError),
        ({"n_neurons": 2.5, "seed": 0}, TypeError),
        ({"n_neurons": 3, "seed": -1}, ValueError),
        ({"n_neurons": 3, "seed": "zero"}, TypeError),
        ({"n_neurons": 3, "seed": 0, "in_dim": 0}, ValueError),
        ({"n_neurons": 3, "seed": 0, "weight_scale": 0.0}, ValueError),
        ({"n_neurons": 3, "seed": 0, "bias_scale": -1.0}, ValueError),
        ({"n_neurons": 3, "seed": 0, "interval": (3.0, -3.0)}, ValueError),
        ({"n_neurons": 3, "seed": 0, "interval": (0.0, float("inf"))}, ValueError),
        ({"n_neurons": 3, "seed": 0, "interval": "ab"}, TypeError),
        ({"n_neurons": 3, "seed": 0, "dtype": torch.int64}, TypeError),
    ],
)
def test_random_neurons_rejects_bad_input(kwargs, error):
    n = kwargs.pop("n_neurons")
    with pytest.raises(error):
        basis.random_neurons(n, **kwargs)


def test_random_neurons_missing_seed_is_an_error():
    with pytest.raises(TypeError):
        basis.random_neurons(3)  # type: ignore[call-arg]


# ----------------------------------------------------------------- neuron features
@pytest.mark.parametrize("activation", ["step", "sigmoid", "tanh", "relu", "gelu"])
def test_neuron_features_match_formula_1d(activation):
    x = grid(51)
    v, b = basis.random_neurons(4, seed=5)
    phi = basis.neuron_features(x, v, b, activation)
    assert phi.shape == (51, 4)
    g = get_activation(activation)
    for j in range(4):
        assert torch.allclose(phi[:, j], g(v[j, 0] * x + b[j]), atol=1e-12)
    # v of shape (H,) means in_dim = 1
    assert torch.allclose(basis.neuron_features(x, v[:, 0], b, activation), phi)


def test_neuron_features_2d_inputs():
    x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]], dtype=F64)
    v = torch.tensor([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], dtype=F64)
    b = torch.tensor([0.5, -1.0, 0.0], dtype=F64)
    phi = basis.neuron_features(x, v, b, "relu")
    expected = torch.tensor([[0.0, 3.5, 2.0], [0.0, 0.0, 0.5]], dtype=F64)
    assert torch.allclose(phi, expected)


ONES, ZEROS = torch.ones(2, 1), torch.zeros(2)


@pytest.mark.parametrize(
    ("x", "v", "b", "activation", "error", "match"),
    [
        (grid(5), ONES, ZEROS, "softplus", ValueError, "relu"),
        (grid(5), ONES, ZEROS, None, TypeError, "string"),
        (np.zeros(5), ONES, ZEROS, "relu", TypeError, "Tensor"),
        (torch.zeros(5, 1, 1), ONES, ZEROS, "relu", ValueError, "shape"),
        (torch.zeros(5, 2), ONES, ZEROS, "relu", ValueError, "in_dim"),
        (grid(5), ONES, torch.zeros(3), "relu", ValueError, "match"),
        (grid(5), ONES, torch.zeros(2, 1), "relu", ValueError, "dimension"),
        (grid(5), torch.ones(2, 1, 1), ZEROS, "relu", ValueError, "shape"),
        (torch.arange(5), ONES, ZEROS, "relu", TypeError, "floating"),
        (torch.tensor([0.0, float("nan")]), ONES, ZEROS, "relu", ValueError, "NaN"),
    ],
)
def test_neuron_features_rejects_bad_input(x, v, b, activation, error, match):
    with pytest.raises(error, match=match):
        basis.neuron_features(x, v, b, activation)


# ------------------------------------------------------------------ dead ReLU units
def test_dead_relu_neuron_gets_zero_gradient():
    x = grid(200)
    # neuron 0 has its kink at x = 5 and slopes up to the right: off on [-3, 3];
    # neuron 1 has its kink at x = 0: alive
    v = torch.tensor([[1.0], [1.0]], dtype=F64, requires_grad=True)
    b = torch.tensor([-5.0, 0.0], dtype=F64, requires_grad=True)
    assert basis.is_dead(v, b, x).tolist() == [True, False]
    w = torch.tensor([1.5, -0.7], dtype=F64)
    pred = basis.neuron_features(x, v, b, "relu") @ w
    loss = ((pred - torch.sin(x)) ** 2).mean()
    loss.backward()
    assert v.grad[0, 0] == 0 and b.grad[0] == 0
    assert v.grad[1, 0] != 0 and b.grad[1] != 0  # the live neuron does learn


def test_is_dead_counts_zero_boundary_as_dead_and_rejects_bad_input():
    x = grid(11, 0.0, 1.0)
    v = torch.tensor([[-1.0], [-1.0]], dtype=F64)
    b = torch.tensor([0.0, 0.5], dtype=F64)  # -x <= 0; 0.5 - x > 0 at x = 0
    assert basis.is_dead(v, b, x).tolist() == [True, False]
    with pytest.raises(TypeError):
        basis.is_dead(v, b, [0.0, 1.0])
    with pytest.raises(ValueError, match="match"):
        basis.is_dead(v, b[:1], x)


# ---------------------------------------------------------------- sums of ReLU kinks
@pytest.mark.parametrize("spacing", ["even", "random"])
def test_relu_kinks_reproduce_piecewise_linear_interpolant(spacing):
    def f(t):
        return np.sin(2 * t) + 0.3 * t**2

    if spacing == "even":
        knots = np.linspace(-3, 3, 9)
    else:
        rng = np.random.default_rng(0)
        knots = np.sort(np.concatenate([[-3, 3], rng.uniform(-3, 3, 12)]))
    x = np.linspace(knots[0], knots[-1], 4001)
    t = torch.tensor(knots, dtype=F64)
    weights = basis.relu_interpolant_weights(t, torch.tensor(f(knots), dtype=F64))
    columns = basis.relu_kink_basis(torch.tensor(x, dtype=F64), t)
    assert columns.shape == (x.size, knots.size)
    assert weights.shape == (knots.size,)
    total = (columns @ weights).numpy()
    np.testing.assert_allclose(total, np.interp(x, knots, f(knots)), rtol=0, atol=1e-12)
    # and it is not just any curve: it differs from f between knots
    assert np.abs(total - f(x)).max() > 1e-2


def test_relu_kink_basis_columns():
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=F64)
    cols = basis.relu_kink_basis(x, torch.tensor([-1.0, 1.0, 3.0], dtype=F64))
    expected = [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 3.0, 1.0]]
    assert cols.tolist() == expected


@pytest.mark.parametrize(
    ("knots", "error", "match"),
    [
        (torch.tensor([0.0]), ValueError, "at least 2"),
        (torch.tensor([0.0, 0.0, 1.0]), ValueError, "increasing"),
        (torch.tensor([1.0, 0.0]), ValueError, "increasing"),
        (torch.zeros(2, 2), ValueError, "dimension"),
        ([0.0, 1.0], TypeError, "Tensor"),
    ],
)
def test_relu_kinks_reject_bad_knots(knots, error, match):
    with pytest.raises(error, match=match):
        basis.relu_kink_basis(grid(5), knots)
    with pytest.raises(error, match=match):
        basis.relu_interpolant_weights(knots, torch.zeros(2))


def test_relu_interpolant_weights_need_one_value_per_knot():
    with pytest.raises(ValueError, match="one entry per knot"):
        basis.relu_interpolant_weights(grid(4), torch.zeros(3, dtype=F64))


# --------------------------------------------------------------- output weights
def test_fit_output_weights_recovers_exact_weights():
    x = grid(300)
    v, b = basis.random_neurons(6, seed=11)
    phi = basis.neuron_features(x, v, b, "tanh")
    w_true = torch.tensor([1.0, -2.0, 0.5, 3.0, -0.25, 0.75], dtype=F64)
    w, w0 = basis.fit_output_weights(phi, phi @ w_true + 1.25)
    assert torch.allclose(w, w_true, atol=1e-8)
    assert w0 == pytest.approx(1.25, abs=1e-8)
    assert isinstance(w0, float) and w.dtype == F64


def test_fit_output_weights_ridge_shrinks_w_but_not_w0():
    x = grid(200)
    v, b = basis.random_neurons(5, seed=2)
    phi = basis.neuron_features(x, v, b, "sigmoid")
    y = torch.sin(2 * x) + 4.0
    norms = [basis.fit_output_weights(phi, y, r)[0].norm() for r in (0.0, 1.0, 100.0)]
    assert norms[0] > norms[1] > norms[2]
    w, w0 = basis.fit_output_weights(phi, y, ridge=1e12)
    assert w.abs().max() < 1e-6
    assert w0 == pytest.approx(y.mean().item(), abs=1e-5)  # the bias is not shrunk


def test_fit_output_weights_handles_dead_columns_and_float32():
    x = grid(100).float()
    phi = torch.stack([torch.relu(x), torch.zeros_like(x)], dim=1)  # a dead unit
    w, w0 = basis.fit_output_weights(phi, 2 * torch.relu(x) - 1)
    assert w.dtype == torch.float32
    assert w.tolist() == pytest.approx([2.0, 0.0], abs=1e-5)
    assert w0 == pytest.approx(-1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("features", "y", "ridge", "error", "match"),
    [
        (torch.zeros(5, 2), torch.zeros(4), 0.0, ValueError, "rows"),
        (torch.zeros(5), torch.zeros(5), 0.0, ValueError, "dimension"),
        (torch.zeros(5, 0), torch.zeros(5), 0.0, ValueError, "column"),
        (torch.zeros(5, 2), torch.zeros(5), -1.0, ValueError, ">= 0"),
        (torch.zeros(5, 2), torch.zeros(5), "big", TypeError, "real"),
        (torch.zeros(5, 2), np.zeros(5), 0.0, TypeError, "Tensor"),
        (torch.full((5, 2), float("inf")), torch.zeros(5), 0.0, ValueError, "NaN"),
    ],
)
def test_fit_output_weights_rejects_bad_input(features, y, ridge, error, match):
    with pytest.raises(error, match=match):
        basis.fit_output_weights(features, y, ridge)


# ----------------------------------------------------------- universal approximation
def test_kink_approximation_record_is_consistent():
    r = basis.kink_approximation(targets.target_1d, 8)
    assert r.neurons.shape == (8, 2001) and r.total.shape == (2001,)
    assert torch.allclose(r.total, r.neurons.sum(dim=0) + r.w0)
    for j in range(8):  # each grey curve is w_j relu(v_j (x - c_j))
        curve = r.weights[j] * torch.relu(r.v[j] * (r.x - r.knots[j]))
        assert torch.allclose(r.neurons[j], curve)
    assert r.max_error == pytest.approx((r.total - r.target).abs().max().item())
    assert r.knots.tolist() == pytest.approx(np.linspace(-3, 3, 9)[:-1].tolist())


def test_one_kink_is_the_best_straight_line():
    r = basis.kink_approximation(targets.target_1d, 1)
    slope, intercept = np.polyfit(r.x.numpy(), r.target.numpy(), 1)
    np.testing.assert_allclose(
        r.total.numpy(), slope * r.x.numpy() + intercept, atol=1e-9
    )


def test_kinks_fit_a_piecewise_linear_target_exactly():
    # any continuous piecewise-linear target with breakpoints at the H = 6 kinks
    knots = np.linspace(-3, 3, 7)
    values = np.array([0.0, 2.0, -1.0, 0.5, 0.5, 3.0, -2.0])
    r = basis.kink_approximation(lambda t: np.interp(t.numpy(), knots, values), 6)
    assert r.max_error < 1e-10
    # with one kink fewer it cannot be fitted
    assert (
        basis.kink_approximation(
            lambda t: np.interp(t.numpy(), knots, values), 5
        ).max_error
        > 0.1
    )


def test_more_kinks_fit_a_smooth_target_much_better():
    e4 = basis.kink_approximation(targets.target_1d, 4).max_error
    e64 = basis.kink_approximation(targets.target_1d, 64).max_error
    assert e64 < e4 / 10  # observed: 1.14 -> 0.0034, about 340x


def test_max_error_falls_as_H_to_the_minus_two():
    # piecewise-linear approximation of a smooth function: max error ~ H^-2
    # (observed slope -2.02 over H = 8..64; H <= 4 is pre-asymptotic)
    Hs = [8, 16, 32, 64]
    errors = basis.approximation_errors(targets.target_1d, Hs)
    assert errors.shape == (4,) and errors.dtype == np.float64
    assert basis.fit_rate(Hs, errors) == pytest.approx(-2.0, abs=0.2)
    ratios = errors[:-1] / errors[1:]  # each doubling of H: about 4x smaller
    assert ((ratios > 3.5) & (ratios < 4.5)).all()


def test_approximation_errors_match_kink_approximation():
    errors = basis.approximation_errors(
        torch.cos, [2, 5], interval=(0.0, 2.0), n_grid=301
    )
    expected = [
        basis.kink_approximation(torch.cos, h, (0.0, 2.0), n_grid=301).max_error
        for h in (2, 5)
    ]
    np.testing.assert_allclose(errors, expected)


def test_fit_rate_recovers_exact_power_law():
    Hs = [1, 2, 4, 8, 16]
    assert basis.fit_rate(Hs, [3.0 * h**-1.5 for h in Hs]) == pytest.approx(-1.5)
    assert basis.fit_rate(np.array(Hs), np.full(5, 0.1)) == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.parametrize(
    ("target", "H", "kwargs", "error", "match"),
    [
        (targets.target_1d, 0, {}, ValueError, "H"),
        (targets.target_1d, 2.0, {}, TypeError, "H"),
        ("sin", 4, {}, TypeError, "callable"),
        (lambda t: t[:-1], 4, {}, ValueError, "shape"),
        (torch.log, 4, {}, ValueError, "NaN"),
        (targets.target_1d, 4, {"interval": (1.0, 1.0)}, ValueError, "lo < hi"),
        (targets.target_1d, 4, {"interval": (0.0, 1.0, 2.0)}, TypeError, "pair"),
        (targets.target_1d, 4, {"n_grid": 1}, ValueError, "n_grid"),
    ],
)
def test_kink_approximation_rejects_bad_input(target, H, kwargs, error, match):
    with pytest.raises(error, match=match):
        basis.kink_approximation(target, H, **kwargs)


@pytest.mark.parametrize(
    ("Hs", "errors", "error", "match"),
    [
        ([1, 2], [0.1], ValueError, "one entry per H"),
        ([1, 2], [0.1, -0.1], ValueError, "> 0"),
        ([1, 2], [0.1, float("nan")], ValueError, "finite"),
        ([2, 2], [0.1, 0.2], ValueError, "distinct"),
        ([1, 0], [0.1, 0.2], ValueError, "positive"),
        ([1, 2.5], [0.1, 0.2], TypeError, "positive integer"),
        ([], [], ValueError, "at least one"),
        ("12", [0.1, 0.2], TypeError, "sequence"),
        ([1, 2], "ab", TypeError, "sequence"),
        ([1, 2], [0.1, "a"], TypeError, "real"),
    ],
)
def test_fit_rate_rejects_bad_input(Hs, errors, error, match):
    with pytest.raises(error, match=match):
        basis.fit_rate(Hs, errors)


def test_approximation_errors_rejects_bad_Hs():
    with pytest.raises(ValueError, match="positive"):
        basis.approximation_errors(targets.target_1d, [4, -1])
    with pytest.raises(TypeError, match="sequence"):
        basis.approximation_errors(targets.target_1d, 4)


# ------------------------------------------------------------------ deep features
def test_random_deep_features_shape_dtype_reproducible():
    x = grid(101)
    f = basis.random_deep_features(x, 3, 8, "tanh", seed=0)
    assert f.shape == (101, 8) and f.dtype == F64
    assert torch.equal(f, basis.random_deep_features(x, 3, 8, "tanh", seed=0))
    assert not torch.equal(f, basis.random_deep_features(x, 3, 8, "tanh", seed=1))
    two_d = torch.stack([x, x.flip(0)], dim=1)
    assert basis.random_deep_features(two_d, 2, 5, seed=0).shape == (101, 5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deeper_relu_features_have_more_kinks(seed):
    x = grid(1201)
    shallow = bent_cells(basis.random_deep_features(x, 1, 16, seed=seed))
    # one hidden layer: every feature is one ReLU kink (1 or 2 bent grid cells)
    assert ((shallow >= 1) & (shallow <= 2)).all()
    deep = bent_cells(basis.random_deep_features(x, 3, 16, seed=seed))
    assert deep.float().mean() > 5 * shallow.float().mean()  # observed ~20x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_deep_relu_features_neither_die_nor_vanish(seed):
    x = grid(401)
    rms = {}
    for depth in (1, 8):
        f = basis.random_deep_features(x, depth, 32, "relu", seed=seed)
        assert (f.std(dim=0) > 0).all()  # every unit varies with x: none is dead
        rms[depth] = f.pow(2).mean().sqrt().item()
    # He scaling keeps the size within a small factor over 8 layers (observed
    # ~0.4); without the sqrt(2) gain it would shrink by about 2^-3.5 ~ 0.09
    assert 0.15 < rms[8] / rms[1] < 5


@pytest.mark.parametrize(
    ("x", "depth", "width", "activation", "seed", "error", "match"),
    [
        (grid(5), 0, 4, "relu", 0, ValueError, "depth"),
        (grid(5), 2, "4", "relu", 0, TypeError, "width"),
        (grid(5), 2, 4, "swish", 0, ValueError, "activation"),
        (grid(5), 2, 4, "relu", None, TypeError, "seed"),
        (torch.ones(5, dtype=F64), 2, 4, "relu", 0, ValueError, "range"),
        (torch.zeros(2, 2, 2), 2, 4, "relu", 0, ValueError, "shape"),
        (np.linspace(0, 1, 5), 2, 4, "relu", 0, TypeError, "Tensor"),
    ],
)
def test_random_deep_features_rejects_bad_input(
    x, depth, width, activation, seed, error, match
):
    with pytest.raises(error, match=match):
        basis.random_deep_features(x, depth, width, activation, seed=seed)


# ------------------------------------------ the learned basis (basis.head_terms)
@pytest.mark.parametrize("depth", [1, 3])
def test_head_terms_add_up_to_the_network_output(depth):
    model = lb.models.GaussianMLP(2, 8, depth=depth, activation="tanh", seed=0)
    x = torch.rand(50, 2, generator=torch.Generator().manual_seed(1))
    terms, total = lb.basis.head_terms(model, x)
    assert terms.shape == (50, 8) and total.shape == (50,)
    with torch.no_grad():
        mu = model.mean(x)[:, 0]
    torch.testing.assert_close(total, mu)
    torch.testing.assert_close(terms.sum(dim=1) + model.mean.head.bias[0], mu)


def test_head_terms_of_a_snapshot_leave_the_model_alone():
    model = lb.models.MLP(1, 4, seed=0)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        model.head.weight.mul_(3.0)
    x = torch.linspace(-1, 1, 7)[:, None]
    then, _ = lb.basis.head_terms(model, x, start)
    now, _ = lb.basis.head_terms(model, x)
    torch.testing.assert_close(now, 3 * then)
    torch.testing.assert_close(model.head.weight, 3 * start["head.weight"])


def test_head_terms_rejects_bad_input():
    with pytest.raises(TypeError, match="MLP or GaussianMLP"):
        lb.basis.head_terms(torch.nn.Linear(1, 1), torch.zeros(2, 1))
    with pytest.raises(ValueError, match="one output"):
        lb.basis.head_terms(lb.models.MLP(1, 4, out_dim=2), torch.zeros(2, 1))
    with pytest.raises(TypeError, match="state_dict"):
        lb.basis.head_terms(lb.models.MLP(1, 4), torch.zeros(2, 1), state=[1, 2])


def test_a_broken_line_needs_a_neuron_for_its_starting_slope():
    # the text: k bends need k + 1 neurons, one for the starting slope
    x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    target = 0.5 * x + torch.relu(x + 1) - 2 * torch.relu(x - 1)  # k = 2 bends
    bends = lb.basis.neuron_features(
        x, torch.ones(2, dtype=torch.float64), torch.tensor([1.0, -1.0]), "relu"
    )
    start = torch.relu(x + 3)[:, None]  # a ramp whose kink is at the left end
    for features, exact in ((bends, False), (torch.cat([start, bends], 1), True)):
        w, w0 = lb.basis.fit_output_weights(features, target)
        err = float((features @ w + w0 - target).abs().max())
        assert (err < 1e-9) == exact, err
