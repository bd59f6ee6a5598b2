"""Diagnostics of a posterior estimate: coverage, distances to the truth.

**Coverage.** Draw ``theta* ~ p(theta)`` and ``x ~ p(x | theta*)`` many times.
For each, ask how much of ``q(theta | x)``'s mass lies where ``q`` is *higher*
than at the true ``theta*``: that is the level ``alpha`` of the smallest
highest-density region that still contains ``theta*`` (:func:`hpd_level_gaussian`
and :func:`hpd_level_grid`; for any estimator that can sample and evaluate its
density, :func:`hpd_level_samples`). If ``q`` is the posterior, ``theta*`` falls
inside the ``alpha`` region a fraction ``alpha`` of the time, for every
``alpha``: these levels are uniform on ``[0, 1]``. :func:`empirical_coverage`
counts, for a sweep of nominal levels, how often ``theta*`` was inside;
calibrated estimators lie on the diagonal, overconfident ones below it,
underconfident ones above it. Averaged over ``p(x)``, that is: an estimator
can cover correctly on average and still be too wide for some ``x`` and too
narrow for others.

**Distances.** :func:`tv_distance` for densities on a grid,
:func:`gaussian_kl` for two Gaussians in closed form, and
:func:`gaussian_errors` for the mean, widths and correlation of a learned 2-D
Gaussian against the exact one. :func:`rank_correlation` checks that one
quantity follows another (e.g. a learned width the exact one).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from ._checks import check_positive_int, check_seed, check_shape, check_tensor


def _check_matrices(name: str, value: object, d: int) -> torch.Tensor:
    value = check_tensor(name, value)
    if value.ndim < 2 or value.shape[-2:] != (d, d):
        raise ValueError(
            f"{name} must have shape (..., {d}, {d}); got {tuple(value.shape)}"
        )
    return value


def hpd_level_gaussian(
    mean: torch.Tensor, cov: torch.Tensor, theta: torch.Tensor
) -> torch.Tensor:
    """Level of the smallest Gaussian highest-density region containing ``theta``.

    For ``N(mean, cov)`` in ``d`` dimensions the highest-density regions are
    ellipses, and ``theta`` lies on the boundary of the one with probability

    .. math::

        \\alpha = P\\big(\\chi^2_d \\le
        (\\theta-\\mu)^\\top \\Sigma^{-1} (\\theta-\\mu)\\big).

    Parameters
    ----------
    mean : torch.Tensor, shape (n, d)
        Means of ``q(theta | x_i)``.
    cov : torch.Tensor, shape (n, d, d) or (d, d)
        Covariances (positive definite); one shared matrix is allowed.
    theta : torch.Tensor, shape (n, d)
        True parameters.

    Returns
    -------
    torch.Tensor, shape (n,), float64
        Levels in ``[0, 1]``.

    Examples
    --------
    In one dimension a truth one or two standard deviations from the mean lies
    on the boundary of the 68 % or 95 % region:

    >>> import torch
    >>> from learnable_bases.calibration import hpd_level_gaussian
    >>> theta = torch.tensor([[0.0], [1.0], [2.0]])
    >>> levels = hpd_level_gaussian(torch.zeros(3, 1), torch.eye(1), theta)
    >>> [round(v, 3) for v in levels.tolist()]
    [0.0, 0.683, 0.954]
    """
    mean = check_tensor("mean", mean, ndim=2)
    theta = check_tensor("theta", theta, ndim=2)
    check_shape("theta", theta, mean.shape, " (the shape of mean)")
    d = mean.shape[1]
    cov = _check_matrices("cov", cov, d).double()
    delta = (theta.double() - mean.double())[..., None]
    chol = torch.linalg.cholesky(cov).expand(delta.shape[0], d, d)
    z = torch.linalg.solve_triangular(chol, delta, upper=False)
    m2 = (z[..., 0] ** 2).sum(dim=-1)
    return torch.special.gammainc(torch.tensor(d / 2, dtype=torch.float64), m2 / 2)


def hpd_level_grid(
    density: torch.Tensor, grid: torch.Tensor, theta: torch.Tensor
) -> torch.Tensor:
    """Level of the smallest highest-density region containing ``theta``, on a grid.

    ``alpha_i`` is the mass of ``density[i]`` where it exceeds its value at
    ``theta_i`` (linearly interpolated), found by summing grid cells.

    Parameters
    ----------
    density : torch.Tensor, shape (n, g)
        Densities of ``q(theta | x_i)`` on ``grid`` (need not be normalised).
    grid : torch.Tensor, shape (g,)
        Evenly spaced, increasing ``theta`` values.
    theta : torch.Tensor, shape (n,) or (n, 1)
        True parameters.

    Returns
    -------
    torch.Tensor, shape (n,), float64
        Levels in ``[0, 1]``; ``1`` for a ``theta`` outside the grid.

    Examples
    --------
    A standard normal density on a grid, with truths at 1, 2 and 6 (beyond
    the grid):

    >>> import torch
    >>> from learnable_bases.calibration import hpd_level_grid
    >>> grid = torch.linspace(-5, 5, 1001)
    >>> density = torch.exp(-0.5 * grid**2).expand(3, -1)
    >>> levels = hpd_level_grid(density, grid, torch.tensor([1.0, 2.0, 6.0]))
    >>> [round(v, 2) for v in levels.tolist()]
    [0.68, 0.95, 1.0]
    """
    density = check_tensor("density", density, ndim=2).double()
    grid = check_tensor("grid", grid, ndim=1).double()
    theta = check_tensor("theta", theta).double().reshape(-1)
    shape = (theta.numel(), grid.numel())
    check_shape("density", density, shape, " (one row per theta, a column per point)")
    mass = density / density.sum(dim=1, keepdim=True)
    # the density at the truth, linearly interpolated (zero outside the grid)
    right = torch.searchsorted(grid, theta).clamp(1, grid.numel() - 1)
    w = (theta - grid[right - 1]) / (grid[right] - grid[right - 1])
    ends = density.gather(1, torch.stack([right - 1, right], dim=1))
    at_truth = (1 - w) * ends[:, 0] + w * ends[:, 1]
    at_truth = at_truth.masked_fill((theta < grid[0]) | (theta > grid[-1]), 0.0)
    return (mass * (density > at_truth[:, None])).sum(dim=1).clamp(0.0, 1.0)


def hpd_level_samples(
    estimator: object,
    theta: torch.Tensor,
    x: torch.Tensor,
    *,
    n_samples: int = 1000,
    seed: int = 0,
) -> torch.Tensor:
    """Level of the smallest highest-density region containing ``theta``, by sampling.

    For each pair, ``alpha_i`` is the fraction of ``n_samples`` draws
    ``theta_s ~ q(theta | x_i)`` at which ``q`` is higher than at ``theta_i``:
    the rank of ``-log q(theta_i | x_i)`` among the ``-log q(theta_s | x_i)``.
    It needs only samples and log densities, so it serves any estimator,
    truncated or not, and tends to :func:`hpd_level_gaussian` for a Gaussian as
    ``n_samples`` grows (its own scatter is at most ``0.5 / sqrt(n_samples)``).

    Parameters
    ----------
    estimator : object
        Anything with ``sample(n, x, *, seed) -> (n, d)`` and
        ``log_prob(theta, x) -> (m,)`` for one observation ``x`` of shape
        ``(x_dim,)``, such as a :class:`~learnable_bases.posterior.PosteriorFit`.
    theta : torch.Tensor, shape (m, d)
        True parameters.
    x : torch.Tensor, shape (m, x_dim)
        Their data.
    n_samples : int, default 1000
        Draws per observation (>= 1).
    seed : int, default 0
        Observation ``i`` is sampled with seed ``seed + i``.

    Returns
    -------
    torch.Tensor, shape (m,), float64
        Levels in ``[0, 1]``.

    Examples
    --------
    For an untruncated Gaussian fit the levels by sampling agree with the
    closed form to within their scatter:

    >>> from learnable_bases.calibration import hpd_level_gaussian, hpd_level_samples
    >>> from learnable_bases.posterior import fit_posterior
    >>> fit = fit_posterior("line", n_sims=300, schedule=((5, 1e-2),))
    >>> theta, x = fit.simulator.sample(20, seed=1)
    >>> levels = hpd_level_samples(fit, theta, x, n_samples=1000)
    >>> exact = hpd_level_gaussian(*fit.gaussian(x), theta)
    >>> levels.shape, bool((levels - exact).abs().max() < 0.1)
    (torch.Size([20]), True)
    """
    for name in ("sample", "log_prob"):
        if not callable(getattr(estimator, name, None)):
            raise TypeError(
                "estimator must have sample(n, x, *, seed) and log_prob(theta, x) "
                f"(a PosteriorFit, for one); {type(estimator).__name__} has no {name}"
            )
    theta = check_tensor("theta", theta, ndim=2)
    x = check_tensor("x", x, ndim=2)
    check_shape("x", x, (theta.shape[0], "x_dim"), " (the same number of pairs)")
    n_samples = check_positive_int("n_samples", n_samples)
    seed = check_seed(seed)
    levels = torch.empty(theta.shape[0], dtype=torch.float64)
    for i in range(theta.shape[0]):
        draws = estimator.sample(n_samples, x[i], seed=seed + i)
        # one call: the truth first, then the draws
        lp = estimator.log_prob(torch.cat([theta[i : i + 1], draws.to(theta)]), x[i])
        levels[i] = (lp[1:] > lp[0]).double().mean()
    return levels


def empirical_coverage(levels: torch.Tensor, nominal: object) -> np.ndarray:
    """Fraction of true parameters inside the credible region of each nominal level.

    Parameters
    ----------
    levels : torch.Tensor or array_like, shape (n,)
        HPD levels of the true parameters (:func:`hpd_level_gaussian` or
        :func:`hpd_level_grid`), one per simulation.
    nominal : array_like, shape (k,)
        Credibility levels in ``[0, 1]``, e.g. ``[0.5, 0.68, 0.95]``.

    Returns
    -------
    np.ndarray, shape (k,)
        ``mean(levels <= nominal_j)``: the empirical coverage.

    Examples
    --------
    >>> from learnable_bases.calibration import empirical_coverage
    >>> empirical_coverage([0.1, 0.3, 0.5, 0.7, 0.9], [0.5, 0.95]).tolist()
    [0.6, 1.0]
    """
    lv = np.asarray(levels, dtype=float).reshape(-1)
    nom = np.asarray(nominal, dtype=float)
    if lv.size == 0:
        raise ValueError("levels is empty; need at least one simulation")
    if not np.all(np.isfinite(lv)):
        raise ValueError("levels contains NaN or infinite values")
    if nom.ndim != 1 or nom.size == 0 or np.any((nom < 0) | (nom > 1)):
        raise ValueError(
            f"nominal must be a 1D array of levels in [0, 1]; got {nominal!r}"
        )
    return (lv[None, :] <= nom[:, None]).mean(axis=1)


def tv_distance(p: torch.Tensor, q: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Total variation distance ``(1/2) int |p - q| dtheta`` of densities on a grid.

    ``0`` for identical densities, ``1`` for densities with disjoint support.

    Parameters
    ----------
    p, q : torch.Tensor, shape (m, g)
        Densities on ``grid`` (each normalised to integrate to 1).
    grid : torch.Tensor, shape (g,)
        Increasing ``theta`` values.

    Returns
    -------
    torch.Tensor, shape (m,), float64

    Examples
    --------
    Two unit Gaussians one standard deviation apart, and one against itself:

    >>> import torch
    >>> from learnable_bases.calibration import tv_distance
    >>> grid = torch.linspace(-6, 6, 1201)
    >>> p = torch.distributions.Normal(0.0, 1.0).log_prob(grid).exp()[None]
    >>> q = torch.distributions.Normal(1.0, 1.0).log_prob(grid).exp()[None]
    >>> round(float(tv_distance(p, q, grid)), 3), float(tv_distance(p, p, grid))
    (0.383, 0.0)
    """
    p = check_tensor("p", p, ndim=2).double()
    q = check_tensor("q", q, ndim=2).double()
    grid = check_tensor("grid", grid, ndim=1).double()
    check_shape("p", p, ("m", grid.numel()), " (g = len(grid))")
    check_shape("q", q, p.shape, " (the same shape as p)")
    return 0.5 * torch.trapezoid((p - q).abs(), grid, dim=1)


def gaussian_kl(
    mean_p: torch.Tensor, cov_p: torch.Tensor, mean_q: torch.Tensor, cov_q: torch.Tensor
) -> torch.Tensor:
    """``KL(N(mean_p, cov_p) || N(mean_q, cov_q))`` in closed form.

    .. math::

        \\tfrac12\\Big[\\operatorname{tr}(\\Sigma_q^{-1}\\Sigma_p)
        + (\\mu_q-\\mu_p)^\\top\\Sigma_q^{-1}(\\mu_q-\\mu_p) - d
        + \\log\\frac{\\det\\Sigma_q}{\\det\\Sigma_p}\\Big]

    Parameters
    ----------
    mean_p, mean_q : torch.Tensor, shape (m, d)
        Means.
    cov_p, cov_q : torch.Tensor, shape (m, d, d) or (d, d)
        Positive-definite covariances (a single matrix broadcasts).

    Returns
    -------
    torch.Tensor, shape (m,), float64
        ``>= 0``, zero only for identical Gaussians.

    Examples
    --------
    Shifting a unit Gaussian by one standard deviation costs ``1/2``:

    >>> import torch
    >>> from learnable_bases.calibration import gaussian_kl
    >>> shifted = torch.tensor([[1.0, 0.0]])
    >>> gaussian_kl(torch.zeros(1, 2), torch.eye(2), shifted, torch.eye(2)).tolist()
    [0.5]
    """
    mean_p = check_tensor("mean_p", mean_p, ndim=2).double()
    mean_q = check_tensor("mean_q", mean_q, ndim=2).double()
    check_shape("mean_q", mean_q, mean_p.shape, " (the shape of mean_p)")
    m, d = mean_p.shape
    cov_p = _check_matrices("cov_p", cov_p, d).double().expand(m, d, d)
    cov_q = _check_matrices("cov_q", cov_q, d).double().expand(m, d, d)
    chol_q, chol_p = torch.linalg.cholesky(cov_q), torch.linalg.cholesky(cov_p)
    a = torch.linalg.solve_triangular(chol_q, chol_p, upper=False)
    trace = (a**2).sum(dim=(-2, -1))
    z = torch.linalg.solve_triangular(chol_q, (mean_q - mean_p)[..., None], upper=False)
    maha = (z[..., 0] ** 2).sum(dim=-1)
    diag_q, diag_p = (torch.diagonal(c, dim1=-2, dim2=-1) for c in (chol_q, chol_p))
    logdet = 2 * (torch.log(diag_q).sum(-1) - torch.log(diag_p).sum(-1))
    return 0.5 * (trace + maha - d + logdet)


def gaussian_summary(cov: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Standard deviations and (for 2-D) the correlation of covariance matrices.

    Parameters
    ----------
    cov : torch.Tensor, shape (..., 2, 2)
        Covariance matrices.

    Returns
    -------
    std : torch.Tensor, shape (..., 2)
    corr : torch.Tensor, shape (...)

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.calibration import gaussian_summary
    >>> std, corr = gaussian_summary(torch.tensor([[4.0, 1.0], [1.0, 1.0]]))
    >>> std.tolist(), float(corr)
    ([2.0, 1.0], 0.5)
    """
    cov = _check_matrices("cov", cov, 2)
    std = torch.diagonal(cov, dim1=-2, dim2=-1).sqrt()
    return std, cov[..., 0, 1] / (std[..., 0] * std[..., 1])


def rank_correlation(a: object, b: object) -> float:
    """Spearman's rank correlation of two samples (no ties expected).

    Parameters
    ----------
    a, b : array_like, shape (n,)
        Paired values, ``n >= 2``.

    Returns
    -------
    float
        The Pearson correlation of the ranks, in ``[-1, 1]``; ``1`` when ``b``
        increases with ``a`` however non-linearly.

    Examples
    --------
    >>> from learnable_bases.calibration import rank_correlation
    >>> rank_correlation([1, 2, 3, 4], [1, 8, 27, 64])
    1.0
    >>> rank_correlation([1, 2, 3, 4], [4, 3, 2, 1])
    -1.0
    """
    a, b = (np.asarray(v, dtype=float).reshape(-1) for v in (a, b))
    if a.shape != b.shape or a.size < 2:
        raise ValueError(
            f"a and b must have the same length >= 2; got {a.size} and {b.size}"
        )
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a and b must be finite")
    ra, rb = (np.argsort(np.argsort(v)).astype(float) for v in (a, b))
    return float(np.corrcoef(ra, rb)[0, 1])


class GaussianErrors(NamedTuple):
    """How far a learned 2-D Gaussian is from the exact one, per observation.

    Attributes
    ----------
    mean : np.ndarray, shape (m,)
        Largest absolute error of a mean component, in the units of ``theta``.
    std : np.ndarray, shape (m,)
        Largest relative error of a standard deviation, ``|s_q / s_p - 1|``.
    corr : np.ndarray, shape (m,)
        Absolute error of the correlation coefficient.

    Examples
    --------
    :func:`gaussian_errors` returns one; its fields are read by name:

    >>> import torch
    >>> from learnable_bases.calibration import GaussianErrors, gaussian_errors
    >>> eye = torch.eye(2, dtype=torch.float64)
    >>> err = gaussian_errors(torch.zeros(1, 2), 1.21 * eye, torch.zeros(1, 2), eye)
    >>> GaussianErrors._fields, round(float(err.std[0]), 3)
    (('mean', 'std', 'corr'), 0.1)
    """

    mean: np.ndarray
    std: np.ndarray
    corr: np.ndarray


def gaussian_errors(
    mean_q: torch.Tensor, cov_q: torch.Tensor, mean_p: torch.Tensor, cov_p: torch.Tensor
) -> GaussianErrors:
    """Errors of the mean, the standard deviations and the correlation of ``q``.

    Parameters
    ----------
    mean_q, mean_p : torch.Tensor, shape (m, 2)
        Learned and exact means.
    cov_q, cov_p : torch.Tensor, shape (m, 2, 2) or (2, 2)
        Learned and exact covariances.

    Returns
    -------
    GaussianErrors

    Examples
    --------
    A learned mean off by ``0.2``, a width 10 % too large and a correlation of
    ``0.2`` where the exact one is 0:

    >>> import torch
    >>> from learnable_bases.calibration import gaussian_errors
    >>> cov_q = torch.tensor([[1.21, 0.22], [0.22, 1.0]], dtype=torch.float64)
    >>> exact = torch.zeros(1, 2), torch.eye(2, dtype=torch.float64)
    >>> err = gaussian_errors(torch.tensor([[0.1, -0.2]]), cov_q, *exact)
    >>> [round(float(e[0]), 3) for e in err]  # mean, std, corr
    [0.2, 0.1, 0.2]
    """
    mean_q = check_tensor("mean_q", mean_q, ndim=2).double()
    mean_p = check_tensor("mean_p", mean_p, ndim=2).double()
    check_shape("mean_q", mean_q, ("m", 2))
    check_shape("mean_p", mean_p, mean_q.shape, " (the shape of mean_q)")
    std_q, corr_q = gaussian_summary(cov_q.double())
    std_p, corr_p = gaussian_summary(cov_p.double())
    m = mean_q.shape[0]
    return GaussianErrors(
        mean=(mean_q - mean_p).abs().amax(dim=1).numpy(),
        std=(std_q / std_p - 1).abs().expand(m, 2).amax(dim=1).numpy(),
        corr=(corr_q - corr_p).abs().expand(m).numpy(),
    )
