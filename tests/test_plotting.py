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


# ---------------------------------- chapter 2's helpers: bands, curves, paths
@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


# chapter 4's helpers: Gaussian contours and coverage
def test_posterior_plot_helpers_draw_and_reject_bad_input():
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2)
    try:
        lb.plotting.plot_gaussian_contours(ax1, [0, 0], [[1, 0.5], [0.5, 1]], label="q")
        assert len(ax1.lines) == 2  # 68 % and 95 % ellipses
        x, y = ax1.lines[0].get_data()
        # every point of the 68 % ellipse sits at the chi-square radius
        inv = np.linalg.inv([[1, 0.5], [0.5, 1]])
        m2 = np.einsum("ni,ij,nj->n", np.c_[x, y], inv, np.c_[x, y])
        np.testing.assert_allclose(m2, -2 * np.log(1 - 0.68), rtol=1e-6)
        lb.plotting.plot_coverage(ax2, [0.5, 0.9], [0.4, 0.95], n=100, label="q")
        assert ax2.get_xlim() == (0.0, 1.0)
        with pytest.raises(ValueError, match="mean must have shape"):
            lb.plotting.plot_gaussian_contours(ax1, [0, 0, 0], np.eye(2))
        with pytest.raises(ValueError, match="levels"):
            lb.plotting.plot_gaussian_contours(ax1, [0, 0], np.eye(2), levels=(1.2,))
        with pytest.raises(ValueError, match="same length"):
            lb.plotting.plot_coverage(ax2, [0.5], [0.5, 0.6])
    finally:
        plt.close(fig)


# chapter 3's helper: a field on the unit square
def test_plot_field_draws_arrays_functions_and_samples(ax):
    values = np.arange(9.0).reshape(3, 3)
    lb.plotting.plot_field(ax, values)
    image = ax.images[-1]
    np.testing.assert_array_equal(image.get_array(), values)
    assert image.get_clim() == (0.0, 8.0) and image.origin == "lower"
    x, y = lb.targets.sample_field("blob", 10, 0.1, seed=0)
    lb.plotting.plot_field(
        ax, lb.targets.blob, grid=5, vmin=0, vmax=1, points=x, point_values=y
    )
    assert ax.images[-1].get_array().shape == (5, 5)
    scatter = ax.collections[-1]
    assert scatter.get_offsets().shape == (10, 2)
    assert scatter.get_clim() == (0.0, 1.0)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_plot_field_accepts_a_model_and_samples_alone(ax):
    model = lb.models.MLP(2, 4, seed=0)
    lb.plotting.plot_field(ax, model, grid=6)
    assert ax.images[-1].get_array().shape == (6, 6)
    ax.clear()
    x, y = lb.targets.sample_field("spiral", 7, 0.1, seed=0)
    lb.plotting.plot_field(ax, None, vmin=-1, vmax=1, points=x, point_values=y)
    assert not ax.images and ax.collections[-1].get_offsets().shape == (7, 2)


def test_plot_field_rejects_bad_input(ax):
    x, y = lb.targets.sample_field("blob", 4, 0.1, seed=0)
    with pytest.raises(TypeError, match="Axes"):
        lb.plotting.plot_field(None, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="square"):
        lb.plotting.plot_field(ax, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="both"):
        lb.plotting.plot_field(ax, np.zeros((2, 2)), points=x)
    with pytest.raises(ValueError, match="vmin"):
        lb.plotting.plot_field(ax, None, points=x, point_values=y)
    with pytest.raises(ValueError, match="shape"):
        lb.plotting.plot_field(ax, np.zeros((2, 2)), points=x, point_values=y[:2])


# chapter 1's helper: a kink approximation, neuron by neuron
def test_plot_kink_approximation_draws_neurons_sum_target_and_kinks(ax):
    fit = lb.basis.kink_approximation(lb.targets.target_1d, 8)
    lb.plotting.plot_kink_approximation(ax, fit, show_kinks=True)
    lines = ax.get_lines()
    assert len(lines) == 8 + 3  # 8 neurons, the sum, the target, the kink ticks
    labels = [
        line.get_label() for line in lines if not line.get_label().startswith("_")
    ]
    assert labels == [
        r"neurons $w_j\,g(v_j x + b_j)$",
        r"sum $+\ w_0$",
        "target",
        "kinks",
    ]
    total = next(line for line in lines if line.get_label() == r"sum $+\ w_0$")
    assert torch.allclose(torch.as_tensor(total.get_ydata()), fit.total)


def test_plot_kink_approximation_can_split_neurons_from_fit(ax):
    fit = lb.basis.kink_approximation(lb.targets.target_1d, 4)
    lb.plotting.plot_kink_approximation(ax, fit, show_fit=False)
    assert len(ax.get_lines()) == 4
    ax.clear()
    lb.plotting.plot_kink_approximation(ax, fit, show_neurons=False)
    assert len(ax.get_lines()) == 2


def test_plot_kink_approximation_rejects_bad_input(ax):
    with pytest.raises(TypeError, match="KinkApproximation"):
        lb.plotting.plot_kink_approximation(ax, torch.zeros(3))
    fit = lb.basis.kink_approximation(lb.targets.target_1d, 2)
    with pytest.raises(TypeError, match="Axes"):
        lb.plotting.plot_kink_approximation(None, fit)


def test_plot_band_draws_mean_and_bands(ax):
    x = np.linspace(0, 1, 11)
    lb.plotting.plot_band(ax, x, 2 * x, 0.5)
    (mean,) = ax.get_lines()
    np.testing.assert_allclose(mean.get_ydata(), 2 * x)
    assert len(ax.collections) == 2  # +-sigma and +-2 sigma
    outer = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert outer.max() == pytest.approx(2 + 2 * 0.5) and outer.min() == pytest.approx(
        -1
    )
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert labels == [r"$\pm\sigma$", r"$\pm2\sigma$", "mean μ(x)"]
    with pytest.raises(ValueError, match="same length"):
        lb.plotting.plot_band(ax, x, x[:5], 0.5)
    with pytest.raises(ValueError, match="sigma"):
        lb.plotting.plot_band(ax, x, x, -1.0)
    with pytest.raises(TypeError, match="Axes"):
        lb.plotting.plot_band(None, x, x, 1.0)


def test_plot_loss_curve_keeps_limits_of_the_whole_run(ax):
    x, y = lb.targets.sine_data(100, 0.3, seed=0)
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    xv, yv = lb.targets.sine_data(50, 0.3, seed=1)
    hist = lb.training.train(
        model, lb.losses.mse_objective, x, y, epochs=20, lr=0.05, x_val=xv, y_val=yv
    )
    lb.plotting.plot_loss_curve(ax, hist)
    full = (ax.get_xlim(), ax.get_ylim())
    train_line, val_line = ax.get_lines()
    np.testing.assert_allclose(train_line.get_ydata(), hist.losses)
    np.testing.assert_allclose(val_line.get_ydata(), hist.val_losses)
    ax.clear()
    lb.plotting.plot_loss_curve(ax, hist, upto=5)
    assert (ax.get_xlim(), ax.get_ylim()) == full
    lines = ax.get_lines()
    assert len(lines[0].get_xdata()) == 5 and len(lines) == 4  # + two dots
    with pytest.raises(TypeError, match="History"):
        lb.plotting.plot_loss_curve(ax, [1.0, 0.5])


def test_plot_loss_contours_and_path(ax):
    grid = np.linspace(-1, 1, 21)
    loss = lb.quadratic.quadratic_loss_2d(
        [1.0, 10.0], np.stack(np.meshgrid(grid, grid), -1)
    )
    lb.plotting.plot_loss_contours(ax, grid, grid, loss, n_levels=7)
    assert len(ax.collections) >= 1
    path = lb.quadratic.gd_path_2d([1.0, 10.0], 0.1, [-1.0, 0.5], 5)
    lb.plotting.plot_path(ax, path, label="GD")
    line_, start = ax.get_lines()
    np.testing.assert_allclose(line_.get_xydata(), path)
    np.testing.assert_allclose(start.get_xydata()[0], path[0])
    with pytest.raises(ValueError, match="loss"):
        lb.plotting.plot_loss_contours(ax, grid, grid, loss[:, :3])
    with pytest.raises(ValueError, match="path"):
        lb.plotting.plot_path(ax, path[:, :1])
