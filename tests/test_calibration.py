"""learnable_bases.calibration: highest-density levels, coverage and distances,
on known values, exact posteriors and bad input."""

import math

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases import simulators as S

cal = lb.calibration
Z2 = torch.zeros(2, 2)
LEVELS = [0.5, 0.68, 0.95]
GRID = S.theta_grid(-2.5, 2.5, 501)


@pytest.fixture(scope="module")
def line():
    return S.LinearGaussian()


@pytest.fixture(scope="module")
def square():
    return S.SquareBimodal()


class Gaussian:
    """q(theta | x) = N(x W, C): an estimator with sample and log_prob only."""

    def __init__(self):
        self.w = torch.tensor([[1.0, 0.5], [-0.3, 2.0]], dtype=torch.float64)
        self.cov = torch.tensor([[1.0, 0.6], [0.6, 2.0]], dtype=torch.float64)

    def q(self, x):
        return torch.distributions.MultivariateNormal(x.double() @ self.w, self.cov)

    def sample(self, n, x, *, seed):
        gen = torch.Generator().manual_seed(seed)
        z = torch.randn(n, 2, generator=gen, dtype=torch.float64)
        return self.q(x).mean + z @ torch.linalg.cholesky(self.cov).T

    def log_prob(self, theta, x):
        return self.q(x).log_prob(theta.double())


def test_sample_levels_agree_with_the_closed_form_ones():
    est = Gaussian()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 2, generator=gen)
    theta = est.q(x).mean + torch.randn(200, 2, generator=gen) * 1.5  # off-centre
    exact = cal.hpd_level_gaussian(est.q(x).mean, est.cov, theta)
    sampled = cal.hpd_level_samples(est, theta, x, n_samples=4000, seed=1)
    # binomial scatter of one level is at most 0.5 / sqrt(4000) = 0.008
    assert float((sampled - exact).abs().max()) < 0.035
    assert float((sampled - exact).abs().mean()) < 0.01
    assert sampled.dtype == torch.float64 and sampled.shape == (200,)
    again = cal.hpd_level_samples(est, theta, x, n_samples=4000, seed=1)
    torch.testing.assert_close(again, sampled)


def test_sample_levels_of_a_truncated_fit_are_uniform_on_its_own_draws():
    # a line with a flat prior on [-1, 1]^2, so that q is truncated to the box;
    # theta drawn from the (truncated) q itself must have uniform levels
    line = lb.simulators.LinearGaussian()
    gen = torch.Generator().manual_seed(0)
    theta = 2 * torch.rand(2000, 2, generator=gen) - 1
    x = line.simulate(theta, gen)
    fit = lb.posterior.fit_posterior(
        theta=theta, x=x, support=(-1.0, 1.0), width=8, seed=0
    )
    x_t = x[:300]
    theta_t = torch.cat([fit.sample(1, x_t[i], seed=10_000 + i) for i in range(300)])
    levels = cal.hpd_level_samples(fit, theta_t, x_t, n_samples=500)
    # 300 uniform levels: each coverage within 4 binomial standard deviations
    for a in (0.25, 0.5, 0.75, 0.9):
        sd = (a * (1 - a) / 300) ** 0.5
        assert abs(float((levels <= a).double().mean()) - a) < 4 * sd


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda e: cal.hpd_level_samples(object(), Z2, Z2), TypeError, "has no sample"),
        (lambda e: cal.hpd_level_samples(e, torch.zeros(2, 2), torch.zeros(3, 2)),
         ValueError, "same number of pairs"),
        (lambda e: cal.hpd_level_samples(e, torch.zeros(2), torch.zeros(2, 2)),
         ValueError, "dimension"),
        (lambda e: cal.hpd_level_samples(e, Z2, Z2, n_samples=0),
         ValueError, "n_samples"),
        (lambda e: cal.hpd_level_samples(e, Z2, Z2, seed=1.5), TypeError, "seed"),
        (lambda e: cal.hpd_level_samples(e, Z2, Z2, seed=True), TypeError, "seed"),
    ],
)  # fmt: skip
def test_sample_levels_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(Gaussian())


# --------------------------------------------------------------- diagnostics
def test_hpd_level_of_known_points():
    mean = torch.zeros(3, 2, dtype=torch.float64)
    cov = torch.eye(2, dtype=torch.float64)
    r = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    theta = torch.stack([r, torch.zeros(3, dtype=torch.float64)], dim=1)
    torch.testing.assert_close(
        cal.hpd_level_gaussian(mean, cov, theta), 1 - torch.exp(-(r**2) / 2)
    )
    # 1-D on a grid: one sigma from the mean of a standard normal is 68.27 %
    grid = S.theta_grid(-8, 8, 4001)
    dens = torch.exp(-0.5 * grid**2)[None, :].expand(2, -1)
    levels = cal.hpd_level_grid(dens, grid, torch.tensor([1.0, 2.0]))
    torch.testing.assert_close(
        levels,
        torch.tensor([0.682689, 0.954500], dtype=torch.float64),
        atol=2e-3,
        rtol=0,
    )
    assert float(cal.hpd_level_grid(dens[:1], grid, torch.tensor([9.0]))) == 1.0


def test_coverage_of_the_exact_posterior_is_nominal(line, square):
    """The coverage function, given the exact posterior, returns nominal coverage."""
    nominal = np.linspace(0.05, 0.95, 19)
    theta, x = line.sample(4000, seed=101)
    mean, cov = line.posterior(x)
    cover = cal.empirical_coverage(cal.hpd_level_gaussian(mean, cov, theta), nominal)
    assert np.all(np.abs(cover - nominal) < 0.03)
    theta, x = square.sample(3000, seed=102)
    ref = square.reference_posterior(x, GRID)
    cover = cal.empirical_coverage(cal.hpd_level_grid(ref, GRID, theta), nominal)
    assert np.all(np.abs(cover - nominal) < 0.035)


def test_coverage_detects_over_and_underconfidence(line):
    theta, x = line.sample(3000, seed=103)
    mean, cov = line.posterior(x)
    tight = cal.empirical_coverage(
        cal.hpd_level_gaussian(mean, 0.5 * cov, theta), LEVELS
    )
    wide = cal.empirical_coverage(
        cal.hpd_level_gaussian(mean, 2.0 * cov, theta), LEVELS
    )
    assert np.all(tight < np.array(LEVELS) - 0.05)
    assert np.all(wide > np.array(LEVELS) + 0.02)


def test_distances_have_their_known_values():
    grid = S.theta_grid(-10, 10, 4001)
    p = torch.exp(-0.5 * grid**2) / math.sqrt(2 * math.pi)
    q = torch.exp(-0.5 * (grid - 1) ** 2) / math.sqrt(2 * math.pi)
    tv = cal.tv_distance(p[None], q[None], grid)
    # TV of two unit Gaussians one apart: 2 Phi(1/2) - 1
    assert abs(float(tv) - math.erf(0.5 / math.sqrt(2))) < 1e-4
    assert float(cal.tv_distance(p[None], p[None], grid)) == 0.0
    gen = torch.Generator().manual_seed(4)
    a = torch.randn(3, 2, 2, generator=gen, dtype=torch.float64)
    cov_p = a @ a.transpose(-1, -2) + torch.eye(2)
    cov_q = 2 * torch.eye(2, dtype=torch.float64)
    m_p = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    m_q = torch.randn(3, 2, generator=gen, dtype=torch.float64)
    ref = torch.distributions.kl_divergence(
        torch.distributions.MultivariateNormal(m_p, cov_p),
        torch.distributions.MultivariateNormal(m_q, cov_q),
    )
    torch.testing.assert_close(cal.gaussian_kl(m_p, cov_p, m_q, cov_q), ref)
    assert cal.rank_correlation([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cal.empirical_coverage([], [0.5]), "empty"),
        (lambda: cal.empirical_coverage([0.1], [1.5]), "nominal"),
        (
            lambda: cal.tv_distance(
                torch.zeros(2, 5), torch.zeros(2, 4), torch.zeros(5)
            ),
            "same shape",
        ),
        (
            lambda: cal.hpd_level_gaussian(
                torch.zeros(3, 2), torch.eye(2), torch.zeros(3, 1)
            ),
            "shape of mean",
        ),
        (
            lambda: cal.gaussian_kl(
                torch.zeros(3, 2), torch.eye(3), torch.zeros(3, 2), torch.eye(2)
            ),
            "cov_p",
        ),
        (lambda: cal.rank_correlation([1.0], [2.0]), "length"),
    ],
)
def test_diagnostics_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
