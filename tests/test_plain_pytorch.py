"""The plain-PyTorch module and training loop of the code pages run as shown.

The code pages show a complete minimal ``nn.Module`` and a complete training loop
in plain PyTorch (cells tagged ``plain-pytorch``), and chapter 2's exercise 4
solves early stopping in plain PyTorch (a hidden cell, also tagged). The build
executes them; this test executes the same source again, on its own, and checks
what the text says about it.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
import torch

CHAPTERS = Path(__file__).resolve().parents[1] / "docs" / "chapters"

CELL = re.compile(
    r"```\{code-cell\} python\n(?::tags: \[plain-pytorch\]\n|---\ntags: \[[^]\n]*"
    r"plain-pytorch[^]\n]*\]\n.*?\n---\n)(.*?)```",
    re.S,
)


def plain_cells(page: str) -> list[str]:
    """Source of the cells tagged ``plain-pytorch`` on a code page, in order."""
    return CELL.findall((CHAPTERS / page).read_text(encoding="utf-8"))


def run(page: str) -> tuple[dict, list[float]]:
    """Run a page's plain-PyTorch cells; return their namespace and printed losses."""
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in plain_cells(page):
            exec(compile(source, page, "exec"), namespace)
    losses = [
        float(v)
        for v in re.findall(r"(?:loss on all data|MSE) ([0-9.]+)", out.getvalue())
    ]
    return namespace, losses


def test_one_hidden_layer_module_and_loop_run_and_learn():
    assert len(plain_cells("01_network_code.md")) == 2
    ns, losses = run("01_network_code.md")
    model = ns["model"]
    assert isinstance(model, torch.nn.Module)
    # the module is the three equations: 1 x 32 hidden, 32 x 1 head
    assert sum(p.numel() for p in model.parameters()) == 32 * 2 + 33
    assert "zero_grad" in plain_cells("01_network_code.md")[1]
    # three reports; the loss falls to near the noise variance 0.3**2 = 0.09
    assert len(losses) == 3 and losses[0] > losses[-1]
    assert 0.06 < losses[-1] < 0.13


def test_deep_module_and_loop_run_and_learn():
    ns, losses = run("03_deep_network_code.md")
    model = ns["model"]
    assert len(model.layers) == 4
    x = torch.rand(5, 2)
    # the module computes the recursion of the page
    h = x
    for layer in model.layers:
        h = torch.relu(layer(h))
    assert torch.allclose(model(x), model.head(h))
    assert len(losses) == 3 and losses[0] > 2 * losses[-1]
    assert losses[-1] > 0.01  # the noise floor 0.1**2 is never beaten


@pytest.mark.parametrize("page", ["01_network_code.md", "03_deep_network_code.md"])
def test_loops_use_the_three_calls(page):
    loop = plain_cells(page)[1]
    for call in ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()"):
        assert call in loop
    assert len(loop.strip().splitlines()) <= 20  # "about 15 lines"


def test_early_stopping_exercise_stops_patience_after_its_best_and_restores_it():
    cells = plain_cells("02_training.md")
    assert len(cells) == 1
    source = cells[0]
    # the text: plain torch, a held-out quarter of 40, 16 tanh neurons, Adam
    assert "learnable_bases" not in source
    for piece in (
        "perm[:10]",
        "nn.Linear(1, 16), nn.Tanh()",
        "torch.optim.Adam",
        "state_dict()",
        "load_state_dict(best_state)",
        "patience, ",
    ):
        assert piece in source, piece
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "02_training.md", "exec"), namespace)
    ns = namespace
    # "stopped 50 epochs after its best epoch", before the loop's last epoch
    assert ns["patience"] == 50 and ns["epoch"] == ns["best_epoch"] + 50 < 2000
    # "the restored network scores exactly the best held-out loss"
    assert ns["restored"] == ns["best"]
    # and it really overfits afterwards: the weights it dropped score worse
    assert ns["val_loss"] > ns["best"]
