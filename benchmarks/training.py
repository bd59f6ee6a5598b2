"""Training speed: the library's loop, stacked sweeps, and FLOP/s against matmul."""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import learnable_bases as lb

from .timing import alternate

MSE = lb.losses.mse_objective


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch threads."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def spiral(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` noisy samples of the spiral field, shapes (n, 2) and (n, 1)."""
    return lb.targets.sample_field("spiral", n, 0.1, seed)


def tutorial_train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
) -> None:
    """The PyTorch tutorial loop: ``DataLoader(shuffle=True)`` and Adam."""
    loader = DataLoader(
        TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()


def train_vs_tutorial(
    *,
    n: int = 4096,
    width: int = 64,
    depth: int = 3,
    batch_size: int = 128,
    epochs: int = 20,
    lr: float = 5e-3,
    seed: int = 0,
    repeats: int = 5,
    n_seeds: int = 5,
    n_threads: int = 1,
) -> dict:
    """``lb.training.train`` against :func:`tutorial_train`, alternated.

    Both train ``MLP(2, width, depth)`` from the same initial weights on the
    same spiral samples with Adam; they differ only in the loop (and so in the
    batch order). The final full-data MSE of each is reported: they must agree
    within the spread that a different batch order makes, which
    ``seed_losses`` shows (each loop's final MSE for ``n_seeds`` batch seeds,
    the first timed, the others not).

    Returns
    -------
    dict
        ``config``, ``seconds`` and ``median`` per loop, ``speedup``
        (tutorial / library), ``final_loss`` per loop and ``seed_losses``.
    """
    x, y = spiral(n, seed)
    settings = {"epochs": epochs, "lr": lr, "batch_size": batch_size, "seed": seed}

    def library(model: nn.Module, batch_seed: int = seed) -> None:
        lb.training.train(
            model, MSE, x, y, optimizer="adam", progress=False,
            **(settings | {"seed": batch_seed}),
        )  # fmt: skip

    def tutorial(model: nn.Module, batch_seed: int = seed) -> None:
        tutorial_train(model, x, y, **(settings | {"seed": batch_seed}))

    def timed(loop):
        def run() -> float:
            model = lb.models.MLP(2, width, depth, seed=seed)
            loop(model)
            return lb.training.evaluate(model, MSE, x, y)

        return run

    def other_seed(loop, batch_seed: int) -> float:
        model = lb.models.MLP(2, width, depth, seed=seed)
        loop(model, batch_seed)
        return lb.training.evaluate(model, MSE, x, y)

    with threads(n_threads):
        runs = alternate(
            {"library": timed(library), "tutorial": timed(tutorial)}, repeats
        )
        seed_losses = {
            name: [runs[name]["result"]]
            + [other_seed(loop, seed + i) for i in range(1, n_seeds)]
            for name, loop in (("library", library), ("tutorial", tutorial))
        }
    return {
        "config": {"n": n, "width": width, "depth": depth, "threads": n_threads}
        | settings,
        "seconds": {k: v["seconds"] for k, v in runs.items()},
        "median": {k: v["median"] for k, v in runs.items()},
        "speedup": runs["tutorial"]["median"] / runs["library"]["median"],
        "final_loss": {k: v["result"] for k, v in runs.items()},
        "seed_losses": seed_losses,
    }


def training_flops(dims: list[int], batch: int) -> int:
    """Matmul FLOPs of one training step of an MLP with layer sizes ``dims``.

    Forward ``2 B a b`` per layer ``a -> b``, the same again for the weight
    gradient, and again for the input gradient of every layer but the first.
    """
    macs = [a * b for a, b in itertools.pairwise(dims)]
    return 2 * batch * (3 * sum(macs) - macs[0])


def flop_fraction(
    width: int,
    *,
    depth: int = 4,
    batch: int = 1024,
    steps_per_epoch: int = 8,
    epochs: int = 3,
    repeats: int = 5,
    n_threads: int = 2,
) -> dict:
    """Training FLOP/s of ``train()`` as a fraction of ``torch.mm`` FLOP/s.

    ``train()`` runs ``MLP(2, width, depth)`` with Adam on
    ``batch * steps_per_epoch`` spiral samples in batches of ``batch``;
    ``torch.mm`` multiplies a ``(batch, width)`` by a ``(width, width)`` matrix
    (the hidden layers' shape) as many times as makes the same FLOPs.
    The two are alternated.

    Returns
    -------
    dict
        ``config``, ``train_flops`` and ``mm_flops`` (FLOP/s, medians),
        ``fraction`` (train / mm) and the ``seconds`` of each.
    """
    x, y = spiral(batch * steps_per_epoch)
    dims = [2] + [width] * depth + [1]
    total = training_flops(dims, batch) * steps_per_epoch * epochs
    a = torch.randn(batch, width)
    w = torch.randn(width, width)
    mm_calls = max(1, round(total / (2 * batch * width * width)))
    mm_total = mm_calls * 2 * batch * width * width

    def train() -> None:
        model = lb.models.MLP(2, width, depth, seed=0)
        lb.training.train(
            model, MSE, x, y, epochs=epochs, lr=1e-3, batch_size=batch,
            optimizer="adam", progress=False,
        )  # fmt: skip

    def matmul() -> None:
        for _ in range(mm_calls):
            torch.mm(a, w)

    with threads(n_threads):
        runs = alternate({"train": train, "mm": matmul}, repeats)
    train_rate = total / runs["train"]["median"]
    mm_rate = mm_total / runs["mm"]["median"]
    return {
        "config": {
            "width": width,
            "depth": depth,
            "batch": batch,
            "steps": steps_per_epoch * epochs,
            "threads": n_threads,
        },
        "train_flops": train_rate,
        "mm_flops": mm_rate,
        "fraction": train_rate / mm_rate,
        "seconds": {k: v["seconds"] for k, v in runs.items()},
    }


def stacked_vs_loop(
    *,
    ks: list[int],
    n: int = 4096,
    width: int = 32,
    depth: int = 2,
    batch_size: int = 128,
    epochs: int = 10,
    lr: float = 5e-3,
    repeats: int = 3,
    n_threads: int = 1,
) -> dict:
    """``K`` models trained stacked against ``K`` ``train()`` calls, alternated.

    For each ``K`` in ``ks``: ``MLP(2, width, depth, seed=s)`` for
    ``s = 0 .. K-1``, trained with Adam on the same spiral samples, batch seed
    ``s``, by :func:`learnable_bases.sweep.train_stacked` and by one
    :func:`learnable_bases.training.train` per model. Both see the same batches,
    so their final losses agree up to float rounding (``loss_gap`` is the
    largest relative difference over the members).

    Returns
    -------
    dict
        ``config`` and ``rows``, one per ``K``: ``k``, ``seconds`` and
        ``median`` per way, ``speedup`` (loop / stacked) and ``loss_gap``.
    """
    x, y = spiral(n)
    settings = {
        "epochs": epochs, "lr": lr, "batch_size": batch_size,
        "optimizer": "adam", "progress": False,
    }  # fmt: skip

    def models(k: int) -> list[lb.models.MLP]:
        return [lb.models.MLP(2, width, depth, seed=s) for s in range(k)]

    def stacked(k: int) -> list[float]:
        histories = lb.sweep.train_stacked(
            models(k), lb.sweep.stacked_mse, x, y, seeds=list(range(k)), **settings
        )
        return [h.final_loss for h in histories]

    def loop(k: int) -> list[float]:
        return [
            lb.training.train(m, MSE, x, y, seed=s, **settings).final_loss
            for s, m in enumerate(models(k))
        ]

    rows = []
    with threads(n_threads):
        for k in ks:
            runs = alternate(
                {
                    "stacked": functools.partial(stacked, k),
                    "loop": functools.partial(loop, k),
                },
                repeats,
            )
            a, b = np.array(runs["stacked"]["result"]), np.array(runs["loop"]["result"])
            rows.append({
                "k": k,
                "seconds": {w: v["seconds"] for w, v in runs.items()},
                "median": {w: v["median"] for w, v in runs.items()},
                "speedup": runs["loop"]["median"] / runs["stacked"]["median"],
                "loss_gap": float(np.max(np.abs(a - b) / b)),
            })  # fmt: skip
    config = {"n": n, "width": width, "depth": depth, "threads": n_threads}
    return {"config": config | settings, "rows": rows}
