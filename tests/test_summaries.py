"""learnable_bases.summaries: a linear embedding in front of the posterior head."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases import summaries as SU

LINE = lb.simulators.LinearGaussian(positions=tuple(np.linspace(0, 1, 40)))


@pytest.fixture(scope="module")
def small():
    return SU.fit_summary_posterior(LINE, 2, n_sims=2000, max_epochs=40, seed=0)


def test_linear_r2_is_one_for_linear_targets_and_lower_with_noise():
    gen = torch.Generator().manual_seed(0)
    f = torch.randn(500, 3, generator=gen, dtype=torch.float64)
    target = f @ torch.tensor(
        [[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]], dtype=torch.float64
    )
    torch.testing.assert_close(
        SU.linear_r2(f, target + 5), torch.ones(2, dtype=torch.float64)
    )
    noisy = target[:, :1] + torch.randn(500, 1, generator=gen, dtype=torch.float64)
    # var(signal) = 5, var(noise) = 1: R^2 about 5/6
    assert SU.linear_r2(f, noisy).item() == pytest.approx(5 / 6, abs=0.05)


def test_span_fraction_of_rows_inside_and_outside_a_span():
    A = LINE.design()  # columns t and 1
    inside = torch.stack([3 * A[:, 0] - 1, A[:, 1]])
    torch.testing.assert_close(
        SU.span_fraction(inside, A), torch.ones(2, dtype=torch.float64)
    )
    gen = torch.Generator().manual_seed(1)
    random = torch.randn(200, 40, generator=gen, dtype=torch.float64)
    # a random direction puts about r/n = 2/40 of its squared length in the span
    assert SU.span_fraction(random, A).pow(2).mean().item() == pytest.approx(
        2 / 40, rel=0.3
    )


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="same number of rows"):
        SU.linear_r2(torch.zeros(5, 2), torch.zeros(4, 1))
    with pytest.raises(ValueError, match="one row per weight column"):
        SU.span_fraction(torch.zeros(2, 5), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="n_features"):
        SU.fit_summary_posterior(LINE, 0, n_sims=100)
    with pytest.raises(ValueError, match="val_fraction"):
        SU.fit_summary_posterior(LINE, 2, n_sims=100, val_fraction=1.0)


def test_fit_reads_and_returns_the_readers_units(small):
    fit = small
    assert fit.embedded and fit.features(torch.zeros(3, 40)).shape == (3, 2)
    # features are the embedding's linear map of x in its own units
    x = LINE.sample(5, seed=9)[1]
    lin = fit.model[0]
    expected = lin((x - fit.x_mean) / fit.x_std).double()
    torch.testing.assert_close(fit.features(x), expected.detach())
    shifted = fit.features(x) - fit.features(torch.zeros_like(x))
    torch.testing.assert_close(
        shifted, x.double() @ fit.weights().T, rtol=1e-4, atol=1e-4
    )
    mean, cov = fit.gaussian(x)
    assert mean.shape == (5, 2) and cov.shape == (5, 2, 2)
    assert torch.all(torch.linalg.eigvalsh(cov) > 0)
    # the fit's history: held-out NLL every epoch, best weights restored
    h = fit.history
    assert h.val_losses is not None and len(h.val_losses) == h.epochs
    with pytest.raises(ValueError, match="40 columns"):
        fit.gaussian(torch.zeros(2, 39))


def test_theta_in_other_units_gives_the_same_posterior_rescaled():
    """Standardised inside: theta x10 gives means x10 and covariances x100."""

    class Scaled:
        theta_dim, x_dim = 2, 40

        def sample(self, n, *, seed=None):
            theta, x = LINE.sample(n, seed=seed)
            return 10 * theta, x

    a = SU.fit_summary_posterior(LINE, 2, n_sims=1000, max_epochs=5, seed=0)
    b = SU.fit_summary_posterior(Scaled(), 2, n_sims=1000, max_epochs=5, seed=0)
    x = LINE.sample(4, seed=3)[1]
    (ma, ca), (mb, cb) = a.gaussian(x), b.gaussian(x)
    torch.testing.assert_close(mb, 10 * ma, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(cb, 100 * ca, rtol=1e-4, atol=1e-4)


def test_without_an_embedding_the_plain_network_reads_x():
    fit = SU.fit_summary_posterior(LINE, None, n_sims=500, max_epochs=3, seed=0)
    assert not fit.embedded and fit.weights().shape == (32, 40)
    assert fit.features(torch.zeros(2, 40)).shape == (2, 32)
