r"""
One hidden layer on three fields
================================

A network with one hidden layer of 32 ReLU neurons maps :math:`(x_1, x_2)` to
:math:`\mu`, trained on the squared error between :math:`\mu` and the noisy
samples. It recovers the smooth blob well and the spiral poorly.
"""

# %%
# Inferred surfaces
# -----------------
# Each network is trained on noisy samples of one field with mini-batch Adam
# (batches of 128) as chapter 2 taught: 20 % of the 1500 samples are held out,
# and training stops when the error on them has not improved for 20 epochs (at
# most 500), keeping the best weights. The three networks have one shape and
# train together, by :func:`learnable_bases.deep.fit_fields`. Top:
# the true field. Bottom: the inferred :math:`\mu(x_1, x_2)` on the same colour
# scale. The titles give the test error (the mean squared difference from the
# true field over the whole square) and :math:`R^2`, the fraction of the
# field's variance recovered.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
names = ("blob", "moons", "spiral")
scales = {"blob": (0.0, 1.0), "moons": (0.0, 1.0), "spiral": (-1.0, 1.0)}
# Adam's settings, at most 500 epochs, and the stopping rule: a fifth held out,
# stop 20 epochs after the best held-out error
training = {
    "optimizer": "adam", "lr": 5e-3, "batch_size": 128,
    "epochs": 500, "val_fraction": 0.2, "patience": 20,
}  # fmt: skip
rows = lb.deep.fit_fields(names, depth=1, width=32, seeds=[0], **training)
fits = {name: row[0] for name, row in zip(names, rows, strict=True)}

fig, axes = plt.subplots(2, 3, figsize=(7.2, 6.1), sharex=True, sharey=True)
lb.plotting.set_alt_text(
    fig,
    (
        "Grid of six colour maps over the unit square. Top row: the true blob, moons "
        "and spiral fields. Bottom row: what one hidden layer learned; the blob is "
        "roughly right, the moons are a blurred patch and the spiral is lost, with "
        "straight-edged polygon facets in every fit."
    ),
)
for col, name in enumerate(names):
    fit, (lo, hi) = fits[name], scales[name]
    lb.plotting.plot_field(axes[0, col], fit.truth, vmin=lo, vmax=hi)
    lb.plotting.plot_field(axes[1, col], fit.prediction, vmin=lo, vmax=hi)
    axes[0, col].set_title(f"{name}: true $\\theta$")
    axes[1, col].set_title(f"MSE {fit.test_mse:.4f}, $R^2$ {fit.r2:.2f}")
lb.plotting.finish_field_grid(axes, [r"$\theta$ (top), $\mu$ (bottom)"] * len(names))

# %%
# Training curves
# ---------------
# Solid: the training loss, the squared error against the *noisy* training
# targets; dotted: the same on the held-out samples, with a dot at the epoch
# whose weights each network kept. On fresh data even the true field would
# score the noise variance :math:`\sigma^2 = 0.01` on average (dashed): that is
# the floor of the validation error, which the training error may dip below.
# The blob's error comes down close to that floor. The moons' levels off well
# above it, and the spiral's stays far above it when its validation error
# stops improving. Each ReLU neuron bends the surface along one straight line
# (the facets are visible in the inferred blob), and 32 straight folds are far
# too few to follow the spiral's windings.
fig, ax = plt.subplots(figsize=(7.0, 3.8))
lb.plotting.set_alt_text(
    fig,
    (
        "Training and validation error on a log scale against epoch for the blob, "
        "moons and spiral fits of one hidden layer, each until it stopped: the "
        "blob's falls fastest and lowest, the spiral's stays highest, and all stay "
        "above the dashed noise floor; a dot marks each network's best epoch."
    ),
)
for name, color in zip(names, lb.plotting.PALETTE, strict=False):
    h = fits[name].history
    epochs = np.arange(1, len(h.losses) + 1)
    ax.plot(epochs, h.losses, color=color, label=f"{name}, training")
    ax.plot(epochs, h.val_losses, ":", color=color, label=f"{name}, validation")
    ax.plot(h.best_epoch, h.val_losses[h.best_epoch - 1], "o", color=color)
ax.axhline(0.1**2, ls="--", color="0.3", lw=1.2, label=r"noise $\sigma^2$")
ax.set(xlabel="epoch", ylabel="MSE", yscale="log")
fig.legend(loc="outside right upper")
for name in names:
    print(f"{name:6s}: test MSE {fits[name].test_mse:.4f}, R2 {fits[name].r2:.3f}")

# sphinx_gallery_thumbnail_number = 1
