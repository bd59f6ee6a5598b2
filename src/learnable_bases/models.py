"""Multilayer perceptrons: learnable bases with a linear (or sigmoid) head.

A depth-``L`` MLP applies the one-hidden-layer rule ``L`` times,

.. math::

    h^{(0)} = x,\\qquad h^{(\\ell)} = g(W^{(\\ell)} h^{(\\ell-1)} + b^{(\\ell)}),
    \\qquad \\mu = W^{(L+1)} h^{(L)} + b^{(L+1)},

so the head sees the last hidden layer ``h^{(L)}`` as its *effective basis
functions* (:meth:`MLP.features`). :class:`GaussianMLP` adds one learned noise
scale ``log_sigma`` for the Gaussian likelihood of the lecture.

Initialisation (``init=``) follows PyTorch's default for
:class:`torch.nn.Linear` (``"pytorch"``: weights and biases uniform on
``±1/sqrt(fan_in)``, so the weights have variance ``1/(3 fan_in)``), or He's
(``"he"``: weights normal with variance ``2/fan_in``, biases zero), six times
larger, which keeps the scale of ReLU activations from layer to layer. Pass
``seed`` or ``generator`` to make it reproducible; the global random state is
then neither used nor changed.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import torch
from torch import nn

from ._checks import (
    check_bool,
    check_choice,
    check_model,
    check_positive_int,
    check_real,
    check_tensor,
    make_generator,
)
from .activations import ACTIVATIONS, get_activation

#: What :class:`MLP` does to its linear head's output: nothing, or a sigmoid.
OUTPUTS = ("linear", "sigmoid")

#: Weight initialisations of :class:`MLP`.
INITS = ("pytorch", "he")


def _init_layer(layer: nn.Linear, init: str, generator: torch.Generator | None) -> None:
    """Draw ``layer``'s weights and bias from ``generator`` (see :class:`MLP`).

    ``init="he"``: He (Kaiming) normal, weights ``N(0, 2/fan_in)`` and zero
    bias; otherwise PyTorch's default ``nn.Linear`` init, weights and bias
    uniform on ``±1/sqrt(fan_in)``.
    """
    with torch.no_grad():
        if init == "he":
            std = math.sqrt(2.0 / layer.in_features)
            layer.weight.normal_(0.0, std, generator=generator)
            layer.bias.zero_()
        else:
            bound = 1.0 / math.sqrt(layer.in_features)
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)


def _check_input(x: object, in_dim: int, dtype: torch.dtype) -> torch.Tensor:
    if isinstance(x, torch.Tensor) and (x.ndim != 2 or x.shape[1] != in_dim):
        raise ValueError(
            f"expected input of shape (n, in_dim) = (n, {in_dim}); "
            f"got shape {tuple(x.shape)}"
            + (" (use x[:, None] for a 1D input)" if x.ndim == 1 else "")
        )
    x = check_tensor("x", x, ndim=2)
    if x.dtype != dtype:
        raise TypeError(
            f"input dtype {x.dtype} does not match the model's {dtype}; "
            f"convert with x.to({dtype})"
        )
    return x


class MLP(nn.Module):
    """Fully connected network: ``depth`` hidden layers of ``width`` neurons.

    Parameters
    ----------
    in_dim : int
        Input dimension ``d`` (>= 1).
    width : int
        Neurons per hidden layer ``H`` (>= 1).
    depth : int, default 1
        Number of hidden layers ``L`` (>= 1).
    activation : str, default "relu"
        A name from :data:`learnable_bases.activations.ACTIVATIONS`.
    out_dim : int, default 1
        Output dimension.
    output : {"linear", "sigmoid"}, default "linear"
        ``"sigmoid"`` squashes the linear head's output into ``(0, 1)``.
    skip : bool, default False
        Add a linear map straight from the input to the output,
        ``head(h^{(L)}(x)) + V x``, with ``V`` (no bias) initialised to zero:
        the part of the target that is linear in ``x`` then needs no hidden
        neurons, and training starts from the plain network.
    init : {"pytorch", "he"}, default "pytorch"
        Initial weights of every layer, the head included. ``"pytorch"``:
        PyTorch's default for ``nn.Linear``, weights and biases uniform on
        ``±1/sqrt(fan_in)`` (weight variance ``1/(3 fan_in)``). ``"he"``: He
        (Kaiming) normal, weights ``N(0, 2/fan_in)`` and zero biases, the
        variance that keeps a ReLU network's activations at one scale.
    seed : int, optional
        Seed for a private generator that draws the initial weights.
    generator : torch.Generator, optional
        Generator that draws the initial weights (instead of ``seed``).

    Attributes
    ----------
    layers : torch.nn.ModuleList of torch.nn.Linear
        The hidden layers, first to last.
    head : torch.nn.Linear
        The output layer, ``width -> out_dim``.
    skip_layer : torch.nn.Linear or None
        With ``skip=True``, the linear map ``V``, ``in_dim -> out_dim``.

    Examples
    --------
    >>> model = MLP(in_dim=1, width=16, seed=0)
    >>> model(torch.zeros(5, 1)).shape
    torch.Size([5, 1])
    """

    def __init__(
        self,
        in_dim: int,
        width: int,
        depth: int = 1,
        activation: str = "relu",
        out_dim: int = 1,
        output: str = "linear",
        *,
        skip: bool = False,
        init: str = "pytorch",
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        skip = check_bool("skip", skip)
        self.in_dim = check_positive_int("in_dim", in_dim)
        self.width = check_positive_int("width", width)
        self.depth = check_positive_int("depth", depth)
        self.out_dim = check_positive_int("out_dim", out_dim)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.output = check_choice("output", output, OUTPUTS)
        self.init = check_choice("init", init, INITS)
        self._g = get_activation(activation)
        gen = make_generator(seed, generator)

        dims = [self.in_dim] + [self.width] * self.depth
        # Build without consuming or changing the global RNG when seeded.
        with torch.random.fork_rng(devices=[], enabled=gen is not None):
            self.layers = nn.ModuleList(
                nn.Linear(a, b) for a, b in itertools.pairwise(dims)
            )
            self.head = nn.Linear(self.width, self.out_dim)
        if self.init == "he" or gen is not None:
            for layer in (*self.layers, self.head):
                _init_layer(layer, self.init, gen)
        self.skip_layer = None
        if skip:  # starts at zero: built without drawing a random number
            self.skip_layer = nn.utils.skip_init(
                nn.Linear, self.in_dim, self.out_dim, bias=False
            )
            nn.init.zeros_(self.skip_layer.weight)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs of the last hidden layer: the effective basis functions.

        Parameters
        ----------
        x : torch.Tensor, shape (n, in_dim)
            Inputs.

        Returns
        -------
        torch.Tensor, shape (n, width)
            ``h^{(L)}(x)``; the head computes ``head(h)`` from these.
        """
        h = _check_input(x, self.in_dim, self.head.weight.dtype)
        for layer in self.layers:
            h = self._g(layer(h))
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output.

        Parameters
        ----------
        x : torch.Tensor, shape (n, in_dim)
            Inputs.

        Returns
        -------
        torch.Tensor, shape (n, out_dim)
            ``head(h^{(L)}(x))`` (plus ``V x`` with ``skip``), passed through a
            sigmoid if ``output="sigmoid"``.

        Raises
        ------
        ValueError
            If ``x`` is not of shape ``(n, in_dim)`` or is not finite.
        TypeError
            If ``x`` is not a floating tensor of the model's dtype.
        """
        out = self.head(self.features(x))
        if self.skip_layer is not None:
            out = out + self.skip_layer(x)
        return torch.sigmoid(out) if self.output == "sigmoid" else out

    def extra_repr(self) -> str:
        init = "" if self.init == "pytorch" else f", init={self.init!r}"
        skip = ", skip=True" if self.skip_layer is not None else ""
        return f"activation={self.activation!r}, output={self.output!r}{skip}{init}"


class GaussianPrediction(NamedTuple):
    """Mean and log standard deviation of a Gaussian prediction.

    Unpacks like a tuple: ``mu, log_sigma = model(x)``.

    Attributes
    ----------
    mu : torch.Tensor, shape (n, 1)
        Predicted mean.
    log_sigma : torch.Tensor, shape (n, 1)
        Predicted ``log sigma`` (the shared parameter, broadcast to ``n`` rows).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.models import GaussianMLP, GaussianPrediction
    >>> pred = GaussianMLP(in_dim=1, width=8, seed=0)(torch.zeros(3, 1))
    >>> isinstance(pred, GaussianPrediction), pred._fields
    (True, ('mu', 'log_sigma'))
    >>> mu, log_sigma = pred
    >>> mu.shape, log_sigma.shape
    (torch.Size([3, 1]), torch.Size([3, 1]))
    """

    mu: torch.Tensor
    log_sigma: torch.Tensor


class GaussianMLP(nn.Module):
    """MLP mean with one learned noise scale: ``y ~ N(mu(x), sigma^2)``.

    Parameters
    ----------
    in_dim : int
        Input dimension ``d`` (>= 1).
    width : int
        Neurons per hidden layer (>= 1).
    depth : int, default 1
        Number of hidden layers (>= 1).
    activation : str, default "relu"
        A name from :data:`learnable_bases.activations.ACTIVATIONS`.
    log_sigma_init : float, default 0.0
        Initial ``log sigma`` (0 means ``sigma = 1``).
    init : {"pytorch", "he"}, default "pytorch"
        Initial weights of the mean network, as in :class:`MLP`.
    seed : int, optional
        Seed for a private generator that draws the initial weights.
    generator : torch.Generator, optional
        Generator that draws the initial weights (instead of ``seed``).

    Attributes
    ----------
    mean : MLP
        Network for ``mu(x)`` with a scalar linear head.
    log_sigma : torch.nn.Parameter, shape ()
        Learned ``log sigma``, shared by all inputs (homoscedastic noise).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.models import GaussianMLP
    >>> model = GaussianMLP(in_dim=1, width=8, seed=0)
    >>> mu, log_sigma = model(torch.zeros(5, 1))
    >>> mu.shape, log_sigma.shape
    (torch.Size([5, 1]), torch.Size([5, 1]))
    >>> float(model.sigma)  # exp(log_sigma_init), log_sigma_init = 0
    1.0
    >>> model.features(torch.zeros(5, 1)).shape
    torch.Size([5, 8])
    """

    def __init__(
        self,
        in_dim: int,
        width: int,
        depth: int = 1,
        activation: str = "relu",
        log_sigma_init: float = 0.0,
        *,
        init: str = "pytorch",
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        log_sigma_init = check_real("log_sigma_init", log_sigma_init)
        self.mean = MLP(
            in_dim, width, depth, activation, init=init, seed=seed, generator=generator
        )
        self.log_sigma = nn.Parameter(torch.tensor(float(log_sigma_init)))

    @property
    def sigma(self) -> torch.Tensor:
        """Current noise scale ``exp(log_sigma)``, a scalar tensor (detached)."""
        return self.log_sigma.detach().exp()

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Last hidden layer of the mean network, shape ``(n, width)``.

        Parameters
        ----------
        x : torch.Tensor, shape (n, in_dim)
            Inputs.

        Returns
        -------
        torch.Tensor, shape (n, width)
            Effective basis functions of the mean.
        """
        return self.mean.features(x)

    def forward(self, x: torch.Tensor) -> GaussianPrediction:
        """Predict mean and log standard deviation.

        Parameters
        ----------
        x : torch.Tensor, shape (n, in_dim)
            Inputs.

        Returns
        -------
        GaussianPrediction
            ``mu`` and ``log_sigma``, each of shape ``(n, 1)``.
        """
        mu = self.mean(x)
        return GaussianPrediction(mu, self.log_sigma.expand_as(mu))


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of scalar parameters of a model.

    For a one-hidden-layer MLP with input dimension ``d``, width ``H`` and a
    scalar head this is ``H (d + 1) + (H + 1)``.

    Parameters
    ----------
    model : torch.nn.Module
        Any module.
    trainable_only : bool, default True
        Count only parameters with ``requires_grad``.

    Returns
    -------
    int
        Total number of entries over all (trainable) parameter tensors.

    Examples
    --------
    For ``d = 1`` and ``H = 16``: ``16 * (1 + 1) + (16 + 1) = 49``.

    >>> from learnable_bases.models import MLP, count_parameters
    >>> model = MLP(in_dim=1, width=16, seed=0)
    >>> count_parameters(model)
    49
    >>> _ = model.head.requires_grad_(False)  # freeze the 17 head parameters
    >>> count_parameters(model), count_parameters(model, trainable_only=False)
    (32, 49)
    """
    params = check_model(model).parameters()
    return sum(p.numel() for p in params if p.requires_grad or not trainable_only)
