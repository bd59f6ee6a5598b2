r"""
Plain SGD beside Adam
=====================

The regression network of chapter 2 trained 40 times, from 40 initial weights
with 40 batch orders, by plain mini-batch SGD at three learning rates and by
Adam. Adam gives every parameter a step scaled to its own gradient size, and
gets much further in the same 300 epochs, whichever the seed.
"""

# %%
# Training loss per epoch, over seeds
# -----------------------------------
# Every run uses batches of 40 samples (5 steps per epoch) for 300 epochs. One
# run is one draw: near the largest stable learning rate the path depends on
# the seed, and even on the rounding of the CPU's vector kernels. So each
# setting trains ``n_seeds`` networks at once (``width_sweep`` puts them on a
# leading model axis), and the figure shows the median loss and the band that
# holds the middle half of the runs (from the first to the third quartile).
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
n_seeds = 40
blue, orange, vermillion, sky = (lb.plotting.PALETTE[i] for i in (0, 1, 3, 5))
settings = {  # label: (optimizer, learning rate, colour)
    r"plain SGD, $\eta = 0.03$": ("sgd", 0.03, sky),
    r"plain SGD, $\eta = 0.1$": ("sgd", 0.1, blue),
    r"plain SGD, $\eta = 0.3$": ("sgd", 0.3, orange),
    r"Adam, $\eta = 0.01$": ("adam", 0.01, vermillion),
}
runs = {}
fig, ax = plt.subplots(figsize=(7, 4.6))
for label, (optimizer, lr, color) in settings.items():
    runs[label] = sweep = lb.regression.width_sweep(
        [32], n=200, n_val=200, epochs=300, batch_size=40,
        optimizer=optimizer, lr=lr, n_seeds=n_seeds,
    )  # fmt: skip
    curves = sweep.losses[0, 0]  # (n_seeds, epochs)
    epochs = np.arange(1, curves.shape[1] + 1)
    low, median, high = np.quantile(curves, [0.25, 0.5, 0.75], axis=0)
    ax.fill_between(epochs, low, high, color=color, alpha=0.18, lw=0)
    ax.plot(epochs, median, color=color, label=label)
ax.set(xscale="log", yscale="log", ylim=(0.1, 5), xlabel="epoch")
ax.set_ylabel("training Gaussian NLL")
ticks = [0.1, 0.2, 0.5, 1, 2, 5]
ax.set_yticks(ticks, labels=[f"{t:g}" for t in ticks], minor=False)
ax.set_yticks([], minor=True)
# below the axes: inside, any corner covers some runs' curves (SGD's spikes)
ax.legend(
    loc="upper center",
    bbox_to_anchor=(0.5, -0.2),
    ncols=2,
    title=f"median and middle half of {n_seeds} seeds",
)
lb.plotting.set_alt_text(
    fig,
    "Median training loss per epoch over 40 seeds, with a band holding the middle "
    "half of the runs, for plain SGD at three learning rates and for Adam; "
    "Adam's curve falls fastest and ends lowest with a narrow band, SGD at the "
    "largest learning rate ends highest with the widest band",
)
for label, sweep in runs.items():
    final = sweep.train_loss[0, 0]
    print(
        f"{label}: final loss median {np.median(final):.3f} "
        f"(quartiles {np.quantile(final, 0.25):.3f}-{np.quantile(final, 0.75):.3f}), "
        f"sigma median {np.median(sweep.sigma[0, 0]):.3f}"
    )

# %%
# Two of the fits
# ---------------
# The first seed of SGD at :math:`\eta = 0.1` and of Adam, after the same 300
# epochs. The Adam-trained mean follows the curve and its band has narrowed to
# the noise; the SGD-trained mean still misses the bumps, and its learned
# :math:`\sigma` stays wide to explain the misses as noise.
grid = torch.linspace(-3, 3, 301)[:, None]
shown = [r"plain SGD, $\eta = 0.1$", r"Adam, $\eta = 0.01$"]
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.2), sharey=True)
for ax, label in zip(axes, shown, strict=True):
    fit = runs[label].fits[0]  # seed 0, data set 0
    ax.plot(fit.x[:, 0], fit.y[:, 0], ".", color="0.6", ms=3)
    mu, sigma = fit.predict(grid)
    lb.plotting.plot_band(ax, grid[:, 0], mu, sigma)
    ax.set(title=label, xlabel="$x$", ylim=(-3.2, 3.2))
lb.plotting.set_alt_text(
    fig,
    "Mean and noise band after 300 epochs: left trained by plain SGD, still smooth "
    "and wide; right trained by Adam, following the data with a narrow band",
)
