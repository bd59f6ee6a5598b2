"""Losses: Gaussian negative log-likelihood and mean squared error.

Shape convention: predictions and targets must have *the same* shape, either
``(n,)`` or ``(n, 1)`` (``(n, k)`` is also allowed for :func:`mse`). A mismatch
such as ``(n,)`` against ``(n, 1)`` is an error rather than a silent broadcast
to ``(n, n)``. Values are not checked for finiteness here (that would cost a
pass per step); :func:`learnable_bases.training.train` stops on a non-finite loss.

:func:`mse_objective` and :func:`gaussian_nll_objective` wrap the losses in the
``loss_fn(model, x, y)`` form that :func:`learnable_bases.training.train` takes.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_floating, check_model, check_positive_float

#: ``0.5 * log(2 pi)``, the constant of the Gaussian negative log-likelihood.
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _check_pair(
    pred_name: str, pred: object, y: object, *, allow_wide: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    pred = check_floating(pred_name, pred)
    y = check_floating("y", y)
    allowed = "(n,) or (n, k)" if allow_wide else "(n,) or (n, 1)"
    ok_ndim = pred.ndim == 1 or (pred.ndim == 2 and (allow_wide or pred.shape[1] == 1))
    if not ok_ndim:
        raise ValueError(
            f"{pred_name} must have shape {allowed}; got {tuple(pred.shape)}"
        )
    if pred.shape != y.shape:
        raise ValueError(
            f"{pred_name} and y must have the same shape, {allowed}; got "
            f"{tuple(pred.shape)} and {tuple(y.shape)}"
        )
    if pred.shape[0] == 0:
        raise ValueError(f"{pred_name} and y are empty; need at least one sample")
    return pred, y


def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error ``mean((pred - y)^2)`` over all entries.

    Parameters
    ----------
    pred : torch.Tensor, shape (n,) or (n, k)
        Predictions.
    y : torch.Tensor, same shape as ``pred``
        Targets.

    Returns
    -------
    torch.Tensor, shape ()
        The loss (differentiable).

    Raises
    ------
    ValueError
        If the shapes differ or are not 1D/2D, or ``n == 0``.
    TypeError
        If an argument is not a floating tensor.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.losses import mse
    >>> pred, y = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 5.0])
    >>> round(float(mse(pred, y)), 4)  # (0 + 0 + 4) / 3
    1.3333
    """
    pred, y = _check_pair("pred", pred, y, allow_wide=True)
    return torch.nn.functional.mse_loss(pred, y)  # one autograd node, not three


def gaussian_nll(
    mu: torch.Tensor, log_sigma: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """Gaussian negative log-likelihood per sample, averaged over samples.

    .. math::

        E = \\frac{1}{n} \\sum_i \\Big[ \\tfrac12 \\big(\\tfrac{y_i - \\mu_i}
        {\\sigma_i}\\big)^2 + \\log \\sigma_i + \\tfrac12 \\log 2\\pi \\Big]

    Parameters
    ----------
    mu : torch.Tensor, shape (n,) or (n, 1)
        Predicted means.
    log_sigma : torch.Tensor, shape () or the shape of ``mu``
        Log standard deviation: one shared value or one per sample.
    y : torch.Tensor, same shape as ``mu``
        Targets.

    Returns
    -------
    torch.Tensor, shape ()
        The mean negative log-likelihood (differentiable in ``mu`` and
        ``log_sigma``).

    Raises
    ------
    ValueError
        If the shapes do not match as described, or ``n == 0``.
    TypeError
        If an argument is not a floating tensor.

    Examples
    --------
    With ``sigma = 1`` (``log_sigma = 0``) the loss is half the MSE plus
    ``log(2 pi) / 2``:

    >>> import torch
    >>> from learnable_bases.losses import gaussian_nll
    >>> mu, y = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 5.0])
    >>> round(float(gaussian_nll(mu, torch.tensor(0.0), y)), 4)  # 4/6 + 0.9189
    1.5856
    """
    mu, y = _check_pair("mu", mu, y, allow_wide=False)
    log_sigma = check_floating("log_sigma", log_sigma)
    if log_sigma.ndim != 0 and log_sigma.shape != mu.shape:
        raise ValueError(
            "log_sigma must be a scalar (shape ()) or have the shape of mu "
            f"{tuple(mu.shape)}; got {tuple(log_sigma.shape)}"
        )
    z = (y - mu) * torch.exp(-log_sigma)
    return (0.5 * z**2 + log_sigma).mean() + HALF_LOG_2PI


def gaussian_nll_floor(sigma: float) -> float:
    """Expected Gaussian NLL of the true model on fresh data.

    The floor is ``log sigma + (1 + log 2 pi) / 2``.

    For targets ``y = mu(x) + sigma * eps`` with standard normal ``eps``, the
    true mean and the true ``sigma`` score ``E[eps^2]/2 + log sigma + log(2 pi)/2``
    per sample on average. No model does better in expectation on new data
    (the NLL's expectation is lowest at the true density); on the finite data
    it was trained on, a model can score lower.

    Parameters
    ----------
    sigma : float
        True noise standard deviation (> 0).

    Returns
    -------
    float
        The floor.

    Examples
    --------
    >>> from learnable_bases.losses import gaussian_nll_floor
    >>> round(gaussian_nll_floor(1.0), 3)  # (1 + log 2 pi) / 2
    1.419
    >>> round(gaussian_nll_floor(0.1), 3)  # log(0.1) + 1.419
    -0.884
    """
    sigma = check_positive_float("sigma", sigma)
    return math.log(sigma) + HALF_LOG_2PI + 0.5


def mse_objective(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``mse(model(x), y)``: a ``loss_fn`` for :func:`~learnable_bases.training.train`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``x`` to predictions of the shape of ``y``.
    x : torch.Tensor, shape (n, d)
        Inputs.
    y : torch.Tensor, shape (n, k)
        Targets.

    Returns
    -------
    torch.Tensor, shape ()
        The loss.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.losses import mse, mse_objective
    >>> from learnable_bases.models import MLP
    >>> model = MLP(in_dim=1, width=4, seed=0)
    >>> x, y = torch.linspace(-1, 1, 5)[:, None], torch.zeros(5, 1)
    >>> loss = mse_objective(model, x, y)
    >>> loss.shape, bool(loss == mse(model(x), y))
    (torch.Size([]), True)
    """
    return mse(check_model(model)(x), y)


def gaussian_nll_objective(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """Gaussian NLL of a model returning ``(mu, log_sigma)``, as a ``loss_fn``.

    Parameters
    ----------
    model : torch.nn.Module
        Returns ``(mu, log_sigma)`` for ``x``, e.g.
        :class:`~learnable_bases.models.GaussianMLP`.
    x : torch.Tensor, shape (n, d)
        Inputs.
    y : torch.Tensor, shape (n, 1)
        Targets.

    Returns
    -------
    torch.Tensor, shape ()
        The mean negative log-likelihood.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.losses import gaussian_nll, gaussian_nll_objective
    >>> from learnable_bases.models import GaussianMLP
    >>> model = GaussianMLP(in_dim=1, width=4, seed=0)
    >>> x, y = torch.linspace(-1, 1, 5)[:, None], torch.zeros(5, 1)
    >>> loss = gaussian_nll_objective(model, x, y)
    >>> loss.shape, bool(loss == gaussian_nll(*model(x), y))
    (torch.Size([]), True)
    """
    mu, log_sigma = check_model(model)(x)
    return gaussian_nll(mu, log_sigma, y)
