r"""
Gradient descent and the learning rate
======================================

On the quadratic loss :math:`E(w) = \kappa w^2/2` one gradient step multiplies
:math:`w` by :math:`1 - \eta\kappa`. Four learning rates from the same start
show the four behaviours: a slow creep, one exact step, damped oscillation and
divergence.
"""

# %%
# One step at a time
# ------------------
# The curvature is :math:`\kappa = 2`, so the ideal step is :math:`\eta = 1/\kappa
# = 0.5` and anything above :math:`2/\kappa = 1` diverges. Click **Next** to add one
# gradient step :math:`w \leftarrow w - \eta\,\kappa\,w` in every panel. Each
# panel keeps its own axes, fixed over the whole run and wide enough for its
# path, so the small oscillation and the large divergence are both visible.
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
kappa, w0, n_steps = 2.0, 1.0, 10
etas = np.array([0.25, 1.0, 1.6, 2.2]) / kappa  # eta * kappa = 0.25, 1, 1.6, 2.2
paths = [lb.quadratic.gd_iterates(kappa, eta, w0, n_steps) for eta in etas]
reach = [1.15 * float(np.abs(path).max()) for path in paths]  # each panel's range
colors = [lb.plotting.PALETTE[k] for k in (0, 7, 2, 3)]


def draw(fig, i):
    axes = fig.subplots(2, 2).ravel()
    for ax, eta, path, color, r_max in zip(
        axes, etas, paths, colors, reach, strict=True
    ):
        w_grid = np.linspace(-r_max, r_max, 301)
        e_max = lb.quadratic.quadratic_loss(kappa, r_max)
        ax.plot(w_grid, lb.quadratic.quadratic_loss(kappa, w_grid), color=color, lw=1.2)
        w = path[: i + 1]
        ax.plot(w, lb.quadratic.quadratic_loss(kappa, w), "-o", color=color, ms=5)
        e_last = lb.quadratic.quadratic_loss(kappa, w[-1])
        ax.plot(w[-1], e_last, "o", ms=10, color=color, mec="black")
        r = 1 - eta * kappa
        ax.set_title(
            rf"$\eta\kappa = {eta * kappa:g}$: {lb.quadratic.regime(kappa, eta)}"
        )
        rule = f"$w_{{i+1}} = {r:+g}\\,w_i$\n$w_{{{i}}} = {w[-1]:+.3f}$"
        ax.text(
            0.5,
            0.97,
            rule,
            transform=ax.transAxes,
            ha="center",
            va="top",
            bbox={"fc": "white", "ec": "none", "alpha": 0.85},
        )
        ax.set(xlim=(-r_max, r_max), ylim=(-0.04 * e_max, 1.45 * e_max))
    for ax in axes[2:]:
        ax.set_xlabel("$w$")
    for ax in axes[::2]:
        ax.set_ylabel(r"$E(w) = \kappa w^2/2$")


steps = lb.stepper.stepper_from_function(
    draw,
    ["start"] + [f"step {i}" for i in range(1, n_steps + 1)],
    alt="Gradient descent on a parabola for four learning rates, one step per frame",
    figsize=(7, 5.6),
    same_layout=True,
)
steps

# %%
# Measured iterates against the closed form
# -----------------------------------------
# Every step multiplies the distance to the minimum by :math:`|1 - \eta\kappa|`, so
# on a logarithmic axis the iterates fall (or grow) on straight lines of slope
# :math:`\log|1-\eta\kappa|`. Markers are the iterates, lines the formula
# :math:`|w_i| = |1-\eta\kappa|^i\,|w_0|`. At :math:`\eta = 1/\kappa` the first
# step lands exactly on :math:`w = 0`, which a log axis cannot show.
import matplotlib.pyplot as plt

n_long = 20
i = np.arange(n_long + 1)
fig, ax = plt.subplots(figsize=(7, 4))
lb.plotting.set_alt_text(
    fig,
    (
        "Distance to the minimum on a log scale against the gradient-descent step for "
        "four learning rates on a parabola: the smallest two shrink it steadily, the "
        "step of exactly one over the curvature lands on the minimum at once, and the "
        "largest makes it grow at every step; markers sit on the predicted straight "
        "lines."
    ),
)
for eta, color in zip(etas, colors, strict=True):
    measured = np.abs(lb.quadratic.gd_iterates(kappa, eta, w0, n_long))
    theory = np.abs(lb.quadratic.gd_iterates_closed_form(kappa, eta, w0, n_long))
    shown = measured > 0
    label = rf"$\eta\kappa = {eta * kappa:g}$"
    ax.plot(i[shown], measured[shown], "o", color=color, ms=6, label=label)
    ax.plot(i, np.where(theory > 0, theory, np.nan), "-", color=color, lw=1.5)
ax.plot(1, 2e-4, "v", color=colors[1], ms=9)
ax.text(1.6, 2e-4, r"$\eta\kappa = 1$: $w_1 = 0$ exactly", color=colors[1], va="center")
ax.set(
    yscale="log", ylim=(1e-4, 100), xlabel="step $i$", xticks=range(0, n_long + 1, 4)
)
ax.set_ylabel(r"distance to the minimum $|w_i|$")
ax.legend(
    loc="center left",
    bbox_to_anchor=(1.0, 0.5),
    title="markers: GD\nlines: " + r"$|1-\eta\kappa|^i$",
)

# sphinx_gallery_thumbnail_number = 2
