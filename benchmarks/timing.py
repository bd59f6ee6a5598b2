"""Alternated timing: A, B, A, B, ... so both see the same machine load."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def alternate(
    candidates: dict[str, Callable[[], object]], repeats: int, *, warmup: bool = True
) -> dict[str, dict[str, object]]:
    """Time each candidate ``repeats`` times, taking turns (A, B, A, B, ...).

    Parameters
    ----------
    candidates : dict of str to callable
        Zero-argument callables; each call is timed whole.
    repeats : int
        Timed calls per candidate (>= 1).
    warmup : bool, default True
        Call every candidate once, untimed, first (imports, allocator, caches).

    Returns
    -------
    dict of str to dict
        Per candidate: ``"seconds"`` (list of the timed calls, in order),
        ``"median"`` (seconds) and ``"result"`` (what the last call returned).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1; got {repeats}")
    for run in candidates.values() if warmup else ():
        run()
    out = {name: {"seconds": [], "result": None} for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = time.perf_counter()
            out[name]["result"] = run()
            out[name]["seconds"].append(time.perf_counter() - start)
    for entry in out.values():
        entry["median"] = statistics.median(entry["seconds"])
    return out
