"""Step size and curvature: gradient descent on a quadratic, exactly.

In 1D the loss is ``E(w) = kappa w^2 / 2`` with curvature ``kappa = E''(w)``.
One gradient step multiplies ``w`` by ``r = 1 - eta kappa``, so
``w_i = (1 - eta kappa)^i w_0``:

========================  ==============================  ==================
``eta kappa``             ``r = 1 - eta kappa``           :func:`regime`
========================  ==============================  ==================
``(0, 1)``                ``(0, 1)``                      ``"slow"``
``1``                     ``0``                           ``"one-step"``
``(1, 2)``                ``(-1, 0)``                     ``"oscillating"``
``2``                     ``-1``                          ``"undamped"``
``> 2``                   ``< -1``                        ``"diverging"``
========================  ==============================  ==================

``"undamped"`` is the boundary ``eta = 2/kappa``: the iterate flips sign
forever at constant size, neither converging nor diverging.

In several dimensions, ``E(w) = sum_k kappa_k u_k^2 / 2`` in coordinates ``u``
aligned with the curvature axes (optionally rotated by ``angle`` against
``w``). Each axis contracts by ``|1 - eta kappa_k|`` per step; the slowest
decides: :func:`contraction_2d`. The step must satisfy ``eta < 2 / max kappa``
(:func:`max_stable_eta`) and the best fixed step is ``2 / (min + max)``
(:func:`best_fixed_eta`), with contraction ``(K - 1)/(K + 1)`` for the
condition number ``K = max kappa / min kappa``.

:func:`adam_path_2d` runs Adam on the same bowls. Adam divides each
coordinate's step by the root mean square of that coordinate's gradient: a
rescaling along the coordinate axes, which matches the curvature only when the
bowl's axes are the coordinate axes (``angle = 0``).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from ._checks import check_positive_float, check_positive_int, check_real, check_shape

#: Relative tolerance with which :func:`regime` recognises the boundaries
#: ``eta kappa = 1`` and ``eta kappa = 2`` (``1/kappa`` is rarely exact in floats).
REGIME_RTOL = 1e-12

#: The values :func:`regime` returns, from small to large ``eta kappa``.
REGIMES = ("slow", "one-step", "oscillating", "undamped", "diverging")


def _check_kappas(
    kappas: object, name: str = "kappas", minimum: float | None = None
) -> np.ndarray:
    """``kappas`` as a non-empty 1D float array, finite and > 0 (or ``>= minimum``:
    condition numbers, ``minimum=1``)."""
    arr = np.asarray(kappas, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1D array; got shape {arr.shape}")
    low = np.any(arr <= 0) if minimum is None else np.any(arr < minimum)
    if not np.all(np.isfinite(arr)) or low:
        rule = "> 0" if minimum is None else f">= {minimum:g}"
        raise ValueError(f"{name} must be finite and {rule}; got {arr.tolist()}")
    return arr


def _check_vector(name: str, value: object, d: int) -> np.ndarray:
    arr = check_shape(name, np.asarray(value, dtype=float), (d,))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr.tolist()}")
    return arr


def _check_path(
    kappas: object, eta: object, w0: object, steps: object, angle: object
) -> tuple[np.ndarray, float, np.ndarray, int, float]:
    """The checked arguments shared by the 2D optimizer paths."""
    k = _check_kappas(kappas)
    eta = check_positive_float("eta", eta)
    w = _check_vector("w0", w0, k.size)
    steps = check_positive_int("steps", steps)
    angle = check_real("angle", angle)
    return k, eta, w, steps, angle


def _rotation(angle: float, d: int) -> np.ndarray:
    """The 2D rotation by ``angle``; ``d`` (the number of kappas) must be 2."""
    if d != 2:
        raise ValueError(f"angle is only supported in 2D; got {d} kappas")
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def _hessian(kappas: np.ndarray, angle: float) -> np.ndarray:
    if angle == 0.0:
        return np.diag(kappas)
    rot = _rotation(angle, kappas.size)
    return rot @ np.diag(kappas) @ rot.T


# ---------------------------------------------------------------------------
# 1D
# ---------------------------------------------------------------------------


def quadratic_loss(kappa: float, w: np.ndarray | float) -> np.ndarray:
    """The 1D loss ``E(w) = kappa w^2 / 2``.

    Parameters
    ----------
    kappa : float
        Curvature (> 0).
    w : float or np.ndarray, shape (...)
        Parameter values.

    Returns
    -------
    np.ndarray, shape (...)
        ``E(w)``.

    Examples
    --------
    >>> from learnable_bases.quadratic import quadratic_loss
    >>> quadratic_loss(2.0, [0.0, 1.0, 3.0]).tolist()
    [0.0, 1.0, 9.0]
    """
    kappa = check_positive_float("kappa", kappa)
    return 0.5 * kappa * np.asarray(w, dtype=float) ** 2


def gd_iterates(kappa: float, eta: float, w0: float, steps: int) -> np.ndarray:
    """Run gradient descent ``w <- w - eta kappa w`` on ``E(w) = kappa w^2 / 2``.

    Parameters
    ----------
    kappa : float
        Curvature (> 0).
    eta : float
        Learning rate (> 0).
    w0 : float
        Starting point (finite).
    steps : int
        Number of steps (>= 1).

    Returns
    -------
    np.ndarray, shape (steps + 1,)
        ``w_0, w_1, ..., w_steps`` (float64). Diverging runs overflow to
        ``±inf`` (with alternating sign if ``eta kappa > 2``), without a warning.

    Examples
    --------
    With ``eta kappa = 0.5`` each step halves ``w``; with ``eta kappa = 1.5``
    it also flips its sign:

    >>> from learnable_bases.quadratic import gd_iterates
    >>> gd_iterates(1.0, 0.5, 1.0, steps=3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    >>> gd_iterates(1.0, 1.5, 1.0, steps=3).tolist()
    [1.0, -0.5, 0.25, -0.125]
    """
    kappa = check_positive_float("kappa", kappa)
    eta = check_positive_float("eta", eta)
    w = check_real("w0", w0)
    steps = check_positive_int("steps", steps)
    out = [w]
    r = 1.0 - eta * kappa
    for _ in range(steps):
        # the gradient of E is kappa * w; once overflowed, r * w keeps +-inf
        # (inf - inf would be nan)
        w = w - eta * kappa * w if math.isfinite(w) else r * w
        out.append(w)
    return np.array(out)


def gd_iterates_closed_form(
    kappa: float, eta: float, w0: float, steps: int
) -> np.ndarray:
    """Closed form ``w_i = (1 - eta kappa)^i w0`` of :func:`gd_iterates`.

    Parameters
    ----------
    kappa : float
        Curvature (> 0).
    eta : float
        Learning rate (> 0).
    w0 : float
        Starting point (finite).
    steps : int
        Number of steps (>= 1).

    Returns
    -------
    np.ndarray, shape (steps + 1,)
        ``(1 - eta kappa)^i w0`` for ``i = 0, ..., steps``.

    Examples
    --------
    >>> import numpy as np
    >>> from learnable_bases.quadratic import gd_iterates, gd_iterates_closed_form
    >>> gd_iterates_closed_form(1.0, 2.5, 1.0, steps=3).tolist()
    [1.0, -1.5, 2.25, -3.375]
    >>> bool(np.allclose(gd_iterates_closed_form(2.0, 0.3, 1.5, 10),
    ...                  gd_iterates(2.0, 0.3, 1.5, 10)))
    True
    """
    kappa = check_positive_float("kappa", kappa)
    eta = check_positive_float("eta", eta)
    w0 = check_real("w0", w0)
    steps = check_positive_int("steps", steps)
    with np.errstate(over="ignore", invalid="ignore"):
        return (1.0 - eta * kappa) ** np.arange(steps + 1) * w0


def regime(kappa: float, eta: float) -> str:
    """Name the behaviour of gradient descent on ``kappa w^2 / 2`` with step ``eta``.

    Parameters
    ----------
    kappa : float
        Curvature (> 0).
    eta : float
        Learning rate (> 0).

    Returns
    -------
    str
        One of :data:`REGIMES`: ``"slow"`` (``eta kappa < 1``, monotone),
        ``"one-step"`` (``eta = 1/kappa``), ``"oscillating"`` (``1 < eta kappa
        < 2``, damped sign flips), ``"undamped"`` (``eta = 2/kappa``, sign flips
        of constant size) or ``"diverging"`` (``eta kappa > 2``). The two
        boundaries are matched with relative tolerance :data:`REGIME_RTOL`.

    Examples
    --------
    >>> from learnable_bases.quadratic import regime
    >>> [regime(1.0, eta) for eta in (0.5, 1.0, 1.5, 2.0, 3.0)]
    ['slow', 'one-step', 'oscillating', 'undamped', 'diverging']
    >>> regime(3.0, 2 / 3)  # the boundary, despite 2/3 not being exact in floats
    'undamped'
    """
    kappa = check_positive_float("kappa", kappa)
    eta = check_positive_float("eta", eta)
    p = eta * kappa
    for boundary, name in ((1.0, "one-step"), (2.0, "undamped")):
        if math.isclose(p, boundary, rel_tol=REGIME_RTOL):
            return name
    if p < 1.0:
        return "slow"
    return "oscillating" if p < 2.0 else "diverging"


# ---------------------------------------------------------------------------
# 2D (and d-dimensional) anisotropic quadratic
# ---------------------------------------------------------------------------


def quadratic_loss_2d(
    kappas: np.ndarray, w: np.ndarray, angle: float = 0.0
) -> np.ndarray:
    """The loss ``E(w) = w^T H w / 2`` with ``H = R diag(kappas) R^T``.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures along the principal axes (> 0).
    w : array_like, shape (..., d)
        Points, e.g. a grid for a contour plot.
    angle : float, default 0.0
        Rotation of the principal axes in radians (2D only).

    Returns
    -------
    np.ndarray, shape (...)
        ``E(w)``.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> from learnable_bases.quadratic import quadratic_loss_2d
    >>> float(quadratic_loss_2d([1.0, 10.0], [1.0, 1.0]))  # (1 + 10) / 2
    5.5
    >>> float(quadratic_loss_2d([1.0, 10.0], [1.0, 0.0], angle=math.pi / 2))
    5.0
    >>> quadratic_loss_2d([1.0, 10.0], np.zeros((4, 5, 2))).shape  # a grid
    (4, 5)
    """
    k = _check_kappas(kappas)
    angle = check_real("angle", angle)
    w = np.asarray(w, dtype=float)
    if w.ndim == 0 or w.shape[-1] != k.size:
        raise ValueError(f"w must have shape (..., {k.size}); got {w.shape}")
    return 0.5 * np.einsum("...i,ij,...j->...", w, _hessian(k, angle), w)


def gd_path_2d(
    kappas: np.ndarray, eta: float, w0: np.ndarray, steps: int, angle: float = 0.0
) -> np.ndarray:
    """Gradient descent ``w <- w - eta H w`` on ``E(w) = w^T H w / 2``.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures along the principal axes (> 0); usually ``d = 2``.
    eta : float
        Learning rate (> 0).
    w0 : array_like, shape (d,)
        Starting point.
    steps : int
        Number of steps (>= 1).
    angle : float, default 0.0
        Rotation of the principal axes against the coordinate axes, in
        radians (2D only): ``H = R(angle) diag(kappas) R(angle)^T``.

    Returns
    -------
    np.ndarray, shape (steps + 1, d)
        The iterates ``w_0, ..., w_steps``. Diverging runs end in ``±inf``
        entries (``nan`` once a rotation mixes them), without a warning.

    Examples
    --------
    With ``eta = 1/10`` the steep axis (``kappa = 10``) is solved in one step,
    the shallow one only shrinks by ``0.9`` per step:

    >>> from learnable_bases.quadratic import gd_path_2d
    >>> path = gd_path_2d([1.0, 10.0], 0.1, [1.0, 1.0], steps=3)
    >>> path.shape
    (4, 2)
    >>> path.round(3).tolist()
    [[1.0, 1.0], [0.9, 0.0], [0.81, 0.0], [0.729, 0.0]]
    """
    k, eta, w, steps, angle = _check_path(kappas, eta, w0, steps, angle)
    h = _hessian(k, angle)
    r = 1.0 - eta * k
    out = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            if angle == 0.0:  # diagonal Hessian: keep +-inf once overflowed
                w = np.where(np.isfinite(w), w - eta * (k * w), r * w)
            else:
                w = w - eta * (h @ w)
            out.append(w)
    return np.array(out)


def adam_path_2d(
    kappas: np.ndarray,
    eta: float,
    w0: np.ndarray,
    steps: int,
    angle: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> np.ndarray:
    """Adam on ``E(w) = w^T H w / 2``, as ``torch.optim.Adam`` steps it.

    With gradient ``g = H w``, step ``i`` (from 1) updates the running averages
    ``m <- b1 m + (1 - b1) g`` and ``v <- b2 v + (1 - b2) g^2`` (per coordinate)
    and moves ``w <- w - eta m_hat / (sqrt(v_hat) + eps)`` with the bias
    corrections ``m_hat = m / (1 - b1^i)``, ``v_hat = v / (1 - b2^i)``. Each
    coordinate's step is scaled by the size of its own gradient, not by the
    curvature: a diagonal rescaling.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures along the principal axes (> 0).
    eta : float
        Learning rate (> 0).
    w0 : array_like, shape (d,)
        Starting point.
    steps : int
        Number of steps (>= 1).
    angle : float, default 0.0
        Rotation of the principal axes (2D only), as in :func:`gd_path_2d`.
    betas : (float, float), default (0.9, 0.999)
        Decay rates ``b1``, ``b2`` of the running averages, each in ``[0, 1)``.
    eps : float, default 1e-8
        Added to ``sqrt(v_hat)`` (> 0).

    Returns
    -------
    np.ndarray, shape (steps + 1, d)
        The iterates ``w_0, ..., w_steps``.

    Examples
    --------
    Adam's first step moves every coordinate by ``eta``, whatever its
    curvature (here 1 and 100):

    >>> from learnable_bases.quadratic import adam_path_2d
    >>> path = adam_path_2d([1.0, 100.0], 0.1, [1.0, 1.0], steps=5)
    >>> path.shape
    (6, 2)
    >>> path[1].round(6).tolist()
    [0.9, 0.9]
    """
    k, eta, w, steps, angle = _check_path(kappas, eta, w0, steps, angle)
    eps = check_positive_float("eps", eps)
    if (
        not isinstance(betas, (tuple, list))
        or len(betas) != 2
        or not all(isinstance(b, Real) and 0 <= b < 1 for b in betas)
    ):
        raise ValueError(f"betas must be two numbers in [0, 1); got {betas!r}")
    b1, b2 = (float(b) for b in betas)
    h = _hessian(k, angle)
    m = v = np.zeros(k.size)  # the running averages (each step makes new arrays)
    out = [w]
    for i in range(1, steps + 1):
        g = h @ w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**i)
        v_hat = v / (1 - b2**i)
        w = w - eta * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return np.array(out)


def contraction_2d(kappas: np.ndarray, eta: float) -> float:
    """Worst-axis contraction factor per step, ``max_k |1 - eta kappa_k|``.

    The error norm shrinks by at most this factor per step (exactly this
    factor, eventually, along the slowest axis); values >= 1 do not converge.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures (> 0).
    eta : float
        Learning rate (> 0).

    Returns
    -------
    float
        ``max_k |1 - eta kappa_k|``.

    Examples
    --------
    >>> from learnable_bases.quadratic import contraction_2d
    >>> round(contraction_2d([1.0, 10.0], 0.1), 6)  # the shallow axis: 1 - 0.1
    0.9
    >>> round(contraction_2d([1.0, 10.0], 2 / 11), 4)  # (K - 1)/(K + 1), K = 10
    0.8182
    >>> contraction_2d([1.0, 10.0], 0.25) >= 1  # too large: |1 - 2.5| = 1.5
    True
    """
    k = _check_kappas(kappas)
    eta = check_positive_float("eta", eta)
    return float(np.max(np.abs(1.0 - eta * k)))


def max_stable_eta(kappas: np.ndarray) -> float:
    """Largest learning rate that does not diverge, ``2 / max(kappas)``.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures (> 0).

    Returns
    -------
    float
        ``2 / max(kappas)``; any ``eta`` strictly below converges.

    Examples
    --------
    >>> from learnable_bases.quadratic import max_stable_eta, regime
    >>> max_stable_eta([1.0, 10.0])
    0.2
    >>> regime(10.0, max_stable_eta([1.0, 10.0]))  # the steep axis, at the limit
    'undamped'
    """
    return float(2.0 / np.max(_check_kappas(kappas)))


def best_fixed_eta(kappas: np.ndarray) -> float:
    """Fixed step that minimises :func:`contraction_2d`, ``2 / (min + max)``.

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures (> 0).

    Returns
    -------
    float
        ``2 / (min(kappas) + max(kappas))``; its contraction is
        ``(K - 1) / (K + 1)`` with ``K = max / min``.

    Examples
    --------
    >>> from learnable_bases.quadratic import best_fixed_eta, contraction_2d
    >>> eta = best_fixed_eta([1.0, 10.0])  # 2 / 11
    >>> round(eta, 4)
    0.1818
    >>> round(contraction_2d([1.0, 10.0], eta), 4)  # (10 - 1) / (10 + 1)
    0.8182
    """
    k = _check_kappas(kappas)
    return float(2.0 / (k.min() + k.max()))


def steps_to_converge(
    kappas: np.ndarray,
    eta: float,
    w0: np.ndarray | None = None,
    tol: float = 1e-6,
    angle: float = 0.0,
) -> int | None:
    """Number of GD steps until ``||w_i|| <= tol * ||w_0||``.

    Computed exactly from the closed form in the principal axes,
    ``u_{i,k} = (1 - eta kappa_k)^i u_{0,k}``, by bisection (no iteration).

    Parameters
    ----------
    kappas : array_like, shape (d,)
        Curvatures (> 0).
    eta : float
        Learning rate (> 0).
    w0 : array_like, shape (d,), optional
        Starting point; default ``(1, 1, ..., 1)``.
    tol : float, default 1e-6
        Relative tolerance on the distance to the minimum (> 0).
    angle : float, default 0.0
        Rotation of the principal axes (2D only), as in :func:`gd_path_2d`.

    Returns
    -------
    int or None
        The smallest ``i >= 0`` with ``||w_i|| <= tol ||w_0||``, or ``None`` if
        that never happens (``eta >= 2 / kappa_k`` along an axis on which
        ``w0`` has a component that is too large).

    Examples
    --------
    >>> from learnable_bases.quadratic import steps_to_converge
    >>> steps_to_converge([1.0, 10.0], 2 / 11)  # the best fixed step
    69
    >>> steps_to_converge([1.0, 10.0], 0.1)
    128
    >>> steps_to_converge([1.0, 10.0], 0.2) is None  # undamped on the steep axis
    True
    >>> steps_to_converge([1.0, 10.0], 0.2, w0=[1.0, 0.0])  # ...unless w0 avoids it
    62
    """
    k = _check_kappas(kappas)
    eta = check_positive_float("eta", eta)
    tol = check_positive_float("tol", tol)
    angle = check_real("angle", angle)
    w = np.ones(k.size) if w0 is None else _check_vector("w0", w0, k.size)
    if angle != 0.0:
        w = _rotation(angle, k.size).T @ w  # coordinates along the principal axes
    c2 = w**2
    target = tol**2 * c2.sum()
    if c2.sum() == 0.0 or tol >= 1.0:
        return 0
    r2 = (1.0 - eta * k) ** 2
    active = c2 > 0
    if np.any(r2[active] > 1.0) or c2[active & (r2 >= 1.0)].sum() > target:
        return None

    def sq_norm(i: int) -> float:
        return float(np.sum(c2 * r2**i))

    hi = 1
    while sq_norm(hi) > target:
        hi *= 2
    lo = hi // 2  # sq_norm(lo) > target unless lo == 0 (handled by tol < 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if sq_norm(mid) > target else (lo, mid)
    return hi


def steps_vs_condition(condition_numbers: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """Steps to converge with the best fixed step, against the condition number.

    Uses ``kappas = (1, K)``, ``eta = 2 / (1 + K)`` and ``w0 = (1, 1)``.

    Parameters
    ----------
    condition_numbers : array_like, shape (m,)
        Values of ``K = kappa_max / kappa_min`` (>= 1).
    tol : float, default 1e-6
        Relative tolerance, as in :func:`steps_to_converge`.

    Returns
    -------
    np.ndarray of int, shape (m,)
        Steps needed; grows about like ``K/2 * log(1/tol)`` for large ``K``.

    Examples
    --------
    Ten times the condition number, about ten times the steps:

    >>> from learnable_bases.quadratic import steps_vs_condition
    >>> steps_vs_condition([1, 10, 100]).tolist()
    [1, 69, 691]
    """
    ks = _check_kappas(condition_numbers, "condition_numbers", minimum=1)
    bowls = [np.array([1.0, cond]) for cond in ks]
    steps = [steps_to_converge(k, best_fixed_eta(k), tol=tol) for k in bowls]
    assert None not in steps  # contraction (K-1)/(K+1) < 1
    return np.array(steps, dtype=int)
