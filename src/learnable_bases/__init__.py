"""Learnable Bases: deep neural networks as learnable basis functions.

The library behind the book. Import submodules by name, e.g.
``import learnable_bases as lb; lb.activations.relu(x)``. Submodules load on
first use, so a tool that needs one (the docs build's cache key) does not pay
for torch.
"""

import importlib
from types import ModuleType

__all__ = [
    "activations",
    "basis",
    "cache",
    "calibration",
    "deep",
    "diagrams",
    "landscape",
    "losses",
    "models",
    "plotting",
    "posterior",
    "quadratic",
    "regression",
    "simulators",
    "stepper",
    "summaries",
    "sweep",
    "targets",
    "training",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> ModuleType:
    """Import a submodule on first use (PEP 562): ``lb.training`` loads torch, but
    ``import learnable_bases.cache`` alone does not."""
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
