"""Input checks shared by the library: clear errors that say what is allowed.

Also the early-stopping bookkeeping (:func:`track_best`) that
:func:`learnable_bases.training.train` and
:func:`learnable_bases.sweep.train_stacked` share, with the checks of its
arguments (:func:`check_early_stopping`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from collections.abc import Iterable, Iterator
from numbers import Integral, Real

import numpy as np
import torch

#: Environment variable that turns progress bars off (the docs build sets it).
NO_PROGRESS_ENV = "LB_NO_PROGRESS"

#: Set this environment variable (to anything non-empty) to hide progress bars.
NO_PROGRESS_ENV = "LB_NO_PROGRESS"

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


def check_int_sequence(
    name: str, values: object, *, minimum: int | None = None, note: str = ""
) -> np.ndarray:
    """``values`` as a non-empty 1-D integer array, each ``>= minimum`` if given.

    ``note`` (e.g. ``" (a zero budget trains on nothing)"``) follows the rule
    in the error message.
    """
    arr = np.asarray(values)
    if (
        arr.ndim != 1
        or arr.size == 0
        or arr.dtype.kind not in "iu"
        or (minimum is not None and np.any(arr < minimum))
    ):
        at_least = "" if minimum is None else f" >= {minimum}"
        raise ValueError(
            f"{name} must be a 1D sequence of integers{at_least}{note}; got {values!r}"
        )
    return arr


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


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as ``float`` if it is a real in ``(0, 1)``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a number strictly between 0 and 1; got {value!r}"
        )
    if not 0 < value < 1:  # NaN fails too
        raise ValueError(f"{name} must be strictly between 0 and 1; got {value}")
    return float(value)


def check_early_stopping(
    val_fraction: object, patience: object, restore_best: object, has_val: bool
) -> tuple[float | None, int | None, bool]:
    """Check the early-stopping arguments of the training loops.

    Parameters
    ----------
    val_fraction, patience, restore_best : object
        The caller's ``val_fraction``, ``patience`` and ``restore_best``.
    has_val : bool
        Whether ``x_val`` and ``y_val`` were given.

    Returns
    -------
    val_fraction : float or None
        Checked, in ``(0, 1)``.
    patience : int or None
        Checked, ``>= 1``.
    restore : bool
        Whether to restore the best-validation weights: ``restore_best``, or
        ``patience is not None`` when ``restore_best`` is None.
    """
    if val_fraction is not None:
        if has_val:
            raise ValueError(
                "give either val_fraction (hold out part of x, y) or x_val and "
                "y_val, not both"
            )
        val_fraction = check_fraction("val_fraction", val_fraction)
    if patience is not None:
        patience = check_positive_int("patience", patience)
    if restore_best is not None and not isinstance(restore_best, bool):
        raise TypeError(
            f"restore_best must be True, False or None; got {restore_best!r}"
        )
    restore = patience is not None if restore_best is None else restore_best
    if not has_val and val_fraction is None:
        for arg, used in (
            ("patience", patience is not None),
            ("restore_best", restore),
        ):
            if used:
                raise ValueError(
                    f"{arg} needs validation data: give x_val and y_val, or "
                    "val_fraction to hold out part of x, y"
                )
    return val_fraction, patience, restore


def track_best(
    val: np.ndarray,
    epoch: int,
    best: np.ndarray,
    best_epoch: np.ndarray,
    stopped_epoch: np.ndarray,
    patience: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of early-stopping bookkeeping for ``K`` runs at once, in place.

    A run improves when its validation loss is strictly below its best so far
    (NaN counts as +inf; the first epoch always improves), so its best epoch is
    the first minimum of its curve. It stops after the epoch in which it has
    gone ``patience`` epochs without improving.

    Parameters
    ----------
    val : np.ndarray, shape (K,)
        Validation loss of each run after ``epoch``.
    epoch : int
        The epoch just run, counted from 1.
    best : np.ndarray of float, shape (K,)
        Lowest validation loss so far (start with +inf); updated.
    best_epoch : np.ndarray of int, shape (K,)
        Epoch of ``best`` (start with 0); updated.
    stopped_epoch : np.ndarray of int, shape (K,)
        Epoch after which each run stopped, 0 while it runs (start with 0);
        updated.
    patience : int or None
        Epochs without improvement after which a run stops; None: never.

    Returns
    -------
    running : np.ndarray of bool, shape (K,)
        The runs that had not stopped before this epoch (this epoch counts).
    improved : np.ndarray of bool, shape (K,)
        The running runs whose validation loss improved in this epoch.
    """
    running = stopped_epoch == 0
    val = np.where(np.isnan(val), np.inf, val)
    improved = running & ((best_epoch == 0) | (val < best))
    best[improved] = val[improved]
    best_epoch[improved] = epoch
    if patience is not None:
        stopped_epoch[running & (epoch - best_epoch >= patience)] = epoch
    return running, improved


def frozen(a: np.ndarray) -> np.ndarray:
    """``a`` as a read-only float array (results handed to the reader)."""
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


def frozen_int(a: np.ndarray) -> np.ndarray:
    """``a`` as a read-only int array."""
    a = np.array(a, dtype=int)
    a.flags.writeable = False
    return a


def check_seed(seed: object) -> int:
    """``seed`` if it is an int (not a bool); raise ``TypeError`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int; got {seed!r}")
    return seed


def check_batch_size(batch_size: object, n: int) -> int:
    """``batch_size`` as an int in ``1..n``; ``None`` means full batches (``n``)."""
    if batch_size is None:
        return n
    batch_size = check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of samples N={n}; got "
            f"{batch_size} (use batch_size=None for full batches)"
        )
    return batch_size


def show_progress(progress: bool | None) -> bool:
    """Whether to draw a progress bar (``None``: on a terminal, unless
    ``LB_NO_PROGRESS`` is set)."""
    if progress is None:
        return sys.stderr.isatty() and not os.environ.get(NO_PROGRESS_ENV)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None; got {progress!r}")
    return progress


def make_generator(
    seed: int | None, generator: torch.Generator | None
) -> torch.Generator | None:
    """A ``torch.Generator`` from ``seed``, or the ``generator`` given (not
    both); ``None`` for neither, meaning torch's global generator."""
    if seed is not None and generator is not None:
        raise ValueError("pass either seed or generator, not both")
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise TypeError(
                f"generator must be a torch.Generator; got {type(generator).__name__}"
            )
        return generator
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int or None; got {seed!r}")
        return torch.Generator().manual_seed(seed)
    return None
