"""Regression targets: a smooth 1D curve and three 2D fields on the unit square.

All sampling uses a private :class:`torch.Generator` seeded from ``seed``; the
global random state is neither used nor changed.

1D: :func:`target_1d` on ``x_range`` (default ``[-3, 3]``), sampled by
:func:`sine_data`.

2D: inputs live on the unit square ``[0, 1]^2`` (the uniform "prior" of the
lecture). :func:`blob` (easy), :func:`moons` (two curved ridges) and
:func:`spiral` (high frequency, hard) map ``(n, 2) -> (n,)``;
:func:`sample_field` draws noisy training pairs from any of them.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._checks import (
    check_choice,
    check_interval,
    check_positive_int,
    check_real,
    check_seed,
    check_tensor,
)

#: Centre and width of :func:`blob`.
BLOB_CENTER = (0.6, 0.4)
BLOB_WIDTH = 0.18
#: Angular frequency ``k`` of :func:`spiral`, per unit radius.
SPIRAL_K = 16.0
#: Half-width (Gaussian ``s``) of the ridges of :func:`moons`.
MOONS_WIDTH = 0.06


def target_1d(x: torch.Tensor) -> torch.Tensor:
    """The smooth 1D target ``f(x) = sin(2x) + 0.3 x``.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Inputs (elementwise), e.g. ``(n, 1)`` or a plotting grid ``(m,)``.

    Returns
    -------
    torch.Tensor, shape (...)
        ``f(x)``.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.targets import target_1d
    >>> [round(v, 3) for v in target_1d(torch.tensor([0.0, 1.0, 2.0])).tolist()]
    [0.0, 1.209, -0.157]
    >>> target_1d(torch.zeros(5, 1)).shape
    torch.Size([5, 1])
    """
    x = check_tensor("x", x)
    return torch.sin(2.0 * x) + 0.3 * x


def sine_data(
    n: int,
    noise_sigma: float,
    seed: int,
    x_range: tuple[float, float] = (-3.0, 3.0),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy samples ``y = target_1d(x) + noise_sigma * eps`` with ``x`` uniform.

    Parameters
    ----------
    n : int
        Number of samples (>= 1).
    noise_sigma : float
        Standard deviation of the Gaussian noise (>= 0).
    seed : int
        Seed of the private generator.
    x_range : (float, float), default (-3, 3)
        Interval ``[lo, hi]`` for the inputs, ``lo < hi``.

    Returns
    -------
    x : torch.Tensor, shape (n, 1)
        Inputs (float32), in the order drawn (not sorted).
    y : torch.Tensor, shape (n, 1)
        Noisy targets (float32).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.targets import sine_data, target_1d
    >>> x, y = sine_data(20, noise_sigma=0.1, seed=0)
    >>> x.shape, y.shape, x.dtype
    (torch.Size([20, 1]), torch.Size([20, 1]), torch.float32)
    >>> bool(((x >= -3) & (x <= 3)).all())
    True

    The same seed draws the same inputs; without noise ``y`` is the target:

    >>> x0, y0 = sine_data(20, noise_sigma=0.0, seed=0)
    >>> torch.equal(x0, x), torch.equal(y0, target_1d(x0))
    (True, True)
    """
    n = check_positive_int("n", n)
    noise_sigma = check_real("noise_sigma", noise_sigma, minimum=0)
    gen = torch.Generator().manual_seed(check_seed(seed))
    lo, hi = check_interval(x_range, "x_range")
    x = lo + (hi - lo) * torch.rand(n, 1, generator=gen)
    y = target_1d(x) + noise_sigma * torch.randn(n, 1, generator=gen)
    return x, y


def blob(x: torch.Tensor) -> torch.Tensor:
    """Gaussian bump ``exp(-||x - c||^2 / 2 s^2)`` (the easy field).

    Parameters
    ----------
    x : torch.Tensor, shape (n, 2)
        Points on the unit square.

    Returns
    -------
    torch.Tensor, shape (n,)
        Values in ``(0, 1]``, 1 at ``c =`` :data:`BLOB_CENTER`.

    Examples
    --------
    1 at the centre, ``exp(-1/2)`` one width ``s = 0.18`` away, about 0 in a corner:

    >>> import torch
    >>> from learnable_bases.targets import blob
    >>> x = torch.tensor([[0.6, 0.4], [0.78, 0.4], [0.0, 1.0]])
    >>> [round(v, 3) for v in blob(x).tolist()]
    [1.0, 0.607, 0.0]
    """
    x = check_tensor("x", x, shape=("n", 2))
    c = torch.tensor(BLOB_CENTER, dtype=x.dtype)
    return torch.exp(-((x - c) ** 2).sum(dim=1) / (2 * BLOB_WIDTH**2))


def _half_circle_distance(
    x: torch.Tensor, center: tuple[float, float], radius: float, upper: bool
) -> torch.Tensor:
    """Distance from points to an upper or lower half circle (an arc)."""
    d = x - torch.tensor(center, dtype=x.dtype)
    on_side = d[:, 1] >= 0 if upper else d[:, 1] <= 0
    to_arc = (d.norm(dim=1) - radius).abs()
    ends = torch.tensor([[radius, 0.0], [-radius, 0.0]], dtype=x.dtype)
    to_ends = torch.cdist(d, ends).min(dim=1).values
    return torch.where(on_side, to_arc, to_ends)


def moons(x: torch.Tensor) -> torch.Tensor:
    """Two interleaved curved ridges, like the "two moons" shape.

    Each ridge is a Gaussian profile of width :data:`MOONS_WIDTH` around a half
    circle of radius 0.25: the upper one centred at ``(0.375, 0.45)``, the lower
    one at ``(0.625, 0.55)``.

    Parameters
    ----------
    x : torch.Tensor, shape (n, 2)
        Points on the unit square.

    Returns
    -------
    torch.Tensor, shape (n,)
        Values in ``[0, 1]`` (about 1 on a ridge, 0 away from both).

    Examples
    --------
    About 1 on the top of the upper arc and the bottom of the lower arc, about 0 in
    a corner:

    >>> import torch
    >>> from learnable_bases.targets import moons
    >>> x = torch.tensor([[0.375, 0.7], [0.625, 0.3], [0.9, 0.9]])
    >>> [round(v, 3) for v in moons(x).tolist()]
    [1.0, 1.0, 0.0]
    """
    x = check_tensor("x", x, shape=("n", 2))
    d1 = _half_circle_distance(x, (0.375, 0.45), 0.25, upper=True)
    d2 = _half_circle_distance(x, (0.625, 0.55), 0.25, upper=False)
    d = torch.minimum(d1, d2)
    return torch.exp(-(d**2) / (2 * MOONS_WIDTH**2))


def spiral(x: torch.Tensor) -> torch.Tensor:
    """Spiral waves ``sin(angle(u) - k ||u||)`` around the centre (the hard field).

    ``u = x - (0.5, 0.5)`` and ``k =`` :data:`SPIRAL_K`.

    Parameters
    ----------
    x : torch.Tensor, shape (n, 2)
        Points on the unit square.

    Returns
    -------
    torch.Tensor, shape (n,)
        Values in ``[-1, 1]``.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.targets import spiral
    >>> g = torch.linspace(0, 1, 5)
    >>> x = torch.cartesian_prod(g, g)  # a 5 x 5 grid on the unit square
    >>> y = spiral(x)
    >>> x.shape, y.shape, bool(y.abs().max() <= 1)
    (torch.Size([25, 2]), torch.Size([25]), True)
    """
    x = check_tensor("x", x, shape=("n", 2))
    u = x - 0.5
    angle = torch.atan2(u[:, 1], u[:, 0])
    return torch.sin(angle - SPIRAL_K * u.norm(dim=1))


#: Name -> 2D field ``(n, 2) -> (n,)``.
FIELDS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    f.__name__: f for f in (blob, moons, spiral)
}


def sample_field(
    name: str, n: int, noise_sigma: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy samples of a 2D field at points uniform on the unit square.

    Parameters
    ----------
    name : {"blob", "moons", "spiral"}
        Which field (see :data:`FIELDS`).
    n : int
        Number of samples (>= 1).
    noise_sigma : float
        Standard deviation of the Gaussian noise on ``y`` (>= 0).
    seed : int
        Seed of the private generator.

    Returns
    -------
    x : torch.Tensor, shape (n, 2)
        Inputs uniform on ``[0, 1]^2`` (float32).
    y : torch.Tensor, shape (n, 1)
        ``field(x) + noise_sigma * eps`` (float32).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.targets import moons, sample_field
    >>> x, y = sample_field("moons", 50, noise_sigma=0.05, seed=0)
    >>> x.shape, y.shape, bool(((x >= 0) & (x <= 1)).all())
    (torch.Size([50, 2]), torch.Size([50, 1]), True)
    >>> x0, y0 = sample_field("moons", 50, noise_sigma=0.0, seed=0)
    >>> torch.equal(x0, x), torch.equal(y0[:, 0], moons(x0))
    (True, True)
    """
    name = check_choice("field", name, FIELDS)
    n = check_positive_int("n", n)
    noise_sigma = check_real("noise_sigma", noise_sigma, minimum=0)
    gen = torch.Generator().manual_seed(check_seed(seed))
    x = torch.rand(n, 2, generator=gen)
    y = FIELDS[name](x)[:, None] + noise_sigma * torch.randn(n, 1, generator=gen)
    return x, y
