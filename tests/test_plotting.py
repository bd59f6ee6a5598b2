"""Plotting helpers shared by the gallery scripts."""

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

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
