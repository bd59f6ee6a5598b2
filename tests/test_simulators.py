"""learnable_bases.simulators: the Simulator protocol and the checks on what a
simulator returns (the book's three simulators are tested with chapter 4)."""

from __future__ import annotations

import pytest
import torch

import learnable_bases as lb
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
