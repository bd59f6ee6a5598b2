"""Tests of :mod:`learnable_bases.deep`: kinks, backprop, fields, widths, bad input.

Small networks, short runs and toy inputs: these tests check that ``count_kinks``
counts the kinks of known broken lines, that ``backprop`` and
``gradients_by_layer`` agree with autograd, that a ``fit_field`` record is
consistent and reproducible, the layout of ``field_grid``, the parameter counts
behind ``equal_parameter_width``, the kinks of ``output_kinks`` and
``sawtooth_kinks`` on small networks, and that bad arguments are refused; the
chapter's claims about depth, kinks and initialisation are in
tests/test_chapter3.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases import deep

# ------------------------------------------------------------------- count_kinks
X = torch.linspace(-3, 3, 601, dtype=torch.float64)


def test_count_kinks_of_known_broken_lines():
    knots = torch.tensor([-2.0, -0.5, 1.0, 2.5], dtype=torch.float64)
    values = torch.tensor([0.0, 1.0, -1.0, 0.5], dtype=torch.float64)
    weights = lb.basis.relu_interpolant_weights(knots, values)
    zigzag = lb.basis.relu_kink_basis(X, knots) @ weights  # kinks at 3 knots
    features = torch.stack([X, torch.relu(X - 0.5), X.abs(), zigzag], dim=1)
    # zigzag: kinks at the first three knots (the basis starts at knots[0])
    assert deep.count_kinks(X, features).tolist() == [0, 1, 1, 3]


def test_count_kinks_ignores_rounding_noise_but_not_small_bends():
    line = (2 * X + 1)[:, None]
    assert deep.count_kinks(X, line + 1e-13 * torch.sin(50 * X)[:, None])[0] == 0
    assert deep.count_kinks(X, line + 1e-3 * torch.relu(X)[:, None])[0] == 1


@pytest.mark.parametrize(
    ("x", "features", "match"),
    [
        (X, X, "2 dimension"),
        (X[:2], torch.zeros(2, 1, dtype=torch.float64), "at least 3"),
        (X, torch.zeros(5, 1, dtype=torch.float64), "must match"),
        (X.flip(0), X[:, None], "strictly increasing"),
        (X, torch.full((601, 1), float("nan"), dtype=torch.float64), "NaN"),
    ],
)
def test_count_kinks_rejects_bad_input(x, features, match):
    with pytest.raises(ValueError, match=match):
        deep.count_kinks(x, features)


def test_count_kinks_rejects_bad_tolerance():
    with pytest.raises(ValueError, match="> 0"):
        deep.count_kinks(X, X[:, None], rel_tol=0.0)


# --------------------------------------------------------------- kinks_by_depth
def test_kinks_by_depth_shape_and_one_layer_has_one_kink():
    counts = deep.kinks_by_depth([1, 3], 4, n_networks=3, seed=2, n_grid=1001)
    assert counts.shape == (2, 3 * 4)
    assert (counts[0] == 1).all()  # each first-layer transition lies inside
    assert counts[1].mean() > 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"depths": []}, ValueError),
        ({"depths": "12"}, TypeError),
        ({"depths": [1, 0]}, ValueError),
        ({"depths": [1], "seed": -1}, ValueError),
        ({"depths": [1], "width": 0}, ValueError),
    ],
)
def test_kinks_by_depth_rejects_bad_input(kwargs, error):
    kwargs = {"width": 4, **kwargs}
    with pytest.raises(error):
        deep.kinks_by_depth(kwargs.pop("depths"), kwargs.pop("width"), **kwargs)


# --------------------------------------------------------------------- backprop
@pytest.mark.parametrize(
    ("activation", "depth"), [("relu", 1), ("relu", 3), ("tanh", 2)]
)
def test_backprop_equals_autograd(activation, depth):
    model = lb.models.MLP(3, 7, depth, activation, out_dim=2, seed=4).double()
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(11, 3, generator=gen, dtype=torch.float64)
    y = torch.randn(11, 2, generator=gen, dtype=torch.float64)
    lb.losses.mse_objective(model, x, y).backward()
    grads = deep.backprop(model, x, y)
    layers = [*model.layers, model.head]
    assert len(grads) == depth + 1
    for layer, (dW, db) in zip(layers, grads, strict=True):
        assert dW.shape == layer.weight.shape and db.shape == layer.bias.shape
        torch.testing.assert_close(dW, layer.weight.grad, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(db, layer.bias.grad, rtol=1e-12, atol=1e-14)


def test_backprop_rejects_bad_input():
    model = lb.models.MLP(2, 4, 2, seed=0)
    x, y = torch.zeros(3, 2), torch.zeros(3, 1)
    with pytest.raises(TypeError, match="MLP"):
        deep.backprop(torch.nn.Linear(2, 1), x, y)
    with pytest.raises(ValueError, match="linear head"):
        deep.backprop(lb.models.MLP(2, 4, output="sigmoid", seed=0), x, y)
    with pytest.raises(ValueError, match="skip layer"):
        deep.backprop(lb.models.MLP(2, 4, skip=True, seed=0), x, y)
    with pytest.raises(ValueError, match="shape"):
        deep.backprop(model, torch.zeros(3), y)
    with pytest.raises(ValueError, match="same shape"):
        deep.backprop(model, x, torch.zeros(3))


# ------------------------------------------------------------------- fields
def test_field_grid_layout():
    pts = deep.field_grid(4)
    assert pts.shape == (16, 2) and pts.dtype == torch.float32
    i, j = 2, 1
    torch.testing.assert_close(pts[i * 4 + j], torch.tensor([1.5 / 4, 2.5 / 4]))
    assert float(pts.min()) > 0 and float(pts.max()) < 1
    with pytest.raises(ValueError):
        deep.field_grid(0)


def test_fit_field_record_is_consistent_and_reproducible():
    kwargs = {"width": 8, "epochs": 3, "n_train": 200, "grid": 20, "seed": 7}
    fit = deep.fit_field("moons", depth=2, **kwargs)
    again = deep.fit_field("moons", depth=2, **kwargs)
    assert fit.test_mse == again.test_mse
    assert fit.truth.shape == fit.prediction.shape == (20, 20)
    assert fit.x_train.shape == (200, 2) and fit.y_train.shape == (200, 1)
    assert fit.n_params == lb.models.count_parameters(fit.model)
    assert fit.noise_sigma == 0.1
    assert fit.history.epochs == 3 and fit.history.batch_size == 128
    mse = np.mean((fit.prediction - fit.truth) ** 2)
    assert fit.test_mse == pytest.approx(mse)
    assert fit.r2 == pytest.approx(1 - mse / np.var(fit.truth))
    truth = lb.targets.moons(deep.field_grid(20).double()).numpy().reshape(20, 20)
    np.testing.assert_allclose(fit.truth, truth)
    assert "moons" in repr(fit) and "depth=2" in repr(fit)


def test_fit_field_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown field"):
        deep.fit_field("donut")
    with pytest.raises(ValueError, match="grid"):
        deep.fit_field("blob", grid=1)
    with pytest.raises(ValueError):
        deep.fit_field("blob", depth=0)
    with pytest.raises(TypeError, match="depth"):
        deep.depth_sweep(("blob",), [1], depth=2)
    with pytest.raises(TypeError, match="seed"):
        deep.depth_sweep(("blob",), [1], seed=2)
    with pytest.raises(TypeError, match="seeds"):
        deep.fit_fields(["blob"], seeds=3)
    with pytest.raises(ValueError, match="field"):
        deep.fit_fields(["donut"])
    with pytest.raises(TypeError, match="names"):
        deep.depth_sweep("blob", [1])


def test_equal_parameter_width_matches_the_counts():
    for width, depth in ((32, 4), (16, 4), (8, 2), (5, 1)):
        target = lb.models.count_parameters(lb.models.MLP(2, width, depth))
        formula = 3 * width + (depth - 1) * (width + 1) * width + width + 1
        assert target == formula
        best = deep.equal_parameter_width(2, width, depth)
        count = lb.models.count_parameters(lb.models.MLP(2, best, 1))
        for other in (best - 1, best + 1):
            other_count = lb.models.count_parameters(lb.models.MLP(2, other, 1))
            assert abs(count - target) <= abs(other_count - target)
    assert deep.equal_parameter_width(2, 5, 1) == 5
    with pytest.raises(ValueError):
        deep.equal_parameter_width(0, 4, 2)


# ------------------------------------------------------ vanishing gradients
def test_gradients_by_layer_matches_the_backprop_cell(backprop_demo):
    g = deep.gradients_by_layer([0])
    np.testing.assert_allclose(g[0], backprop_demo["max_grad"], rtol=1e-12)
    assert g.shape == (1, 5) and not g.flags.writeable


def test_gradients_by_layer_rejects_bad_input():
    with pytest.raises(TypeError, match="seeds"):
        deep.gradients_by_layer(3)
    with pytest.raises(ValueError, match="init"):
        deep.gradients_by_layer([0], init="xavier")
    with pytest.raises(ValueError, match="field"):
        deep.gradients_by_layer([0], field="donut")


# ------------------------------------------------------------ output kinks
def test_output_kinks_of_one_layer_is_its_width():
    # every first-layer kink lies inside the range, so mu bends once per unit
    assert deep.output_kinks(1, 7, n_networks=5, seed=3).tolist() == [7] * 5
    # hidden layers are those of kinks_by_depth with the same seed
    x = torch.linspace(-3, 3, 6001, dtype=torch.float64)
    gen = torch.Generator().manual_seed(4)
    h = lb.basis.random_deep_features(x, 3, 8, seed=gen)
    torch.testing.assert_close(h, lb.basis.random_deep_features(x, 3, 8, seed=4))
    with pytest.raises(ValueError):
        deep.output_kinks(0, 8)
    with pytest.raises(ValueError):
        deep.output_kinks(2, 8, seed=-1)


def test_sawtooth_reaches_width_to_the_depth():
    """'stacking four of them composes the zigzags into 8**4 linear pieces'."""
    for depth, width in ((1, 4), (2, 3), (3, 2), (4, 8), (2, 16)):
        assert deep.sawtooth_kinks(depth, width) == width**depth - 1
    with pytest.raises(ValueError, match="at least 2"):
        deep.sawtooth_kinks(3, 1)
