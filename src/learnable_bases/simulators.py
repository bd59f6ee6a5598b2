"""Simulators with known posteriors: the test bench of neural posterior estimation.

A simulator draws a parameter ``theta`` from its prior and data ``x`` given
``theta``. The three below are chosen because their exact posterior
``p(theta | x)`` is known, so a learned ``q(theta | x)`` can be checked against
it rather than admired:

* :class:`LinearGaussian`: a straight line ``x_j = a t_j + b + noise`` measured
  at fixed positions ``t_j``, with ``theta = (a, b)`` and a Gaussian prior. The
  posterior is Gaussian, correlated, and in closed form.
* :class:`SquareBimodal`: ``x_j = theta^2 + noise`` with a uniform prior. The
  data cannot tell ``theta`` from ``-theta``, so the posterior has two modes,
  at ``±sqrt(mean(x))``. Its reference is computed on a fine grid.
* :class:`GrowingNoise`: ``x = theta + (s0 + s1 |theta|) noise`` with a
  Gaussian prior. The posterior's width grows strongly with ``|x|``; reference
  on a grid.

Each is a frozen record of its settings with the same methods: ``sample(n,
seed=...)`` draws ``n`` pairs from the joint ``p(theta) p(x | theta)``;
``simulate(theta, generator)`` runs the simulator on given parameters. The
1-D ones also give ``log_likelihood`` and ``reference_posterior`` on a grid.
Shapes: ``theta`` is ``(n, theta_dim)`` and ``x`` is ``(n, x_dim)``, float32.

A simulator of your own needs none of this: any object with ``theta_dim``,
``x_dim`` and ``sample(n, *, seed)`` returning ``(theta, x)`` of those shapes
(the :class:`Simulator` protocol) trains a posterior network. No base class to
subclass; :func:`simulate_pairs` checks what it returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import torch

from ._checks import (
    check_choice,
    check_floating,
    check_int,
    check_interval,
    check_positive_float,
    check_positive_int,
    check_real,
    check_shape,
    check_tensor,
    make_generator,
)


def _check_grid(grid: object) -> torch.Tensor:
    grid = check_tensor("grid", grid, ndim=1)
    if grid.numel() < 3 or not bool((grid.diff() > 0).all()):
        raise ValueError("grid must be increasing and have at least 3 points")
    return grid


def theta_grid(low: float, high: float, n: int = 801) -> torch.Tensor:
    """An evenly spaced grid of ``theta`` values, float64.

    Parameters
    ----------
    low, high : float
        End points, ``low < high``.
    n : int, default 801
        Number of points (>= 3).

    Returns
    -------
    torch.Tensor, shape (n,)

    Examples
    --------
    >>> from learnable_bases.simulators import theta_grid
    >>> grid = theta_grid(-2.0, 2.0, n=5)
    >>> grid.tolist(), grid.dtype
    ([-2.0, -1.0, 0.0, 1.0, 2.0], torch.float64)
    """
    low, high = check_interval((low, high), "(low, high)")
    n = check_int("n (the number of grid points)", n, minimum=3)
    return torch.linspace(low, high, n, dtype=torch.float64)


def normalise_on_grid(log_density: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Turn unnormalised log densities on a grid into densities that integrate to 1.

    Parameters
    ----------
    log_density : torch.Tensor, shape (m, g)
        Unnormalised ``log p(theta_k | x_i)`` at the grid points (``-inf``
        where the density is zero).
    grid : torch.Tensor, shape (g,)
        Evenly or unevenly spaced, increasing ``theta`` values.

    Returns
    -------
    torch.Tensor, shape (m, g), float64
        Densities with trapezoidal integral 1 along the grid.

    Examples
    --------
    An unnormalised standard normal, ``-theta^2 / 2``, on ``[-5, 5]``:

    >>> import torch
    >>> from learnable_bases.simulators import normalise_on_grid, theta_grid
    >>> grid = theta_grid(-5.0, 5.0, n=1001)
    >>> density = normalise_on_grid(-0.5 * grid[None, :] ** 2, grid)
    >>> density.shape, round(float(torch.trapezoid(density[0], grid)), 6)
    (torch.Size([1, 1001]), 1.0)
    >>> round(float(density[0, 500]), 4)  # 1 / sqrt(2 pi) at theta = 0
    0.3989
    """
    grid = _check_grid(grid).double()
    log_density = check_floating("log_density", log_density)  # -inf is allowed
    check_shape("log_density", log_density, ("m", grid.numel()), " (g = len(grid))")
    logd = log_density.double()
    dens = torch.exp(logd - logd.max(dim=1, keepdim=True).values)
    return dens / torch.trapezoid(dens, grid, dim=1)[:, None]


def grid_moments(
    density: torch.Tensor, grid: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation of densities given on a grid.

    Parameters
    ----------
    density : torch.Tensor, shape (m, g)
        Normalised densities (see :func:`normalise_on_grid`).
    grid : torch.Tensor, shape (g,)
        The ``theta`` values.

    Returns
    -------
    mean, std : torch.Tensor, shape (m,), float64

    Examples
    --------
    A normal density with mean 1 and standard deviation 0.5:

    >>> from learnable_bases.simulators import grid_moments, normalise_on_grid
    >>> from learnable_bases.simulators import theta_grid
    >>> grid = theta_grid(-5.0, 5.0, n=1001)
    >>> density = normalise_on_grid(-0.5 * ((grid[None, :] - 1) / 0.5) ** 2, grid)
    >>> mean, std = grid_moments(density, grid)
    >>> round(float(mean[0]), 3), round(float(std[0]), 3)
    (1.0, 0.5)
    """
    grid = _check_grid(grid).double()
    density = density.double()
    mean = torch.trapezoid(density * grid, grid, dim=1)
    var = torch.trapezoid(density * (grid - mean[:, None]) ** 2, grid, dim=1)
    return mean, var.sqrt()


@runtime_checkable
class Simulator(Protocol):
    """What a simulator must have: ``sample(n, *, seed)``, ``theta_dim``, ``x_dim``.

    A protocol, not a base class: any object with these three members is a
    simulator (``isinstance(obj, Simulator)`` checks that they exist). For
    example, a line measured at three positions::

        class Line:
            theta_dim, x_dim = 2, 3

            def sample(self, n, *, seed):
                gen = torch.Generator().manual_seed(seed)
                theta = torch.randn(n, 2, generator=gen)
                t = torch.tensor([0.0, 0.5, 1.0])
                noise = 0.1 * torch.randn(n, 3, generator=gen)
                return theta, theta[:, :1] * t + theta[:, 1:] + noise

    Attributes
    ----------
    theta_dim : int
        Dimension ``d`` of the parameter (>= 1).
    x_dim : int
        Dimension of the data (>= 1).

    Examples
    --------
    The book's simulators have the three members; a tensor does not:

    >>> import torch
    >>> from learnable_bases.simulators import LinearGaussian, Simulator
    >>> isinstance(LinearGaussian(), Simulator), isinstance(torch.zeros(2), Simulator)
    (True, False)
    """

    theta_dim: int
    x_dim: int

    def sample(self, n: int, *, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` pairs ``(theta, x)`` from the joint ``p(theta) p(x | theta)``.

        Parameters
        ----------
        n : int
            Number of simulations (>= 1).
        seed : int
            Seed of the draw: the same seed gives the same pairs.

        Returns
        -------
        theta : torch.Tensor, shape (n, theta_dim)
            Parameters, drawn from the prior (floating, finite).
        x : torch.Tensor, shape (n, x_dim)
            Their simulated data (floating, finite).
        """
        ...  # pragma: no cover


class _Simulator:
    """What the book's simulators share: drawing pairs from the joint."""

    def sample(
        self,
        n: int,
        *,
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` pairs from the joint ``p(theta) p(x | theta)``.

        Parameters
        ----------
        n : int
            Number of simulations (the simulation budget, >= 1).
        seed : int, optional
            Seed of a private generator (or pass ``generator``).
        generator : torch.Generator, optional
            Generator to draw from.

        Returns
        -------
        theta : torch.Tensor, shape (n, theta_dim), float32
        x : torch.Tensor, shape (n, x_dim), float32
        """
        gen = make_generator(seed, generator)
        if gen is None:
            raise ValueError("pass seed=... or generator=... for a reproducible draw")
        theta = self.sample_prior(n, gen)
        return theta, self.simulate(theta, gen)


# ---------------------------------------------------------------------------
# 1. Linear-Gaussian: closed-form, correlated posterior
# ---------------------------------------------------------------------------


def _default_positions() -> tuple[float, ...]:
    return tuple(float(t) for t in np.linspace(0.0, 1.0, 8))


@dataclass(frozen=True)
class LinearGaussian(_Simulator):
    """A line measured with Gaussian noise: ``x_j = a t_j + b + sigma eps_j``.

    ``theta = (a, b)`` (slope, intercept) has prior ``N(0, prior_std^2 I)``.
    The model is linear in ``theta``, ``x = A theta + noise`` with rows
    ``A_j = (t_j, 1)``, so the posterior is Gaussian with

    .. math::

        \\Sigma = \\Big(\\frac{A^\\top A}{\\sigma^2} + \\frac{I}{\\tau^2}\\Big)^{-1},
        \\qquad \\mu(x) = \\Sigma \\frac{A^\\top x}{\\sigma^2},

    (``tau`` the prior standard deviation). Positions away from zero make the
    slope and intercept strongly (negatively) correlated.

    Parameters
    ----------
    positions : tuple of float, default 8 points evenly on [0, 1]
        Measurement positions ``t_j`` (at least 2, not all equal).
    noise : float, default 0.5
        Noise standard deviation ``sigma`` (> 0).
    prior_std : float, default 1.0
        Prior standard deviation ``tau`` of each component (> 0).

    Examples
    --------
    Five lines measured at the default 8 positions, and the exact posterior of
    their data: slope and intercept are strongly negatively correlated.

    >>> from learnable_bases.simulators import LinearGaussian
    >>> sim = LinearGaussian()
    >>> theta, x = sim.sample(5, seed=0)
    >>> theta.shape, x.shape, x.dtype
    (torch.Size([5, 2]), torch.Size([5, 8]), torch.float32)
    >>> mean, cov = sim.posterior(x)
    >>> mean.shape, round(float(cov[0, 1] / (cov[0, 0] * cov[1, 1]).sqrt()), 2)
    (torch.Size([5, 2]), -0.79)
    """

    positions: tuple[float, ...] = field(default_factory=_default_positions)
    noise: float = 0.5
    prior_std: float = 1.0

    theta_dim = 2
    theta_labels = ("slope $a$", "intercept $b$")

    def __post_init__(self) -> None:
        check_positive_float("noise", self.noise)
        check_positive_float("prior_std", self.prior_std)
        t = np.asarray(self.positions, dtype=float)
        if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.ptp(t) == 0:
            raise ValueError(
                "positions must be at least 2 finite, not all equal numbers; "
                f"got {self.positions!r}"
            )
        object.__setattr__(self, "positions", tuple(float(v) for v in t))

    @property
    def x_dim(self) -> int:
        """Number of measurements, ``len(positions)``."""
        return len(self.positions)

    def design(self) -> torch.Tensor:
        """The design matrix ``A`` with rows ``(t_j, 1)``, shape ``(x_dim, 2)``."""
        t = torch.tensor(self.positions, dtype=torch.float64)
        return torch.stack([t, torch.ones_like(t)], dim=1)

    def sample_prior(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``theta ~ N(0, prior_std^2 I)``, shape ``(n, 2)``."""
        n = check_positive_int("n (the number of simulations)", n)
        return self.prior_std * torch.randn(n, 2, generator=generator)

    def simulate(self, theta: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Measure the lines ``theta``: ``x = theta A^T + noise``.

        Parameters
        ----------
        theta : torch.Tensor, shape (n, 2)
            Slopes and intercepts.
        generator : torch.Generator
            Source of the noise.

        Returns
        -------
        torch.Tensor, shape (n, x_dim), float32
        """
        theta = check_tensor("theta", theta, shape=("n", 2))
        mean = theta.double() @ self.design().T
        noise = torch.randn(mean.shape, generator=generator, dtype=torch.float64)
        return (mean + self.noise * noise).float()

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The exact posterior ``N(mean(x), cov)`` for each row of ``x``.

        Parameters
        ----------
        x : torch.Tensor, shape (m, x_dim)
            Observed data.

        Returns
        -------
        mean : torch.Tensor, shape (m, 2), float64
            Posterior means.
        cov : torch.Tensor, shape (2, 2), float64
            Posterior covariance (the same for every ``x``).
        """
        x = check_tensor("x", x, shape=("m", self.x_dim)).double()
        A = self.design()
        precision = A.T @ A / self.noise**2 + torch.eye(2) / self.prior_std**2
        cov = torch.linalg.inv(precision)
        return x @ A @ cov / self.noise**2, cov  # the mean: cov is symmetric


# ---------------------------------------------------------------------------
# 2. Square: a bimodal posterior, referenced on a grid
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SquareBimodal(_Simulator):
    """``x_j = theta^2 + sigma eps_j`` for ``j = 1..n_obs``, ``theta ~ U(-b, b)``.

    The sign of ``theta`` leaves no trace in the data, so for a clearly
    positive mean ``x̄`` the posterior has two mirror-image modes at
    ``theta = ±sqrt(x̄)`` (the likelihood depends on ``x`` only through
    ``x̄``, and peaks where ``theta^2 = x̄``).

    Parameters
    ----------
    n_obs : int, default 4
        Repeated measurements per simulation (>= 1).
    noise : float, default 0.4
        Noise standard deviation ``sigma`` (> 0).
    bound : float, default 2.0
        Half-width ``b`` of the uniform prior (> 0).

    Examples
    --------
    Four measurements with mean ``x̄ = 1``: the reference posterior peaks at
    ``theta = -1`` and at ``theta = +1``.

    >>> import torch
    >>> from learnable_bases.simulators import SquareBimodal, theta_grid
    >>> sim = SquareBimodal()
    >>> grid = theta_grid(-2.0, 2.0, n=401)
    >>> density = sim.reference_posterior(torch.ones(1, 4), grid)[0]
    >>> modes = [grid[half][density[half].argmax()] for half in (grid < 0, grid > 0)]
    >>> [round(float(t), 2) for t in modes]
    [-1.0, 1.0]
    """

    n_obs: int = 4
    noise: float = 0.4
    bound: float = 2.0

    theta_dim = 1
    theta_labels = (r"$\theta$",)

    def __post_init__(self) -> None:
        check_positive_int("n_obs", self.n_obs)
        check_positive_float("noise", self.noise)
        check_positive_float("bound", self.bound)

    @property
    def x_dim(self) -> int:
        """Number of measurements, ``n_obs``."""
        return self.n_obs

    def sample_prior(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``theta ~ U(-bound, bound)``, shape ``(n, 1)``."""
        n = check_positive_int("n (the number of simulations)", n)
        return self.bound * (2 * torch.rand(n, 1, generator=generator) - 1)

    def simulate(self, theta: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """``x_j = theta^2 + noise``; ``theta`` (n, 1) gives ``x`` (n, n_obs)."""
        theta = check_tensor("theta", theta, shape=("n", 1))
        eps = torch.randn(theta.shape[0], self.n_obs, generator=generator)
        return (theta.float() ** 2 + self.noise * eps).float()

    def log_likelihood(self, grid: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``log p(x_i | theta_k)`` up to a constant, shape ``(m, g)``.

        Parameters
        ----------
        grid : torch.Tensor, shape (g,)
            ``theta`` values.
        x : torch.Tensor, shape (m, n_obs)
            Observed data.
        """
        grid = _check_grid(grid).double()
        x = check_tensor("x", x, shape=("m", self.n_obs)).double()
        resid = x[:, None, :] - grid[None, :, None] ** 2
        return -0.5 * (resid**2).sum(dim=2) / self.noise**2

    def reference_posterior(self, x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        """Prior times likelihood on ``grid``, normalised: shape ``(m, g)``, float64."""
        logp = self.log_likelihood(grid, x)
        outside = grid.double().abs() > self.bound
        return normalise_on_grid(logp.masked_fill(outside[None, :], -math.inf), grid)


# ---------------------------------------------------------------------------
# 3. Growing noise: a posterior whose width depends strongly on x
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowingNoise(_Simulator):
    """``x = theta + (s0 + s1 |theta|) eps`` with ``theta ~ N(0, prior_std^2)``.

    Near ``theta = 0`` the measurement is sharp, far from it it is vague, so
    the posterior width grows with ``|x|``: a constant learned ``sigma`` (as in
    the regression demo of chapter 2) cannot describe it.

    Parameters
    ----------
    noise : float, default 0.05
        Noise standard deviation ``s0`` at ``theta = 0`` (> 0).
    growth : float, default 0.2
        Increase ``s1`` of the noise per unit ``|theta|`` (>= 0).
    prior_std : float, default 1.0
        Prior standard deviation (> 0).

    Examples
    --------
    The reference posterior is much wider at ``x = 2`` than at ``x = 0``:

    >>> import torch
    >>> from learnable_bases.simulators import GrowingNoise, grid_moments, theta_grid
    >>> sim, grid = GrowingNoise(), theta_grid(-4.0, 4.0, n=801)
    >>> density = sim.reference_posterior(torch.tensor([[0.0], [2.0]]), grid)
    >>> mean, std = grid_moments(density, grid)
    >>> [round(v, 2) for v in std.tolist()]
    [0.09, 0.33]
    """

    noise: float = 0.05
    growth: float = 0.2
    prior_std: float = 1.0

    theta_dim = 1
    x_dim = 1
    theta_labels = (r"$\theta$",)

    def __post_init__(self) -> None:
        check_positive_float("noise", self.noise)
        check_positive_float("prior_std", self.prior_std)
        check_real("growth", self.growth, minimum=0)

    def noise_std(self, theta: torch.Tensor) -> torch.Tensor:
        """Noise standard deviation ``s0 + s1 |theta|``, the shape of ``theta``."""
        return self.noise + self.growth * theta.abs()

    def sample_prior(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``theta ~ N(0, prior_std^2)``, shape ``(n, 1)``."""
        n = check_positive_int("n (the number of simulations)", n)
        return self.prior_std * torch.randn(n, 1, generator=generator)

    def simulate(self, theta: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """``x = theta + (s0 + s1 |theta|) eps``: ``theta`` (n, 1) to ``x`` (n, 1)."""
        theta = check_tensor("theta", theta, shape=("n", 1)).float()
        eps = torch.randn(theta.shape, generator=generator)
        return theta + self.noise_std(theta) * eps

    def log_likelihood(self, grid: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``log p(x_i | theta_k)`` up to a constant, shape ``(m, g)``."""
        grid = _check_grid(grid).double()
        x = check_tensor("x", x, shape=("m", 1)).double()
        s = self.noise_std(grid)[None, :]
        return -0.5 * ((x - grid[None, :]) / s) ** 2 - torch.log(s)

    def reference_posterior(self, x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
        """Prior times likelihood on ``grid``, normalised: shape ``(m, g)``, float64."""
        grid = _check_grid(grid).double()
        log_prior = -0.5 * (grid / self.prior_std) ** 2
        return normalise_on_grid(self.log_likelihood(grid, x) + log_prior, grid)


#: The simulators by name, for calls whose arguments must be plain values
#: (e.g. ``fit_posterior("line")``, which a result cache can key on).
SIMULATORS: dict[str, type] = {
    "line": LinearGaussian,
    "square": SquareBimodal,
    "growing": GrowingNoise,
}


def get_simulator(simulator: object) -> Simulator:
    """A simulator with default settings from its name, or the simulator given.

    Parameters
    ----------
    simulator : {"line", "square", "growing"} or Simulator
        A name from :data:`SIMULATORS`, or any object with ``theta_dim``,
        ``x_dim`` and ``sample(n, *, seed)`` (returned as is).

    Returns
    -------
    Simulator

    Examples
    --------
    >>> from learnable_bases.simulators import SquareBimodal, get_simulator
    >>> get_simulator("square")
    SquareBimodal(n_obs=4, noise=0.4, bound=2.0)
    >>> sim = SquareBimodal(n_obs=2)
    >>> get_simulator(sim) is sim
    True
    """
    if isinstance(simulator, str):
        return SIMULATORS[check_choice("simulator", simulator, SIMULATORS)]()
    missing = [a for a in ("theta_dim", "x_dim", "sample") if not hasattr(simulator, a)]
    if missing or not callable(simulator.sample):
        raise TypeError(
            "simulator must be a name from lb.simulators.SIMULATORS or an object "
            "with theta_dim, x_dim and sample(n, *, seed) -> (theta, x) (see "
            f"lb.simulators.Simulator); {type(simulator).__name__} lacks "
            f"{', '.join(missing) or 'a callable sample'}"
        )
    for name in ("theta_dim", "x_dim"):
        check_positive_int(f"the simulator's {name}", getattr(simulator, name))
    return simulator


def simulate_pairs(
    simulator: Simulator, n: int, *, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``simulator.sample(n, seed=seed)``, checked: nothing trains on garbage.

    Parameters
    ----------
    simulator : Simulator
        See :class:`Simulator`.
    n : int
        Number of pairs (>= 1).
    seed : int
        Passed to ``sample``.

    Returns
    -------
    theta : torch.Tensor, shape (n, theta_dim), float32
    x : torch.Tensor, shape (n, x_dim), float32

    Raises
    ------
    TypeError, ValueError
        As :func:`check_pairs`, or if ``sample`` does not return a pair.

    Examples
    --------
    >>> from learnable_bases.simulators import get_simulator, simulate_pairs
    >>> theta, x = simulate_pairs(get_simulator("line"), 4, seed=0)
    >>> theta.shape, x.shape
    (torch.Size([4, 2]), torch.Size([4, 8]))
    """
    n = check_positive_int("n (the number of simulations)", n)
    pairs = simulator.sample(n, seed=seed)
    name = type(simulator).__name__
    if not (isinstance(pairs, tuple | list) and len(pairs) == 2):
        raise TypeError(
            f"{name}.sample must return (theta, x); got {type(pairs).__name__}"
        )
    return check_pairs(
        *pairs,
        where=f"{name}.sample({n})",
        shape=((n, simulator.theta_dim), (n, simulator.x_dim)),
    )


def check_pairs(
    theta: object,
    x: object,
    *,
    where: str = "the pairs given",
    shape: tuple[tuple[int, int], tuple[int, int]] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Simulated pairs as float32 tensors, or a clear error: nothing trains on garbage.

    Parameters
    ----------
    theta : torch.Tensor, shape (N, theta_dim)
        Parameters (floating or integer, e.g. counts).
    x : torch.Tensor, shape (N, x_dim)
        Their data.
    where : str, optional
        Where the pairs came from, for the error messages.
    shape : ((N, theta_dim), (N, x_dim)), optional
        The shapes they must have; by default any ``(N, k)`` with ``k >= 1``
        and the same ``N`` for both.

    Returns
    -------
    theta, x : torch.Tensor, float32

    Raises
    ------
    TypeError
        If either is not a tensor of numbers.
    ValueError
        On a wrong shape, different lengths, or a NaN or infinite value.

    Examples
    --------
    Integer counts and float64 data come back as float32; a 1-D ``theta`` is
    refused with a hint:

    >>> import torch
    >>> from learnable_bases.simulators import check_pairs
    >>> theta, x = check_pairs(torch.arange(3)[:, None], torch.zeros(3, 2).double())
    >>> theta.dtype, x.dtype, theta.shape
    (torch.float32, torch.float32, torch.Size([3, 1]))
    >>> check_pairs(torch.zeros(3), torch.zeros(3, 1))
    Traceback (most recent call last):
        ...
    ValueError: the pairs given: theta has shape (3,); expected (N, theta_dim),
    one row per simulation; for one column use theta[:, None]
    """
    out = []
    for k, (name, value) in enumerate((("theta", theta), ("x", x))):
        if not isinstance(value, torch.Tensor) or value.dtype == torch.bool:
            raise TypeError(
                f"{where}: {name} must be a torch.Tensor of numbers; got "
                f"{getattr(value, 'dtype', type(value).__name__)} (convert with "
                "torch.as_tensor(..., dtype=torch.float32))"
            )
        want = shape[k] if shape is not None else None
        if value.ndim != 2 or value.shape[1] == 0 or (want and value.shape != want):
            hint = f"; for one column use {name}[:, None]" if value.ndim == 1 else ""
            expected = tuple(want) if want else f"(N, {name}_dim)"
            raise ValueError(
                f"{where}: {name} has shape {tuple(value.shape)}; expected "
                f"{expected}, one row per simulation{hint}"
            )
        if not torch.isfinite(value).all():
            bad = int((~torch.isfinite(value)).any(dim=1).sum())
            raise ValueError(
                f"{where}: {name} holds NaN or infinite values in {bad} of "
                f"{len(value)} pairs; drop or fix them before training"
            )
        out.append(value.float())
    note = " (the same number of pairs as theta)"
    check_shape(f"{where}: x", out[1], (out[0].shape[0], "x_dim"), note)
    return out[0], out[1]
