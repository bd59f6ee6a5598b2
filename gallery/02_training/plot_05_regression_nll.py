r"""
Regression with a learned noise band
====================================

A one-hidden-layer network predicts the mean :math:`\mu(x)`, and one more
parameter :math:`\log\sigma` the width of the noise around it. All of them,
weights, biases and :math:`\log\sigma`, descend the Gaussian negative
log-likelihood together by mini-batch stochastic gradient steps.
"""

# %%
# Watching the network train
# --------------------------
# Noisy samples of :math:`\sin 2x + 0.3x` (``n`` of them, noise
# ``noise_sigma``), a tanh network (``width`` hidden neurons), mini-batches of
# ``batch_size``: the settings of the call below. The optimiser is Adam, a
# variant of SGD that scales each parameter's step by a running estimate of its
# gradient's size (plain SGD gets much less far in the same number of epochs:
# see :ref:`sphx_glr_auto_gallery_02_training_plot_04_sgd_vs_adam.py`).
# The network is trained to be used, so held-out data decide when it stops: the
# loss on ``n_val`` validation samples is measured after every epoch, and
# training ends ``patience`` epochs after its lowest value (at most ``epochs``),
# with the weights of that best epoch restored; the printed lines say where it
# stopped. The black line is the floor: the loss the true curve with the true
# :math:`\sigma` scores on average on fresh data. Step through
# the epochs: the band starts at :math:`\sigma = 1`, the mean bends to follow
# the data, and the band narrows to the noise that is left.
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
final = lb.regression.fit_regression(
    width=32, activation="tanh",  # the network: 32 tanh neurons and a learned sigma
    n=200, noise_sigma=0.3,  # the data
    optimizer="adam", lr=1e-2, batch_size=40,  # the optimiser
    epochs=1000, n_val=2000, patience=50,  # stop 50 epochs after the best held-out loss
    snapshots=(0, 1, 3, 10, 30, 100, 300),  # copies of the weights after these epochs
    seed=0,
)  # fmt: skip
best = final.history.best_epoch
snapshot_epochs = [1, 3, 10, 30, 100, 300]
# snapshots of the one run, and last the restored best weights
fits = [final.at_epoch(e) for e in snapshot_epochs] + [final]
frame_epochs = [*snapshot_epochs, best]
floor = lb.losses.gaussian_nll_floor(final.noise_sigma)
grid = torch.linspace(-3, 3, 301)[:, None]
truth = lb.targets.target_1d(grid)[:, 0]


def draw(fig, i):
    ax, ax_loss = fig.subplots(1, 2, width_ratios=[1.6, 1])
    fit = fits[i]
    ax.plot(fit.x[:, 0], fit.y[:, 0], ".", color="0.55", ms=4, label="data")
    ax.plot(grid[:, 0], truth, ":", color="black", lw=1.5, label=r"true $\mu$")
    mu, sigma = fit.predict(grid)
    lb.plotting.plot_band(ax, grid[:, 0], mu, sigma)
    title = "best epoch" if i == len(fits) - 1 else "epoch"
    ax.set(
        ylim=(-3.2, 3.2), title=rf"{title} {frame_epochs[i]}: $\sigma = {sigma:.3f}$"
    )
    ax.legend(loc="upper left", ncols=2)
    lb.plotting.plot_loss_curve(
        ax_loss, final.history, upto=frame_epochs[i], val_label="validation (2000)"
    )
    ax_loss.axhline(floor, color="black", lw=1, label="floor")
    if i == len(fits) - 1:  # where early stopping found the best weights
        ax_loss.axvline(best, color="0.5", lw=1, ls=":")
    ax_loss.set(xscale="log", ylabel="Gaussian NLL", title="loss")
    ax_loss.legend(loc="upper right")


training = lb.stepper.stepper_from_function(
    draw,
    [f"epoch {e}" for e in snapshot_epochs] + [f"best epoch {best}"],
    alt=(
        "A network's mean and noise band fitting noisy 1D data, at six epochs and "
        "at the epoch of its lowest validation loss, beside the training and "
        "validation loss per epoch and the floor the true model scores"
    ),
    figsize=(7.5, 3.6),
    same_layout=True,
)
print(
    f"stopped after {final.history.stopped_epoch} epochs; best epoch {best}: "
    f"validation NLL {final.history.val_losses[best - 1]:.3f} (floor {floor:.3f})"
)
training

# %%
# Is the band honest?
# -------------------
# If the learned :math:`\sigma` is right, the residuals :math:`y - \mu(x)` of
# fresh data follow :math:`\mathcal{N}(0, \sigma^2)`: about 68 % fall inside
# :math:`\pm\sigma` and 95 % inside :math:`\pm 2\sigma`. Here are 2000 new samples.
x_new, y_new = lb.targets.sine_data(2000, final.noise_sigma, seed=99)
mu_new, sigma = final.predict(x_new)
resid = y_new[:, 0].numpy() - mu_new
inside = [np.mean(np.abs(resid) < k * sigma) for k in (1, 2)]
fig, ax = plt.subplots(figsize=(7, 3.6))
lb.plotting.set_alt_text(
    fig,
    (
        "Histogram of the residuals of new data around the learned mean, a bell shape "
        "centred on zero, with the Gaussian of the learned noise level drawn over it "
        "and the Gaussian of the true noise level dashed; the two curves almost "
        "coincide."
    ),
)
ax.hist(
    resid,
    bins=40,
    density=True,
    color=lb.plotting.PALETTE[0],
    alpha=0.5,
    label="residuals of new data",
)
r = np.linspace(-4 * sigma, 4 * sigma, 200)
curves = [
    (sigma, "-", "black", "learned"),
    (final.noise_sigma, "--", lb.plotting.PALETTE[3], "true"),
]
for s, ls, color, name in curves:
    density = np.exp(-0.5 * (r / s) ** 2) / (s * np.sqrt(2 * np.pi))
    ax.plot(r, density, ls, color=color, lw=1.8, label=rf"{name} $\sigma = {s:.3f}$")
ax.set(xlabel=r"residual $y - \mu(x)$", ylabel="density")
ax.legend(loc="upper left")
print(
    f"learned sigma {sigma:.3f} (true {final.noise_sigma}); inside 1 and 2 sigma: "
    f"{inside[0]:.1%}, {inside[1]:.1%}"
)
