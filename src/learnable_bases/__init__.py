"""Learnable Bases: deep neural networks as learnable basis functions.

The library behind the book. Import submodules by name, e.g.
``import learnable_bases as lb; lb.activations.relu(x)``.
"""

from . import (
    activations,
    basis,
    cache,
    calibration,
    deep,
    diagrams,
    losses,
    models,
    plotting,
    posterior,
    quadratic,
    regression,
    simulators,
    stepper,
    sweep,
    targets,
    training,
)

__all__ = [
    "activations",
    "basis",
    "cache",
    "calibration",
    "deep",
    "diagrams",
    "losses",
    "models",
    "plotting",
    "posterior",
    "quadratic",
    "regression",
    "simulators",
    "stepper",
    "sweep",
    "targets",
    "training",
]
__version__ = "0.1.0"
