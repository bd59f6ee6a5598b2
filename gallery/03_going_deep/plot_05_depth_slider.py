r"""
A slider for the number of hidden layers
========================================

The 2D inference demo again, now with one to four hidden layers of 32 ReLU
neurons each, trained the same way. Depth transforms the fit of the spiral and
barely matters for the smooth blob.
"""

# %%
# Stacking hidden layers
# ----------------------
# For each depth :math:`L`, field and seed (0 to 11: the data, the initial
# weights, the held-out split and the batch order), a fresh network is trained
# on 1500 noisy samples with mini-batch Adam, 20 % of them held out: it stops
# when the error on those has not improved for 20 epochs (at most 500) and
# keeps its best weights. :func:`learnable_bases.deep.depth_sweep` trains the
# 24 networks of one depth together. The frames show the networks of seed 0.
# Top row of each frame: the blob, bottom row: the spiral; left: the true
# field, right: the inferred :math:`\mu`. Step through the depths.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
depths = [1, 2, 3, 4]
names = ("blob", "spiral")
scales = {"blob": (0.0, 1.0), "spiral": (-1.0, 1.0)}
seeds = list(range(12))  # one training is chaotic: compare medians over seeds
# Adam's settings, at most 500 epochs, and the stopping rule: a fifth held out,
# stop 20 epochs after the best held-out error
training = {
    "optimizer": "adam", "lr": 5e-3, "batch_size": 128,
    "epochs": 500, "val_fraction": 0.2, "patience": 20,
}  # fmt: skip
sweep = lb.deep.depth_sweep(names, depths, width=32, seeds=seeds, **training)


def draw(fig, i):
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for row, name in enumerate(names):
        fit, (lo, hi) = sweep[name][i], scales[name]
        lb.plotting.plot_field(axes[row, 0], fit.truth, vmin=lo, vmax=hi)
        lb.plotting.plot_field(axes[row, 1], fit.prediction, vmin=lo, vmax=hi)
        axes[row, 0].set_title(f"{name}: true field")
        axes[row, 1].set_title(
            f"$L = {fit.depth}$: MSE {fit.test_mse:.4f}, $R^2$ {fit.r2:.2f}"
        )
        fig.colorbar(axes[row, 1].images[0], ax=axes[row, :], shrink=0.9)
        axes[row, 1].set_ylabel("")
    axes[0, 0].set_xlabel("")
    axes[0, 1].set_xlabel("")


slider = lb.stepper.stepper_from_function(
    draw,
    [f"L = {L} hidden layer{'s' if L > 1 else ''}" for L in depths],
    alt="Blob and spiral inferred by networks with 1 to 4 hidden layers of 32 "
    "neurons, beside the true fields; the spiral is resolved only with depth",
    figsize=(6.4, 5.9),
    same_layout=True,
)
slider

# %%
# Test error against depth
# ------------------------
# The test error is the mean squared difference between the inferred and the
# true field over the square, on a log axis so that relative changes read
# alike: lines are medians over the twelve seeds, dots the single networks. Depth
# lowers the spiral's error with every layer. The blob's falls as much in
# relative terms, but most of it from one layer to two, and from a level that
# is already small. Is it just that deeper networks have more parameters? The
# diamonds are networks with a single hidden layer of as many parameters as the
# four-layer one, trained the same way, each until its validation error stops
# improving (with a limit of 1500 epochs, which none reaches): more neurons
# help, but far less than depth does.
wide_width = lb.deep.equal_parameter_width(2, 32, 4)
wide = lb.deep.fit_fields(
    ["spiral"], depth=1, width=wide_width, seeds=seeds, **(training | {"epochs": 1500})
)[0]
wide_mse = np.array([fit.test_mse for fit in wide])

fig, ax = plt.subplots(figsize=(6.0, 4.0))
lb.plotting.set_alt_text(
    fig,
    (
        "Test error against the number of hidden layers, 1 to 4, for networks 32 units "
        "wide: the blob is fitted well at every depth, while the spiral's error falls "
        "steadily with depth; a single wide layer with as many parameters as the "
        "deepest network, drawn as a diamond, stays well above the deepest network's "
        "error."
    ),
)
for name, color in zip(
    names, (lb.plotting.PALETTE[0], lb.plotting.PALETTE[3]), strict=True
):
    errors = sweep.test_mse(name)  # (depths, seeds)
    for j in range(len(seeds)):
        ax.plot(depths, errors[:, j], ".", color=color, alpha=0.5, ms=7)
    median = np.median(errors, axis=1)
    ax.plot(depths, median, "o-", color=color, label=f"{name}, width 32")
    fold = median[0] / median[-1]
    print(f"{name:6s} median test MSE by depth:", np.round(median, 4).tolist())
    print(f"{name:6s} one layer / four layers: {fold:.1f}-fold")
ax.plot([1] * len(seeds), wide_mse, "D", mfc="none", color=lb.plotting.PALETTE[3])
ax.plot(
    1,
    np.median(wide_mse),
    "D",
    mfc="none",
    mew=2,
    ms=10,
    color=lb.plotting.PALETTE[3],
    label=f"spiral, 1 layer of {wide_width} ({wide[0].n_params} parameters)",
)
ax.set(xlabel="hidden layers $L$", ylabel="test MSE", xticks=depths, yscale="log")
ax.legend(loc="center right")
lb.plotting.set_alt_text(
    fig,
    "Test error on a log scale against the number of hidden layers from 1 to 4, "
    "for twelve seeds and their median. The spiral's error falls with every layer; "
    "the blob's is far smaller and falls steeply from one layer to two, then "
    "slowly. Open "
    "diamonds at one layer mark a wide one-layer network on the spiral, below "
    "the one-layer error but far above the four-layer one.",
)
print(f"spiral, one layer of {wide_width}: median test MSE {np.median(wide_mse):.4f}")

# sphinx_gallery_thumbnail_number = 1
