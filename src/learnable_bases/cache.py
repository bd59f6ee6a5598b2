"""An on-disk cache of results, so the docs build trains every model once.

A gallery script draws a figure from a training run and a chapter quotes
numbers from the same run. With the cache on, whichever runs first computes
and stores the result, and the other loads it. The cache is on only while the
environment variable ``LB_CACHE_DIR`` names a directory (``docs/conf.py`` sets
it to ``docs/_build/.lb_cache``); a downloaded script or notebook, and the
tests, compute everything.

The key of a call is the function's module and name, its arguments (defaults
filled in), :func:`library_hash` and :func:`numerics`, so any change to the
library's source, to torch's version or to the vector kernels torch runs on
(``ATEN_CPU_CAPABILITY``) makes every stored result unreachable. Arguments
key by content: plain JSON values (numbers, strings, lists, dicts, ``None``);
tensors and arrays by their dtype, shape and a SHA-256 of their bytes; and
dataclass instances such as the simulators of :mod:`learnable_bases.simulators`
by their class and fields. Calls with any other argument (a model, a simulator
of the reader's own that is not a dataclass) are computed, never cached.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import inspect
import io
import json
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import ParamSpec, TypeVar

#: Environment variable naming the cache directory; unset means no cache.
CACHE_ENV = "LB_CACHE_DIR"
LIBRARY = Path(__file__).parent
#: The suffixes of the files that make up the library's source.
SOURCES = (".py", ".js", ".css")

P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def library_hash() -> str:
    """SHA-256 of every source file of the installed ``learnable_bases`` package.

    Source files are the Python modules and the assets they read (the stepper's
    script and style sheet).

    Computed once per process.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> from learnable_bases.cache import library_hash
    >>> h = library_hash()
    >>> len(h), h == library_hash()
    (64, True)
    """
    h = hashlib.sha256()
    for path in sorted(p for p in LIBRARY.rglob("*") if p.suffix in SOURCES):
        h.update(path.relative_to(LIBRARY).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def numerics() -> str:
    """What results depend on besides the library: torch's version and kernels.

    torch picks its CPU vector kernels per machine (AVX-512, AVX2 or default;
    ``ATEN_CPU_CAPABILITY`` forces one), and their rounding differs, so a
    result computed on one path is not the result of another.

    Returns
    -------
    str
        E.g. ``"torch 2.13.0+cpu, AVX512 kernels"``.

    Examples
    --------
    >>> from learnable_bases.cache import numerics
    >>> numerics().startswith("torch "), numerics().endswith(" kernels")
    (True, True)
    """
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    return f"torch {torch.__version__}, {capability} kernels"


def _by_content(value: object) -> object:
    """JSON form of an argument that is not plain JSON, keyed on its content.

    A tensor (any device, gradients ignored) or a NumPy array of numbers gives
    ``{"dtype", "shape", "sha256"}``; an instance of one of the library's
    dataclasses (a book simulator) its class and fields.
    Anything else raises ``TypeError`` (the call is not cached).
    """
    torch = sys.modules.get("torch")  # only if the caller has torch loaded
    if torch is not None and isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous()
        return _digest(str(t.dtype), t.shape, t.reshape(-1).view(torch.uint8).numpy())
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        a = np.ascontiguousarray(value)
        return _digest(a.dtype.str, a.shape, a)
    cls = type(value)
    if dataclasses.is_dataclass(value) and cls.__module__.startswith(__package__):
        # the library's own (its source is in library_hash); a reader's class
        # could change its code and keep its fields, so it is not keyed
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {"dataclass": f"{cls.__module__}.{cls.__qualname__}", **fields}
    raise TypeError(f"{type(value).__name__} is not keyed by content")


def _digest(dtype: str, shape: Sequence[int], data: object) -> dict[str, object]:
    """``{"dtype", "shape", "sha256"}``: ``data``'s bytes (``tobytes()``) hashed."""
    sha = hashlib.sha256(data.tobytes()).hexdigest()
    return {"dtype": dtype, "shape": list(shape), "sha256": sha}


def call_key(
    func: Callable[..., object], *args: object, **kwargs: object
) -> str | None:
    """Key of the call ``func(*args, **kwargs)`` for the current library.

    Parameters
    ----------
    func : callable
        The function (not a lambda or a local function).
    *args, **kwargs
        Its arguments; defaults are filled in, so ``f()`` and ``f(x=default)``
        share a key. A dataclass instance keys by its class and fields.

    Returns
    -------
    str or None
        64 hexadecimal digits, or ``None`` if an argument is neither a plain
        JSON value nor keyed by content (such a call is not cached).

    Examples
    --------
    The key fills in defaults and changes with any argument; an argument it
    cannot key (here an arbitrary object) gives ``None``. Nothing is called.

    >>> from learnable_bases.cache import call_key
    >>> from learnable_bases.simulators import get_simulator, theta_grid
    >>> key = call_key(theta_grid, -1.0, 1.0)
    >>> len(key), key == call_key(theta_grid, -1.0, 1.0, n=801)
    (64, True)
    >>> key == call_key(theta_grid, -1.0, 1.0, n=5)
    False
    >>> print(call_key(get_simulator, object()))
    None
    """
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    name = f"{func.__module__}.{func.__qualname__}"
    try:
        text = json.dumps(
            [name, bound.arguments, library_hash(), numerics()],
            sort_keys=True,
            default=_by_content,
        )
    except TypeError:
        return None
    return hashlib.sha256(text.encode()).hexdigest()


def _mappingproxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def dumps(result: object) -> bytes:
    """Pickle ``result``; read-only mappings (``History.snapshots``) as well.

    Examples
    --------
    A :class:`types.MappingProxyType`, which :func:`pickle.dumps` refuses,
    comes back as one:

    >>> import pickle
    >>> from types import MappingProxyType
    >>> from learnable_bases.cache import dumps
    >>> pickle.loads(dumps({"snapshots": MappingProxyType({0: 1.5})}))
    {'snapshots': mappingproxy({0: 1.5})}
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table = copyreg.dispatch_table | {
        MappingProxyType: lambda m: (_mappingproxy, (dict(m),))
    }
    pickler.dump(result)
    return buffer.getvalue()


def cached(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: store ``func``'s results in ``$LB_CACHE_DIR`` when it is set.

    Parameters
    ----------
    func : callable
        A deterministic function of its arguments (seeds are arguments) whose
        result can be pickled.

    Returns
    -------
    callable
        ``func`` with the same signature and docstring. Without
        ``LB_CACHE_DIR`` it calls ``func``. With it, a call with a known key
        returns the stored result (an equal copy), and any other call computes,
        stores and returns it.

    Examples
    --------
    With a cache directory set, the second call with the same argument is
    read from the file the first one stored (``calls`` shows ``square`` ran
    once):

    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> from learnable_bases.cache import CACHE_ENV, cached
    >>> calls = []
    >>> @cached
    ... def square(x):
    ...     calls.append(x)
    ...     return x * x
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with mock.patch.dict(os.environ, {CACHE_ENV: tmp}):
    ...         results = square(3), square(3)
    ...     stored = len(list(Path(tmp).glob("square-*.pkl")))
    >>> results, calls, stored, square.__name__
    ((9, 9), [3], 1, 'square')
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        root = os.environ.get(CACHE_ENV)
        key = call_key(func, *args, **kwargs) if root else None
        if key is None:
            return func(*args, **kwargs)
        path = Path(root) / f"{func.__qualname__}-{key}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = func(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(dumps(result))
        partial.replace(path)  # atomic: a reader never sees half a file
        return result

    return wrapper
