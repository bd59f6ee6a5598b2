"""Learned summary statistics: an embedding network in front of the posterior head.

When the data are many numbers (a curve measured at 200 positions, a binned
spectrum), the posterior network can first map ``x`` to a few features
``s(x) = W x + c`` and read ``q(theta | x)`` from those alone. Trained on the
negative log-likelihood, the embedding learns which weighted sums of the data
carry information about ``theta``: each row ``w_k`` of ``W`` is a function of
the measurement position, a learned basis of the data. For a line measured
with Gaussian noise the exact posterior depends on ``x`` only through the
sufficient statistic ``A^T x`` (``A`` the design matrix), so a good embedding
spans it: :func:`linear_r2` of the features against ``A^T x`` is close to 1
and :func:`span_fraction` of the rows of ``W`` in the columns of ``A`` too.

Examples
--------
>>> import numpy as np
>>> from learnable_bases import simulators
>>> from learnable_bases.summaries import fit_summary_posterior
>>> line = simulators.LinearGaussian(positions=tuple(np.linspace(0, 1, 50)))
>>> fit = fit_summary_posterior(line, 2, n_sims=500, max_epochs=3)
>>> fit.weights().shape
torch.Size([2, 50])
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ._checks import check_positive_int, check_shape, check_tensor, evaluating
from .cache import cached
from .models import MLP
from .posterior import gaussian_out_dim, gaussian_params, nll
from .simulators import get_simulator, simulate_pairs
from .training import History, holdout_split, train


@dataclass(frozen=True, eq=False)
class SummaryFit:
    """A Gaussian posterior network read from learned features of ``x``.

    Attributes
    ----------
    model : torch.nn.Sequential
        ``(embedding, head)``: an ``nn.Linear(x_dim, n_features)`` and an
        :class:`~learnable_bases.models.MLP` from the features to the Gaussian
        head's outputs; without an embedding, the MLP alone.
    history : History
        Training and held-out NLL per epoch, and the epoch training stopped.
    simulator : object
        The simulator the pairs came from.
    x_mean, x_std : float
        One shift and one scale for every entry of ``x`` (the data share a
        unit), from the training pairs; the network sees ``(x - x_mean) / x_std``.
    theta_mean, theta_std : torch.Tensor, shape (d,)
        Per-parameter shift and scale of ``theta``, from the training pairs.

    Examples
    --------
    Two features of a line's 8 measurements, and ``q(theta | x)`` read from them:

    >>> from learnable_bases.simulators import LinearGaussian
    >>> from learnable_bases.summaries import fit_summary_posterior
    >>> fit = fit_summary_posterior("line", 2, n_sims=500, max_epochs=3)
    >>> theta, x = LinearGaussian().sample(100, seed=1)
    >>> fit.embedded, fit.features(x).shape, fit.weights().shape
    (True, torch.Size([100, 2]), torch.Size([2, 8]))
    >>> [t.shape for t in fit.gaussian(x)]  # mean, cov
    [torch.Size([100, 2]), torch.Size([100, 2, 2])]
    """

    model: nn.Sequential
    history: History
    simulator: object
    x_mean: float
    x_std: float
    theta_mean: torch.Tensor
    theta_std: torch.Tensor

    @property
    def embedded(self) -> bool:
        """Whether an embedding layer comes before the head."""
        return len(self.model) == 2

    def _first(self) -> nn.Linear:
        """The layer that makes the features: the embedding, or the MLP's first."""
        return self.model[0] if self.embedded else self.model[0].layers[0]

    def _input(self, x: torch.Tensor) -> torch.Tensor:
        x_dim = self.simulator.x_dim
        note = f" ({x_dim} columns, the simulator's x_dim)"
        check_shape("x", check_tensor("x", x, ndim=2), ("m", x_dim), note)
        return (x.float() - self.x_mean) / self.x_std

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Learned features ``s(x)``, shape ``(m, n_features)``, float64.

        Without an embedding, the pre-activations of the MLP's first hidden
        layer, shape ``(m, width)``.
        """
        with torch.no_grad():
            return self._first()(self._input(x)).double()

    def weights(self) -> torch.Tensor:
        """Rows ``w_k`` of the first layer on the data in their own units.

        Returns
        -------
        torch.Tensor, shape (n_features, x_dim), float64
            ``features(x) = x @ weights().T + const``.
        """
        return self._first().weight.detach().double() / self.x_std

    def gaussian(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and covariance of ``q(theta | x)`` in ``theta``'s units, float64.

        Parameters
        ----------
        x : torch.Tensor, shape (m, x_dim)
            Observed data, in their own units.

        Returns
        -------
        mean : torch.Tensor, shape (m, d)
        cov : torch.Tensor, shape (m, d, d)
        """
        with evaluating(self.model):
            mean, scale_tril = gaussian_params(self.model(self._input(x)).double())
        shift, scale = self.theta_mean.double(), self.theta_std.double()
        cov = scale_tril @ scale_tril.transpose(-1, -2)
        return shift + scale * mean, cov * scale[:, None] * scale[None, :]


@cached
def fit_summary_posterior(
    simulator: object,
    n_features: int | None = 2,
    *,
    n_sims: int = 10_000,
    width: int = 32,
    depth: int = 2,
    activation: str = "tanh",
    lr: float = 1e-3,
    batch_size: int = 256,
    max_epochs: int = 2000,
    val_fraction: float = 0.1,
    patience: int = 20,
    seed: int = 0,
) -> SummaryFit:
    """Train a Gaussian posterior network behind a linear embedding of ``x``.

    ``n_sims`` pairs are simulated, ``x`` and ``theta`` standardised with the
    training pairs' statistics, and ``nn.Sequential(embedding, head)`` trained
    with mini-batch Adam on the Gaussian NLL until the held-out NLL has not
    improved for ``patience`` epochs; the best epoch's weights are kept.

    Parameters
    ----------
    simulator : {"line", "square", "growing"} or simulator
        Where the pairs come from (e.g. a
        :class:`~learnable_bases.simulators.LinearGaussian` with 200 positions).
    n_features : int or None, default 2
        Width of the linear embedding ``nn.Linear(x_dim, n_features)``. None:
        no embedding, the MLP reads ``x`` itself (the plain network).
    n_sims : int, default 10000
        Simulation budget (training and held-out pairs).
    width, depth, activation : optional
        The head :class:`~learnable_bases.models.MLP` (tanh, 2 x 32).
    lr, batch_size, max_epochs : optional
        Adam's learning rate, the mini-batch size and the most epochs.
    val_fraction, patience : optional
        Share of the pairs held out, and epochs without a better held-out NLL
        before training stops.
    seed : int, default 0
        Seeds the simulations, the split, the initial weights and the batches.

    Returns
    -------
    SummaryFit

    Examples
    --------
    Three epochs on 500 simulations, with and without an embedding:

    >>> from learnable_bases.summaries import fit_summary_posterior
    >>> fit = fit_summary_posterior("line", 2, n_sims=500, max_epochs=3)
    >>> fit.history.epochs, fit.embedded
    (3, True)
    >>> fit_summary_posterior("line", None, n_sims=500, max_epochs=3).embedded
    False
    """
    simulator = get_simulator(simulator)
    n_sims = check_positive_int("n_sims (the simulation budget)", n_sims)
    if n_features is not None:
        n_features = check_positive_int("n_features", n_features)
    theta, x = simulate_pairs(simulator, n_sims, seed=seed)
    # holdout_split checks val_fraction, train lr and patience
    x_fit, theta_fit, x_val, theta_val = holdout_split(
        x, theta, val_fraction, seed=seed
    )
    x_mean, x_std = float(x_fit.mean()), float(x_fit.std())
    theta_mean, theta_std = theta_fit.mean(dim=0), theta_fit.std(dim=0)
    torch.manual_seed(seed)  # the embedding's initial weights (MLP seeds its own)
    out_dim = gaussian_out_dim(simulator.theta_dim)
    layers = [] if n_features is None else [nn.Linear(x.shape[1], n_features)]
    head_in = x.shape[1] if n_features is None else n_features
    layers.append(MLP(head_in, width, depth, activation, out_dim=out_dim, seed=seed))
    model = nn.Sequential(*layers)
    history = train(
        model,
        lambda net, xb, theta_b: nll("gaussian", net(xb), theta_b),  # the NLL
        (x_fit - x_mean) / x_std,
        (theta_fit - theta_mean) / theta_std,
        epochs=check_positive_int("max_epochs", max_epochs),
        lr=lr,
        batch_size=min(check_positive_int("batch_size", batch_size), len(x_fit)),
        optimizer="adam",
        seed=seed,
        x_val=(x_val - x_mean) / x_std,
        y_val=(theta_val - theta_mean) / theta_std,
        patience=patience,
    )
    return SummaryFit(model, history, simulator, x_mean, x_std, theta_mean, theta_std)


def linear_r2(features: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """R² of the least-squares linear map (with intercept) from features to a target.

    Parameters
    ----------
    features : torch.Tensor, shape (m, k)
        E.g. :meth:`SummaryFit.features` of held-out data.
    target : torch.Tensor, shape (m, q)
        E.g. the sufficient statistic ``x @ A`` of held-out data.

    Returns
    -------
    torch.Tensor, shape (q,), float64
        ``1 - var(residual) / var(target)`` per target column: 1 when the
        target is a linear function of the features.

    Examples
    --------
    With features ``(t, t^2)``, the target ``2t - t^2 + 1`` is linear in them
    and ``t^3`` is not:

    >>> import torch
    >>> from learnable_bases.summaries import linear_r2
    >>> t = torch.linspace(-1, 1, 21, dtype=torch.float64)
    >>> features = torch.stack([t, t**2], dim=1)
    >>> r2 = linear_r2(features, torch.stack([2 * t - t**2 + 1, t**3], dim=1))
    >>> [round(v, 3) for v in r2.tolist()]
    [1.0, 0.843]
    """
    features = check_tensor("features", features, ndim=2).double()
    target = check_tensor("target", target, ndim=2).double()
    if features.shape[0] != target.shape[0] or features.shape[0] <= features.shape[1]:
        raise ValueError(
            "features and target need the same number of rows, more than the "
            f"features' columns; got {tuple(features.shape)} and {tuple(target.shape)}"
        )
    design = torch.cat([features, torch.ones_like(features[:, :1])], dim=1)
    residual = target - design @ torch.linalg.lstsq(design, target).solution
    return 1 - residual.var(dim=0) / target.var(dim=0)


def span_fraction(weights: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """Share of each weight vector that lies in the span of a basis.

    Parameters
    ----------
    weights : torch.Tensor, shape (k, n)
        Rows ``w_k``, e.g. :meth:`SummaryFit.weights`.
    basis : torch.Tensor, shape (n, r)
        Columns spanning the subspace, e.g. the design matrix ``A``.

    Returns
    -------
    torch.Tensor, shape (k,), float64
        ``|P w_k| / |w_k|`` with ``P`` the orthogonal projection onto the
        columns' span: 1 for a row inside it, about ``sqrt(r / n)`` for a
        random one.

    Examples
    --------
    The span of the first two axes of 3-D space:

    >>> import torch
    >>> from learnable_bases.summaries import span_fraction
    >>> basis = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> weights = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [3.0, 0.0, 4.0]])
    >>> [round(v, 3) for v in span_fraction(weights, basis).tolist()]
    [1.0, 0.0, 0.6]
    """
    weights = check_tensor("weights", weights, ndim=2).double()
    basis = check_tensor("basis", basis, ndim=2).double()
    note = " (one row per weight column)"
    check_shape("basis", basis, (weights.shape[1], "k"), note)
    q, _ = torch.linalg.qr(basis)
    return (weights @ q @ q.T).norm(dim=1) / weights.norm(dim=1)
