"""Chapter 3's plain-PyTorch exercise: backpropagation by hand, run as shown.

The build executes the exercise's hidden solution; this test executes the same
source again, on its own, and checks what the exercise and the sentence after
it claim: six gradients computed with tensor operations alone equal what
``E.backward()`` computes, to float64 rounding, for a network of two hidden
layers.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
import torch

CHAPTER = Path(__file__).resolve().parents[1] / "docs" / "chapters" / "03_going_deep.md"
CELL = re.compile(
    r"```\{code-cell\} python\n---\ntags: \[([^\]]*)\]\n.*?---\n(.*?)```", re.S
)
NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def plain_pytorch_exercises() -> list[str]:
    """Source of the chapter's hidden-solution cells tagged ``plain-pytorch``."""
    text = CHAPTER.read_text(encoding="utf-8")
    return [src for tags, src in CELL.findall(text) if "plain-pytorch" in tags]


@pytest.fixture(scope="module")
def solution():
    (source,) = plain_pytorch_exercises()
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "03_going_deep.md", "exec"), namespace)
    return source, namespace, out.getvalue()


def test_the_exercise_is_a_hidden_solution_in_plain_pytorch(solution):
    source, _, _ = solution
    # the library only draws the data; the network and its gradients are tensors
    assert [line for line in source.splitlines() if "lb." in line] == [
        'x, y = lb.targets.sample_field("spiral", 64, noise_sigma=0.1, seed=1)'
    ]
    assert "nn.Module" not in source and "autograd.grad" not in source
    assert source.count("E.backward()") == 1
    # the gradients by hand are computed before backward() and without autograd
    assert source.index("torch.no_grad()") < source.index("E.backward()")


def test_claim_two_hidden_layers_of_16_relu_units(solution):
    _, ns, _ = solution
    assert ns["W1"].shape == (16, 2) and ns["W2"].shape == (16, 16)
    assert ns["W3"].shape == (1, 16)
    assert ns["x"].shape == (64, 2)
    with torch.no_grad():
        h1 = torch.relu(ns["x"] @ ns["W1"].T + ns["b1"])
        mu = torch.relu(h1 @ ns["W2"].T + ns["b2"]) @ ns["W3"].T + ns["b3"]
    torch.testing.assert_close(mu, ns["mu"].detach())
    e = float(ns["E"].detach())
    assert e == pytest.approx(float(((mu - ns["y"]) ** 2).mean()))


def test_claim_gradients_by_hand_equal_autograd(solution):
    """'reproduce loss.backward() to the last bits of float64'."""
    _, ns, out = solution
    for name in NAMES:
        by_hand, auto = ns["grads"][name], ns[name].grad
        assert by_hand.shape == auto.shape == ns[name].shape, name
        assert by_hand.abs().max() > 0, name  # no gradient is trivially zero
        scale = float(auto.abs().max())
        assert float((by_hand - auto).abs().max()) <= 1e-14 * scale, name
    gaps = re.findall(r"max \|by hand - autograd\| = ([0-9.e+-]+)", out)
    assert len(gaps) == len(NAMES)
    assert all(float(g) < 1e-15 for g in gaps)


def test_the_gradients_are_not_autograd_in_disguise(solution):
    """The by-hand gradients do not depend on .grad: recomputed from fresh
    copies of the weights (no graph at all), they come out the same."""
    _, ns, _ = solution
    p = {name: ns[name].detach().clone() for name in NAMES}
    x, y = ns["x"], ns["y"]
    z1 = x @ p["W1"].T + p["b1"]
    z2 = torch.relu(z1) @ p["W2"].T + p["b2"]
    mu = torch.relu(z2) @ p["W3"].T + p["b3"]
    delta = 2 * (mu - y) / len(y)
    delta = (delta @ p["W3"]) * (z2 > 0)
    delta = (delta @ p["W2"]) * (z1 > 0)
    torch.testing.assert_close(ns["grads"]["W1"], delta.T @ x, rtol=0, atol=0)
