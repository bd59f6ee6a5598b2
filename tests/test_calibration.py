"""Tests of learnable_bases.calibration that no chapter states."""

import pytest
import torch

import learnable_bases as lb

cal = lb.calibration
Z2 = torch.zeros(2, 2)


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
