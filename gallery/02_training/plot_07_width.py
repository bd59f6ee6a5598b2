r"""
Width controls expressiveness
=============================

The regression demo again, with 1 to 64 hidden neurons and only 30 training
points, averaged over data sets and initialisations. Too few neurons cannot
follow the curve; many neurons follow the noise too. The learned
:math:`\sigma` tells the story: too wide a band, then too narrow.
"""

# %%
# One network per width
# ---------------------
# Every width is trained on 5 data sets of 30 samples (noise
# :math:`\sigma = 0.3`) from 4 random initialisations each: 20 networks per
# width, trained together by :func:`learnable_bases.sweep.train_stacked` with
# full-batch Adam on the Gaussian negative log-likelihood for 1000 epochs. Step
# through the widths :math:`H` for the fits to the first data set.
import matplotlib.pyplot as plt
import torch

import learnable_bases as lb

lb.plotting.use_style()
widths = [1, 2, 4, 8, 16, 32, 64]
shown = [1, 2, 4, 16, 64]
sweep = lb.regression.width_sweep(
    widths,
    n=30, noise_sigma=0.3,  # few noisy points: the trade-off shows
    optimizer="adam", lr=3e-2, batch_size=None, epochs=1000,  # full batches
    n_data=5, n_seeds=4,  # five data sets, four initialisations each
)  # fmt: skip
grid = torch.linspace(-3, 3, 301)[:, None]
truth = lb.targets.target_1d(grid)[:, 0]


def draw(fig, i):
    ax = fig.subplots()
    fit = sweep.fits[widths.index(shown[i])]
    ax.plot(fit.x[:, 0], fit.y[:, 0], "o", color="0.35", ms=5, label="30 data")
    ax.plot(grid[:, 0], truth, ":", color="black", lw=1.5, label=r"true $\mu$")
    mu, sigma = fit.predict(grid)
    lb.plotting.plot_band(ax, grid[:, 0], mu, sigma)
    neurons = "neuron" if fit.width == 1 else "neurons"
    ax.set_title(rf"$H = {fit.width}$ {neurons}: learned $\sigma = {sigma:.2f}$")
    ax.set_ylim(-3.2, 3.2)
    ax.legend(loc="upper left", ncols=3)


by_width = lb.stepper.stepper_from_function(
    draw,
    [f"H = {w}" for w in shown],
    alt="Fits of the same 30 noisy points by networks of 1 to 64 hidden neurons",
    figsize=(7.5, 4),
    same_layout=True,
)
by_width

# %%
# Training and validation loss against width
# ------------------------------------------
# Each network's validation loss is measured on 1000 fresh samples of its data
# set. Lines are means over the 20 networks of a width, shaded bands hold the
# middle 80 % of them (10th to 90th percentile). Training loss falls as the
# network grows, then levels off. Validation loss is lowest for two neurons,
# climbs steeply to a peak at 16, and eases off for the widest networks while
# staying far above its minimum; its spread grows with width, because how badly
# a network overfits depends on which 30 points it saw.
fig, (ax, ax_sigma) = plt.subplots(1, 2, figsize=(9, 3.8))
colors = {"train_loss": lb.plotting.PALETTE[0], "val_loss": lb.plotting.PALETTE[1]}
for name, style, label in [
    ("train_loss", "o-", "training"),
    ("val_loss", "s--", "validation"),
]:
    low, high = sweep.quantile(name, 0.1), sweep.quantile(name, 0.9)
    ax.fill_between(widths, low, high, color=colors[name], alpha=0.2, lw=0)
    ax.plot(widths, sweep.mean(name), style, color=colors[name], label=label)
ax.set(xscale="log", xlabel="hidden neurons $H$", ylabel="Gaussian NLL")
ax.legend(loc="upper left")
sigma_color = lb.plotting.PALETTE[2]
ax_sigma.fill_between(
    widths,
    sweep.quantile("sigma", 0.1),
    sweep.quantile("sigma", 0.9),
    color=sigma_color,
    alpha=0.2,
    lw=0,
)
ax_sigma.plot(widths, sweep.mean("sigma"), "o-", color=sigma_color, label="learned")
ax_sigma.axhline(
    sweep.fits[0].noise_sigma, color="black", ls=":", lw=1.5, label=r"true $\sigma$"
)
ax_sigma.set(xscale="log", xlabel="hidden neurons $H$", ylabel=r"$\sigma$")
ax_sigma.legend()
for a in (ax, ax_sigma):
    a.set_xticks(widths, [str(w) for w in widths])
lb.plotting.set_alt_text(
    fig,
    "Left, mean training and validation loss of 20 networks against the number "
    "of hidden neurons, with bands for their spread: training loss falls, "
    "validation loss is lowest at two neurons, peaks at 16 and stays high. Right, "
    "the learned sigma falls from above the true noise to below it.",
)
