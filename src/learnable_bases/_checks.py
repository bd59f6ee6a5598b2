"""The library's one private module: input checks and the pieces its loops share.

Input checks give clear errors that say what is allowed. The training loops
(:func:`learnable_bases.training.train`,
:func:`learnable_bases.sweep.train_stacked` and
:func:`learnable_bases.landscape.parameter_path`) share the batch order
(:func:`epoch_order`), the early-stopping bookkeeping (:class:`StoppingRule`) and
the checks of their arguments (:func:`check_early_stopping`). No other private
name is imported across modules.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Integral, Real

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn
from tqdm import tqdm

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


def check_int(
    name: str, value: object, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as ``int`` if it is an integer (not a bool) in ``[minimum,
    maximum]``; ``TypeError`` for another type, ``ValueError`` out of range."""
    is_int = isinstance(value, Integral) and not isinstance(value, bool)
    if is_int and (minimum is None or value >= minimum):
        if maximum is None or value <= maximum:
            return int(value)
    if minimum == 1 and maximum is None:
        what = "a positive integer (>= 1)"
    elif minimum == 0 and maximum is None:
        what = "a non-negative integer"
    elif maximum is None:
        what = "an integer" + ("" if minimum is None else f" >= {minimum}")
    else:
        what = f"an integer from {minimum} to {maximum}"
    if not is_int:
        raise TypeError(f"{name} must be {what}; got {value!r}")
    raise ValueError(f"{name} must be {what}; got {value}")


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False``; a ``TypeError`` otherwise."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return value


def check_positive_int(name: str, value: object) -> int:
    """``value`` as ``int`` if it is an integer >= 1 (:func:`check_int`)."""
    return check_int(name, value, minimum=1)


def check_int_sequence(
    name: str, values: object, *, minimum: int | None = None, note: str = ""
) -> np.ndarray:
    """``values`` as a non-empty 1-D integer array, each ``>= minimum`` if given.

    ``note`` (e.g. ``" (a zero budget trains on nothing)"``) follows the rule
    in the error message.
    """
    arr = np.asarray(values)
    not_ints = arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu"
    if not_ints or (minimum is not None and np.any(arr < minimum)):
        at_least = "" if minimum is None else f" >= {minimum}"
        raise ValueError(
            f"{name} must be a 1D sequence of integers{at_least}{note}; got {values!r}"
        )
    return arr


def _is_real(value: object) -> bool:
    """Whether ``value`` is a real number (a bool is not)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def check_real(
    name: str, value: object, *, minimum: float | None = None, positive: bool = False
) -> float:
    """``value`` as ``float`` if it is a finite real number (not a bool), ``> 0``
    if ``positive``, ``>= minimum`` if given; ``TypeError`` for another type,
    ``ValueError`` otherwise."""
    if positive:
        what = "a finite number > 0"
    elif minimum is not None:
        what = f"a finite number >= {minimum:g}"
    else:
        what = "a finite real number"
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number ({what}); got {value!r}")
    low = (positive and value <= 0) or (minimum is not None and value < minimum)
    if not math.isfinite(value) or low:
        raise ValueError(f"{name} must be {what}; got {value}")
    return float(value)


def check_positive_float(name: str, value: object) -> float:
    """``value`` as ``float`` if it is a finite real > 0 (:func:`check_real`)."""
    return check_real(name, value, positive=True)


def check_floating(name: str, value: object) -> torch.Tensor:
    """``value`` if it is a floating-point tensor; a ``TypeError`` otherwise.

    Unlike :func:`check_tensor`, the values are not scanned for NaN and inf
    (the losses and activations run every step, and the training loops check
    their data once, up front).
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor; got {type(value).__name__} "
            "(convert with torch.as_tensor(x, dtype=torch.float32))"
        )
    if not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype; got {value.dtype}")
    return value


def check_tensor(
    name: str, value: object, *, ndim: int | None = None, shape: tuple | None = None
) -> torch.Tensor:
    """Return ``value`` if it is a finite floating-point tensor; raise otherwise.

    Parameters
    ----------
    name : str
        Name of the argument, used in the error message.
    value : object
        The value given by the caller.
    ndim : int, optional
        Required number of dimensions.
    shape : tuple of int or str, optional
        Required shape, as :func:`check_shape` reads it (``("n", 2)``: any
        number of rows, two columns).

    Returns
    -------
    torch.Tensor
        ``value`` unchanged.
    """
    value = check_floating(name, value)
    if ndim is not None and value.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimension(s); got shape {tuple(value.shape)}"
        )
    if shape is not None:
        check_shape(name, value, shape)
    if not _INPUTS_CHECKED.get() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return value


def check_shape(
    name: str, value: torch.Tensor | np.ndarray, shape: tuple, note: str = ""
) -> torch.Tensor | np.ndarray:
    """``value`` if its shape is ``shape``; a ``ValueError`` otherwise.

    An int in ``shape`` fixes that axis's size; a str (a name such as ``"n"``)
    lets it have any size. ``note`` follows the wanted shape in the message.

    >>> check_shape("mean", np.zeros(3), (2,), " (a point in the plane)")
    Traceback (most recent call last):
    ...
    ValueError: mean must have shape (2,) (a point in the plane); got (3,)
    >>> check_shape("x", torch.zeros(5), ("n", 2))
    Traceback (most recent call last):
    ...
    ValueError: x must have shape (n, 2); got (5,) (1 dimension, not 2)
    >>> check_shape("x", torch.zeros(5, 2), ("n", 2)).shape
    torch.Size([5, 2])
    """
    got = tuple(value.shape)
    if got == tuple(shape):  # every size fixed and right: the per-batch losses' case
        return value
    fixed = [(g, s) for g, s in zip(got, shape, strict=False) if not isinstance(s, str)]
    same_ndim = len(got) == len(shape)
    if not same_ndim or any(g != s for g, s in fixed):
        want = ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "")
        plural = "" if len(got) == 1 else "s"
        ndim = "" if same_ndim else f" ({len(got)} dimension{plural}, not {len(shape)})"
        raise ValueError(f"{name} must have shape ({want}){note}; got {got}{ndim}")
    return value


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as ``float`` if it is a real in ``(0, 1)``; raise otherwise."""
    if not _is_real(value):
        raise TypeError(
            f"{name} must be a number strictly between 0 and 1; got {value!r}"
        )
    if not 0 < value < 1:  # NaN fails too
        raise ValueError(f"{name} must be strictly between 0 and 1; got {value}")
    return float(value)


def check_early_stopping(
    val_fraction: object,
    patience: object,
    restore_best: object,
    x_val: object,
    y_val: object,
) -> tuple[float | None, int | None, bool]:
    """Check the early-stopping arguments of the training loops.

    Parameters
    ----------
    val_fraction, patience, restore_best, x_val, y_val : object
        The caller's arguments of these names (``x_val`` and ``y_val``: both
        or neither; their values are checked by the caller).

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
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    has_val = x_val is not None
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
    if not has_val and val_fraction is None and (patience is not None or restore):
        arg = "restore_best" if patience is None else "patience"
        raise ValueError(
            f"{arg} needs validation data: give x_val and y_val, or "
            "val_fraction to hold out part of x, y"
        )
    return val_fraction, patience, restore


class StoppingRule:
    """Early stopping for ``K`` runs at once: each run's best epoch and its stop.

    A run improves when its validation loss is strictly below its best so far
    (NaN counts as +inf; the first epoch always improves), so its best epoch is
    the first minimum of its curve. It stops after the epoch in which it has
    gone ``patience`` epochs without improving (never, if ``patience`` is
    None).

    Parameters
    ----------
    k : int
        Number of runs.
    patience : int or None
        Epochs without improvement after which a run stops.

    Attributes
    ----------
    best : np.ndarray of float, shape (K,)
        Lowest validation loss so far (+inf before the first epoch).
    best_epoch : np.ndarray of int, shape (K,)
        Epoch of ``best``, counted from 1 (0 before the first epoch).
    stopped : np.ndarray of int, shape (K,)
        Epoch after which each run stopped; 0 while it runs.
    """

    def __init__(self, k: int, patience: int | None) -> None:
        self.patience = patience
        self.best = np.full(k, np.inf)
        self.best_epoch = np.zeros(k, int)
        self.stopped = np.zeros(k, int)

    def update(self, val: np.ndarray, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """Record each run's validation loss ``val`` (shape (K,)) after ``epoch``.

        Returns
        -------
        running : np.ndarray of bool, shape (K,)
            The runs that had not stopped before this epoch (this epoch counts).
        improved : np.ndarray of bool, shape (K,)
            The running runs whose validation loss improved in this epoch.
        """
        running = self.stopped == 0
        val = np.where(np.isnan(val), np.inf, val)
        improved = running & ((self.best_epoch == 0) | (val < self.best))
        self.best[improved] = val[improved]
        self.best_epoch[improved] = epoch
        if self.patience is not None:
            late = running & (epoch - self.best_epoch >= self.patience)
            self.stopped[late] = epoch
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


def check_sequence(
    name: str,
    value: object,
    of: str,
    *,
    nonempty: bool = False,
    length: int | None = None,
) -> Sequence | np.ndarray:
    """``value`` if it is a sequence or array (not a string) of ``of``, else a
    ``TypeError``; a ``ValueError`` if ``nonempty`` and it is empty, or if it
    does not hold ``length`` items."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of {of}; got {value!r}")
    if nonempty and len(value) == 0:
        raise ValueError(f"{name} must be a non-empty sequence of {of}; got {value!r}")
    if length is not None and len(value) != length:
        raise ValueError(f"{name} must hold {length} {of}; got {len(value)}")
    return value


def check_seed(seed: object) -> int:
    """``seed`` if it is an int (not a bool); raise ``TypeError`` otherwise."""
    return check_int("seed", seed)


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


def epoch_bar(epochs: int, progress: bool | None) -> tqdm:
    """``tqdm(range(epochs))`` for a training loop, drawn as :func:`show_progress`
    decides."""
    show = show_progress(progress)
    return tqdm(
        range(epochs), disable=not show, desc="training", unit="epoch", leave=False
    )


def run_epoch(
    batch_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    params: list[torch.Tensor],
    step: Callable[[], None],
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> torch.Tensor:
    """One epoch of a training loop: a gradient step on each batch in turn.

    Parameters
    ----------
    batch_loss : callable
        ``batch_loss(xb, yb)``: the batch's loss, a scalar, or one per member
        of a stack, shape (K,) (their sum is differentiated).
    params : list of torch.Tensor
        The trainable tensors; their gradients are cleared before each batch.
    step : callable
        ``step()`` updates ``params`` from their gradients.
    batches : iterable of (xb, yb)
        The epoch's batches, in order.

    Returns
    -------
    torch.Tensor, shape (n_batches,) or (n_batches, K)
        Each batch's loss, taken before its step (detached).
    """
    losses = []
    for xb, yb in batches:
        for p in params:
            p.grad = None
        loss = batch_loss(xb, yb)
        losses.append(loss.detach())
        # a scalar is differentiated as it is: no extra graph node per step
        (loss if loss.ndim == 0 else loss.sum()).backward()
        step()
    return torch.stack(losses)


@contextlib.contextmanager
def evaluating(model: nn.Module, *, grad: bool = False) -> Iterator[None]:
    """Eval mode inside the block, without gradients unless ``grad``; the
    model's train/eval mode is restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(grad):
            yield
    finally:
        model.train(was_training)


def make_generator(
    seed: int | None, generator: torch.Generator | None
) -> torch.Generator | None:
    """A ``torch.Generator`` from ``seed``, or the ``generator`` given (not
    both); ``None`` for neither, meaning torch's global generator."""
    if seed is not None and generator is not None:
        raise ValueError("pass either seed or generator, not both")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator; got {type(generator).__name__}"
        )
    if seed is None:
        return generator
    return torch.Generator().manual_seed(check_seed(seed))


def check_model(model: object, *, trainable: bool = False) -> nn.Module:
    """``model`` if it is a ``torch.nn.Module`` (with trainable parameters, if
    ``trainable``)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if trainable and not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters")
    return model


def check_data(
    x: object, y: object, xname: str = "x", yname: str = "y"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Finite floating ``x`` and ``y`` with the same number of samples (>= 1)."""
    x = check_tensor(xname, x)
    y = check_tensor(yname, y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{xname} and {yname} need a sample dimension (n, ...)")
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{xname} and {yname} must have the same number of samples; got "
            f"{x.shape[0]} and {y.shape[0]}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{xname} and {yname} are empty")
    return x, y


def check_callable(name: str, value: object, usage: str) -> Callable:
    """``value`` if it is callable; else a ``TypeError`` showing ``usage``, how
    the library calls it (e.g. ``"loss_fn(model, x, y) -> scalar tensor"``)."""
    if not callable(value):
        raise TypeError(
            f"{name} must be callable as {usage}; got {type(value).__name__}"
        )
    return value


def scalar_loss(loss: object) -> torch.Tensor:
    """A loss function's value as a 0-d tensor; ``TypeError`` if it is not one."""
    if not isinstance(loss, torch.Tensor):
        got = type(loss).__name__
    elif loss.numel() != 1:
        got = f"shape {tuple(loss.shape)}"
    else:
        return loss.reshape(())
    raise TypeError(f"loss_fn must return a scalar tensor; got {got}")


def epoch_order(
    n: int, batch_size: int, generator: torch.Generator
) -> torch.Tensor | None:
    """The order in which one epoch visits ``n`` samples, for every training loop.

    ``None`` for full batches (``batch_size == n``: no shuffle, and nothing is
    drawn from ``generator``); otherwise ``torch.randperm(n,
    generator=generator)``, which the loop cuts into consecutive batches of
    ``batch_size`` (the last one smaller when ``batch_size`` does not divide
    ``n``). One seeded generator per run, drawn once per epoch, is what makes
    :func:`~learnable_bases.training.train`,
    :func:`~learnable_bases.sweep.train_stacked` and
    :func:`~learnable_bases.landscape.parameter_path` visit the same batches.
    """
    if batch_size == n:
        return None
    return torch.randperm(n, generator=generator)


def batch_sizes(n: int, batch_size: int) -> np.ndarray:
    """Sizes of an epoch's batches, shape (ceil(n / batch_size),): all
    ``batch_size`` but the last, which holds what is left."""
    return np.array([min(batch_size, n - i) for i in range(0, n, batch_size)])


def epoch_batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, generator: torch.Generator
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch's batches ``(xb, yb)`` of ``(x, y)``, shape (N, ...), in the
    order :func:`epoch_order` draws."""
    order = epoch_order(x.shape[0], batch_size, generator)
    xs, ys = (x, y) if order is None else (x[order], y[order])
    return zip(xs.split(batch_size), ys.split(batch_size), strict=True)


def stacked_epoch_batches(
    x: torch.Tensor, y: torch.Tensor, batch_size: int, generators: list[torch.Generator]
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch's batches ``(K, b, ...)`` of ``K`` members' data ``(K, N, ...)``:
    member ``j``'s in the order :func:`epoch_order` draws from
    ``generators[j]``, cut as :func:`epoch_batches` cuts it (each member's
    shuffled data are gathered once per epoch)."""
    orders = [epoch_order(x.shape[1], batch_size, g) for g in generators]
    if orders[0] is not None:
        rows = torch.arange(len(orders))[:, None], torch.stack(orders)
        x, y = x[rows], y[rows]
    return zip(x.split(batch_size, 1), y.split(batch_size, 1), strict=True)


def check_ax(ax: object) -> Axes:
    """Return ``ax`` if it is a matplotlib Axes; raise ``TypeError`` otherwise."""
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes; got {type(ax).__name__}")
    return ax


def check_interval(interval: object, name: str = "interval") -> tuple[float, float]:
    """Return ``(lo, hi)`` as floats if ``interval`` is two finite reals, lo < hi
    (a sequence or a 1-D array); ``name`` is the argument's name in errors."""
    pair = isinstance(interval, Sequence | np.ndarray) and np.ndim(interval) == 1
    if not (pair and len(interval) == 2 and all(map(_is_real, interval))):
        raise TypeError(
            f"{name} must be a pair (lo, hi) of real numbers; got {interval!r}"
        )
    lo, hi = interval
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"{name} must have finite lo < hi; got {interval!r}")
    return float(lo), float(hi)
