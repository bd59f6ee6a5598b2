"""Training loops and the noise of mini-batch gradients.

:func:`train` runs full-batch gradient descent (``batch_size=None``) or
mini-batch SGD/Adam on tensors held in memory: every epoch draws a seeded
permutation and slices it into batches (no ``DataLoader``). It returns a frozen
:class:`History`. A loss that becomes NaN or infinite stops training with a
:class:`NonFiniteLossError` (a :class:`FloatingPointError`) naming the step,
the epoch and the learning rate. With validation data (``x_val``, ``y_val``,
or ``val_fraction`` held out by :func:`holdout_split`), ``patience`` stops the
run once the validation loss has stopped improving and restores the weights of
its best epoch. ``optimizer`` is ``"sgd"``, ``"adam"`` or a factory such as
``functools.partial(torch.optim.SGD, momentum=0.9)``.

:func:`gradient_noise` measures how far mini-batch gradients scatter around
the full-batch gradient, and :func:`minibatch_variance_theory` gives the exact
answer ``sigma^2 / B`` (with replacement) or ``sigma^2 / B * (N - B)/(N - 1)``
(without replacement).

Both take ``loss_fn(model, x, y) -> scalar tensor``, the mean of a per-sample
loss over the batch, e.g. :func:`learnable_bases.losses.mse_objective` or
:func:`learnable_bases.losses.gaussian_nll_objective`.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import torch
from torch import nn
from torch.optim.sgd import sgd as sgd_update
from tqdm import tqdm

from ._checks import (
    check_batch_size,
    check_choice,
    check_early_stopping,
    check_fraction,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_tensor,
    frozen,
    frozen_int,
    inputs_checked,
    show_progress,
    track_best,
)

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

#: ``make(params, lr=lr) -> torch.optim.Optimizer``, as :func:`train` accepts it.
OptimizerFactory = Callable[..., torch.optim.Optimizer]

#: Optimizers accepted by name by :func:`train` (it also takes a factory).
OPTIMIZERS = ("sgd", "adam")

#: Mixed with the seed into the generator of :func:`holdout_split`, so that the
#: split is drawn from a stream of its own, not the batch order's.
_SPLIT_STREAM = 0x76616C  # "val"


@dataclass(frozen=True, eq=False)
class History:
    """Record of one :func:`train` run (arrays are read-only).

    Attributes
    ----------
    losses : np.ndarray, shape (epochs,)
        Training loss per epoch: the sample-weighted mean of that epoch's
        mini-batch losses, each taken before its update. With full batches this
        is the loss at the start of the epoch's single step.
    step_losses : np.ndarray, shape (steps,)
        Loss of every mini-batch, before its update.
    val_losses : np.ndarray, shape (epochs,) or None
        Validation loss after each epoch, if validation data were given.
    wall_time : float
        Seconds spent in the loop.
    epochs : int
        Epochs run (fewer than ``max_epochs`` when early stopping ended the
        run); all per-epoch arrays have this length.
    steps : int
        Optimizer steps taken (``epochs * ceil(N / batch_size)``).
    lr : float
        Learning rate.
    batch_size : int
        Samples per step (``N`` for full-batch training).
    optimizer : str
        ``"sgd"`` or ``"adam"``, or for an optimizer factory the name of the
        optimizer class it made, e.g. ``"SGD"``, with the keywords of a
        :func:`functools.partial`: ``"SGD(momentum=0.9)"``.
    seed : int
        Seed of the batch order (and of the held-out split).
    snapshots : Mapping[int, dict[str, torch.Tensor]]
        Copies of the model's ``state_dict`` after the epochs asked for with
        ``train(..., snapshots=...)`` (key 0 is the initial model); empty
        otherwise.
    max_epochs : int or None
        The ``epochs`` asked for (``None``: not recorded).
    patience : int or None
        The early-stopping patience, if any.

    The properties :attr:`best_epoch` and :attr:`stopped_epoch` tell where the
    validation loss was lowest and where the run ended.
    """

    losses: np.ndarray
    step_losses: np.ndarray
    val_losses: np.ndarray | None
    wall_time: float
    epochs: int
    steps: int
    lr: float
    batch_size: int
    optimizer: str
    seed: int
    snapshots: Mapping[int, dict[str, torch.Tensor]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    max_epochs: int | None = None
    patience: int | None = None

    @property
    def final_loss(self) -> float:
        """Training loss of the last epoch, ``losses[-1]``."""
        return float(self.losses[-1])

    @property
    def best_epoch(self) -> int | None:
        """Epoch (from 1) with the lowest validation loss, or ``None``.

        The first such epoch if tied; NaN counts as +inf. ``None`` without
        validation data. With ``restore_best``, the model ends with this
        epoch's weights.
        """
        if self.val_losses is None or len(self.val_losses) == 0:
            return None
        val = np.where(np.isnan(self.val_losses), np.inf, self.val_losses)
        return int(np.argmin(val)) + 1

    @property
    def stopped_epoch(self) -> int:
        """Epochs actually run, ``epochs``.

        Below ``max_epochs`` when early stopping ended the run: then the
        validation loss had not improved for ``patience`` epochs, and
        ``stopped_epoch == best_epoch + patience``.
        """
        return self.epochs


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss.

    Attributes
    ----------
    step, epoch : int
        Where it happened, counted from 1.
    lr : float
        The learning rate in use.
    history : History
        The run up to and including the bad step (its last step loss is the
        non-finite value), e.g. to plot a diverging loss curve.
    member : int or None
        For :func:`learnable_bases.sweep.train_stacked`, the index of the first
        member whose loss became non-finite; ``None`` for a single model.
    """

    def __init__(
        self,
        message: str,
        *,
        step: int,
        epoch: int,
        lr: float,
        history: History,
        member: int | None = None,
    ) -> None:
        super().__init__(message)
        self.step = step
        self.epoch = epoch
        self.lr = lr
        self.history = history
        self.member = member


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters")
    return model


def _check_data(
    x: object, y: object, xname: str = "x", yname: str = "y"
) -> tuple[torch.Tensor, torch.Tensor]:
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


def _check_loss_fn(loss_fn: object) -> LossFn:
    if not callable(loss_fn):
        raise TypeError(
            "loss_fn must be callable as loss_fn(model, x, y) -> scalar tensor; "
            f"got {type(loss_fn).__name__}"
        )
    return loss_fn


def _scalar_loss(loss: object) -> torch.Tensor:
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise TypeError(
            "loss_fn must return a scalar tensor; got "
            + (
                f"shape {tuple(loss.shape)}"
                if isinstance(loss, torch.Tensor)
                else type(loss).__name__
            )
        )
    return loss.reshape(())


def _make_optimizer(
    name: str, params: list[torch.nn.Parameter], lr: float
) -> torch.optim.Optimizer:
    cls = torch.optim.SGD if name == "sgd" else torch.optim.Adam
    # fused kernels are fastest on CPU where supported (torch >= 2.4);
    # otherwise try foreach, then the plain loop.
    for kwargs in ({"fused": True}, {"foreach": True}, {}):
        try:
            return cls(params, lr=lr, **kwargs)
        except (RuntimeError, TypeError, ValueError):
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def make_step(name: str, params: list[torch.Tensor], lr: float) -> Callable[[], None]:
    """Return ``step()``: one SGD or Adam update of ``params`` from their grads.

    Where the fused CPU kernels exist, ``step`` calls them directly (SGD through
    :func:`torch.optim.sgd.sgd`, Adam through the kernel that
    :func:`torch.optim.adam.adam` calls) with the same state an optimizer
    object would keep, so the update is the one
    ``torch.optim.Adam(..., fused=True).step()`` makes, bit for bit, without
    the hook and profiler wrapping that ``Optimizer.step`` adds to every call
    (for a small network, more time than the update itself). Otherwise it is
    the optimizer object's own ``step``.
    """
    opt = _make_optimizer(name, params, lr)
    if not opt.defaults.get("fused"):
        return opt.step
    if name == "sgd":

        def step() -> None:
            with torch.no_grad():
                sgd_update(
                    params,
                    [p.grad for p in params],
                    [None] * len(params),
                    fused=True,
                    weight_decay=0.0,
                    momentum=0.0,
                    lr=lr,
                    dampening=0.0,
                    nesterov=False,
                    maximize=False,
                )

        return step
    fused_adam = getattr(torch, "_fused_adam_", None)
    if fused_adam is None:
        return opt.step
    # The kernel behind adam(..., fused=True), called as that function calls it,
    # but with one step counter for all parameters (they all take every step):
    # one scalar add per step instead of one per parameter.
    exp_avgs = [torch.zeros_like(p) for p in params]
    exp_avg_sqs = [torch.zeros_like(p) for p in params]
    beta1, beta2 = opt.defaults["betas"]
    eps = opt.defaults["eps"]
    count = torch.tensor(0.0)
    counts = [count] * len(params)

    def fused_step() -> None:
        with torch.no_grad():
            count.add_(1.0)
            fused_adam(
                params,
                [p.grad for p in params],
                exp_avgs,
                exp_avg_sqs,
                [],
                counts,
                amsgrad=False,
                lr=lr,
                beta1=beta1,
                beta2=beta2,
                weight_decay=0.0,
                eps=eps,
                maximize=False,
            )

    return fused_step


def _optimizer_name(make: OptimizerFactory, opt: torch.optim.Optimizer) -> str:
    """``"SGD"``, or ``"SGD(momentum=0.9)"`` for a :func:`functools.partial`."""
    name = type(opt).__name__
    if isinstance(make, functools.partial) and make.keywords:
        kw = ", ".join(f"{k}={v!r}" for k, v in make.keywords.items())
        name = f"{name}({kw})"
    return name


def _optimizer_step(
    optimizer: object, params: list[torch.nn.Parameter], lr: float
) -> tuple[Callable[[], None], str]:
    """Return ``step()`` and the optimizer's name for :class:`History`.

    ``optimizer`` is a name from :data:`OPTIMIZERS` (the fused path of
    :func:`make_step`) or a factory ``make(params, lr=lr)``, whose optimizer
    steps through its own ``step`` (the loop clears the gradients itself, as
    ``opt.zero_grad()`` does).
    """
    if isinstance(optimizer, str):
        name = check_choice("optimizer", optimizer, OPTIMIZERS)
        return make_step(name, params, lr), name
    if isinstance(optimizer, torch.optim.Optimizer) or not callable(optimizer):
        hint = (
            " (pass the class or a factory, not an optimizer built on parameters)"
            if isinstance(optimizer, torch.optim.Optimizer)
            else ""
        )
        raise TypeError(
            f"optimizer must be one of {sorted(OPTIMIZERS)}, or a callable "
            "make(params, lr=lr) -> torch.optim.Optimizer such as torch.optim.SGD "
            "or functools.partial(torch.optim.SGD, momentum=0.9); got "
            f"{type(optimizer).__name__}{hint}"
        )
    opt = optimizer(params, lr=lr)
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(
            "optimizer(params, lr=lr) must return a torch.optim.Optimizer; got "
            f"{type(opt).__name__}"
        )
    return opt.step, _optimizer_name(optimizer, opt)


def evaluate(
    model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor
) -> float:
    """Loss of a model on data, without gradients and in eval mode.

    Parameters
    ----------
    model : torch.nn.Module
        The model.
    loss_fn : callable
        ``loss_fn(model, x, y) -> scalar tensor``.
    x : torch.Tensor, shape (n, ...)
        Inputs.
    y : torch.Tensor, shape (n, ...)
        Targets.

    Returns
    -------
    float
        ``loss_fn(model, x, y)``; the model's train/eval mode is restored.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return float(_scalar_loss(loss_fn(model, x, y)))
    finally:
        model.train(was_training)


def _check_snapshots(snapshots: object, epochs: int) -> tuple[int, ...]:
    if snapshots is None:
        return ()
    if isinstance(snapshots, (str, bytes)) or not isinstance(
        snapshots, (Sequence, range, np.ndarray)
    ):
        raise TypeError(
            f"snapshots must be a sequence of epochs (ints); got {snapshots!r}"
        )
    out = []
    for e in snapshots:
        if isinstance(e, np.integer):
            e = int(e)
        if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e <= epochs:
            raise ValueError(
                f"snapshot epochs must be integers in 0..epochs={epochs}; got {e!r}"
            )
        out.append(e)
    return tuple(sorted(set(out)))


def _state_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def holdout_split(
    x: torch.Tensor, y: torch.Tensor, val_fraction: float, *, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Split ``(x, y)`` at random into a training and a validation part.

    This is the split ``train(..., val_fraction=val_fraction, seed=seed)``
    makes. ``round(val_fraction * N)`` samples, chosen by a random
    permutation, are held out; both parts keep the samples' original order.
    The permutation comes from a private NumPy generator seeded with ``seed``
    and a fixed stream key, so it is the same on every call and independent of
    the batch order that ``seed`` also sets.

    Parameters
    ----------
    x : torch.Tensor, shape (N, ...)
        Inputs (finite, floating).
    y : torch.Tensor, shape (N, ...)
        Targets (finite, floating).
    val_fraction : float
        Fraction of the samples to hold out, in ``(0, 1)``.
    seed : int
        Seed of the split.

    Returns
    -------
    x_train : torch.Tensor, shape (N - M, ...)
    y_train : torch.Tensor, shape (N - M, ...)
    x_val : torch.Tensor, shape (M, ...)
    y_val : torch.Tensor, shape (M, ...)
        The two parts, ``M = round(val_fraction * N)``.

    Raises
    ------
    ValueError
        If ``val_fraction`` is not in ``(0, 1)``, or leaves fewer than one
        sample in either part.

    Examples
    --------
    >>> x, y = torch.arange(10.0)[:, None], torch.zeros(10, 1)
    >>> x_tr, y_tr, x_val, y_val = holdout_split(x, y, 0.2, seed=0)
    >>> x_tr.shape, x_val.shape
    (torch.Size([8, 1]), torch.Size([2, 1]))
    """
    x, y = _check_data(x, y)
    val_fraction = check_fraction("val_fraction", val_fraction)
    seed = check_seed(seed)
    n = x.shape[0]
    n_val = round(val_fraction * n)
    if not 1 <= n_val <= n - 1:
        raise ValueError(
            f"val_fraction={val_fraction:g} of N={n} samples holds out {n_val}, "
            f"leaving {n - n_val} for training; both parts need at least one "
            "sample (1 <= round(val_fraction * N) <= N - 1)"
        )
    rng = np.random.default_rng([seed % 2**64, _SPLIT_STREAM])
    perm = torch.from_numpy(rng.permutation(n))
    val_idx = perm[:n_val].sort().values
    train_idx = perm[n_val:].sort().values
    return x[train_idx], y[train_idx], x[val_idx], y[val_idx]


def _check_val_shapes(
    x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor
) -> None:
    for name, t, ref in (("x_val", x_val, x), ("y_val", y_val, y)):
        if t.shape[1:] != ref.shape[1:]:
            dims = ", ".join(["n", *map(str, ref.shape[1:])])
            raise ValueError(
                f"{name} must have shape ({dims}), matching {name[0]} "
                f"{tuple(ref.shape)} but for the number of samples; got "
                f"{tuple(t.shape)}"
            )


def train(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int | None = None,
    optimizer: str | OptimizerFactory = "sgd",
    seed: int = 0,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    val_fraction: float | None = None,
    patience: int | None = None,
    restore_best: bool | None = None,
    snapshots: Sequence[int] | None = None,
    progress: bool | None = None,
) -> History:
    """Train ``model`` in place by (mini-batch) gradient descent.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters; updated in place.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, the mean loss of a batch.
    x : torch.Tensor, shape (N, ...)
        Training inputs (finite, floating).
    y : torch.Tensor, shape (N, ...)
        Training targets (finite, floating).
    epochs : int
        Passes over the data (>= 1); the most that are run when ``patience``
        is set.
    lr : float
        Learning rate ``eta`` (> 0).
    batch_size : int, optional
        Samples per step, ``1 <= batch_size <= N``; ``None`` means full-batch
        gradient descent (one step per epoch). The last batch of an epoch is
        smaller when ``batch_size`` does not divide ``N``. With
        ``val_fraction``, ``N`` is the number of training samples left.
    optimizer : {"sgd", "adam"} or callable, default "sgd"
        Plain SGD (no momentum) or Adam with default betas; or a factory
        called once as ``optimizer(params, lr=lr)`` that returns a
        :class:`torch.optim.Optimizer` over ``params`` (the model's trainable
        parameters). An optimizer class is such a factory, and
        :func:`functools.partial` fixes its other settings, e.g.
        ``optimizer=functools.partial(torch.optim.SGD, momentum=0.9,
        weight_decay=1e-4)``. ``lr`` is passed by keyword, so it is the
        learning rate the optimizer uses and ``History.lr`` records.
    seed : int, default 0
        Seed of the private generator that shuffles the batches, and of the
        split ``val_fraction`` makes.
    x_val, y_val : torch.Tensor, shape (M, ...), optional
        Validation data, evaluated after every epoch (both or neither); their
        shapes match those of ``x`` and ``y`` but for the number of samples.
    val_fraction : float, optional
        Hold out this fraction of ``(x, y)`` as validation data (in
        ``(0, 1)``; instead of ``x_val``, ``y_val``), as
        :func:`holdout_split` with this ``seed`` does; the model trains on the
        rest.
    patience : int, optional
        Stop early once the validation loss has not improved (fallen strictly
        below its lowest value so far) for ``patience`` epochs (>= 1): after
        epoch ``best_epoch + patience``. Needs validation data. ``None``
        (default): run all ``epochs``.
    restore_best : bool, optional
        Load the weights of the epoch with the lowest validation loss
        (``History.best_epoch``) into ``model`` at the end. ``None`` (default)
        means ``True`` when ``patience`` is set and ``False`` otherwise.
        ``History.losses`` still ends at the last epoch run.
    snapshots : sequence of int, optional
        Epochs ``e`` (``0 <= e <= epochs``; 0 is the initial model) after which
        to copy the model's ``state_dict``, returned as ``History.snapshots``.
        Load one with ``model.load_state_dict(history.snapshots[e])``: it
        equals the model after a fresh run of ``e`` epochs. Epochs after an
        early stop have no snapshot.
    progress : bool, optional
        Show a tqdm bar over epochs. ``None`` (default) shows it only when
        stderr is a terminal and the environment variable ``LB_NO_PROGRESS`` is
        unset, so docs builds and tests stay silent.

    Returns
    -------
    History
        Per-epoch and per-step losses, timing, settings and snapshots.

    Raises
    ------
    NonFiniteLossError
        A :class:`FloatingPointError`, if a batch loss is NaN or infinite; the
        message names the step and epoch (from 1) and the learning rate, and
        the partial history is attached as ``.history``. Losses are checked
        once per epoch, so the model may have taken the rest of that epoch's
        steps when the error is raised.
    ValueError, TypeError
        On bad arguments: non-positive ``epochs``, ``lr``, ``batch_size`` or
        ``patience``, ``batch_size > N``, mismatched or non-finite data,
        validation data whose shape does not match ``x``, ``y``, unknown
        optimizer, ``val_fraction`` outside ``(0, 1)``, leaving no training or
        no validation sample, or given with ``x_val``, ``patience`` without
        validation data, snapshot epochs outside ``0..epochs``.

    Notes
    -----
    The loop avoids per-step work that does not change the result: batch
    losses stay tensors until the end of the epoch (one conversion per epoch,
    not one host sync per step), each epoch gathers its shuffled data once,
    and validation runs once per epoch under :func:`torch.inference_mode`.
    With ``patience`` or ``restore_best``, the validation loss is read every
    epoch, and the best weights are copied whenever it improves.

    Examples
    --------
    Hold out 20 % of the data, stop 50 epochs after the best validation loss
    and keep the best weights; SGD with momentum::

        opt = functools.partial(torch.optim.SGD, momentum=0.9)
        hist = train(model, mse_objective, x, y, epochs=5000, lr=1e-2,
                     optimizer=opt, val_fraction=0.2, patience=50)
        hist.best_epoch, hist.stopped_epoch, hist.optimizer  # ..., "SGD(momentum=0.9)"
    """
    model = _check_model(model)
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    epochs = check_positive_int("epochs", epochs)
    lr = check_positive_float("lr", lr)
    if isinstance(optimizer, str):
        check_choice("optimizer", optimizer, OPTIMIZERS)
    seed = check_seed(seed)
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    val_fraction, patience, restore = check_early_stopping(
        val_fraction, patience, restore_best, x_val is not None
    )
    if val_fraction is not None:
        x, y, x_val, y_val = holdout_split(x, y, val_fraction, seed=seed)
    n = x.shape[0]
    batch_size = check_batch_size(batch_size, n)
    has_val = x_val is not None
    if has_val:
        x_val, y_val = _check_data(x_val, y_val, "x_val", "y_val")
        _check_val_shapes(x, y, x_val, y_val)
    snap_epochs = _check_snapshots(snapshots, epochs)
    show = show_progress(progress)

    params = [p for p in model.parameters() if p.requires_grad]
    step, opt_name = _optimizer_step(optimizer, params, lr)
    gen = torch.Generator().manual_seed(seed)
    full_batch = batch_size == n
    n_batches = math.ceil(n / batch_size)
    sizes = np.array([min(batch_size, n - i * batch_size) for i in range(n_batches)])

    step_losses = np.empty(epochs * n_batches)
    epoch_losses = np.empty(epochs)
    val_losses = np.empty(epochs) if has_val else None
    val_t: list[torch.Tensor] = []
    snaps: dict[int, dict[str, torch.Tensor]] = {}
    if 0 in snap_epochs:
        snaps[0] = _state_copy(model)
    track = patience is not None or restore
    best, best_epoch, stopped = np.full(1, np.inf), np.zeros(1, int), np.zeros(1, int)
    best_state: dict[str, torch.Tensor] = {}

    def history(n_epochs: int, n_steps: int, elapsed: float) -> History:
        if val_losses is not None and val_t:
            val_losses[: len(val_t)] = torch.stack(val_t).double().numpy()
        return History(
            losses=frozen(epoch_losses[:n_epochs]),
            step_losses=frozen(step_losses[:n_steps]),
            val_losses=None if val_losses is None else frozen(val_losses[:n_epochs]),
            wall_time=elapsed,
            epochs=n_epochs,
            steps=n_steps,
            lr=lr,
            batch_size=batch_size,
            optimizer=opt_name,
            seed=seed,
            snapshots=MappingProxyType(dict(snaps)),
            max_epochs=epochs,
            patience=patience,
        )

    model.train()
    ran = epochs
    start = time.perf_counter()
    bar = tqdm(
        range(epochs), disable=not show, desc="training", unit="epoch", leave=False
    )
    # the data were checked once above; the batches are slices of them
    with inputs_checked():
        for epoch in bar:
            if full_batch:
                batches = [(x, y)]
            else:
                perm = torch.randperm(n, generator=gen)
                batches = zip(
                    x[perm].split(batch_size), y[perm].split(batch_size), strict=True
                )
            losses = []
            for xb, yb in batches:
                for p in params:
                    p.grad = None
                loss = _scalar_loss(loss_fn(model, xb, yb))
                losses.append(loss.detach())
                loss.backward()
                step()
            values = torch.stack(losses).double().numpy()
            first = epoch * n_batches
            step_losses[first : first + n_batches] = values
            if not np.isfinite(values).all():
                bar.close()
                step = first + int(np.flatnonzero(~np.isfinite(values))[0]) + 1
                raise NonFiniteLossError(
                    f"loss became {step_losses[step - 1]} at step {step} (epoch "
                    f"{epoch + 1}) with lr={lr:g}; lower the learning rate",
                    step=step,
                    epoch=epoch + 1,
                    lr=lr,
                    history=history(epoch, step, time.perf_counter() - start),
                )
            epoch_losses[epoch] = float(values @ sizes) / n
            if has_val:
                model.eval()
                with torch.inference_mode():
                    val_t.append(_scalar_loss(loss_fn(model, x_val, y_val)).clone())
                model.train()
            if epoch + 1 in snap_epochs:
                snaps[epoch + 1] = _state_copy(model)
            if show:
                post = {"loss": f"{epoch_losses[epoch]:.4g}"}
                if has_val:
                    post["val"] = f"{float(val_t[-1]):.4g}"
                bar.set_postfix(post, refresh=False)
            if track:
                val = np.array([float(val_t[-1])])
                _, improved = track_best(
                    val, epoch + 1, best, best_epoch, stopped, patience
                )
                if restore and improved[0]:
                    best_state = _state_copy(model)
                if stopped[0]:
                    ran = epoch + 1
                    break
    bar.close()
    hist = history(ran, ran * n_batches, time.perf_counter() - start)
    if restore:
        model.load_state_dict(best_state)
    return hist


# ---------------------------------------------------------------------------
# Gradient noise
# ---------------------------------------------------------------------------


def minibatch_variance_theory(
    sigma2: float,
    batch_size: int | Sequence[int] | np.ndarray,
    n: int,
    replace: bool = False,
) -> np.ndarray:
    """Exact total variance of a mini-batch mean gradient.

    For ``B`` samples drawn from ``N`` per-sample gradients with (population)
    total variance ``sigma2``::

        with replacement:     sigma2 / B
        without replacement:  sigma2 / B * (N - B) / (N - 1)

    Parameters
    ----------
    sigma2 : float
        Per-sample gradient variance, ``(1/N) sum_n ||g_n - g||^2`` (>= 0).
    batch_size : int or array_like of int, shape (k,)
        Batch sizes ``B`` (``1 <= B``; ``B <= N`` without replacement).
    n : int
        Dataset size ``N`` (>= 1).
    replace : bool, default False
        Whether batches are drawn with replacement.

    Returns
    -------
    np.ndarray, shape () or (k,)
        ``E ||g_B - g||^2``.
    """
    if (
        isinstance(sigma2, bool)
        or not isinstance(sigma2, (int, float))
        or not (math.isfinite(sigma2) and sigma2 >= 0)
    ):
        raise ValueError(f"sigma2 must be a finite number >= 0; got {sigma2!r}")
    n = check_positive_int("n", n)
    b = np.asarray(batch_size)
    if b.dtype.kind not in "iu" or np.any(b < 1):
        raise ValueError(f"batch sizes must be integers >= 1; got {batch_size!r}")
    b = b.astype(float)
    if replace:
        return sigma2 / b
    if np.any(b > n):
        raise ValueError(
            f"without replacement, batch sizes must be <= N={n}; got {batch_size!r}"
        )
    fpc = np.ones_like(b) if n == 1 else (n - b) / (n - 1)
    return sigma2 / b * fpc


@dataclass(frozen=True, eq=False)
class GradientNoise:
    """Result of :func:`gradient_noise` (arrays are read-only).

    Attributes
    ----------
    batch_sizes : np.ndarray of int, shape (k,)
        The batch sizes ``B``.
    full_grad : np.ndarray, shape (p,)
        Full-batch gradient ``g`` over all ``p`` parameters, flattened.
    mean_grads : np.ndarray, shape (k, p)
        Average of the ``n_batches`` mini-batch gradients, for each ``B``.
    msd : np.ndarray, shape (k,)
        Mean squared deviation ``mean_b ||g_B - g||^2`` from the full gradient:
        an unbiased estimate of the total mini-batch variance.
    msd_se : np.ndarray, shape (k,)
        Standard error of ``msd`` (standard deviation of ``||g_B - g||^2`` over
        the batches, divided by ``sqrt(n_batches)``), e.g. for error bars.
    bias_sq : np.ndarray, shape (k,)
        ``||mean_grads - g||^2``; about ``msd / n_batches`` for an unbiased
        estimator.
    theory : np.ndarray, shape (k,)
        :func:`minibatch_variance_theory` for these ``B``.
    sigma2_grad : float
        Per-sample gradient variance ``(1/N) sum_n ||g_n - g||^2``, computed
        exactly from all ``N`` per-sample gradients.
    n : int
        Dataset size ``N``.
    n_batches : int
        Mini-batches drawn per batch size.
    replace : bool
        Whether batches were drawn with replacement.
    """

    batch_sizes: np.ndarray
    full_grad: np.ndarray
    mean_grads: np.ndarray
    msd: np.ndarray
    msd_se: np.ndarray
    bias_sq: np.ndarray
    theory: np.ndarray
    sigma2_grad: float
    n: int
    n_batches: int
    replace: bool


def _flat_grad(
    model: nn.Module,
    params: list[torch.nn.Parameter],
    loss_fn: LossFn,
    xb: torch.Tensor,
    yb: torch.Tensor,
) -> np.ndarray:
    loss = _scalar_loss(loss_fn(model, xb, yb))
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    flat = torch.cat(
        [
            torch.zeros(p.numel(), dtype=p.dtype) if g is None else g.reshape(-1)
            for p, g in zip(params, grads, strict=True)
        ]
    )
    return flat.detach().to(torch.float64).numpy()


def gradient_noise(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_sizes: Sequence[int] | np.ndarray,
    n_batches: int,
    seed: int,
    replace: bool = False,
) -> GradientNoise:
    """Measure the scatter of mini-batch gradients around the full gradient.

    The model is not changed. Gradients are taken at its current parameters
    with ``loss_fn`` itself, for ``n_batches`` random batches of each size;
    per-sample gradients (``N`` backward passes, so keep ``N`` in the
    thousands) give ``sigma2_grad``.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    batch_sizes : array_like of int, shape (k,)
        Batch sizes ``B >= 1`` (``<= N`` without replacement).
    n_batches : int
        Batches drawn per batch size (>= 2).
    seed : int
        Seed of the private generator that draws the batches.
    replace : bool, default False
        Draw each batch with replacement (``sigma2 / B`` exactly) or without
        (``sigma2 / B * (N - B)/(N - 1)``).

    Returns
    -------
    GradientNoise
        Full gradient, per-``B`` mean gradients, mean squared deviations and
        the theory values.
    """
    model = _check_model(model)
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    n = x.shape[0]
    n_batches = check_positive_int("n_batches", n_batches)
    if n_batches < 2:
        raise ValueError(f"n_batches must be >= 2; got {n_batches}")
    seed = check_seed(seed)
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be a bool; got {replace!r}")
    bs = np.atleast_1d(np.asarray(batch_sizes))
    if bs.ndim != 1 or bs.size == 0 or bs.dtype.kind not in "iu" or np.any(bs < 1):
        raise ValueError(
            f"batch_sizes must be a 1D sequence of integers >= 1; got {batch_sizes!r}"
        )
    if not replace and np.any(bs > n):
        raise ValueError(
            f"without replacement, batch sizes must be <= N={n}; got {bs.tolist()}"
        )

    params = [p for p in model.parameters() if p.requires_grad]
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    try:
        full = _flat_grad(model, params, loss_fn, x, y)
        per_sample = np.stack(
            [
                _flat_grad(model, params, loss_fn, x[i : i + 1], y[i : i + 1])
                for i in range(n)
            ]
        )
        centred = per_sample - per_sample.mean(axis=0)
        sigma2 = float(np.mean(np.sum(centred**2, axis=1)))
        mean_grads = np.empty((bs.size, full.size))
        msd = np.empty(bs.size)
        msd_se = np.empty(bs.size)
        for j, b in enumerate(bs.tolist()):
            grads = np.empty((n_batches, full.size))
            for k in range(n_batches):
                if replace:
                    idx = torch.randint(n, (b,), generator=gen)
                else:
                    idx = torch.randperm(n, generator=gen)[:b]
                grads[k] = _flat_grad(model, params, loss_fn, x[idx], y[idx])
            mean_grads[j] = grads.mean(axis=0)
            sq_dev = np.sum((grads - full) ** 2, axis=1)
            msd[j] = sq_dev.mean()
            msd_se[j] = sq_dev.std(ddof=1) / math.sqrt(n_batches)
    finally:
        model.train(was_training)

    return GradientNoise(
        batch_sizes=frozen_int(bs),
        full_grad=frozen(full),
        mean_grads=frozen(mean_grads),
        msd=frozen(msd),
        msd_se=frozen(msd_se),
        bias_sq=frozen(np.sum((mean_grads - full) ** 2, axis=1)),
        theory=frozen(minibatch_variance_theory(sigma2, bs, n, replace)),
        sigma2_grad=sigma2,
        n=n,
        n_batches=n_batches,
        replace=replace,
    )


# ---------------------------------------------------------------------------
# Mini-batch gradients and parameter paths (for pictures of SGD)
# ---------------------------------------------------------------------------


def _flat_params(params: list[torch.nn.Parameter]) -> np.ndarray:
    return (
        torch.cat([p.detach().reshape(-1) for p in params])
        .to(torch.float64)
        .numpy()
        .copy()
    )


def _set_flat_params(params: list[torch.nn.Parameter], flat: torch.Tensor) -> None:
    """Copy the values of a flat vector into ``params`` (in place, no autograd)."""
    with torch.no_grad():
        i = 0
        for p in params:
            p.copy_(flat[i : i + p.numel()].reshape(p.shape).to(p.dtype))
            i += p.numel()


def minibatch_gradients(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    n_batches: int,
    seed: int,
    replace: bool = False,
) -> np.ndarray:
    """Draw mini-batch gradients at the model's current parameters.

    The model is not changed. Where :func:`gradient_noise` summarises the
    scatter, this returns the gradients themselves, e.g. for a histogram.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    batch_size : int
        Samples per batch ``B`` (``1 <= B``; ``B <= N`` without replacement).
    n_batches : int
        Number of batches drawn (>= 1).
    seed : int
        Seed of the private generator that draws the batches.
    replace : bool, default False
        Draw each batch with replacement, or without (as within an epoch).

    Returns
    -------
    np.ndarray, shape (n_batches, p)
        One flattened gradient over all ``p`` trainable parameters per batch,
        in the order of ``model.parameters()`` (float64).
    """
    model = _check_model(model)
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    n = x.shape[0]
    batch_size = check_positive_int("batch_size", batch_size)
    n_batches = check_positive_int("n_batches", n_batches)
    seed = check_seed(seed)
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be a bool; got {replace!r}")
    if not replace and batch_size > n:
        raise ValueError(
            f"without replacement, batch_size must be <= N={n}; got {batch_size}"
        )
    params = [p for p in model.parameters() if p.requires_grad]
    gen = torch.Generator().manual_seed(seed)
    out = np.empty((n_batches, sum(p.numel() for p in params)))
    was_training = model.training
    model.eval()
    try:
        for k in range(n_batches):
            if replace:
                idx = torch.randint(n, (batch_size,), generator=gen)
            else:
                idx = torch.randperm(n, generator=gen)[:batch_size]
            out[k] = _flat_grad(model, params, loss_fn, x[idx], y[idx])
    finally:
        model.train(was_training)
    return out


def parameter_path(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float,
    batch_size: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Plain (mini-batch) gradient descent that records every parameter vector.

    Each step is ``omega <- omega - lr * grad`` on one batch (``omega``: all the
    parameters). Batches come from a seeded permutation per epoch, as in
    :func:`train` with ``optimizer="sgd"`` (so the two agree step for step); a
    new epoch starts every
    ``ceil(N / batch_size)`` steps. The model is updated in place. Meant for
    models small enough to draw, e.g. two parameters over a loss contour.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    steps : int
        Number of updates (>= 1).
    lr : float
        Learning rate ``eta`` (> 0).
    batch_size : int, optional
        Samples per step (``1 <= batch_size <= N``); ``None`` is full-batch
        gradient descent.
    seed : int, default 0
        Seed of the private generator that shuffles the batches.

    Returns
    -------
    np.ndarray, shape (steps + 1, p)
        The flattened trainable parameters before the first step and after
        each step (float64), in the order of ``model.parameters()``.

    Raises
    ------
    NonFiniteLossError
        If a batch loss becomes NaN or infinite (the learning rate is too
        large); the message names the step and the learning rate.
    """
    model = _check_model(model)
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    n = x.shape[0]
    steps = check_positive_int("steps", steps)
    lr = check_positive_float("lr", lr)
    seed = check_seed(seed)
    batch_size = (
        n if batch_size is None else check_positive_int("batch_size", batch_size)
    )
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of samples N={n}; got "
            f"{batch_size} (use batch_size=None for full batches)"
        )
    params = [p for p in model.parameters() if p.requires_grad]
    gen = torch.Generator().manual_seed(seed)
    per_epoch = math.ceil(n / batch_size)
    out = np.empty((steps + 1, sum(p.numel() for p in params)))
    out[0] = _flat_params(params)
    losses = np.empty(steps)
    batches: list[torch.Tensor] = []
    model.train()
    start = time.perf_counter()
    for k in range(steps):
        if k % per_epoch == 0:
            batches = (
                [torch.arange(n)]
                if batch_size == n
                else list(torch.randperm(n, generator=gen).split(batch_size))
            )
        idx = batches[k % per_epoch]
        loss = _scalar_loss(loss_fn(model, x[idx], y[idx]))
        losses[k] = loss.item()
        if not math.isfinite(losses[k]):
            raise NonFiniteLossError(
                f"loss became {losses[k]} at step {k + 1} "
                f"(epoch {k // per_epoch + 1}) with lr={lr:g}; lower the learning rate",
                step=k + 1,
                epoch=k // per_epoch + 1,
                lr=lr,
                history=History(
                    losses=frozen(np.empty(0)),
                    step_losses=frozen(losses[: k + 1]),
                    val_losses=None,
                    wall_time=time.perf_counter() - start,
                    epochs=k // per_epoch,
                    steps=k + 1,
                    lr=lr,
                    batch_size=batch_size,
                    optimizer="sgd",
                    seed=seed,
                ),
            )
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                if g is not None:
                    p.add_(g, alpha=-lr)
        out[k + 1] = _flat_params(params)
    return out


def loss_surface_2d(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    p1: np.ndarray,
    p2: np.ndarray,
) -> np.ndarray:
    """Full-data loss of a two-parameter model on a grid of parameter values.

    Parameters
    ----------
    model : torch.nn.Module
        Model with exactly two trainable scalar parameters in total (e.g.
        ``torch.nn.Linear(1, 1)``: weight, then bias). Restored afterwards.
    loss_fn : callable
        ``loss_fn(model, x, y) -> scalar tensor``.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    p1 : array_like, shape (m1,)
        Values of the first parameter.
    p2 : array_like, shape (m2,)
        Values of the second parameter.

    Returns
    -------
    np.ndarray, shape (m2, m1)
        ``loss[j, i]`` at ``(p1[i], p2[j])``: the layout ``contour(p1, p2, loss)``
        expects.
    """
    model = _check_model(model)
    loss_fn = _check_loss_fn(loss_fn)
    x, y = _check_data(x, y)
    params = [p for p in model.parameters() if p.requires_grad]
    if sum(p.numel() for p in params) != 2:
        raise ValueError(
            "model must have exactly 2 trainable scalar parameters; got "
            f"{sum(p.numel() for p in params)}"
        )
    grids = []
    for name, values in (("p1", p1), ("p2", p2)):
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be a finite 1D array (m,); got {arr.shape}")
        grids.append(arr)
    saved = [p.detach().clone() for p in params]
    out = np.empty((grids[1].size, grids[0].size))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for j, b in enumerate(grids[1]):
                for i, a in enumerate(grids[0]):
                    _set_flat_params(params, torch.tensor([a, b]))
                    out[j, i] = float(_scalar_loss(loss_fn(model, x, y)))
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved, strict=True):
                p.copy_(s)
        model.train(was_training)
    return out
