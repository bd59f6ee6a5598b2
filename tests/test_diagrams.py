"""Claims of learnable_bases.diagrams: what is drawn, legibility, bad input."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from learnable_bases import diagrams

OKABE_ITO = {
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#d55e00",
    "#cc79a7",
    "#56b4e9",
    "#f0e442",
    "#000000",
}


@pytest.fixture
def ax():
    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    yield ax
    plt.close(fig)


def unit_markers(ax):
    return [line for line in ax.lines if line.get_marker() == "o"]


def weight_lines(ax):
    # two-point lines between units (the activation sketches have many points)
    return [
        line
        for line in ax.lines
        if line.get_marker() in ("None", None, "") and len(line.get_xdata()) == 2
    ]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def extents(ax):
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # the text itself, without an annotation's arrow
    return [Text.get_window_extent(t, renderer) for t in ax.texts if t.get_text()]


def assert_inside_figure(ax):
    fig_box = ax.figure.bbox
    for box in extents(ax):
        assert box.x0 >= fig_box.x0 - 1 and box.x1 <= fig_box.x1 + 1
        assert box.y0 >= fig_box.y0 - 1 and box.y1 <= fig_box.y1 + 1


# ------------------------------------------------------------------- draw_network
def test_one_hidden_layer_network(ax):
    out = diagrams.draw_network(ax, [1, 4, 1])
    assert out is ax
    assert len(unit_markers(ax)) == 6
    assert len(weight_lines(ax)) == 4 + 4
    captions = texts(ax)
    assert "input $x$" in captions
    assert any("hidden layer" in c and "h_j = g(" in c for c in captions)
    assert any("linear head" in c for c in captions)
    assert not any("vdots" in c for c in captions)


def test_wide_layers_are_truncated_with_an_ellipsis(ax):
    diagrams.draw_network(ax, [2, 16, 16, 16, 1], max_drawn=6)
    # 2 + 3 * (4 first units + last unit) + 1 drawn units
    assert len(unit_markers(ax)) == 2 + 3 * 5 + 1
    assert len(weight_lines(ax)) == 2 * 5 + 5 * 5 + 5 * 5 + 5 * 1
    assert sum(r"$\vdots$" == t for t in texts(ax)) == 3
    assert sum("(16 units)" in t for t in texts(ax)) == 3
    assert any(r"\mathbf{h}^{(3)}" in t for t in texts(ax))


def test_truncated_input_layer_is_labelled_symbolically(ax):
    diagrams.draw_network(ax, [784, 64, 10], max_drawn=5)
    labels = texts(ax)
    assert {"$x_{1}$", "$x_{2}$", "$x_{3}$", "$x_d$"} <= set(labels)
    assert "$x_{4}$" not in labels
    assert any("(784 units)" in t for t in labels)


def test_custom_labels_and_sigmoid_head(ax):
    diagrams.draw_network(
        ax, [2, 3, 1], labels=["in", "mid", "out"], output="sigmoid", activation=None
    )
    assert [t for t in texts(ax) if t in ("in", "mid", "out")] == ["in", "mid", "out"]
    # no glyph in hidden units, only the head's S-curve in the output unit
    glyphs = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert len(glyphs) == 1
    y = np.asarray(glyphs[0].get_ydata())
    assert np.all(np.diff(y) > 0) and y[20] == pytest.approx(0, abs=1e-9)


def test_default_sigmoid_caption(ax):
    diagrams.draw_network(ax, [1, 2, 1], output="sigmoid")
    assert any("sigmoid head" in t for t in texts(ax))


@pytest.mark.parametrize(
    "sizes", [[1, 8, 1], [2, 16, 16, 16, 1], [784, 64, 10], [3, 2, 2, 2, 2, 2, 2, 1]]
)
def test_network_text_is_legible_inside_and_not_overlapping(ax, sizes):
    diagrams.draw_network(ax, sizes)
    assert min(t.get_fontsize() for t in ax.texts) >= 10
    assert_inside_figure(ax)
    captions = [t for t in ax.texts if "\n" in t.get_text() or "input" in t.get_text()]
    renderer = ax.figure.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in captions]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    # captions sit below the lowest unit circle
    lowest = min(
        ax.transData.transform((line.get_xdata()[0], line.get_ydata()[0]))[1]
        - line.get_markersize() / 2 * ax.figure.dpi / 72
        for line in unit_markers(ax)
    )
    assert max(box.y1 for box in boxes) < lowest


def test_network_layout_without_layout_engine():
    fig, ax = plt.subplots(figsize=(7, 3.5))
    try:
        diagrams.draw_network(ax, [2, 16, 16, 16, 1])
        assert_inside_figure(ax)
    finally:
        plt.close(fig)


def test_network_uses_okabe_ito_colours(ax):
    diagrams.draw_network(ax, [2, 5, 1])
    edges = {to_hex(line.get_markeredgecolor()) for line in unit_markers(ax)}
    assert edges <= OKABE_ITO and len(edges) == 3


@pytest.mark.parametrize(
    ("sizes", "error", "match"),
    [
        ([3], ValueError, "at least 2 layers"),
        ([], ValueError, "at least 2 layers"),
        ("121", TypeError, "sequence of positive integers"),
        (5, TypeError, "sequence of positive integers"),
        ([1, 2.5, 1], TypeError, r"layer_sizes\[1\]"),
        ([1, True, 1], TypeError, r"layer_sizes\[1\]"),
        ([1, 0, 1], ValueError, r"layer_sizes\[1\] must be a positive integer"),
        ([1, 4, -2], ValueError, r"layer_sizes\[2\] must be a positive integer"),
    ],
)
def test_network_rejects_bad_layer_sizes(ax, sizes, error, match):
    with pytest.raises(error, match=match):
        diagrams.draw_network(ax, sizes)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"output": "softmax"}, ValueError, "linear"),
        ({"activation": "swish"}, ValueError, "relu"),
        ({"max_drawn": 2}, ValueError, ">= 3"),
        ({"max_drawn": 4.0}, TypeError, "integer"),
        ({"labels": ["a", "b"]}, ValueError, "one caption per layer"),
        ({"labels": "abc"}, TypeError, "sequence of strings"),
        ({"labels": ["a", 2, "c"]}, TypeError, "string"),
        ({"fontsize": 8}, ValueError, ">= 10"),
        ({"fontsize": "big"}, TypeError, "number"),
    ],
)
def test_network_rejects_bad_options(ax, kwargs, error, match):
    with pytest.raises(error, match=match):
        diagrams.draw_network(ax, [1, 4, 1], **kwargs)


def test_network_rejects_non_axes():
    with pytest.raises(TypeError, match="Axes"):
        diagrams.draw_network(plt.figure(), [1, 4, 1])
    plt.close("all")


# -------------------------------------------------------------------- draw_neuron
def test_neuron_has_inputs_weights_bias_sum_activation_output(ax):
    out = diagrams.draw_neuron(ax, 3)
    assert out is ax
    labels = set(texts(ax))
    assert {"$x_{1}$", "$x_{2}$", "$x_{d}$"} <= labels
    assert {"$v_{1}$", "$v_{2}$", "$v_{d}$"} <= labels
    assert r"$\vdots$" in labels
    assert r"$b_j$ (bias)" in labels
    assert r"$\mathbf{v}_j^{T}\mathbf{x} + b_j$" in labels
    assert r"$g(\cdot)$" in labels
    assert any(t.startswith(r"$\phi_j = g(") for t in labels)
    # arrows: 3 inputs + bias + sum->g + g->output
    assert (
        sum(t.arrow_patch is not None for t in ax.texts if hasattr(t, "arrow_patch"))
        == 6
    )
    assert len(ax.child_axes) == 1  # the activation sketch
    assert ax.child_axes[0].get_title() == "$g$ = ReLU"


def test_neuron_without_ellipsis_or_sketch(ax):
    diagrams.draw_neuron(ax, 2, ellipsis=False, activation=None)
    labels = texts(ax)
    assert "$x_{1}$" in labels and "$x_{2}$" in labels
    assert r"$\vdots$" not in labels and "$x_{d}$" not in labels
    assert ax.child_axes == []


@pytest.mark.parametrize("n_inputs", [1, 3, 8])
def test_neuron_text_is_legible_inside_and_not_overlapping(ax, n_inputs):
    diagrams.draw_neuron(ax, n_inputs)
    assert min(t.get_fontsize() for t in ax.texts) >= 10
    for inset in ax.child_axes:
        assert inset.title.get_fontsize() >= 10
    assert_inside_figure(ax)
    boxes = extents(ax)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0,), {}, ValueError, "1 to 8"),
        ((9,), {}, ValueError, "1 to 8"),
        ((2.0,), {}, TypeError, "integer"),
        ((3,), {"activation": "swish"}, ValueError, "relu"),
        ((3,), {"ellipsis": "yes"}, TypeError, "True or False"),
        ((3,), {"fontsize": 6}, ValueError, ">= 10"),
    ],
)
def test_neuron_rejects_bad_input(ax, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        diagrams.draw_neuron(ax, *args, **kwargs)
    with pytest.raises(TypeError, match="Axes"):
        diagrams.draw_neuron(None)
