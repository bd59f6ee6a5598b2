"""learnable_bases.simulators: the Simulator protocol and the checks on what a
simulator returns (the book's three simulators are tested with chapter 4)."""

from __future__ import annotations

import math

import pytest
import torch

import learnable_bases as lb
from learnable_bases import calibration as cal
from learnable_bases import simulators as S


class Counts:
    """A reader's simulator: a Poisson count whose rate has a flat prior."""

    theta_dim, x_dim = 1, 3

    def sample(self, n, *, seed=None):
        gen = torch.Generator().manual_seed(seed)
        rate = 1 + 9 * torch.rand(n, 1, generator=gen)
        return rate, torch.poisson(rate.expand(n, 3), generator=gen)


def test_a_duck_typed_simulator_is_a_simulator_and_trains():
    assert isinstance(Counts(), S.Simulator)
    assert isinstance(S.LinearGaussian(), S.Simulator)
    assert S.get_simulator(Counts()).x_dim == 3
    theta, x = S.simulate_pairs(Counts(), 50, seed=0)
    assert theta.shape == (50, 1) and x.shape == (50, 3) and x.dtype == torch.float32
    fit = lb.posterior.fit_posterior(Counts(), n_sims=400, width=8, seed=0)
    mean, cov = fit.gaussian(x[:5])
    assert mean.shape == (5, 1) and torch.all(cov > 0)


class Broken:
    theta_dim, x_dim = 1, 2

    def __init__(self, change):
        self.change = change

    def sample(self, n, *, seed=None):
        theta, x = torch.zeros(n, 1), torch.zeros(n, 2)
        return self.change(theta, x)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda t, x: (t, x[:, :1]), ValueError, r"x has shape \(10, 1\); expected"),
        (lambda t, x: (t[:5], x), ValueError, r"theta has shape \(5, 1\)"),
        (lambda t, x: (t, x.index_fill(0, torch.tensor([3]), float("nan"))), ValueError,
         "x holds NaN or infinite values in 1 of 10"),
        (lambda t, x: (t, x.numpy()), TypeError, "x must be a torch.Tensor"),
        (lambda t, x: t, TypeError, r"must return \(theta, x\)"),
    ],
)  # fmt: skip
def test_what_a_simulator_returns_is_checked(change, error, match):
    with pytest.raises(error, match=match):
        S.simulate_pairs(Broken(change), 10, seed=0)


def test_objects_that_are_not_simulators_are_refused_with_what_is_missing():
    class NoSample:
        theta_dim, x_dim = 1, 1

    with pytest.raises(TypeError, match="NoSample lacks sample"):
        S.get_simulator(NoSample())
    with pytest.raises(TypeError, match="lacks theta_dim, x_dim, sample"):
        S.get_simulator(3)
    bad = Counts()
    bad.x_dim = 0
    with pytest.raises(ValueError, match="x_dim"):
        S.get_simulator(bad)


def test_integer_data_such_as_counts_are_accepted_as_float32():
    gen = torch.Generator().manual_seed(0)
    rate = 1 + 9 * torch.rand(30, 1, generator=gen)
    counts = torch.poisson(rate, generator=gen).long()
    _, x = S.check_pairs(rate, counts)
    assert x.dtype == torch.float32 and torch.equal(x, counts.float())
    with pytest.raises(TypeError, match=r"Tensor of numbers; got torch\.bool"):
        S.check_pairs(rate, counts > 3)
    with pytest.raises(ValueError, match="same number of pairs"):
        S.check_pairs(rate, counts[:29])


# ------------------------------------------- the chapter's three simulators
@pytest.fixture(scope="module")
def line():
    return S.LinearGaussian()


@pytest.fixture(scope="module")
def square():
    return S.SquareBimodal()


GRID = S.theta_grid(-2.5, 2.5, 501)


def test_linear_gaussian_posterior_matches_a_brute_force_grid(line):
    _, x = line.sample(1, seed=3)
    mean, cov = line.posterior(x)
    a = torch.linspace(-4, 4, 401, dtype=torch.float64)
    A, B = torch.meshgrid(a, a, indexing="ij")
    t = torch.tensor(line.positions, dtype=torch.float64)
    resid = x[0].double() - (A[..., None] * t + B[..., None])
    logp = -0.5 * (resid**2).sum(-1) / line.noise**2 - 0.5 * (A**2 + B**2)
    w = torch.exp(logp - logp.max())
    w = w / w.sum()
    m = torch.stack([(w * A).sum(), (w * B).sum()])
    c_ab = (w * (A - m[0]) * (B - m[1])).sum()
    torch.testing.assert_close(m, mean[0], atol=2e-3, rtol=0)
    torch.testing.assert_close(c_ab, cov[0, 1], atol=2e-3, rtol=0)
    assert cal.gaussian_summary(cov)[1] < -0.7  # "strongly correlated"


def test_simulators_are_reproducible_and_shaped(line, square):
    for sim, d, xd in ((line, 2, 8), (square, 1, 4), (S.GrowingNoise(), 1, 1)):
        theta, x = sim.sample(50, seed=0)
        assert theta.shape == (50, d) and x.shape == (50, xd)
        assert theta.dtype == x.dtype == torch.float32
        theta2, x2 = sim.sample(50, seed=0)
        assert torch.equal(theta, theta2) and torch.equal(x, x2)
        assert not torch.equal(x, sim.sample(50, seed=1)[1])


def test_square_reference_peaks_at_plus_minus_root_mean(square):
    x = torch.full((1, 4), 1.44)
    ref = square.reference_posterior(x, GRID)[0]
    assert math.isclose(float(torch.trapezoid(ref, GRID)), 1.0, rel_tol=1e-9)
    pos = GRID > 0
    assert abs(float(GRID[pos][ref[pos].argmax()]) - 1.2) < 0.011
    assert abs(float(GRID[~pos][ref[~pos].argmax()]) + 1.2) < 0.011
    assert float(ref[GRID.abs() > 2].max()) == 0.0  # prior support


def test_growing_noise_posterior_widens_with_x():
    sim = S.GrowingNoise()
    grid = S.theta_grid(-5, 5, 2001)
    _, std = S.grid_moments(
        sim.reference_posterior(torch.tensor([[0.0], [2.0]]), grid), grid
    )
    assert std[1] > 3 * std[0]


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: S.LinearGaussian(noise=0.0), ValueError, "noise"),
        (lambda: S.LinearGaussian(noise=-1.0), ValueError, "noise"),
        (lambda: S.SquareBimodal(noise=0), ValueError, "noise"),
        (lambda: S.GrowingNoise(noise=-0.1), ValueError, "noise"),
        (lambda: S.GrowingNoise(growth=-1.0), ValueError, "growth"),
        (lambda: S.LinearGaussian(positions=(1.0, 1.0)), ValueError, "positions"),
        (lambda: S.SquareBimodal(n_obs=0), ValueError, "n_obs"),
        (lambda: S.LinearGaussian().sample(0, seed=0), ValueError, "simulations"),
        (lambda: S.LinearGaussian().sample(10), ValueError, "seed"),
        (lambda: S.LinearGaussian().sample(2.5, seed=0), TypeError, "integer"),
        (
            lambda: S.LinearGaussian().simulate(torch.zeros(3, 1), torch.Generator()),
            ValueError,
            r"shape \(n, 2\)",
        ),
        (
            lambda: S.SquareBimodal().simulate(torch.zeros(3, 2), torch.Generator()),
            ValueError,
            r"shape \(n, 1\)",
        ),
        (lambda: S.LinearGaussian().posterior(torch.zeros(3, 5)), ValueError, "x must"),
        (
            lambda: S.SquareBimodal().reference_posterior(
                torch.zeros(1, 4), torch.zeros(5)
            ),
            ValueError,
            "increasing",
        ),
    ],
)
def test_simulators_reject_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()
