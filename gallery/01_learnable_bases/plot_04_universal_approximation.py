r"""
Universal approximation by summing kinks
========================================

Each ReLU neuron :math:`w_j \max(0, v_j x + b_j)` adds one kink to the network's
output. With :math:`H` kinks a hidden layer draws a broken line with :math:`H`
pieces, and more pieces follow a smooth target ever more closely.
"""

# %%
# Adding kinks
# ------------
# The target is :math:`\sin 2x + 0.3x` on :math:`[-3, 3]`. For each width
# :math:`H` the kinks sit at evenly spaced points and the output weights
# :math:`w_j, w_0` are the least-squares fit, so every frame shows the best
# network with those hidden units. Top: the scaled neurons
# :math:`w_j\, g(v_j x + b_j)` (grey). Bottom: their sum plus :math:`w_0`
# (black) against the target (dashed).
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
widths = (1, 2, 4, 8, 16, 32, 64)
fits = [lb.basis.kink_approximation(lb.targets.target_1d, h) for h in widths]
# one scale for all frames: the largest neuron, and the target with room on top
# for the legend
neurons = torch.cat([fit.neurons.flatten() for fit in fits])
neuron_lim = (1.1 * float(neurons.min()), 1.1 * float(neurons.max()))
lo, hi = float(fits[0].target.min()), float(fits[0].target.max())
target_lim = (lo - 0.15 * (hi - lo), hi + 0.5 * (hi - lo))


def draw(fig, i):
    ax_n, ax_f = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1.2))
    lb.plotting.plot_kink_approximation(ax_n, fits[i], show_fit=False)
    lb.plotting.plot_kink_approximation(
        ax_f, fits[i], show_neurons=False, show_kinks=True
    )
    ax_n.set(xlabel="", ylabel=r"$w_j\,g(v_j x + b_j)$", ylim=neuron_lim)
    ax_n.set_title(f"$H = {widths[i]}$ ReLU neurons: max error {fits[i].max_error:.3f}")
    ax_f.set(ylim=target_lim)
    ax_f.legend(loc="upper right", ncols=3)


kinks = lb.stepper.stepper_from_function(
    draw,
    [f"H = {h}" for h in widths],
    alt="Best fit of a smooth curve by a sum of H ReLU kinks, for H from 1 to 64",
    figsize=(7.0, 5.6),
    same_layout=True,
)
kinks

# %%
# How fast the error falls
# ------------------------
# A broken line with :math:`H` equal pieces misses a smooth curve by an amount
# proportional to its curvature times the squared piece length, so the maximum
# error should fall like :math:`H^{-2}`. Fitting the slope on log-log axes over
# :math:`H \ge 8` confirms it; below that, the pieces are too coarse to follow
# the wiggles and the error drops more slowly.
Hs = list(widths)
errors = np.array([fit.max_error for fit in fits])
tail = slice(Hs.index(8), None)
rate = lb.basis.fit_rate(Hs[tail], errors[tail])
log_c = np.mean(np.log(errors[tail]) - rate * np.log(Hs[tail]))
H_line = np.array([8, 64])

fig, ax = plt.subplots(figsize=(6.0, 4.0))
lb.plotting.set_alt_text(
    fig,
    (
        "Log-log plot of the largest error of the best fit by a sum of ReLU kinks "
        "against the number of neurons, from 1 to 64; beyond eight neurons the error "
        "falls on a straight dashed line, roughly as one over the number of neurons "
        "squared."
    ),
)
ax.loglog(Hs, errors, "o-", color=lb.plotting.PALETTE[0], label="max error of best fit")
ax.loglog(
    H_line,
    np.exp(log_c) * H_line**rate,
    "--",
    color=lb.plotting.PALETTE[3],
    label=f"fit over $H \\geq 8$: $\\propto H^{{{rate:.2f}}}$",
)
ax.set(xlabel="number of neurons $H$", ylabel=r"$\max_x |f(x) - \mathrm{target}(x)|$")
ax.set_xticks(Hs, [str(h) for h in Hs])
ax.minorticks_off()
ax.legend(loc="lower left")
print(f"max error at H=4: {errors[2]:.3f}, at H=64: {errors[6]:.4f}")
print(f"fitted rate over H = 8..64: {rate:.2f}")

# sphinx_gallery_thumbnail_number = 1
