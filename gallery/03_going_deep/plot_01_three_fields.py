r"""
Three fields to infer
=====================

Three fields :math:`\theta(x_1, x_2)` on the unit square, from easy to hard, and
the noisy samples a network gets to see of each. The task is to recover the
whole surface from the samples: regression from :math:`\mathbb{R}^2` to
:math:`\mathbb{R}`.
"""

# %%
# The fields and their samples
# ----------------------------
# The *blob* is one Gaussian bump, :math:`e^{-\lVert \mathbf{x} -
# \mathbf{c}\rVert^2 / 2s^2}`. The *moons* are two curved ridges. The *spiral*
# is :math:`\sin(\angle\mathbf{u} - k\lVert\mathbf{u}\rVert)`, with
# :math:`\mathbf{u}` measured from the centre of the square: waves that wind
# around the centre. Inputs are drawn uniformly on the square (a uniform prior
# over where we look) and each value carries Gaussian noise of standard
# deviation 0.1. Top: the fields. Bottom: the 1500 training samples on the same
# colour scale; the white gaps are what the network has to fill in.
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
names = ("blob", "moons", "spiral")
scales = {"blob": (0.0, 1.0), "moons": (0.0, 1.0), "spiral": (-1.0, 1.0)}
data = {name: lb.targets.sample_field(name, 1500, 0.1, seed=0) for name in names}

fig, axes = plt.subplots(2, 3, figsize=(7.2, 6.1), sharex=True, sharey=True)
lb.plotting.set_alt_text(
    fig,
    (
        "Grid of six panels over the unit square. Top row: colour maps of the blob, "
        "moons and spiral fields. Bottom row: 1500 noisy samples of each field, "
        "scattered and coloured by their value."
    ),
)
for col, name in enumerate(names):
    lo, hi = scales[name]
    x, y = data[name]
    lb.plotting.plot_field(axes[0, col], lb.targets.FIELDS[name], vmin=lo, vmax=hi)
    lb.plotting.plot_field(
        axes[1, col], None, vmin=lo, vmax=hi, points=x, point_values=y, point_size=4
    )
    axes[0, col].set_title(name)
    axes[1, col].set_title(f"{name}: {len(y)} samples")
lb.plotting.finish_field_grid(axes, [r"$\theta(x_1, x_2)$"] * len(names))

# %%
# A slice through the middle
# --------------------------
# Along the line :math:`x_2 = 0.5` the difference in difficulty is plain: the
# blob rises and falls once, the line cuts the moons' narrow ridges, and the
# spiral swings between :math:`-1` and :math:`1` again and again. The dots are
# the training samples within 0.02 of the line.
x1 = torch.linspace(0, 1, 501)
line = torch.stack([x1, torch.full_like(x1, 0.5)], dim=1)
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.9), sharex=True)
lb.plotting.set_alt_text(
    fig,
    (
        "Three panels: a slice of each field, blob, moons and spiral, along x1 at x2 "
        "equal to one half, drawn as a line with the noisy samples near the slice as "
        "dots around it."
    ),
)
for ax, name in zip(axes, names, strict=True):
    x, y = data[name]
    near = (x[:, 1] - 0.5).abs() < 0.02
    ax.plot(
        x1, lb.targets.FIELDS[name](line), color=lb.plotting.PALETTE[0], label="field"
    )
    ax.plot(
        x[near, 0],
        y[near, 0],
        "o",
        ms=3.5,
        color=lb.plotting.PALETTE[1],
        label="samples",
    )
    ax.set(title=name, xlabel="$x_1$ (at $x_2 = 0.5$)", xticks=np.linspace(0, 1, 3))
axes[0].set_ylabel(r"$\theta$")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=2)

# sphinx_gallery_thumbnail_number = 1
