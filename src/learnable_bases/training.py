"""The training loop: :func:`train`, :func:`evaluate` and the :class:`History` of a run.

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

``loss_fn(model, x, y) -> scalar tensor`` is the mean of a per-sample loss
over the batch, e.g. :func:`learnable_bases.losses.mse_objective` or
:func:`learnable_bases.losses.gaussian_nll_objective`. The noise of
mini-batch gradients, SGD's paths and loss surfaces are in
:mod:`learnable_bases.landscape`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import torch
from torch import nn
from torch.optim.sgd import sgd as sgd_update

from ._checks import (
    StoppingRule,
    batch_sizes,
    check_batch_size,
    check_callable,
    check_choice,
    check_data,
    check_early_stopping,
    check_fraction,
    check_int,
    check_model,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_sequence,
    check_shape,
    epoch_bar,
    epoch_batches,
    evaluating,
    frozen,
    inputs_checked,
    run_epoch,
    scalar_loss,
)

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]

#: How the training loops call a ``loss_fn`` (for error messages).
LOSS_FN = "loss_fn(model, x, y) -> scalar tensor"

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

    Examples
    --------
    Twenty epochs of mini-batches of 10 out of 50 samples, without validation
    data:

    >>> import torch
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.training import train
    >>> x = torch.linspace(-1, 1, 50)[:, None]
    >>> _ = torch.manual_seed(0)
    >>> hist = train(torch.nn.Linear(1, 1), mse_objective, x, 2 * x, epochs=20,
    ...              lr=0.1, batch_size=10)
    >>> hist.epochs, hist.steps, hist.step_losses.shape, hist.val_losses
    (20, 100, (100,), None)
    >>> bool(hist.final_loss < hist.losses[0]), hist.losses.flags.writeable
    (True, False)
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

    Built from the run's :class:`History` up to the bad step, whose last step
    loss is the bad value; the message names it, the step, the epoch and the
    learning rate.

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

    Examples
    --------
    Far too large a learning rate makes the loss overflow to ``inf``:

    >>> import torch
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.training import NonFiniteLossError, train
    >>> x = torch.linspace(-100, 100, 50)[:, None]
    >>> _ = torch.manual_seed(0)
    >>> try:
    ...     train(torch.nn.Linear(1, 1), mse_objective, x, x, epochs=100, lr=10.0)
    ... except NonFiniteLossError as e:
    ...     err = e
    >>> print(err)
    loss became inf at step 5 (epoch 5) with lr=10; lower the learning rate
    >>> err.history.steps, isinstance(err, FloatingPointError)
    (5, True)
    """

    def __init__(self, history: History, member: int | None = None) -> None:
        self.history, self.member = history, member
        self.step, self.epoch, self.lr = history.steps, history.epochs + 1, history.lr
        who = "loss" if member is None else f"loss of member {member}"
        super().__init__(
            f"{who} became {history.step_losses[-1]} at step {self.step} (epoch "
            f"{self.epoch}) with lr={self.lr:g}; lower the learning rate"
        )


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

    Examples
    --------
    SGD moves ``p`` by ``-lr * grad``; Adam's first step moves each entry by
    about ``lr`` against the sign of its gradient.

    >>> import torch
    >>> from learnable_bases.training import make_step
    >>> p = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> p.grad = torch.tensor([1.0, -3.0])
    >>> step = make_step("sgd", [p], lr=0.1)
    >>> step()
    >>> [round(v, 3) for v in p.tolist()]
    [0.9, -1.7]
    >>> step = make_step("adam", [p], lr=0.1)
    >>> step()
    >>> [round(v, 3) for v in p.tolist()]
    [0.8, -1.6]
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
            torch._fused_adam_(
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


def _optimizer_step(
    optimizer: object, model: nn.Module, lr: float
) -> tuple[list[torch.nn.Parameter], Callable[[], None], str]:
    """Return the model's trainable parameters, ``step()`` and the optimizer's
    name for :class:`History`.

    ``optimizer`` is a name from :data:`OPTIMIZERS` (the fused path of
    :func:`make_step`) or a factory ``make(params, lr=lr)``, whose optimizer
    steps through its own ``step`` (the loop clears the gradients itself, as
    ``opt.zero_grad()`` does).
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if isinstance(optimizer, str):
        name = check_choice("optimizer", optimizer, OPTIMIZERS)
        return params, make_step(name, params, lr), name
    built = isinstance(optimizer, torch.optim.Optimizer)
    if built or not callable(optimizer):
        hint = " (pass the class or a factory, not an optimizer built on parameters)"
        raise TypeError(
            f"optimizer must be one of {sorted(OPTIMIZERS)}, or a callable "
            "make(params, lr=lr) -> torch.optim.Optimizer such as torch.optim.SGD "
            "or functools.partial(torch.optim.SGD, momentum=0.9); got "
            f"{type(optimizer).__name__}{hint if built else ''}"
        )
    opt = optimizer(params, lr=lr)
    if not isinstance(opt, torch.optim.Optimizer):
        raise TypeError(
            "optimizer(params, lr=lr) must return a torch.optim.Optimizer; got "
            f"{type(opt).__name__}"
        )
    name = type(opt).__name__  # "SGD", or "SGD(momentum=0.9)" for a partial
    if isinstance(optimizer, functools.partial) and optimizer.keywords:
        kw = ", ".join(f"{k}={v!r}" for k, v in optimizer.keywords.items())
        name = f"{name}({kw})"
    return params, opt.step, name


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

    Examples
    --------
    The line ``2 x`` fits ``y = 2 x`` exactly and misses ``2 x + 1`` by 1:

    >>> import torch
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.training import evaluate
    >>> x, model = torch.linspace(-1, 1, 5)[:, None], torch.nn.Linear(1, 1)
    >>> with torch.no_grad():
    ...     _ = model.weight.fill_(2.0), model.bias.fill_(0.0)
    >>> evaluate(model, mse_objective, x, 2 * x)
    0.0
    >>> evaluate(model, mse_objective, x, 2 * x + 1)
    1.0
    >>> model.training
    True
    """
    model = check_model(model)
    loss_fn = check_callable("loss_fn", loss_fn, LOSS_FN)
    x, y = check_data(x, y)
    with evaluating(model):
        return float(scalar_loss(loss_fn(model, x, y)))


def _check_snapshots(snapshots: object, epochs: int) -> tuple[int, ...]:
    if snapshots is None:
        return ()
    snapshots = check_sequence("snapshots", snapshots, "epochs (ints)")
    epochs_asked = {
        check_int("snapshot epochs", e, minimum=0, maximum=epochs) for e in snapshots
    }
    return tuple(sorted(epochs_asked))


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
    >>> import torch
    >>> from learnable_bases.training import holdout_split
    >>> x, y = torch.arange(10.0)[:, None], torch.zeros(10, 1)
    >>> x_tr, y_tr, x_val, y_val = holdout_split(x, y, 0.2, seed=0)
    >>> x_tr.shape, x_val.shape
    (torch.Size([8, 1]), torch.Size([2, 1]))
    """
    x, y = check_data(x, y)
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


def _split(
    x: torch.Tensor,
    y: torch.Tensor,
    x_val: object,
    y_val: object,
    val_fraction: float | None,
    seed: int,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """The training and validation data of :func:`train`, checked: ``x_val``
    and ``y_val`` as given, or the ``val_fraction`` held out of ``(x, y)``."""
    if val_fraction is not None:
        return holdout_split(x, y, val_fraction, seed=seed)  # checks x and y
    x, y = check_data(x, y)
    if x_val is None:
        return x, y, None, None
    x_val, y_val = check_data(x_val, y_val, "x_val", "y_val")
    for name, t, ref in (("x_val", x_val, x), ("y_val", y_val, y)):
        note = f", matching {name[0]} {tuple(ref.shape)} but for the number of samples"
        check_shape(name, t, ("n", *ref.shape[1:]), note)
    return x, y, x_val, y_val


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
    and validation runs once per epoch in eval mode without gradients.
    With ``patience`` or ``restore_best``, the validation loss is read every
    epoch, and the best weights are copied whenever it improves.

    Examples
    --------
    Hold out 20 % of the data, stop 20 epochs after the best validation loss
    and keep the best weights; SGD with momentum:

    >>> import functools
    >>> import torch
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.training import train
    >>> x = torch.linspace(-1, 1, 50)[:, None]
    >>> y = 2 * x + 0.3 * torch.randn(50, 1, generator=torch.Generator().manual_seed(0))
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(1, 1)
    >>> opt = functools.partial(torch.optim.SGD, momentum=0.9)
    >>> hist = train(model, mse_objective, x, y, epochs=2000, lr=0.1,
    ...              optimizer=opt, val_fraction=0.2, patience=20)
    >>> hist.optimizer, hist.stopped_epoch - hist.best_epoch, hist.stopped_epoch < 2000
    ('SGD(momentum=0.9)', 20, True)
    """
    model = check_model(model, trainable=True)
    loss_fn = check_callable("loss_fn", loss_fn, LOSS_FN)
    epochs, lr = check_positive_int("epochs", epochs), check_positive_float("lr", lr)
    seed = check_seed(seed)
    val_fraction, patience, restore = check_early_stopping(
        val_fraction, patience, restore_best, x_val, y_val
    )
    x, y, x_val, y_val = _split(x, y, x_val, y_val, val_fraction, seed)
    n = x.shape[0]
    batch_size = check_batch_size(batch_size, n)
    snap_epochs = _check_snapshots(snapshots, epochs)
    params, step, opt_name = _optimizer_step(optimizer, model, lr)

    gen, sizes = torch.Generator().manual_seed(seed), batch_sizes(n, batch_size)
    step_losses, epoch_losses = np.empty((epochs, len(sizes))), np.empty(epochs)
    val_t: list[float] = []
    snaps = {0: _state_copy(model)} if 0 in snap_epochs else {}
    rule = StoppingRule(1, patience)
    best_state: dict[str, torch.Tensor] = {}

    def history(n_epochs: int, n_steps: int) -> History:
        return History(
            losses=frozen(epoch_losses[:n_epochs]),
            step_losses=frozen(step_losses.ravel()[:n_steps]),
            val_losses=None if x_val is None else frozen(val_t[:n_epochs]),
            wall_time=time.perf_counter() - start,
            epochs=n_epochs, steps=n_steps, lr=lr, batch_size=batch_size,
            optimizer=opt_name, seed=seed, snapshots=MappingProxyType(dict(snaps)),
            max_epochs=epochs, patience=patience,
        )  # fmt: skip

    def batch_loss(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return scalar_loss(loss_fn(model, xb, yb))

    model.train()
    start = time.perf_counter()
    # the data were checked once above; the batches are slices of them
    with inputs_checked(), epoch_bar(epochs, progress) as bar:
        for epoch in bar:
            batches = epoch_batches(x, y, batch_size, gen)
            values = run_epoch(batch_loss, params, step, batches).double().numpy()
            step_losses[epoch] = values
            if not np.isfinite(values).all():
                bad = epoch * len(sizes) + int(np.flatnonzero(~np.isfinite(values))[0])
                raise NonFiniteLossError(history(epoch, bad + 1))
            epoch_losses[epoch] = float(values @ sizes) / n
            if x_val is not None:
                with evaluating(model):
                    val_t.append(float(batch_loss(x_val, y_val)))
                _, improved = rule.update(np.array(val_t[-1:]), epoch + 1)
                if restore and improved[0]:
                    best_state = _state_copy(model)
            if epoch + 1 in snap_epochs:
                snaps[epoch + 1] = _state_copy(model)
            if rule.stopped[0]:
                break
    ran = int(rule.stopped[0]) or epochs
    hist = history(ran, ran * len(sizes))
    if restore:
        model.load_state_dict(best_state)
    return hist
