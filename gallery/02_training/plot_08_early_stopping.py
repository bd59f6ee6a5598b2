r"""
Stopping at the validation optimum
==================================

A network wide enough to fit the noise of its few training points, trained on
part of the data while the rest is held out. The held-out loss falls, then
rises as the network starts to chase the noise; early stopping ends the run
once it has not improved for a while and keeps the weights of its best epoch.
"""

# %%
# One network, three losses
# -------------------------
# The overfitting case of the width section: 16 tanh neurons, full-batch Adam
# at :math:`\eta = 0.03` on the Gaussian negative log-likelihood. Of 40 noisy
# samples, a quarter is held out (``val_fraction``) and the network trains on
# the other 30. The run below goes on for all 1000 epochs so that we can see
# what stopping avoids; a snapshot after every epoch gives the loss on 1000
# fresh samples too, which a practitioner would not have. The early-stopped run
# (``patience``) is the start of this one: it stops ``patience`` epochs after
# its best held-out loss and restores that epoch's weights.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
settings = {
    "width": 16,
    "n": 40,
    "val_fraction": 0.25,
    "epochs": 1000,
    "lr": 0.03,
    "batch_size": None,
}
patience = 50
full = lb.regression.fit_regression(**settings, snapshots=range(1001))
stopped = lb.regression.fit_regression(**settings, patience=patience)
x_fresh, y_fresh = lb.targets.sine_data(1000, full.noise_sigma, seed=99)
epochs, fresh = full.snapshot_losses(x_fresh, y_fresh)
floor = lb.losses.gaussian_nll_floor(full.noise_sigma)
best, end = stopped.history.best_epoch, stopped.history.stopped_epoch

fig, ax = plt.subplots(figsize=(7.5, 4))
run = np.arange(1, full.history.epochs + 1)
blue, orange, green = (lb.plotting.PALETTE[i] for i in (0, 1, 2))
ax.plot(run, full.history.losses, color=blue, label="training (30 points)")
ax.plot(run, full.history.val_losses, "--", color=orange, label="held out (10 points)")
ax.plot(epochs[1:], fresh[1:], ":", color=green, lw=2, label="fresh data (1000 points)")
ax.axhline(floor, color="black", lw=1, label="the true model, on average")
ax.axvline(best, color="0.4", lw=1)
ax.axvspan(
    best, end, color="0.5", alpha=0.15, lw=0, label=f"patience ({patience} epochs)"
)
ax.plot(best, full.history.val_losses[best - 1], "o", color=orange, ms=7)
ax.annotate(
    f"lowest held-out loss: epoch {best}, restored",
    (best, full.history.val_losses[best - 1]),
    xytext=(2 * best, -0.45),
    arrowprops={"arrowstyle": "->", "color": "0.3"},
)
ax.set(xscale="log", xlabel="epoch", ylabel="Gaussian NLL", ylim=(-0.6, 3.5))
ax.set_xlim(1, 1000)
ax.legend(loc="upper left")
lb.plotting.set_alt_text(
    fig,
    "Loss per epoch of one network with 16 neurons: the training loss falls "
    "steadily below the line the true model scores, while the held-out loss and "
    "the loss on fresh data fall to a minimum early on and then climb far above "
    "it. A vertical line marks the epoch of the lowest held-out loss, and a shaded "
    "band the patience after it, where early stopping ends the run.",
)
print(
    f"best epoch {best}, stopped after {end}; fresh-data NLL {fresh[best]:.3f} at "
    f"the best epoch, {fresh[-1]:.3f} after 1000 epochs (floor {floor:.3f})"
)

# %%
# Over data sets and seeds
# ------------------------
# One network is one draw. The 20 networks of the width section's widest-but-one
# case (5 data sets of 40 points, 4 initialisations each) trained on 30 of
# their points for all 1000 epochs, against the same networks stopped early on
# their 10 held-out points. Each dot is one network's loss on 1000 fresh
# samples.
sweeps = {
    "all 1000 epochs": lb.regression.width_sweep(
        [16], n=40, val_fraction=0.25, epochs=1000, lr=3e-2, n_data=5, n_seeds=4
    ),
    "early stopping": lb.regression.width_sweep(
        [16],
        n=40,
        val_fraction=0.25,
        epochs=1000,
        lr=3e-2,
        patience=patience,
        n_data=5,
        n_seeds=4,
    ),
}
fig, ax = plt.subplots(figsize=(6, 3.4))
for i, sweep in enumerate(sweeps.values()):
    values = sweep.val_loss.ravel()
    jitter = np.linspace(-0.15, 0.15, values.size)
    ax.plot(i + jitter, values, "o", color=lb.plotting.PALETTE[2 * i], alpha=0.8)
    ax.plot([i - 0.25, i + 0.25], [np.median(values)] * 2, color="black", lw=2)
ax.axhline(floor, color="black", lw=1, ls=":", label="the true model, on average")
ax.set_xticks([0, 1], list(sweeps))
ax.set(yscale="log", ylabel="NLL on fresh data", xlim=(-0.6, 1.6))
ax.legend(loc="upper right")
lb.plotting.set_alt_text(
    fig,
    "Fresh-data loss of 20 networks with 16 neurons, trained for all 1000 epochs "
    "(left) and stopped early on held-out data (right), on a log axis; the "
    "early-stopped networks score lower and spread much less, with their median "
    "marked by a bar.",
)
for label, sweep in sweeps.items():
    print(f"{label}: median fresh-data NLL {np.median(sweep.val_loss):.3f}")
