r"""
The basis being learned
=======================

A trained network is a sum of its own basis functions: :math:`\mu(x) = \sum_j
w_j h_j(x) + w_0`. Here we watch the terms :math:`w_j h_j(x)` of the chapter-2
regression network move, during one training run, from random curves into
place and add up to the fit.
"""

# %%
# One hidden layer, one training run
# ----------------------------------
# The regression network of chapter 2: 32 tanh neurons, trained by Adam on the
# Gaussian negative log-likelihood of 200 noisy samples. Top: each neuron's
# output scaled by its output weight, :math:`w_j h_j(x) = w_j \tanh(v_j x +
# b_j)`. Bottom: their sum plus :math:`w_0`, the network's mean
# :math:`\mu(x)`, against the data. At the start the terms are random, small
# ramps whose sum is nearly flat; within a few dozen epochs they have moved
# their transitions and grown their weights until the sum follows the curve.
# The last frame is the trained network: the weights of the epoch with the
# lowest validation loss, which early stopping restored.
import torch

import learnable_bases as lb

lb.plotting.use_style()
fit = lb.regression.fit_regression(
    width=32, activation="tanh",  # the network: 32 tanh neurons and a learned sigma
    n=200, noise_sigma=0.3,  # the data
    optimizer="adam", lr=1e-2, batch_size=40,  # the optimiser
    epochs=1000, n_val=2000, patience=50,  # stop 50 epochs after the best held-out loss
    snapshots=(0, 1, 3, 10, 30, 100, 300),  # copies of the weights after these epochs
    seed=0,
)  # fmt: skip
moments = [0, 3, 10, 30, 100, fit.history.best_epoch]  # 0 is the initial network
states = [fit.history.snapshots[e] for e in moments[:-1]] + [None]  # None: trained
grid = torch.linspace(-3, 3, 301)[:, None]
terms, totals = zip(
    *(lb.basis.head_terms(fit.model, grid, state) for state in states), strict=True
)
t_max = 1.05 * max(float(t.abs().max()) for t in terms)


def draw(fig, i):
    ax_terms, ax_sum = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1))
    ax_terms.plot(grid[:, 0], terms[i], color=lb.plotting.PALETTE[0], lw=1, alpha=0.7)
    ax_terms.set(ylim=(-t_max, t_max), ylabel=r"$w_j\,h_j(x)$")
    best = " (best, restored)" if i == len(moments) - 1 else ""
    ax_terms.set_title(f"epoch {moments[i]}{best}: the 32 terms (top) and their sum")
    ax_sum.plot(fit.x[:, 0], fit.y[:, 0], ".", color="0.6", ms=4, label="data")
    truth = lb.targets.target_1d(grid)[:, 0]
    ax_sum.plot(grid[:, 0], truth, ":", color="black", lw=1.5, label=r"true $\mu$")
    ax_sum.plot(grid[:, 0], totals[i], color=lb.plotting.PALETTE[3], label=r"$\mu(x)$")
    ax_sum.set(ylim=(-3.2, 3.2), xlabel="$x$", ylabel=r"$\sum_j w_j h_j + w_0$")
    ax_sum.legend(loc="upper left", ncols=3)


learning_1d = lb.stepper.stepper_from_function(
    draw,
    [f"epoch {e}" + (" (initial)" if e == 0 else "") for e in moments],
    alt=(
        "The 32 hidden neurons of a regression network, each scaled by its output "
        "weight, and their sum against noisy data, from the initial random network "
        "to the trained one"
    ),
    figsize=(7, 5),
    same_layout=True,
)
learning_1d

# %%
# Where the transitions moved
# ---------------------------
# Each tanh neuron switches at :math:`x = -b_j/v_j`, and the steepness of the
# switch is :math:`|v_j|`. Initially the switches are gentle and some lie outside
# the data's range :math:`[-3, 3]`; training moves them all inside and makes
# them steeper, so that they can follow the bends of the curve. Marker size
# shows :math:`|w_j|`, the weight the head gives the neuron.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 3.4))
for epoch, color, marker in ((0, "0.55", "o"), (300, lb.plotting.PALETTE[0], "s")):
    state = fit.history.snapshots[epoch]
    v, b = state["mean.layers.0.weight"][:, 0], state["mean.layers.0.bias"]
    w = state["mean.head.weight"][0]
    inside = int(((-b / v).abs() < 3).sum())
    print(
        f"epoch {epoch}: {inside} of 32 transitions inside [-3, 3], "
        f"median steepness {float(v.abs().median()):.2f}"
    )
    ax.scatter(
        (-b / v).clamp(-6, 6),
        v.abs(),
        s=20 + 120 * w.abs() / w.abs().max(),
        color=color,
        marker=marker,
        alpha=0.8,
        label=f"epoch {epoch}",
    )
ax.axvspan(-3, 3, color="0.9", zorder=0, label="data range")
ax.set(
    xlabel=r"transition $-b_j / v_j$ (clipped to $\pm 6$)", ylabel=r"steepness $|v_j|$"
)
ax.legend(loc="upper left")
lb.plotting.set_alt_text(
    fig,
    "Transition point against steepness of each of the 32 hidden neurons, before "
    "and after training; after training the steep neurons sit inside the data range",
)
