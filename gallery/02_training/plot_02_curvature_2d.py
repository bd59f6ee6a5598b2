r"""
Curvature differs per direction
===============================

In two dimensions the loss can be steep one way and flat the other. One
learning rate serves both, so the steep direction caps it at
:math:`2/\kappa_\text{max}` and the flat direction then converges slowly.
"""

# %%
# Zig-zag across, crawl along
# ---------------------------
# The loss is :math:`E(\mathbf{w}) = (\kappa_1 w_1^2 + \kappa_2 w_2^2)/2` with
# :math:`\kappa_1 = 1` (flat) and :math:`\kappa_2 = 10` (steep). Each coordinate
# follows its own 1D rule :math:`w_{k,i+1} = (1-\eta\kappa_k)\,w_{k,i}`. Left: just
# below the limit :math:`2/\kappa_2` the path bounces across the valley while it
# creeps along it; at :math:`\eta = 1/\kappa_2` the steep direction is solved in
# one step, and the flat one still crawls. Right: 5 % above the limit the bounce
# grows, although the flat direction alone would have been happy with this step.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
kappas = np.array([1.0, 10.0])
w0 = np.array([-4.0, 1.5])
eta_max = lb.quadratic.max_stable_eta(kappas)  # 2 / kappa_max
grid = np.linspace(-5, 5, 201)
loss = lb.quadratic.quadratic_loss_2d(kappas, np.stack(np.meshgrid(grid, grid), -1))

runs = [
    (0.95 * eta_max, 25, lb.plotting.PALETTE[0], 0),
    (1.0 / kappas.max(), 25, lb.plotting.PALETTE[2], 0),
    (1.05 * eta_max, 12, lb.plotting.PALETTE[3], 1),
]
fig, axes = plt.subplots(1, 2, figsize=(7.5, 4.4), sharey=True)
lb.plotting.set_alt_text(
    fig,
    (
        "Two contour plots of an elongated bowl, steep along w2 and flat along w1, with"
        " gradient descent paths from the same start. Left, below the step-size limit: "
        "a zig-zagging path and a straight one both reach the minimum. Right, just "
        "above the limit: the path zig-zags ever wider and flies off."
    ),
)
for eta, n_steps, color, panel in runs:
    path = lb.quadratic.gd_path_2d(kappas, eta, w0, n_steps)
    r1, r2 = 1 - eta * kappas
    label = rf"$\eta = {eta:.3g}$: $1-\eta\kappa_k = {r1:.2f},\ {r2:.2f}$"
    lb.plotting.plot_path(axes[panel], path, color=color, label=label)
for ax, where in zip(axes, ["below", "above"], strict=True):
    lb.plotting.plot_loss_contours(ax, grid, grid, loss, n_levels=8)
    ax.set(xlim=(-5, 5), ylim=(-5, 5), xlabel=r"$w_1$ (flat, $\kappa_1 = 1$)")
    ax.set_title(rf"{where} the limit $2/\kappa_{{\max}} = {eta_max:.2g}$")
    ax.legend(loc="lower left", framealpha=0.9, frameon=True)
axes[0].set_ylabel(r"$w_2$ (steep, $\kappa_2 = 10$)")

# %%
# The cost of a large condition number
# ------------------------------------
# With the best fixed step :math:`\eta = 2/(\kappa_{\min} + \kappa_{\max})` the error
# shrinks by :math:`(K-1)/(K+1)` per step, where :math:`K = \kappa_{\max}/\kappa_{\min}`
# is the condition number. The number of steps to cut the distance to the minimum
# by :math:`10^6` grows in proportion to :math:`K`; with the cautious
# :math:`\eta = 1/\kappa_{\max}` it is about twice that.
conds = np.unique(np.round(np.geomspace(1, 1000, 16)))
best = lb.quadratic.steps_vs_condition(conds)
cautious = [lb.quadratic.steps_to_converge([1.0, k], 1.0 / k) for k in conds]
fig, ax = plt.subplots(figsize=(7, 4))
lb.plotting.set_alt_text(
    fig,
    (
        "Log-log plot of the steps gradient descent needs to shrink the distance to the"
        " minimum a millionfold against the condition number, from 1 to 1000; with the "
        "best step size the count rises in proportion to the condition number along a "
        "dashed line, and with the step one over the largest curvature it takes about "
        "twice as many."
    ),
)
ax.plot(
    conds,
    cautious,
    "s",
    color=lb.plotting.PALETTE[2],
    label=r"$\eta = 1/\kappa_{\max}$",
)
ax.plot(conds, best, "o", label=r"$\eta = 2/(\kappa_{\min} + \kappa_{\max})$")
ax.plot(conds, conds / 2 * np.log(1e6), "--", color="0.4", label=r"$(K/2)\,\ln 10^6$")
ax.set(xscale="log", yscale="log")
ax.set_xlabel(r"condition number $K = \kappa_{\max}/\kappa_{\min}$")
ax.set_ylabel(r"steps until $\|\mathbf{w}_i\| \leq 10^{-6}\,\|\mathbf{w}_0\|$")
ax.legend()
