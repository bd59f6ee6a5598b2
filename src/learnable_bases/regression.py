"""The book's 1D regression demo: an MLP that learns its mean and its noise band.

:func:`fit_regression` trains a :class:`~learnable_bases.models.GaussianMLP`
(weights, biases and ``log sigma``) on noisy samples of
:func:`~learnable_bases.targets.target_1d` with the Gaussian negative
log-likelihood; :func:`width_sweep` repeats it for several widths, data sets
and seeds to show under- and overfitting, training each width's networks
together. Both return frozen result records.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from ._checks import (
    check_choice,
    check_int_sequence,
    check_positive_int,
    evaluating,
    frozen,
    frozen_int,
)
from .cache import cached
from .losses import gaussian_nll_objective
from .models import GaussianMLP
from .sweep import evaluate_stacked, stacked_gaussian_nll, train_stacked
from .targets import sine_data
from .training import History, evaluate, holdout_split, train


@dataclass(frozen=True, eq=False)
class RegressionFit:
    """Result of :func:`fit_regression`: a trained model with its data.

    Attributes
    ----------
    model : GaussianMLP
        The trained network (mean ``mu(x)`` and one learned ``log sigma``).
    history : History
        Losses per epoch (the Gaussian negative log-likelihood).
    x, y : torch.Tensor, shape (n, 1)
        Training data (with ``val_fraction``: the part left for training).
    x_val, y_val : torch.Tensor, shape (n_val, 1)
        Validation data from the same distribution: another seed's draw, or
        with ``val_fraction`` the part of the data held out.
    noise_sigma : float
        The true noise standard deviation of the data.
    width : int
        Hidden neurons.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.regression import fit_regression
    >>> fit = fit_regression(4, n=40, epochs=10, n_val=20, snapshots=[0, 10])
    >>> mu, sigma = fit.predict(torch.linspace(-3, 3, 7)[:, None])
    >>> mu.shape, sigma > 0
    ((7,), True)
    >>> epochs, losses = fit.snapshot_losses(fit.x_val, fit.y_val)
    >>> epochs.tolist(), bool(losses[-1] < losses[0])  # better after 10 epochs
    ([0, 10], True)
    """

    model: GaussianMLP
    history: History
    x: torch.Tensor
    y: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    noise_sigma: float
    width: int

    @property
    def sigma(self) -> float:
        """The learned noise scale ``exp(log_sigma)``."""
        return float(self.model.sigma)

    @property
    def train_loss(self) -> float:
        """Negative log-likelihood on the training data, after training."""
        return evaluate(self.model, gaussian_nll_objective, self.x, self.y)

    @property
    def val_loss(self) -> float:
        """Negative log-likelihood on the validation data, after training."""
        return evaluate(self.model, gaussian_nll_objective, self.x_val, self.y_val)

    def predict(self, x: torch.Tensor) -> tuple[np.ndarray, float]:
        """Predicted mean on ``x`` and the learned ``sigma``.

        Parameters
        ----------
        x : torch.Tensor, shape (m, 1)
            Inputs (float32).

        Returns
        -------
        mu : np.ndarray, shape (m,)
            Predicted mean.
        sigma : float
            Learned noise scale (the same for every input).
        """
        with evaluating(self.model):
            mu = self.model(x).mu[:, 0].numpy()
        return mu, self.sigma

    def snapshot_losses(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[np.ndarray, np.ndarray]:
        """Negative log-likelihood on ``(x, y)`` of every snapshot of the run.

        Parameters
        ----------
        x, y : torch.Tensor, shape (m, 1)
            Data, e.g. fresh samples the run never saw.

        Returns
        -------
        epochs : np.ndarray of int, shape (s,)
            The snapshot epochs, ascending (0 is the initial model).
        losses : np.ndarray, shape (s,)
            The loss of the model as it was after each of them.
        """
        epochs = sorted(self.history.snapshots)
        losses = [
            evaluate(self.at_epoch(e).model, gaussian_nll_objective, x, y)
            for e in epochs
        ]
        return frozen_int(epochs), frozen(losses)

    def at_epoch(self, epoch: int) -> RegressionFit:
        """The same fit with the model as it was after ``epoch`` epochs.

        Parameters
        ----------
        epoch : int
            One of the epochs asked for with ``fit_regression(snapshots=...)``.

        Returns
        -------
        RegressionFit
            A copy whose ``model`` is loaded from ``history.snapshots[epoch]``
            (data and history are shared).
        """
        if epoch not in self.history.snapshots:
            raise ValueError(
                f"no snapshot at epoch {epoch!r}; the run kept "
                f"{sorted(self.history.snapshots)} (pass snapshots= to fit_regression)"
            )
        model = copy.deepcopy(self.model)
        model.load_state_dict(self.history.snapshots[epoch])
        return replace(self, model=model)


@cached
def fit_regression(
    width: int = 32,
    *,
    n: int = 200,
    noise_sigma: float = 0.3,
    epochs: int = 300,
    lr: float = 1e-2,
    batch_size: int | None = 40,
    optimizer: str = "adam",
    activation: str = "tanh",
    seed: int = 0,
    data_seed: int = 1,
    n_val: int = 200,
    track_val: bool = True,
    snapshots: Sequence[int] | None = None,
    val_fraction: float | None = None,
    patience: int | None = None,
) -> RegressionFit:
    """Train a :class:`~learnable_bases.models.GaussianMLP` on noisy 1D data.

    The lecture's regression demo: data from
    :func:`~learnable_bases.targets.sine_data`, a one-hidden-layer network for
    the mean and a learned ``log sigma``, all trained together on the Gaussian
    negative log-likelihood by mini-batch :func:`train`.

    Runs with the same arguments give the same result; a run with fewer
    ``epochs`` is exactly the start of a longer one (same initial weights,
    same batch order), which makes snapshots of training cheap to reason about.

    Parameters
    ----------
    width : int, default 32
        Hidden neurons (>= 1).
    n : int, default 200
        Training samples.
    noise_sigma : float, default 0.3
        True noise standard deviation of the data.
    epochs : int, default 300
        Passes over the data.
    lr : float, default 1e-2
        Learning rate.
    batch_size : int or None, default 40
        Mini-batch size; ``None`` for full batches.
    optimizer : {"adam", "sgd"}, default "adam"
        Optimiser (see :func:`train`).
    activation : str, default "tanh"
        Hidden activation.
    seed : int, default 0
        Seed of the initial weights and of the batch order.
    data_seed : int, default 1
        Seed of the training data; the validation data use ``data_seed + 1``.
    n_val : int, default 200
        Validation samples (ignored with ``val_fraction``).
    track_val : bool, default True
        Record the validation loss after every epoch in the history (costs
        one forward pass over the validation data per epoch).
    snapshots : sequence of int, optional
        Epochs (0 is the initial model) after which to keep the model's
        ``state_dict``, in ``history.snapshots`` (see :func:`train`);
        :meth:`RegressionFit.at_epoch` gives the fit at one of them.
    val_fraction : float, optional
        Hold out this fraction of the ``n`` samples as the validation data
        (split by :func:`~learnable_bases.training.holdout_split` with
        ``seed``) instead of drawing ``n_val`` more; the model trains on the
        rest.
    patience : int, optional
        Early stopping (needs ``track_val``): stop once the validation loss
        has not improved for ``patience`` epochs and restore the weights of
        its best epoch (see :func:`train`); ``epochs`` is then the most run.

    Returns
    -------
    RegressionFit
        The trained model, its history and the data.

    Examples
    --------
    A tiny run; a shorter run is exactly the start of a longer one:

    >>> import numpy as np
    >>> from learnable_bases.regression import fit_regression
    >>> fit = fit_regression(4, n=40, epochs=10, n_val=20)
    >>> fit.width, fit.history.epochs, tuple(fit.x.shape), tuple(fit.x_val.shape)
    (4, 10, (40, 1), (20, 1))
    >>> short = fit_regression(4, n=40, epochs=5, n_val=20)
    >>> bool(np.array_equal(short.history.losses, fit.history.losses[:5]))
    True
    """
    x, y = sine_data(n, noise_sigma, seed=data_seed)
    if val_fraction is None:
        x_val, y_val = sine_data(n_val, noise_sigma, seed=data_seed + 1)
    else:
        x, y, x_val, y_val = holdout_split(x, y, val_fraction, seed=seed)
    if patience is not None and not track_val:
        raise ValueError("patience needs the validation loss: keep track_val=True")
    model = GaussianMLP(1, width, activation=activation, seed=seed)
    history = train(
        model,
        gaussian_nll_objective,
        x,
        y,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        seed=seed,
        x_val=x_val if track_val else None,
        y_val=y_val if track_val else None,
        patience=patience,
        snapshots=snapshots,
    )
    width = model.mean.width
    return RegressionFit(model, history, x, y, x_val, y_val, float(noise_sigma), width)


@dataclass(frozen=True, eq=False)
class WidthSweep:
    """Result of :func:`width_sweep` (arrays are read-only).

    Every width is trained on ``n_data`` data sets with ``n_seeds`` initial
    weights each; member ``(i, j)`` is the fit to data set ``i`` from seed ``j``.

    Attributes
    ----------
    widths : np.ndarray of int, shape (k,)
        Hidden widths, as given.
    train_loss : np.ndarray, shape (k, n_data, n_seeds)
        Negative log-likelihood on each member's training data after training.
    val_loss : np.ndarray, shape (k, n_data, n_seeds)
        Negative log-likelihood on its data set's validation data.
    sigma : np.ndarray, shape (k, n_data, n_seeds)
        Learned noise scale of each network.
    losses : np.ndarray, shape (k, n_data, n_seeds, epochs)
        Training loss per epoch of each member, as in
        :attr:`~learnable_bases.training.History.losses`: the curves whose
        median and spread over seeds show how reliably a setting trains
        (NaN after a member stopped early).
    stopped_epoch, best_epoch : np.ndarray of int, shape (k, n_data, n_seeds)
        Epochs each member ran, and the epoch of its lowest loss on its
        held-out data (0 without ``val_fraction``).
    fits : tuple of RegressionFit, length k
        For each width, the member fitted to data set 0 from the first seed
        (the one :func:`fit_regression` with the same arguments gives, up to
        float rounding).

    Examples
    --------
    >>> from learnable_bases.regression import width_sweep
    >>> sweep = width_sweep([1, 8], n=10, epochs=20, n_val=20, n_data=2, n_seeds=2)
    >>> sweep.train_loss.shape, sweep.losses.shape, sweep.n_members
    ((2, 2, 2), (2, 2, 2, 20), 4)
    >>> sweep.mean("gap").shape, sweep.quantile("val_loss", 0.5).shape
    ((2,), (2,))
    >>> len(sweep.fits), sweep.fits[1].width
    (2, 8)
    """

    widths: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    sigma: np.ndarray
    losses: np.ndarray
    fits: tuple[RegressionFit, ...]
    stopped_epoch: np.ndarray | None = None
    best_epoch: np.ndarray | None = None

    @property
    def gap(self) -> np.ndarray:
        """Generalisation gap ``val_loss - train_loss``, shape (k, n_data, n_seeds)."""
        return self.val_loss - self.train_loss

    @property
    def n_members(self) -> int:
        """Networks trained per width, ``n_data * n_seeds``."""
        return self.train_loss[0].size

    def mean(self, name: str) -> np.ndarray:
        """Mean over data sets and seeds of ``"train_loss"``, ``"val_loss"``,
        ``"sigma"`` or ``"gap"``, shape (k,)."""
        return self._by_width(name).mean(1)

    def quantile(self, name: str, q: float) -> np.ndarray:
        """Quantile ``q`` over data sets and seeds of a field, shape (k,)."""
        return np.quantile(self._by_width(name), q, axis=1)

    def _by_width(self, name: str) -> np.ndarray:
        """Field ``name`` with one row per width, shape (k, n_data * n_seeds)."""
        name = check_choice("name", name, ("train_loss", "val_loss", "sigma", "gap"))
        return getattr(self, name).reshape(len(self.widths), -1)


@cached
def width_sweep(
    widths: Sequence[int],
    *,
    n: int = 30,
    noise_sigma: float = 0.3,
    epochs: int = 1000,
    lr: float = 3e-2,
    batch_size: int | None = None,
    optimizer: str = "adam",
    activation: str = "tanh",
    seed: int = 0,
    data_seed: int = 1,
    n_val: int = 1000,
    n_data: int = 1,
    n_seeds: int = 1,
    val_fraction: float | None = None,
    patience: int | None = None,
) -> WidthSweep:
    """Fit the regression demo with several hidden widths, data sets and seeds.

    Few training points (``n = 30`` by default) make the trade-off visible:
    narrow networks cannot follow the curve (high training loss, a wide learned
    band), wide ones can chase the noise (low training loss, a narrow band
    that the validation data punish). One data set and one seed give a noisy
    curve; ``n_data`` data sets and ``n_seeds`` seeds per width show its mean
    and spread. The ``n_data * n_seeds`` networks of one width are trained
    together by :func:`~learnable_bases.sweep.train_stacked`.

    Parameters
    ----------
    widths : sequence of int, shape (k,)
        Hidden widths (>= 1 each).
    n, noise_sigma, epochs, lr, batch_size, optimizer, activation : optional
        As in :func:`fit_regression`; the defaults differ (30 samples,
        full-batch Adam for 1000 epochs at ``lr = 0.03``).
    seed : int, default 0
        Seeds of the initial weights (and batch order) are ``seed, seed + 1,
        ..., seed + n_seeds - 1``.
    data_seed : int, default 1
        Data set ``i`` is drawn with seed ``data_seed + 2 i`` and its validation
        data with ``data_seed + 2 i + 1``, so data set 0 is the data of
        :func:`fit_regression` with the same ``data_seed``.
    n_val : int, default 1000
        Validation samples per data set.
    n_data, n_seeds : int, default 1
        Data sets, and initial weights per data set (>= 1 each).
    val_fraction : float, optional
        Each member holds out this fraction of its ``n`` samples (its own
        split, by its seed) and trains on the rest; ``val_loss`` is still
        measured on the ``n_val`` fresh samples.
    patience : int, optional
        Early stopping on the held-out part (needs ``val_fraction``): a member
        stops once its held-out loss has not improved for ``patience`` epochs
        and keeps the weights of its best epoch; ``epochs`` is the most run.

    Returns
    -------
    WidthSweep
        Training and validation losses and learned ``sigma`` of every member,
        and one fit per width to draw.

    Examples
    --------
    A wider network fits its 30 training points more closely and learns a
    narrower noise band:

    >>> from learnable_bases.regression import width_sweep
    >>> sweep = width_sweep([1, 16], epochs=200, n_val=100)
    >>> sweep.widths.tolist(), sweep.train_loss.shape
    ([1, 16], (2, 1, 1))
    >>> bool(sweep.mean("train_loss")[1] < sweep.mean("train_loss")[0])
    True
    >>> bool(sweep.mean("sigma")[1] < sweep.mean("sigma")[0])
    True
    """
    ws = check_int_sequence("widths", widths, minimum=1)
    n_data = check_positive_int("n_data", n_data)
    n_seeds = check_positive_int("n_seeds", n_seeds)
    epochs = check_positive_int("epochs", epochs)
    data = [sine_data(n, noise_sigma, seed=data_seed + 2 * i) for i in range(n_data)]
    val = [
        sine_data(n_val, noise_sigma, seed=data_seed + 2 * i + 1) for i in range(n_data)
    ]
    seeds = [seed + j for j in range(n_seeds)] * n_data  # member m: data m // n_seeds
    # data set i for members i * n_seeds .. (i + 1) * n_seeds - 1, stacked on a
    # leading member axis, shape (n_data * n_seeds, n, 1), as train_stacked
    # takes per-member data
    x, y, x_val, y_val = (
        torch.stack(t).repeat_interleave(n_seeds, dim=0)
        for t in (*zip(*data, strict=True), *zip(*val, strict=True))
    )
    shape = (len(ws), n_data, n_seeds)
    loss = stacked_gaussian_nll  # of each member, shape (K,)
    train_loss, val_loss, sigma = np.empty(shape), np.empty(shape), np.empty(shape)
    losses = np.full((*shape, epochs), np.nan)  # NaN after a member stopped
    stopped, best_epoch = np.zeros(shape, dtype=int), np.zeros(shape, dtype=int)
    fits = []
    for k, w in enumerate(ws.tolist()):
        models = [GaussianMLP(1, w, activation=activation, seed=s) for s in seeds]
        histories = train_stacked(
            models,
            loss,
            x,
            y,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            optimizer=optimizer,
            seeds=seeds,
            val_fraction=val_fraction,
            patience=patience,
        )
        train_loss[k] = evaluate_stacked(models, loss, x, y).reshape(shape[1:])
        val_loss[k] = evaluate_stacked(models, loss, x_val, y_val).reshape(shape[1:])
        sigma[k] = np.array([float(m.sigma) for m in models]).reshape(shape[1:])
        for m, h in enumerate(histories):
            losses[k].reshape(-1, epochs)[m, : h.epochs] = h.losses
            stopped[k].flat[m] = h.epochs
            best_epoch[k].flat[m] = h.best_epoch or 0
        # the first member (data set 0, the first seed): its model, history,
        # training (x, y), validation (x, y), noise and width
        first = (models[0], histories[0], *data[0], *val[0], float(noise_sigma), w)
        fits.append(RegressionFit(*first))
    curves = (frozen(a) for a in (train_loss, val_loss, sigma, losses))
    epoch_counts = (frozen_int(a) for a in (stopped, best_epoch))
    return WidthSweep(frozen_int(ws), *curves, tuple(fits), *epoch_counts)
