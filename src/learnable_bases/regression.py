"""The book's 1D regression demo: an MLP that learns its mean and its noise band.

:func:`fit_regression` trains a :class:`~learnable_bases.models.GaussianMLP`
(weights, biases and ``log sigma``) on noisy samples of
:func:`~learnable_bases.targets.target_1d` with the Gaussian negative
log-likelihood; :func:`width_sweep` repeats it for several widths to show
under- and overfitting. Both return frozen result records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .cache import cached
from .losses import gaussian_nll_objective
from .models import GaussianMLP
from .targets import sine_data
from .training import History, _frozen, _frozen_int, evaluate, train


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
        Training data.
    x_val, y_val : torch.Tensor, shape (n_val, 1)
        Validation data from the same distribution (another seed).
    noise_sigma : float
        The true noise standard deviation of the data.
    width : int
        Hidden neurons.
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
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                mu = self.model(x).mu[:, 0].numpy()
        finally:
            self.model.train(was_training)
        return mu, self.sigma


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
        Validation samples.
    track_val : bool, default True
        Record the validation loss after every epoch in the history (costs
        one forward pass over the validation data per epoch).
    snapshots : sequence of int, optional
        Epochs (0 is the initial model) after which to keep the model's
        ``state_dict``, in ``history.snapshots`` (see :func:`train`).

    Returns
    -------
    RegressionFit
        The trained model, its history and the data.
    """
    x, y = sine_data(n, noise_sigma, seed=data_seed)
    x_val, y_val = sine_data(n_val, noise_sigma, seed=data_seed + 1)
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
        snapshots=snapshots,
    )
    return RegressionFit(
        model=model,
        history=history,
        x=x,
        y=y,
        x_val=x_val,
        y_val=y_val,
        noise_sigma=float(noise_sigma),
        width=model.mean.width,
    )


@dataclass(frozen=True, eq=False)
class WidthSweep:
    """Result of :func:`width_sweep` (arrays are read-only).

    Attributes
    ----------
    widths : np.ndarray of int, shape (k,)
        Hidden widths, as given.
    train_loss : np.ndarray, shape (k,)
        Negative log-likelihood on the training data after training.
    val_loss : np.ndarray, shape (k,)
        Negative log-likelihood on the validation data.
    sigma : np.ndarray, shape (k,)
        Learned noise scale of each network.
    fits : tuple of RegressionFit, length k
        The trained networks (all on the same data).
    """

    widths: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    sigma: np.ndarray
    fits: tuple[RegressionFit, ...]

    @property
    def gap(self) -> np.ndarray:
        """Generalisation gap ``val_loss - train_loss``, shape (k,)."""
        return self.val_loss - self.train_loss


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
) -> WidthSweep:
    """Fit the regression demo with several hidden widths on the same data.

    Few training points (``n = 30`` by default) make the trade-off visible:
    narrow networks cannot follow the curve (high training loss, a wide learned
    band), wide ones can chase the noise (low training loss, a narrow band
    that the validation data punish).

    Parameters
    ----------
    widths : sequence of int, shape (k,)
        Hidden widths (>= 1 each).
    n, noise_sigma, epochs, lr, batch_size, optimizer, activation : optional
        As in :func:`fit_regression`; the defaults differ (30 samples,
        full-batch Adam for 1000 epochs at ``lr = 0.03``).
    seed, data_seed, n_val : int, optional
        As in :func:`fit_regression`; every width uses the same data.

    Returns
    -------
    WidthSweep
        Training and validation losses, learned ``sigma`` and the fits.
    """
    ws = np.asarray(widths)
    if ws.ndim != 1 or ws.size == 0 or ws.dtype.kind not in "iu" or np.any(ws < 1):
        raise ValueError(
            f"widths must be a 1D sequence of integers >= 1; got {widths!r}"
        )
    fits = tuple(
        fit_regression(
            int(w),
            n=n,
            noise_sigma=noise_sigma,
            epochs=epochs,
            lr=lr,
            batch_size=batch_size,
            optimizer=optimizer,
            activation=activation,
            seed=seed,
            data_seed=data_seed,
            n_val=n_val,
            track_val=False,
        )
        for w in ws.tolist()
    )
    return WidthSweep(
        widths=_frozen_int(ws),
        train_loss=_frozen(np.array([f.train_loss for f in fits])),
        val_loss=_frozen(np.array([f.val_loss for f in fits])),
        sigma=_frozen(np.array([f.sigma for f in fits])),
        fits=fits,
    )
