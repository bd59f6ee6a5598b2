"""Tests of :mod:`learnable_bases.landscape`: gradient noise, paths, surfaces."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from learnable_bases.landscape import (
    gradient_noise,
    minibatch_variance_theory,
    parameter_path,
)
from learnable_bases.losses import mse_objective
from learnable_bases.models import MLP
from learnable_bases.targets import sine_data
from learnable_bases.training import train

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
