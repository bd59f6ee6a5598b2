"""Claims about the losses (learnable_bases.losses)."""

from __future__ import annotations

import math

import pytest
import torch

import learnable_bases as lb
from learnable_bases.losses import (
    HALF_LOG_2PI,
    gaussian_nll,
    gaussian_nll_objective,
    mse,
    mse_objective,
)
from learnable_bases.models import MLP, GaussianMLP


def _data(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(n, 1, generator=g, dtype=torch.float64)
    y = mu + 0.5 * torch.randn(n, 1, generator=g, dtype=torch.float64)
    return mu, y


@pytest.mark.parametrize("shape", ["column", "flat"])
def test_gaussian_nll_matches_normal_log_prob(shape):
    mu, y = _data()
    ls = torch.tensor(-0.3, dtype=torch.float64)
    if shape == "flat":
        mu, y = mu[:, 0], y[:, 0]
    expected = -torch.distributions.Normal(mu, ls.exp()).log_prob(y).mean()
    torch.testing.assert_close(gaussian_nll(mu, ls, y), expected)
    # per-sample log_sigma of the same shape as mu
    ls_each = torch.linspace(-1, 1, mu.shape[0], dtype=torch.float64).reshape(mu.shape)
    expected = -torch.distributions.Normal(mu, ls_each.exp()).log_prob(y).mean()
    torch.testing.assert_close(gaussian_nll(mu, ls_each, y), expected)


def test_gaussian_nll_formula_and_constant():
    mu = torch.zeros(2)
    y = torch.tensor([1.0, -1.0])
    ls = torch.tensor(math.log(2.0))
    # 0.5 * (1/2)^2 + log 2 + 0.5 log(2 pi)
    expected = 0.125 + math.log(2.0) + 0.5 * math.log(2 * math.pi)
    assert float(gaussian_nll(mu, ls, y)) == pytest.approx(expected, rel=1e-6)
    assert HALF_LOG_2PI == pytest.approx(0.5 * math.log(2 * math.pi))


def test_gaussian_nll_is_minimised_at_rms_residual():
    mu, y = _data(200)
    rms = ((y - mu) ** 2).mean().sqrt()
    ls = rms.log().clone().requires_grad_(True)
    gaussian_nll(mu, ls, y).backward()
    assert abs(float(ls.grad)) < 1e-12
    for delta in (-0.05, 0.05):
        assert gaussian_nll(mu, rms.log() + delta, y) > gaussian_nll(mu, rms.log(), y)


def test_mse_matches_torch():
    mu, y = _data()
    torch.testing.assert_close(mse(mu, y), torch.nn.functional.mse_loss(mu, y))
    a, b = (
        torch.randn(7, 3, dtype=torch.float64),
        torch.zeros(7, 3, dtype=torch.float64),
    )
    torch.testing.assert_close(mse(a, b), (a**2).mean())


def test_objectives_use_the_model():
    x = torch.linspace(-1, 1, 20)[:, None]
    y = torch.sin(3 * x)
    model = MLP(1, 8, seed=0)
    torch.testing.assert_close(mse_objective(model, x, y), mse(model(x), y))
    gmodel = GaussianMLP(1, 8, log_sigma_init=-1.0, seed=0)
    mu, ls = gmodel(x)
    torch.testing.assert_close(
        gaussian_nll_objective(gmodel, x, y), gaussian_nll(mu, ls, y)
    )
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        mse_objective(lambda t: t, x, y)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: mse(torch.zeros(5), torch.zeros(5, 1)), ValueError, "same shape"),
        (lambda: mse(torch.zeros(5, 1), torch.zeros(4, 1)), ValueError, "same shape"),
        (lambda: mse(torch.zeros(5, 1, 1), torch.zeros(5, 1, 1)), ValueError, "shape"),
        (lambda: mse(torch.zeros(0), torch.zeros(0)), ValueError, "empty"),
        (lambda: mse([1.0], torch.zeros(1)), TypeError, "torch.Tensor"),
        (
            lambda: mse(torch.zeros(3, dtype=torch.int64), torch.zeros(3)),
            TypeError,
            "float",
        ),
        (
            lambda: gaussian_nll(torch.zeros(5), torch.tensor(0.0), torch.zeros(5, 1)),
            ValueError,
            "same shape",
        ),
        (
            lambda: gaussian_nll(
                torch.zeros(5, 2), torch.tensor(0.0), torch.zeros(5, 2)
            ),
            ValueError,
            r"\(n, 1\)",
        ),
        (
            lambda: gaussian_nll(torch.zeros(5, 1), torch.zeros(5), torch.zeros(5, 1)),
            ValueError,
            "log_sigma",
        ),
        (
            lambda: gaussian_nll(torch.zeros(5), 0.0, torch.zeros(5)),
            TypeError,
            "log_sigma",
        ),
    ],
)
def test_bad_input_raises(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_nll_floor_is_the_true_models_expected_loss():
    sigma = 0.3
    x, y = lb.targets.sine_data(200_000, sigma, seed=5)
    per = lb.losses.gaussian_nll(
        lb.targets.target_1d(x), torch.tensor(math.log(sigma)), y
    )
    floor = lb.losses.gaussian_nll_floor(sigma)
    assert floor == pytest.approx(math.log(sigma) + 0.5 * math.log(2 * math.pi) + 0.5)
    assert float(per) == pytest.approx(floor, abs=0.006)  # 3 standard errors
    for bad in (0.0, -1.0, math.inf):
        with pytest.raises(ValueError, match="sigma"):
            lb.losses.gaussian_nll_floor(bad)
    with pytest.raises(TypeError, match="sigma"):
        lb.losses.gaussian_nll_floor("0.3")
