r"""
Simulated pairs
===============

A simulator turns parameters :math:`\theta` drawn from the prior into data
:math:`x`. The cloud of pairs :math:`(\theta, x)` is all a posterior estimator
ever sees; the posterior for an observation is a vertical slice through it.
"""

# %%
# A line measured at eight points
# -------------------------------
# The parameter is a line, :math:`\theta = (a, b)`, slope and intercept, drawn
# from a standard normal prior (left). The simulator measures it at eight
# positions :math:`t_j` with Gaussian noise of standard deviation 0.5 (right:
# four simulations, each a line and its eight noisy measurements).
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
line = lb.simulators.LinearGaussian()
theta, x = line.sample(2000, seed=0)
t = np.array(line.positions)

fig, (ax_prior, ax_data) = plt.subplots(1, 2, figsize=(9, 3.8))
ax_prior.scatter(theta[:, 0], theta[:, 1], s=3, color="0.55", alpha=0.5)
ax_prior.set(xlabel="slope $a$", ylabel="intercept $b$", aspect="equal")
ax_prior.set_title(r"2000 draws from the prior $p(\theta)$")
tt = np.linspace(0, 1, 2)
for k in range(4):
    color = lb.plotting.PALETTE[k]
    a, b = theta[k].tolist()
    ax_prior.plot(a, b, "o", color=color, ms=8, mec="white")
    ax_data.plot(tt, a * tt + b, color=color, lw=1.5)
    ax_data.plot(t, x[k], "o", color=color, ms=5)
ax_data.set(xlabel="position $t$", ylabel="measurement $x_j$")
ax_data.set_title(r"simulated data $x \sim p(x \mid \theta)$")
lb.plotting.set_alt_text(
    fig,
    "Left: a round cloud of 2000 prior draws of slope and intercept, four of them "
    "marked. Right: the four marked lines and their eight noisy measurements each.",
)

# %%
# The joint cloud, and the posterior as a slice
# ---------------------------------------------
# Two simulators with a one-dimensional :math:`\theta`. Left:
# :math:`x_j = \theta^2 + \varepsilon_j` (four measurements, noise 0.4, plotted
# by their mean :math:`\bar x`) with a uniform prior on :math:`[-2, 2]`: the
# data cannot tell :math:`\theta` from :math:`-\theta`. Right: noise that grows
# with :math:`|\theta|`, :math:`x = \theta + (0.05 + 0.2|\theta|)\,\varepsilon`.
# Fixing the data at an observed :math:`x_o` (dashed) and reading off the pairs
# near it gives the posterior :math:`p(\theta \mid x_o)`, the curve on each
# panel's side: two peaks on the left, a narrow or a wide one on the right.
square = lb.simulators.SquareBimodal()
growing = lb.simulators.GrowingNoise()
grid = lb.simulators.theta_grid(-2.5, 2.5, 501)
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
panels = [
    (axes[0], square, [1.0], r"$\bar x$ (mean of 4 measurements)", (-1, 4.6)),
    (axes[1], growing, [0.2, 1.6], "$x$", (-3, 3)),
]
for ax, sim, x_obs, xlabel, xlim in panels:
    theta, x = sim.sample(3000, seed=1)
    ax.scatter(x.mean(dim=1), theta[:, 0], s=3, color="0.55", alpha=0.4)
    for k, xo in enumerate(x_obs):
        color = lb.plotting.PALETTE[1 + 2 * k]
        x_o = torch.full((1, sim.x_dim), xo)
        post = sim.reference_posterior(x_o, grid)[0].numpy()
        ax.axvline(xo, color=color, ls="--", lw=1.2)
        curve = np.where(post > 1e-3 * post.max(), xo + 0.6 * post / post.max(), np.nan)
        ax.plot(curve, grid, color=color, lw=2.2,
                label=rf"$p(\theta \mid x_o = {xo:g})$")  # fmt: skip
    ax.set(xlabel=xlabel, ylabel=r"$\theta$", xlim=xlim, ylim=(-2.5, 2.5))
    ax.legend(loc="lower right")
axes[0].set_title(r"$x_j = \theta^2 + \varepsilon_j$: two branches")
axes[1].set_title(r"noise growing with $|\theta|$")
lb.plotting.set_alt_text(
    fig,
    "Clouds of simulated parameter and data pairs. Left: a sideways parabola, so "
    "one observed value has two posterior peaks. Right: a band that widens away "
    "from zero, so the posterior is narrow near zero and wide far from it.",
)
