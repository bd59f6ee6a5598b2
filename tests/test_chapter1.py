"""Chapter 1 on the built site: figures embedded, numbers computed, code page honest.

Also the code page's plain-PyTorch cells, run again on their own. The library
functions behind the chapter are tested in their modules' files (its plotting
helper, ``plot_kink_approximation``, in test_plotting.py).
"""

from __future__ import annotations

import inspect
import re

import pytest
import torch
from cells import plain_pytorch_cells, run
from conftest import quoted_source

import learnable_bases as lb

CHAPTER = "chapters/01_learnable_bases.html"
CODE_PAGE = "chapters/01_network_code.html"
CODE_SOURCE = "01_network_code.md"  # the code page's Markdown
WIDTHS = [1, 2, 4, 8, 16, 32, 64]


def _text(html: str) -> str:
    """Visible text of a page: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _glued(html: str) -> list[str]:
    """Every number myst-nb glued into the page as text."""
    return re.findall(r'<span class="pasted-text">([^<]*)</span>', html)


# ------------------------------------------ the code page's plain PyTorch
# The code page shows a complete minimal ``nn.Module`` and a complete training
# loop in plain PyTorch (cells tagged ``plain-pytorch``). The build executes them;
# these tests execute the same source again, on its own, and check what the text
# says about it (from the former test_plain_pytorch.py).
def test_one_hidden_layer_module_and_loop_run_and_learn():
    cells = plain_pytorch_cells(CODE_SOURCE)
    assert len(cells) == 2
    ns, printed = run(CODE_SOURCE, *cells)
    losses = [float(v) for v in re.findall(r"loss on all data ([0-9.]+)", printed)]
    model = ns["model"]
    assert isinstance(model, torch.nn.Module)
    # the module is the three equations: 1 x 32 hidden, 32 x 1 head
    assert sum(p.numel() for p in model.parameters()) == 32 * 2 + 33
    assert "zero_grad" in cells[1]
    # three reports; the loss falls to near the noise variance 0.3**2 = 0.09
    assert len(losses) == 3 and losses[0] > losses[-1]
    assert 0.06 < losses[-1] < 0.13


def test_loops_use_the_three_calls():
    loop = plain_pytorch_cells(CODE_SOURCE)[1]
    for call in ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()"):
        assert call in loop
    assert len(loop.strip().splitlines()) <= 20  # "about 15 lines"


# ------------------------------------------------------------- the built site
@pytest.mark.site
def test_chapter_embeds_all_its_figures(site):
    html = (site / CHAPTER).read_text("utf-8")
    # three steppers: activations, neurons one by one, universal approximation
    assert html.count('class="lb-stepper"') == 3
    for script in (
        "plot_03_neuron_diagram",
        "plot_02_activations",
        "plot_01_random_neurons",
        "plot_04_universal_approximation",
    ):
        assert f"../auto_gallery/01_learnable_bases/{script}.html" in html, script
    # static figures (stepper frames are in _images/lb-frames/)
    images = re.findall(r'<img[^>]+src="(\.\./_images/(?!lb-frames/)[^"]+)"', html)
    assert len(images) == 4
    for src in images:
        assert (site / "chapters" / src).resolve().exists(), src


@pytest.mark.site
def test_chapter_quotes_the_measured_errors_and_rates(site):
    errors = lb.basis.approximation_errors(lb.targets.target_1d, WIDTHS)
    rate_tail = lb.basis.fit_rate(WIDTHS[3:], errors[3:])
    rate_all = lb.basis.fit_rate(WIDTHS, errors)
    glued = _glued((site / CHAPTER).read_text("utf-8"))
    for value in (
        f"{errors[2]:.2f}",
        f"{errors[6]:.4f}",
        f"{errors[2] / errors[6]:.0f}",
        f"{rate_tail:.2f}".replace("-", "\u2212"),
        f"{rate_all:.2f}".replace("-", "\u2212"),
    ):
        assert value in glued, value
    # and the claims the prose makes about them
    assert errors[2] / errors[6] > 10
    assert -2.2 < rate_tail < -1.8
    assert rate_all > rate_tail + 0.2


@pytest.mark.site
def test_chapter_parameter_count_matches_formula(site):
    d, h = 3, 8
    count = lb.models.count_parameters(lb.models.MLP(d, h))
    assert count == h * (d + 1) + (h + 1)
    text = _text((site / CHAPTER).read_text("utf-8"))
    assert f"{count} parameters" in text


@pytest.mark.site
def test_code_page_shows_real_source_lines_with_colours(site):
    html = (site / CODE_PAGE).read_text("utf-8")
    source = inspect.getsource(lb.models.MLP)
    blocks, rows, marks = quoted_source(html)
    assert len(blocks) == 7
    for line in (line for block in blocks for line in block):
        assert f"{line}\n" in source, line
    # every row has a colour, and the highlights use the same four colours
    assert rows == {"lb-c1", "lb-c2", "lb-c3", "lb-c4"}
    assert marks == {"1", "2", "3", "4"}
    assert re.search(r'href="\.\./_static/lb-code\.css', html)  # raw link or conf
    assert (site / "_static" / "lb-code.css").exists()


@pytest.mark.site
def test_code_page_counts_parameters_from_the_model(site):
    html = (site / CODE_PAGE).read_text("utf-8")
    glued = _glued(html)
    d, h = 3, 8
    count = lb.models.count_parameters(lb.models.MLP(d, h))
    assert glued.count(str(count)) == 2  # from the model, and from the formula
    big = lb.models.count_parameters(lb.models.MLP(1000, 256))
    assert big == 256 * 1001 + 257
    assert glued.count(f"{big:,}") == 2
    assert "equations == module: True" in html
