"""Sweeps trained together: K same-shaped networks on a leading model axis.

The book trains families of networks that differ only in their seeds, their
data or their field: :func:`train_stacked` trains ``K`` of them at once. It
stacks each layer's weights of the ``K`` models into one tensor of shape
``(K, in, out)`` (biases ``(K, 1, out)``), runs every layer as one batched
matrix product (:func:`torch.baddbmm`), and updates all stacked tensors with
one optimizer. SGD and Adam act elementwise, so one optimizer over the stack
*is* ``K`` independent optimizers, and the members never interact: member
``k`` ends where ``train(models[k], ..., seed=seeds[k])`` would have ended, up
to float rounding (batched and single matrix products round differently).

Models
    A list of ``K`` :class:`~learnable_bases.models.MLP` (any ``in_dim``,
    ``width``, ``depth``, ``activation``, ``out_dim``, ``head``) or ``K``
    :class:`~learnable_bases.models.GaussianMLP`, all of the same shape and
    dtype. Their initial weights are read from the objects, and **the trained
    weights are written back into the same objects**, so callers keep using
    ordinary modules afterwards. (If training stops with an error, the models
    are left as they were.)

Loss
    ``loss(pred, y) -> tensor of shape (K,)``: the mean loss of each member on
    its batch. ``pred`` holds the stacked outputs of the ``K`` members:

    * for ``MLP`` a tensor of shape ``(K, n, out_dim)``;
    * for ``GaussianMLP`` a :class:`~learnable_bases.models.GaussianPrediction`
      whose ``mu`` and ``log_sigma`` have shape ``(K, n, 1)``;

    and ``y`` has shape ``(K, n, ...)`` (shared targets are broadcast to it).
    :func:`stacked_mse` and :func:`stacked_gaussian_nll` are ready-made. Any loss
    that reduces over the sample axis only fits: e.g. a density network whose
    negative log-likelihood takes outputs ``(..., n, p)`` and targets
    ``(..., n, d)`` and returns the mean over samples, shape ``(...)``.

Data
    ``x`` of shape ``(N, in_dim)`` with ``y`` of shape ``(N, ...)`` is shared
    by all members; ``x`` of shape ``(K, N, in_dim)`` with ``y`` of shape
    ``(K, N, ...)`` gives member ``k`` its own data set ``(x[k], y[k])``. (For
    shared inputs with per-member targets, pass ``x.expand(K, N, in_dim)``.)
    Validation data follow the same rule, independently.

Examples
--------
Eight seeds of a density network whose raw outputs parameterise a Gaussian
(``nll(out, y)`` returns the mean over the sample axis ``-2``)::

    models = [MLP(2, 32, depth=2, out_dim=5, seed=s) for s in range(8)]
    histories = train_stacked(
        models, nll, x, y, epochs=200, lr=1e-3, batch_size=128,
        optimizer="adam", seeds=range(8),
    )
    histories[3].final_loss          # member 3, as train(models[3], ...) gives
    models[3](x_test)                # an ordinary, trained MLP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from ._checks import (
    StoppingRule,
    batch_sizes,
    check_batch_size,
    check_callable,
    check_choice,
    check_early_stopping,
    check_floating,
    check_positive_float,
    check_positive_int,
    check_seed,
    check_sequence,
    check_shape,
    check_tensor,
    epoch_bar,
    frozen,
    inputs_checked,
    run_epoch,
    stacked_epoch_batches,
)
from .activations import get_activation
from .losses import HALF_LOG_2PI
from .models import MLP, GaussianMLP, GaussianPrediction
from .training import OPTIMIZERS, History, NonFiniteLossError, holdout_split, make_step

StackedLoss = Callable[[object, torch.Tensor], torch.Tensor]


# ---------------------------------------------------------------------- losses
def stacked_mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each member: a ``loss`` for :func:`train_stacked`.

    Parameters
    ----------
    pred : torch.Tensor, shape (K, n, k)
        Stacked outputs.
    y : torch.Tensor, shape (K, n, k)
        Targets.

    Returns
    -------
    torch.Tensor, shape (K,)
        ``mean((pred[j] - y[j])**2)`` for each member ``j``.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.sweep import stacked_mse
    >>> y = torch.tensor([1.0, 2.0])[:, None, None].expand(2, 3, 1)  # K = 2, n = 3
    >>> stacked_mse(torch.zeros(2, 3, 1), y).tolist()
    [1.0, 4.0]
    """
    check_shape("pred", check_floating("pred", pred), y.shape, " (the shape of y)")
    return ((pred - y) ** 2).flatten(1).mean(1)


def stacked_gaussian_nll(pred: GaussianPrediction, y: torch.Tensor) -> torch.Tensor:
    """Gaussian negative log-likelihood of each member, for stacked GaussianMLPs.

    The stacked form of :func:`learnable_bases.losses.gaussian_nll_objective`.

    Parameters
    ----------
    pred : GaussianPrediction
        ``mu`` and ``log_sigma``, each of shape ``(K, n, 1)``.
    y : torch.Tensor, shape (K, n, 1)
        Targets.

    Returns
    -------
    torch.Tensor, shape (K,)
        Mean negative log-likelihood of each member over its ``n`` samples.

    Examples
    --------
    Member 0 predicts the targets exactly, member 1 is off by one (both with
    ``sigma = 1``): ``log(2 pi) / 2`` and ``log(2 pi) / 2 + 1/2``.

    >>> import torch
    >>> from learnable_bases.models import GaussianPrediction
    >>> from learnable_bases.sweep import stacked_gaussian_nll
    >>> y = torch.zeros(2, 3, 1)  # K = 2 members, n = 3 samples
    >>> mu = torch.tensor([0.0, 1.0])[:, None, None] + y
    >>> pred = GaussianPrediction(mu, torch.zeros_like(y))  # log_sigma = 0
    >>> [round(v, 3) for v in stacked_gaussian_nll(pred, y).tolist()]
    [0.919, 1.419]
    """
    mu, log_sigma = pred
    check_shape("mu", mu, y.shape, " (the shape of y)")
    check_shape("log_sigma", log_sigma, y.shape, " (the shape of y)")
    z = (y - mu) * torch.exp(-log_sigma)
    return (0.5 * z**2 + log_sigma).flatten(1).mean(1) + HALF_LOG_2PI


# ------------------------------------------------------------- stacked weights
def _mlp_of(model: nn.Module) -> MLP:
    return model.mean if isinstance(model, GaussianMLP) else model


def _check_models(models: object) -> list[nn.Module]:
    if isinstance(models, nn.Module) or not isinstance(models, Sequence):
        raise TypeError(
            "models must be a list of MLP or GaussianMLP models; got "
            f"{type(models).__name__}"
        )
    models = list(models)
    if not models:
        raise ValueError("models is empty; give at least one model")
    kind = type(models[0])
    if kind not in (MLP, GaussianMLP):
        raise TypeError(
            f"models must be MLP or GaussianMLP instances; got {kind.__name__}"
        )

    def shape(m: nn.Module) -> tuple:
        mlp = _mlp_of(m)
        sizes = (mlp.in_dim, mlp.width, mlp.depth, mlp.activation, mlp.out_dim)
        skip = mlp.skip_layer is not None
        return (type(m).__name__, *sizes, mlp.output, skip, mlp.head.weight.dtype)

    first = shape(models[0])
    for k, m in enumerate(models):
        if type(m) is not kind:
            raise TypeError(
                f"all models must have one type; model 0 is {kind.__name__}, "
                f"model {k} is {type(m).__name__}"
            )
        if shape(m) != first:
            raise ValueError(
                "all models must have the same shape (type, in_dim, width, depth, "
                f"activation, out_dim, output, skip, dtype); model 0 has {first}, "
                f"model {k} has {shape(m)}"
            )
        if not all(p.requires_grad for p in m.parameters()):
            raise ValueError(f"model {k} has frozen parameters; all must be trainable")
    return models


def _leaves(model: nn.Module) -> list[nn.Parameter]:
    """A member's parameters in the stacked order: each layer's weight and bias,
    the head last, then a skip layer's weight and a ``GaussianMLP``'s
    ``log_sigma``."""
    mlp = _mlp_of(model)
    leaves = [p for lay in (*mlp.layers, mlp.head) for p in (lay.weight, lay.bias)]
    if mlp.skip_layer is not None:
        leaves.append(mlp.skip_layer.weight)
    if isinstance(model, GaussianMLP):
        leaves.append(model.log_sigma)
    return leaves


def _stack(models: list[nn.Module]) -> list[torch.Tensor]:
    """Stacked leaf tensors: per layer ``W (K, in, out)`` and ``b (K, 1, out)``,
    then a skip layer's ``V (K, in_dim, out_dim)`` and ``log_sigma (K, 1, 1)``."""

    def stackable(p: torch.Tensor) -> torch.Tensor:  # W transposed, the rest (1, n)
        return p.detach().T if p.ndim == 2 else p.detach().reshape(1, -1)

    per_leaf = zip(*map(_leaves, models), strict=True)
    stacked = [torch.stack([stackable(p) for p in leaves]) for leaves in per_leaf]
    return [p.clone().contiguous().requires_grad_(True) for p in stacked]


def _write_back(models: list[nn.Module], params: list[torch.Tensor]) -> None:
    with torch.no_grad():
        for k, m in enumerate(models):
            for leaf, p in zip(_leaves(m), params, strict=True):
                leaf.copy_(p[k].T if leaf.ndim == 2 else p[k].reshape(leaf.shape))


def stacked_forward(
    model: MLP | GaussianMLP, params: Sequence[torch.Tensor], x: torch.Tensor
) -> torch.Tensor | GaussianPrediction:
    """Outputs of ``K`` stacked networks of the shape of ``model``.

    Parameters
    ----------
    model : MLP or GaussianMLP
        A member, read only for its shape (activation, depth, head).
    params : sequence of torch.Tensor
        Stacked weights ``(K, in, out)`` and biases ``(K, 1, out)``, layer by
        layer and the head last; for an ``MLP`` with a skip layer then its
        ``V`` ``(K, in_dim, out_dim)``; for a ``GaussianMLP`` then
        ``log_sigma`` ``(K, 1, 1)``.
    x : torch.Tensor, shape (K, n, in_dim)
        Inputs of each member.

    Returns
    -------
    torch.Tensor, shape (K, n, out_dim), or GaussianPrediction
        Stacked outputs; for a ``GaussianMLP``, ``mu`` and ``log_sigma`` of
        shape ``(K, n, 1)``.

    Examples
    --------
    One member (``K = 1``) stacked by hand gives the model's own output:

    >>> import torch
    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.sweep import stacked_forward
    >>> m, x = MLP(1, 3, seed=0), torch.linspace(-1, 1, 5)[:, None]
    >>> params = [m.layers[0].weight.T[None], m.layers[0].bias[None, None],
    ...           m.head.weight.T[None], m.head.bias[None, None]]
    >>> out = stacked_forward(m, params, x[None])  # x[None]: shape (1, 5, 1)
    >>> out.shape, bool(torch.allclose(out[0], m(x)))
    (torch.Size([1, 5, 1]), True)
    """
    mlp = _mlp_of(model)
    g = get_activation(mlp.activation)
    h = x
    for i in range(mlp.depth):
        h = g(torch.baddbmm(params[2 * i + 1], h, params[2 * i]))
    out = torch.baddbmm(params[2 * mlp.depth + 1], h, params[2 * mlp.depth])
    if mlp.skip_layer is not None:
        out = out + torch.bmm(x, params[2 * mlp.depth + 2])
    if mlp.output == "sigmoid":
        out = torch.sigmoid(out)
    if isinstance(model, GaussianMLP):
        return GaussianPrediction(out, params[-1].expand_as(out))
    return out


# ------------------------------------------------------------------------ data
def _check_stacked_data(
    x: object, y: object, k: int, mlp: MLP, names: str = "x,y"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``x, y`` as the members' data ``(K, N, ...)`` (shared data
    expanded to them) after checking shapes, dtype and finiteness for ``k``
    members of the shape of ``mlp``."""
    xname, yname = names.split(",")
    in_dim, dtype = mlp.in_dim, mlp.head.weight.dtype
    for name, t in ((xname, x), (yname, y)):
        check_tensor(name, t)
        if t.dtype != dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype}; the models have {dtype} "
                f"(convert with {name}.to({dtype}))"
            )
    per_member = x.ndim == 3 and x.shape[0] == k  # else shared: (N, in_dim)
    if x.ndim != (3 if per_member else 2) or x.shape[-1] != in_dim:
        raise ValueError(
            f"{xname} must have shape (N, in_dim) = (N, {in_dim}), shared by all "
            f"members, or (K, N, in_dim) = ({k}, N, {in_dim}), one data set per "
            f"member; got {tuple(x.shape)}"
        )
    lead = x.shape[:-1]
    if y.shape[: len(lead)] != lead or (per_member and y.ndim < 3):
        want = "(K, N, ...)" if per_member else "(N, ...)"
        raise ValueError(
            f"{yname} must have shape {want} to match {xname} {tuple(x.shape)}; "
            f"got {tuple(y.shape)}"
        )
    if y.ndim == len(lead):
        raise ValueError(f"{yname} needs a target dimension; got {tuple(y.shape)}")
    if x.shape[-2] == 0:
        raise ValueError(f"{xname} and {yname} are empty")
    if per_member:
        return x, y
    return x.expand(k, *x.shape), y.expand(k, *y.shape)


def _stacked_split(
    x: object,
    y: object,
    x_val: object,
    y_val: object,
    val_fraction: float | None,
    seeds: list[int],
    model: MLP | GaussianMLP,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, object]:
    """The checked training data ``(K, N, ...)`` and validation data
    ``(K, M, ...)`` (``None, None`` without) for members of the shape of
    ``model``: as given, or each member's :func:`holdout_split` with its seed."""
    k, mlp = len(seeds), _mlp_of(model)
    x, y = _check_stacked_data(x, y, k, mlp)
    if val_fraction is not None:
        with inputs_checked():  # scanned for NaN/inf just above
            parts = [
                holdout_split(x[j], y[j], val_fraction, seed=s)
                for j, s in enumerate(seeds)
            ]
        return tuple(torch.stack(part) for part in zip(*parts, strict=True))
    if x_val is None:
        return x, y, None, None
    return x, y, *_check_stacked_data(x_val, y_val, k, mlp, "x_val,y_val")


def _check_loss(value: object, k: int) -> torch.Tensor:
    is_tensor = isinstance(value, torch.Tensor)
    if not is_tensor or value.shape != (k,):
        got = f"shape {tuple(value.shape)}" if is_tensor else type(value).__name__
        raise TypeError(
            f"loss must return one mean loss per member, a tensor of shape ({k},); "
            f"got {got}"
        )
    return value


def _check_seeds(seeds: object, k: int) -> list[int]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return [int(seeds)] * k
    of = "ints, one seed per model (or one int for every model)"
    return [check_seed(s) for s in check_sequence("seeds", seeds, of, length=k)]


# ----------------------------------------------------------------------- train
def train_stacked(
    models: Sequence[MLP] | Sequence[GaussianMLP],
    loss: StackedLoss,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int | None = None,
    optimizer: str = "sgd",
    seeds: int | Sequence[int] = 0,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    val_fraction: float | None = None,
    patience: int | None = None,
    restore_best: bool | None = None,
    progress: bool | None = None,
) -> tuple[History, ...]:
    """Train ``K`` same-shaped networks at once, as ``K`` :func:`train` runs.

    Member ``k`` sees exactly the batches that
    ``train(models[k], ..., seed=seeds[k])`` would draw (the same permutation
    stream), so its weights and losses match that run up to float rounding;
    with ``patience`` and ``val_fraction`` too (its own split, its own stop).

    Parameters
    ----------
    models : list of MLP, or list of GaussianMLP, length K
        Same type, shape and dtype; initial weights are read from them and the
        trained weights are written back into them.
    loss : callable
        ``loss(pred, y) -> tensor of shape (K,)``, each member's mean loss over
        its batch; see the module docstring, :func:`stacked_mse` and
        :func:`stacked_gaussian_nll`.
    x : torch.Tensor, shape (N, in_dim) or (K, N, in_dim)
        Training inputs, shared or one data set per member.
    y : torch.Tensor, shape (N, ...) or (K, N, ...)
        Training targets, matching ``x``.
    epochs, lr, batch_size, progress :
        As in :func:`~learnable_bases.training.train` (one ``lr`` for all).
    optimizer : {"sgd", "adam"}, default "sgd"
        As in :func:`~learnable_bases.training.train`, by name only.
    seeds : int or sequence of int, default 0
        Batch-order seed of each member (one int: the same for all), and
        the seed of its held-out split with ``val_fraction``.
    x_val, y_val : torch.Tensor, optional
        Validation data (both or neither), shared or per member; each member's
        loss on it is recorded after every epoch.
    val_fraction : float, optional
        Hold out this fraction of each member's data as its validation data,
        split as :func:`~learnable_bases.training.holdout_split` does with the
        member's seed (members with different seeds then train on different
        parts of shared data).
    patience, restore_best : optional
        As in :func:`~learnable_bases.training.train`, for each member on its
        own: a member whose validation loss has not improved for ``patience``
        epochs stops there (its history ends at that epoch, and it ends with
        the weights of its best epoch, or of that epoch if ``restore_best``
        is False). The loop runs on until every member has stopped or
        ``epochs`` are done; the epochs a stopped member still computes are
        discarded, and so are non-finite losses in them.

    Returns
    -------
    tuple of History, length K
        One history per member, as :func:`train` returns it (``wall_time`` is
        the time of the whole stacked run).

    Raises
    ------
    NonFiniteLossError
        If a member's loss becomes NaN or infinite. Losses are checked once per
        epoch; the error names the first bad member (``.member``), its step
        and epoch (from 1) and the learning rate, and ``.history`` is that
        member's history up to the bad step. The models are not changed.
    ValueError, TypeError
        On bad arguments, as :func:`train`, and on models of different shapes.

    Examples
    --------
    Three seeds of a small network, trained at once on shared data:

    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.sweep import stacked_mse, train_stacked
    >>> from learnable_bases.targets import sine_data
    >>> x, y = sine_data(20, 0.3, seed=0)
    >>> models = [MLP(1, 8, seed=s) for s in range(3)]
    >>> hists = train_stacked(models, stacked_mse, x, y, epochs=20, lr=0.05,
    ...                       batch_size=5, seeds=[0, 1, 2])
    >>> len(hists), hists[1].steps, bool(hists[1].final_loss < hists[1].losses[0])
    (3, 80, True)

    Member 1 ends where its own :func:`train` run ends, up to float rounding:

    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.training import train
    >>> alone = train(MLP(1, 8, seed=1), mse_objective, x, y, epochs=20, lr=0.05,
    ...               batch_size=5, seed=1)
    >>> abs(alone.final_loss - hists[1].final_loss) < 1e-5
    True
    """
    models = _check_models(models)
    k = len(models)
    loss = check_callable("loss", loss, "loss(pred, y) -> tensor of shape (K,)")
    epochs, lr = check_positive_int("epochs", epochs), check_positive_float("lr", lr)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    seeds = _check_seeds(seeds, k)
    val_fraction, patience, restore = check_early_stopping(
        val_fraction, patience, restore_best, x_val, y_val
    )
    x, y, xv, yv = _stacked_split(x, y, x_val, y_val, val_fraction, seeds, models[0])
    batch_size = check_batch_size(batch_size, x.shape[-2])

    params = _stack(models)
    update = make_step(optimizer, params, lr)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    sizes = torch.from_numpy(batch_sizes(x.shape[-2], batch_size))
    step_losses = torch.empty(epochs, len(sizes), k, dtype=params[0].dtype)
    val_losses = torch.empty(epochs, k, dtype=params[0].dtype)
    # each member's best so far and its stop; ``keep``: the weights it ends with
    rule = StoppingRule(k, patience)
    track = patience is not None or restore
    keep = [p.detach().clone() for p in params] if track else params

    def history(j: int, n_epochs: int, means: torch.Tensor, more: int = 0) -> History:
        """Member ``j``'s history: ``n_epochs`` epochs, then ``more`` steps."""
        n_steps = n_epochs * len(sizes) + more
        return History(
            losses=frozen(means[:n_epochs, j].numpy()),
            step_losses=frozen(step_losses.view(-1, k)[:n_steps, j].numpy()),
            val_losses=None if xv is None else frozen(val_losses[:n_epochs, j].numpy()),
            wall_time=time.perf_counter() - start,
            epochs=n_epochs, steps=n_steps, lr=lr, batch_size=batch_size,
            optimizer=optimizer, seed=seeds[j], max_epochs=epochs, patience=patience,
        )  # fmt: skip

    def batch_loss(xb: torch.Tensor, yb: object) -> torch.Tensor:
        return _check_loss(loss(stacked_forward(models[0], params, xb), yb), k)

    start = time.perf_counter()
    with epoch_bar(epochs, progress) as bar:
        for epoch in bar:
            batches = stacked_epoch_batches(x, y, batch_size, gens)
            step_losses[epoch] = run_epoch(batch_loss, params, update, batches)
            # the first non-finite loss of a running member (a stopped one's: ignored)
            finite = np.isfinite(step_losses[epoch].numpy()) | (rule.stopped > 0)
            if not finite.all():
                b, j = np.argwhere(~finite)[0].tolist()
                means = _epoch_means(step_losses[:epoch], sizes)
                raise NonFiniteLossError(history(j, epoch, means, b + 1), member=j)
            if xv is not None:
                with torch.no_grad():
                    val_losses[epoch] = batch_loss(xv, yv)
            if track:
                running, improved = rule.update(val_losses[epoch].numpy(), epoch + 1)
                mask = torch.from_numpy(improved if restore else running)
                with torch.no_grad():
                    for kept, p in zip(keep, params, strict=True):
                        kept[mask] = p[mask]
                if rule.stopped.all():
                    break
    _write_back(models, keep)
    member_epochs = np.where(rule.stopped > 0, rule.stopped, epochs)
    means = _epoch_means(step_losses[: member_epochs.max()], sizes)  # once for all
    return tuple(history(j, int(e), means) for j, e in enumerate(member_epochs))


def _epoch_means(step_losses: torch.Tensor, sizes: torch.Tensor) -> torch.Tensor:
    """Sample-weighted mean batch loss of each epoch and member, shape (E, K),
    from the batch losses ``(E, n_batches, K)`` and the batch sizes."""
    return (step_losses.double() * sizes[:, None].double()).sum(1) / sizes.sum()


def evaluate_stacked(
    models: Sequence[MLP] | Sequence[GaussianMLP],
    loss: StackedLoss,
    x: torch.Tensor,
    y: torch.Tensor,
) -> np.ndarray:
    """Loss of each of ``K`` same-shaped models on its data, without gradients.

    Parameters
    ----------
    models : list of MLP, or list of GaussianMLP, length K
        As in :func:`train_stacked`.
    loss : callable
        ``loss(pred, y) -> tensor of shape (K,)``.
    x : torch.Tensor, shape (N, in_dim) or (K, N, in_dim)
        Inputs, shared or one data set per member.
    y : torch.Tensor, shape (N, ...) or (K, N, ...)
        Targets, matching ``x``.

    Returns
    -------
    np.ndarray, shape (K,)
        ``loss`` of each member (float64).

    Examples
    --------
    The mean squared error of three untrained networks on shared data:

    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.sweep import evaluate_stacked, stacked_mse
    >>> from learnable_bases.targets import sine_data
    >>> x, y = sine_data(20, 0.3, seed=0)
    >>> models = [MLP(1, 8, seed=s) for s in range(3)]
    >>> evaluate_stacked(models, stacked_mse, x, y).round(3).tolist()
    [0.536, 0.47, 0.719]
    """
    models = _check_models(models)
    k = len(models)
    x, y = _check_stacked_data(x, y, k, _mlp_of(models[0]))
    with torch.inference_mode():
        params = _stack(models)
        value = _check_loss(loss(stacked_forward(models[0], params, x), y), k)
    return value.double().numpy().copy()
