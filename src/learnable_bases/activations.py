"""Activation functions ``g`` for neurons ``g(v x + b)``, and their derivatives.

Every function takes a floating-point :class:`torch.Tensor` and returns a tensor
of the same shape, so the same code serves plots, models and autograd.
The lecture's GELU is the sigmoid form ``x * sigmoid(1.7 x)``; the exact form
``x * Phi(x)`` (``Phi`` the standard normal CDF) is here for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ._checks import check_choice, check_floating, check_int, check_interval

Activation = Callable[[torch.Tensor], torch.Tensor]

#: Slope inside the sigmoid of the lecture's GELU approximation ``x * sigmoid(1.7 x)``.
GELU_SIGMOID_SLOPE = 1.7


def step(x: torch.Tensor) -> torch.Tensor:
    """Heaviside step ``1[x > 0]``: the on/off neuron.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        1 where ``x > 0``, else 0.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import step
    >>> step(torch.tensor([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    x = check_floating("x", x)
    return (x > 0).to(x.dtype)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        Values in ``[0, 1]``: in ``(0, 1)`` mathematically, but rounded to
        exactly 1 or 0 far out (float32: 1 above ``x`` of about 17, 0 below
        about -89).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import sigmoid
    >>> [round(v, 3) for v in sigmoid(torch.tensor([-2.0, 0.0, 2.0])).tolist()]
    [0.119, 0.5, 0.881]
    >>> sigmoid(torch.tensor([20.0, -100.0])).tolist()
    [1.0, 0.0]
    """
    return torch.sigmoid(check_floating("x", x))


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent, a sigmoid rescaled to ``(-1, 1)``.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        Values in ``[-1, 1]``: in ``(-1, 1)`` mathematically, but rounded to
        exactly -1 or 1 far out (float32: for ``|x|`` above about 9).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import tanh
    >>> [round(v, 3) for v in tanh(torch.tensor([-2.0, 0.0, 2.0])).tolist()]
    [-0.964, 0.0, 0.964]
    >>> tanh(torch.tensor([10.0])).tolist()
    [1.0]
    """
    return torch.tanh(check_floating("x", x))


def relu(x: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit ``max(0, x)``: one kink at zero.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        ``x`` where positive, else 0.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import relu
    >>> relu(torch.tensor([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 2.0]
    """
    return torch.relu(check_floating("x", x))


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU in the lecture's sigmoid form ``x * sigmoid(1.7 x)``: a smooth ReLU.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        Activations; differs from :func:`gelu_erf` by about 0.02 at most.

    Examples
    --------
    Close to ReLU away from zero, smooth near it, and within 0.021 of the exact form:

    >>> import torch
    >>> from learnable_bases.activations import gelu, gelu_erf
    >>> x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0])
    >>> [round(v, 2) for v in gelu(x).tolist()]
    [-0.02, -0.15, 0.0, 0.85, 2.98]
    >>> bool((gelu(x) - gelu_erf(x)).abs().max() < 0.021)
    True
    """
    x = check_floating("x", x)
    return x * torch.sigmoid(GELU_SIGMOID_SLOPE * x)


def gelu_erf(x: torch.Tensor) -> torch.Tensor:
    """Exact GELU ``x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2``.

    Parameters
    ----------
    x : torch.Tensor, shape (...)
        Pre-activations.

    Returns
    -------
    torch.Tensor, shape (...)
        Activations (equal to ``torch.nn.functional.gelu``).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import gelu_erf
    >>> x = torch.tensor([-1.0, 0.0, 1.0, 2.0])
    >>> [round(v, 3) for v in gelu_erf(x).tolist()]
    [-0.159, 0.0, 0.841, 1.954]
    >>> torch.allclose(gelu_erf(x), torch.nn.functional.gelu(x))
    True
    """
    x = check_floating("x", x)
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def _d_sigmoid(x: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(x)
    return s * (1 - s)


def _d_tanh(x: torch.Tensor) -> torch.Tensor:
    return 1 - torch.tanh(x) ** 2


def _d_gelu(x: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(GELU_SIGMOID_SLOPE * x)
    return s + GELU_SIGMOID_SLOPE * x * s * (1 - s)


def _d_gelu_erf(x: torch.Tensor) -> torch.Tensor:
    pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))) + x * pdf


#: Name -> activation function. ``"gelu"`` is the lecture's sigmoid form.
ACTIVATIONS: dict[str, Activation] = {
    g.__name__: g for g in (step, sigmoid, tanh, relu, gelu, gelu_erf)
}

_DERIVATIVES: dict[str, Activation] = {
    "step": torch.zeros_like,  # flat on both sides of the jump
    "sigmoid": _d_sigmoid,
    "tanh": _d_tanh,
    "relu": step,  # relu'(z) is the step 1[z > 0]
    "gelu": _d_gelu,
    "gelu_erf": _d_gelu_erf,
}

#: The one-sided activations, (near) zero for z < 0: deep stacks of them take
#: He's gain sqrt(2) (:func:`learnable_bases.basis.random_deep_features`).
ONE_SIDED = frozenset({"step", "relu", "gelu", "gelu_erf"})

#: Display names with the formula, for legends and frame labels.
LABELS: dict[str, str] = {
    "step": r"step $\mathbb{1}[z>0]$",
    "sigmoid": r"sigmoid $1/(1+e^{-z})$",
    "tanh": r"tanh $\tanh z$",
    "relu": r"ReLU $\max(0,z)$",
    "gelu": r"GELU $z\,\sigma(1.7z)$",
    "gelu_erf": r"GELU (exact) $z\,\Phi(z)$",
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of ``"step"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"gelu"``,
        ``"gelu_erf"``.

    Returns
    -------
    callable
        Maps a tensor of shape ``(...)`` to a tensor of the same shape.

    Raises
    ------
    ValueError
        If ``name`` is not a known activation.
    TypeError
        If ``name`` is not a string.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.activations import get_activation
    >>> g = get_activation("relu")
    >>> g(torch.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return ACTIVATIONS[check_choice("activation", name, ACTIVATIONS)]


def derivative(name: str, x: torch.Tensor) -> torch.Tensor:
    """Analytic derivative ``g'(x)`` of the named activation.

    The step and ReLU derivatives are taken as 0 at ``x = 0``, as autograd does.

    Parameters
    ----------
    name : str
        An activation name, as in :func:`get_activation`.
    x : torch.Tensor, shape (...)
        Points at which to evaluate the derivative.

    Returns
    -------
    torch.Tensor, shape (...)
        ``g'(x)``.

    Examples
    --------
    The ReLU derivative is the step; the tanh derivative is ``1 - tanh(x)^2``:

    >>> import torch
    >>> from learnable_bases.activations import derivative
    >>> x = torch.tensor([-1.0, 0.0, 2.0])
    >>> derivative("relu", x).tolist()
    [0.0, 0.0, 1.0]
    >>> [round(v, 3) for v in derivative("tanh", x).tolist()]
    [0.42, 1.0, 0.071]
    """
    check_choice("activation", name, ACTIVATIONS)
    return _DERIVATIVES[name](check_floating("x", x))


def max_gelu_gap(lo: float = -10.0, hi: float = 10.0, n: int = 200_001) -> float:
    """Largest ``|x sigmoid(1.7x) - x Phi(x)|`` on a fine grid over ``[lo, hi]``.

    Parameters
    ----------
    lo, hi : float
        Interval ends, ``lo < hi``.
    n : int
        Number of grid points (float64).

    Returns
    -------
    float
        The largest absolute gap between the two GELU forms (about 0.0205).

    Examples
    --------
    >>> from learnable_bases.activations import max_gelu_gap
    >>> round(max_gelu_gap(), 4)
    0.0205
    """
    lo, hi = check_interval((lo, hi), "(lo, hi)")
    n = check_int("n", n, minimum=2)
    x = torch.linspace(lo, hi, n, dtype=torch.float64)
    return float((gelu(x) - gelu_erf(x)).abs().max())
