"""Input checks shared by the library: clear errors that say what is allowed."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from numbers import Integral, Real

import numpy as np
import torch

#: True inside :func:`inputs_checked`: tensors were scanned for NaN/inf already.
_INPUTS_CHECKED = contextvars.ContextVar("lb_inputs_checked", default=False)


@contextlib.contextmanager
def inputs_checked() -> Iterator[None]:
    """Within this block, :func:`check_tensor` skips its scan for NaN and inf.

    The training loops check their whole data set once, up front; the batches
    they feed the model are slices of it, so scanning each one again would only
    cost a host synchronisation per step. Type, dtype and shape are still
    checked.
    """
    token = _INPUTS_CHECKED.set(True)
    try:
        yield
    finally:
        _INPUTS_CHECKED.reset(token)


def check_choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; raise otherwise.

    Parameters
    ----------
    name : str
        Name of the argument, used in the error message.
    value : object
        The value given by the caller.
    allowed : iterable of str
        The accepted values.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not a string.
    ValueError
        If ``value`` is not in ``allowed``.
    """
    allowed = sorted(allowed)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {allowed}; got {type(value).__name__}"
        )
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed values are {allowed}")
    return value


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as ``int`` if it is an integer > 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a positive integer; got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer (>= 1); got {value}")
    return int(value)


def check_positive_float(name: str, value: object) -> float:
    """Return ``value`` as ``float`` if it is a finite real > 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive real number; got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return float(value)


def check_tensor(name: str, value: object, *, ndim: int | None = None) -> torch.Tensor:
    """Return ``value`` if it is a finite floating-point tensor; raise otherwise.

    Parameters
    ----------
    name : str
        Name of the argument, used in the error message.
    value : object
        The value given by the caller.
    ndim : int, optional
        Required number of dimensions.

    Returns
    -------
    torch.Tensor
        ``value`` unchanged.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor; got {type(value).__name__} "
            "(convert with torch.as_tensor(x, dtype=torch.float32))"
        )
    if not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype; got {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension(s); got shape {tuple(value.shape)}"
        )
    if not _INPUTS_CHECKED.get() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return value
