"""Tests of :mod:`learnable_bases.landscape`: gradient noise, paths, surfaces."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import line

from learnable_bases.landscape import (
    gradient_noise,
    loss_surface_2d,
    minibatch_gradients,
    minibatch_variance_theory,
    parameter_path,
)
from learnable_bases.losses import mse_objective
from learnable_bases.losses import mse_objective as mse
from learnable_bases.models import MLP
from learnable_bases.targets import sine_data
from learnable_bases.training import NonFiniteLossError, train

# ---------------------------------------------------------------------------
# Gradient noise
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noise_setup():
    torch.set_num_threads(1)
    x, y = sine_data(256, 0.3, seed=0)
    model = MLP(1, 16, activation="tanh", seed=1)
    batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64])
    return model, x, y, batch_sizes


@pytest.mark.parametrize("replace", [True, False])
def test_minibatch_gradient_is_unbiased_with_variance_over_b(noise_setup, replace):
    model, x, y, bs = noise_setup
    m_batches = 200
    before = [p.detach().clone() for p in model.parameters()]
    r = gradient_noise(
        model, mse_objective, x, y, bs, n_batches=m_batches, seed=1, replace=replace
    )
    assert all(
        torch.equal(a, p) for a, p in zip(before, model.parameters(), strict=True)
    )
    p = sum(t.numel() for t in model.parameters())
    assert r.full_grad.shape == (p,) and r.mean_grads.shape == (bs.size, p)
    assert r.msd.shape == r.theory.shape == r.bias_sq.shape == (bs.size,)
    assert r.msd_se.shape == (bs.size,) and r.sigma2_grad > 0

    # Unbiased: the mean of M batch gradients has total variance msd / M, so
    # ||mean - g||^2 is about msd / M; a chi-square with >= 1 degree of freedom
    # exceeds 12x its mean with probability < 1e-3.
    ratio = r.bias_sq / (r.msd / m_batches)
    assert np.all(ratio < 12), ratio
    assert ratio.mean() < 4, ratio

    # Variance falls as 1/B: slope -1 on log-log axes. Without replacement the
    # exact law has the finite-population factor (N - B)/(N - 1), divided out here.
    fpc = 1.0 if replace else (r.n - bs) / (r.n - 1)
    slope = np.polyfit(np.log(bs), np.log(r.msd / fpc), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)
    # ... and matches the exact theory value
    # within 4 standard errors of the measured mean squared deviation
    assert np.all(np.abs(r.msd - r.theory) < 4 * r.msd_se), (r.msd, r.theory, r.msd_se)
    assert np.all(r.msd_se < 0.25 * r.msd)  # and that is a sharp check
    np.testing.assert_allclose(r.theory * bs / fpc, r.sigma2_grad, rtol=1e-12)


def test_without_replacement_full_batch_has_no_noise(noise_setup):
    model, x, y, _ = noise_setup
    r = gradient_noise(model, mse_objective, x[:20], y[:20], [20], n_batches=3, seed=0)
    assert r.theory[0] == 0.0
    assert r.msd[0] < 1e-10 * r.sigma2_grad  # same batch up to order: float error only


def test_minibatch_variance_theory_values():
    np.testing.assert_allclose(
        minibatch_variance_theory(2.0, [1, 4, 10], 10, replace=True), [2.0, 0.5, 0.2]
    )
    np.testing.assert_allclose(
        minibatch_variance_theory(2.0, [1, 4, 10], 10, replace=False),
        [2.0, 0.5 * 6 / 9, 0.0],
    )
    assert minibatch_variance_theory(1.0, 50, 10, replace=True) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="<= N=10"):
        minibatch_variance_theory(1.0, 11, 10)
    with pytest.raises(ValueError, match="integers >= 1"):
        minibatch_variance_theory(1.0, [0, 2], 10)
    with pytest.raises(ValueError, match="integers >= 1"):
        minibatch_variance_theory(1.0, [1.5], 10)
    with pytest.raises(ValueError, match="sigma2"):
        minibatch_variance_theory(-1.0, 2, 10)


def test_gradient_noise_bad_input(noise_setup):
    model, x, y, _ = noise_setup
    with pytest.raises(ValueError, match="<= N=256"):
        gradient_noise(model, mse_objective, x, y, [300], n_batches=4, seed=0)
    with pytest.raises(ValueError, match="n_batches"):
        gradient_noise(model, mse_objective, x, y, [2], n_batches=1, seed=0)
    with pytest.raises(ValueError, match="integers >= 1"):
        gradient_noise(model, mse_objective, x, y, [0, 2], n_batches=4, seed=0)
    with pytest.raises(ValueError, match="same number of samples"):
        gradient_noise(model, mse_objective, x, y[:5], [2], n_batches=4, seed=0)
    with pytest.raises(TypeError, match="replace"):
        gradient_noise(
            model, mse_objective, x, y, [2], n_batches=4, seed=0, replace="no"
        )
    r = gradient_noise(
        model, mse_objective, x, y, [300], n_batches=2, seed=0, replace=True
    )
    assert r.msd.shape == (1,)


@pytest.mark.parametrize("batch_size", [None, 7, 32])
def test_parameter_path_takes_the_steps_train_takes(batch_size):
    """One batch order: the path's end is where train() with SGD ends."""
    x, y = sine_data(32, 0.2, seed=0)
    path_model, train_model = MLP(1, 6, seed=2), MLP(1, 6, seed=2)
    steps_per_epoch = 1 if batch_size is None else -(-32 // batch_size)
    epochs = 3
    path = parameter_path(
        path_model, mse_objective, x, y, steps=epochs * steps_per_epoch, lr=0.05,
        batch_size=batch_size, seed=4,
    )  # fmt: skip
    train(
        train_model, mse_objective, x, y, epochs=epochs, lr=0.05,
        batch_size=batch_size, seed=4,
    )  # fmt: skip
    end = torch.cat([p.detach().reshape(-1) for p in train_model.parameters()])
    np.testing.assert_allclose(path[-1], end.double().numpy(), rtol=1e-6, atol=1e-7)
    assert path.shape[0] == epochs * steps_per_epoch + 1


@pytest.fixture(scope="module")
def line_data():
    return sine_data(1024, 0.3, seed=0)


def test_minibatch_gradients_are_unbiased_with_variance_over_b(line_data):
    x, y = line_data
    x, y = x[:200].double(), y[:200].double()
    model = line(-1.0, 1.5, torch.float64)
    before = [p.detach().clone() for p in model.parameters()]
    per_sample = minibatch_gradients(model, mse, x, y, 1, n_batches=4, seed=0)
    assert per_sample.shape == (4, 2) and per_sample.dtype == np.float64
    # exact per-sample gradients, to compare with
    r = 2 * (model(x) - y).detach()[:, 0].numpy()
    g_n = np.stack([r * x[:, 0].numpy(), r], axis=1)
    full, var = g_n.mean(axis=0), g_n.var(axis=0)
    m = 4000
    for b in (1, 8):
        g = minibatch_gradients(model, mse, x, y, b, n_batches=m, seed=b, replace=True)
        se = np.sqrt(var / b / m)
        assert np.all(np.abs(g.mean(axis=0) - full) < 4 * se), b
        # sample variance of m draws: relative s.e. about sqrt(2/m) (plus kurtosis)
        np.testing.assert_allclose(g.var(axis=0), var / b, rtol=0.15)
    # without replacement, B = N is the full gradient every time
    g = minibatch_gradients(model, mse, x, y, 200, n_batches=3, seed=0)
    np.testing.assert_allclose(g, np.tile(full, (3, 1)), rtol=1e-10, atol=1e-12)
    assert all(
        torch.equal(a, p) for a, p in zip(before, model.parameters(), strict=True)
    )


def test_minibatch_gradients_bad_input(line_data):
    x, y = line_data
    model = line(0.0, 0.0)
    with pytest.raises(ValueError, match="<= N=1024"):
        minibatch_gradients(model, mse, x, y, 2000, n_batches=2, seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_gradients(model, mse, x, y, 0, n_batches=2, seed=0)
    with pytest.raises(ValueError, match="n_batches"):
        minibatch_gradients(model, mse, x, y, 4, n_batches=0, seed=0)
    with pytest.raises(TypeError, match="replace"):
        minibatch_gradients(model, mse, x, y, 4, n_batches=2, seed=0, replace=1)
    with pytest.raises(TypeError, match="seed"):
        minibatch_gradients(model, mse, x, y, 4, n_batches=2, seed=None)


def test_parameter_path_agrees_with_train_step_for_step(line_data):
    x, y = line_data
    x, y = x[:50].double(), y[:50].double()
    path = parameter_path(
        line(-1.0, 1.5, torch.float64),
        mse,
        x,
        y,
        steps=3 * 13,
        lr=0.05,
        batch_size=4,
        seed=5,
    )
    assert path.shape == (40, 2)
    np.testing.assert_array_equal(path[0], [-1.0, 1.5])
    model = line(-1.0, 1.5, torch.float64)
    train(model, mse, x, y, epochs=3, lr=0.05, batch_size=4, seed=5)
    fitted = [model.weight.item(), model.bias.item()]
    np.testing.assert_allclose(path[-1], fitted, rtol=1e-12)


def test_full_batch_path_is_gradient_descent_on_a_quadratic(line_data):
    x, y = line_data
    x, y = x.double(), y.double()
    path = parameter_path(line(-1.0, 1.5, torch.float64), mse, x, y, steps=40, lr=0.05)
    # the MSE of a line is the quadratic (1/N)||A theta - y||^2, A = [x, 1]
    a = torch.cat([x, torch.ones_like(x)], dim=1).numpy()
    yy = y[:, 0].numpy()
    theta = np.array([-1.0, 1.5])
    for i in range(1, 41):
        theta = theta - 0.05 * 2 * a.T @ (a @ theta - yy) / len(yy)
        np.testing.assert_allclose(path[i], theta, rtol=1e-10)


def test_parameter_path_stops_on_divergence_and_rejects_bad_input(line_data):
    x, y = line_data
    with pytest.raises(
        NonFiniteLossError,
        match=r"at step \d+ \(epoch \d+\) with lr=1000; lower the learning rate",
    ):
        parameter_path(line(-1.0, 1.5), mse, x, y, steps=200, lr=1000.0)
    with pytest.raises(ValueError, match="at most the number of samples N=1024"):
        parameter_path(line(0, 0), mse, x, y, steps=2, lr=0.1, batch_size=2000)
    with pytest.raises(ValueError, match="lr"):
        parameter_path(line(0, 0), mse, x, y, steps=2, lr=0.0)
    with pytest.raises(ValueError, match="steps"):
        parameter_path(line(0, 0), mse, x, y, steps=0, lr=0.1)


def test_loss_surface_matches_the_formula_and_restores_the_model(line_data):
    x, y = line_data
    x, y = x[:100].double(), y[:100].double()
    model = line(0.3, -0.2, torch.float64)
    w, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 4)
    surface = loss_surface_2d(model, mse, x, y, w, b)
    assert surface.shape == (4, 5)
    xs, ys = x[:, 0].numpy(), y[:, 0].numpy()
    expected = np.array([[np.mean((wi * xs + bj - ys) ** 2) for wi in w] for bj in b])
    np.testing.assert_allclose(surface, expected, rtol=1e-12)
    assert model.weight.item() == 0.3 and model.bias.item() == -0.2
    with pytest.raises(ValueError, match="exactly 2"):
        loss_surface_2d(torch.nn.Linear(2, 1), mse, x, y, w, b)
    with pytest.raises(ValueError, match="p2"):
        loss_surface_2d(model, mse, x, y, w, [[0.0]])
