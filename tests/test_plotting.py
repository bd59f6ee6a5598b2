"""Plotting helpers shared by the gallery scripts."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases import plotting


def test_finish_field_grid_adds_one_colourbar_per_column_and_outer_labels():
    fig, axes = plt.subplots(2, 3)
    for ax in axes.flat:
        plotting.plot_field(ax, np.random.default_rng(0).random((10, 10)))
    n_axes = len(fig.axes)
    plotting.finish_field_grid(axes, ["a", "b", "c"])
    assert len(fig.axes) == n_axes + 3  # three colour bars
    assert [ax.get_xlabel() for ax in axes[0]] == ["", "", ""]
    assert axes[1, 0].get_xlabel() != "" and axes[0, 0].get_ylabel() != ""
    assert all(ax.get_ylabel() == "" for ax in axes[:, 1:].flat)
    plt.close(fig)


def test_finish_field_grid_rejects_bad_input():
    fig, axes = plt.subplots(2, 2)
    with pytest.raises(ValueError, match="no image"):
        plotting.finish_field_grid(axes, ["a", "b"])
    with pytest.raises(ValueError, match="one colour-bar label per column"):
        plotting.finish_field_grid(axes, ["a"])
    with pytest.raises(ValueError, match="2D grid"):
        plotting.finish_field_grid(axes[0], ["a", "b"])
    plt.close(fig)


def test_set_alt_text_stores_plain_description():

    fig = plt.figure()
    try:
        assert plotting.set_alt_text(fig, "  Two  curves\n side by side ") is fig
        assert getattr(fig, plotting.ALT_TEXT_ATTR) == "Two curves side by side"
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("fig", "text", "error"),
    [
        ("not a figure", "three plain words", TypeError),
        (None, 3, TypeError),
        (None, "plot sgd", ValueError),
        (None, "a curve of $\\eta$ against steps", ValueError),
        (None, "a curve of \\eta against steps", ValueError),
    ],
)
def test_set_alt_text_rejects_bad_input(fig, text, error):

    real = plt.figure()
    try:
        with pytest.raises(error):
            plotting.set_alt_text(real if fig is None else fig, text)
    finally:
        plt.close(real)


# ------------------------------------------ step markers and activation colours
def test_step_markers_point_to_the_side_where_each_step_is_on():
    fig, ax = plt.subplots()
    v, b = torch.tensor([[2.0], [-1.0]]), torch.tensor([1.0, 0.5])
    lb.plotting.mark_step_directions(ax, v, b)
    markers = [(line.get_marker(), *line.get_xydata()[0]) for line in ax.lines]
    assert markers == [(">", -0.5, 1.0), ("<", 0.5, 1.0)]
    with pytest.raises(ValueError, match="v_j = 0"):
        lb.plotting.mark_step_directions(ax, torch.zeros(1), torch.zeros(1))
    with pytest.raises(ValueError, match="one bias per weight"):
        lb.plotting.mark_step_directions(ax, torch.ones(2), torch.zeros(3))
    plt.close(fig)


def test_activation_colours_are_distinct_and_labels_use_z():
    colours = lb.plotting.ACTIVATION_COLORS
    assert len(set(colours.values())) == len(colours)
    # ReLU (vermillion) and GELU are no longer two oranges
    rgb = {
        k: np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)])
        for k, c in colours.items()
    }
    assert np.abs(rgb["relu"] - rgb["gelu"]).sum() > 150
    for label in lb.activations.LABELS.values():
        formula = label.split("$")[1].replace(r"\max", "")
        assert "z" in formula and "x" not in formula, label
