r"""
Your own simulator: a spectral line
===================================

Nothing in this chapter needs the book's simulators. Here is a simulator
written from scratch, in physical units: an emission line on a flat
background, seen as photon counts in energy bins. We train a posterior network
on its pairs, check its coverage, and compare its posterior for one
observation with the exact one.
"""

# %%
# A simulator in a dozen lines
# ----------------------------
# The parameters are the line's amplitude (counts per bin at its peak) and its
# energy (keV), with a flat prior on a box; the data are the counts in 40 bins
# from 0 to 10 keV, Poisson around a background of 50 counts per bin plus a
# Gaussian line of width 0.5 keV. All the library asks of a simulator is
# ``theta_dim``, ``x_dim`` and ``sample(n, *, seed)`` returning the pairs
# ``(theta, x)`` as tensors of shapes ``(n, theta_dim)`` and ``(n, x_dim)``:
# no base class, any plain class (see :class:`learnable_bases.simulators.Simulator`).
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb


class SpectralLine:
    """A Gaussian emission line on a flat background, counted in energy bins."""

    theta_dim, x_dim = 2, 40
    low = torch.tensor([20.0, 3.0])  # amplitude (counts per bin), energy (keV)
    high = torch.tensor([80.0, 7.0])
    energy = torch.linspace(0.125, 9.875, 40)  # bin centres, keV
    background, line_width = 50.0, 0.5  # counts per bin, keV

    def rate(self, theta):
        amplitude, centre = theta[..., :1], theta[..., 1:]
        line = torch.exp(-0.5 * ((self.energy - centre) / self.line_width) ** 2)
        return self.background + amplitude * line

    def sample(self, n, *, seed):
        gen = torch.Generator().manual_seed(seed)
        theta = self.low + (self.high - self.low) * torch.rand(n, 2, generator=gen)
        return theta, torch.poisson(self.rate(theta), generator=gen)


simulator = SpectralLine()

# %%
# Training on its pairs
# ---------------------
# The counts run from about 30 to 150 and the energy from 3 to 7: the fit
# standardises :math:`\theta` and :math:`x` with the training pairs' means and
# standard deviations, and answers in keV and counts again. ``support`` tells
# it the prior's box, so that its samples and densities stay inside. A
# ``val_fraction`` of the pairs is held out; training stops when their negative
# log-likelihood has not improved for ``patience`` epochs. One training is one
# draw of the held-out split, the initial weights and the batch order, so three
# seeds are trained (together) and the figure shows the first.
n_sims = 20_000
theta, x = simulator.sample(n_sims, seed=0)
fits = lb.posterior.fit_posteriors(
    theta=theta,
    x=x,
    support=(simulator.low, simulator.high),
    head="gaussian",
    width=64,
    depth=2,
    activation="tanh",
    skip=False,
    val_fraction=0.1,
    patience=20,
    calibrate=False,
    seeds=[0, 1, 2],
)
fit = fits[0]
print(f"{fit.n_train} pairs trained on, {fit.n_val} held out")
print("epochs until each network stopped:", [f.epochs for f in fits])

# %%
# One observation, and the exact posterior
# ----------------------------------------
# For a real instrument the exact posterior is out of reach; here the
# likelihood is a product of Poisson terms, so it can be evaluated on a grid of
# the prior's box to check the network. Its 68 % and 95 % highest-density
# regions are drawn as contours, over the network's samples; the axes zoom in
# to five of its standard deviations around its mean, a small part of the
# prior's box.
theta_o, x_o = simulator.sample(1, seed=11)  # a faint line
samples = fit.sample(4000, x_o[0], seed=1)

amplitudes = torch.linspace(20.0, 80.0, 241, dtype=torch.float64)
energies = torch.linspace(3.0, 7.0, 241, dtype=torch.float64)
grid = torch.stack(torch.meshgrid(amplitudes, energies, indexing="ij"), dim=-1)
log_like = torch.distributions.Poisson(simulator.rate(grid)).log_prob(x_o.double())
exact = torch.softmax(log_like.sum(-1).ravel(), 0).reshape(241, 241)  # flat prior


exact_mean = (exact[..., None] * grid).sum(dim=(0, 1))
exact_sd = ((exact[..., None] * (grid - exact_mean) ** 2).sum(dim=(0, 1))).sqrt()
print("exact posterior mean", exact_mean.numpy().round(2), "sd",
      exact_sd.numpy().round(2))  # fmt: skip
print("network's            ", samples.mean(0).numpy().round(2), "  ",
      samples.std(0).numpy().round(2))  # fmt: skip


def hpd_thresholds(mass, levels):
    """Densities above which a grid holds ``levels`` of its ``mass``."""
    ordered = mass.ravel().sort(descending=True).values
    index = torch.searchsorted(
        ordered.cumsum(0), torch.tensor(levels, dtype=mass.dtype)
    )
    return sorted(ordered[index].tolist())


# %%
# Coverage over fresh simulations
# -------------------------------
# For 1,000 new pairs, the level of the smallest highest-density region of
# :math:`q` that holds the true :math:`\theta`, found by sampling: the
# fraction of 500 draws from :math:`q(\theta \mid x)` at which :math:`q` is
# higher than at the truth (:func:`learnable_bases.calibration.hpd_level_samples`).
# It needs only ``sample`` and ``log_prob``, so it checks any estimator.
nominal = np.linspace(0.05, 0.95, 19)
theta_c, x_c = simulator.sample(1000, seed=2)
levels = [
    lb.calibration.hpd_level_samples(f, theta_c, x_c, n_samples=500, seed=3)
    for f in fits
]
coverage = lb.calibration.empirical_coverage(levels[0], nominal)
for a in (0.5, 0.68, 0.95):
    held = [f"{np.mean(lev.numpy() <= a):.1%}" for lev in levels]
    print(f"{a:.0%} regions hold the truth in {', '.join(held)} of the simulations")

# %%
# The figure
# ----------
# Top: the observation, with the rate that made it and the rates of 50 of the
# network's samples. Bottom left: the network's samples and the exact
# posterior's contours; grey is outside the prior's box, where neither puts
# any mass. Bottom right: coverage against the nominal level, with
# the binomial band of an honest estimator.
lb.plotting.use_style()
fig, axes = plt.subplot_mosaic(
    [["spectrum", "spectrum"], ["posterior", "coverage"]], figsize=(8.0, 7.4)
)
ax = axes["spectrum"]
ax.step(simulator.energy, x_o[0], where="mid", color="0.3", label="observed counts")
for s in samples[:50]:
    ax.plot(simulator.energy, simulator.rate(s), color=lb.plotting.PALETTE[0], lw=0.6,
            alpha=0.25)  # fmt: skip
ax.plot(simulator.energy, simulator.rate(theta_o[0]), "k--", label="true rate")
ax.set(xlabel="energy (keV)", ylabel="counts per bin")
ax.legend(loc="upper left")  # clear of the line, and of the page's zoom button

ax = axes["posterior"]
zoom = torch.stack([exact_mean - 5 * exact_sd, exact_mean + 5 * exact_sd])
ax.plot(samples[:, 0], samples[:, 1], ".", ms=1.5, alpha=0.3,
        color=lb.plotting.PALETTE[0], label="samples of $q$")  # fmt: skip
contours = hpd_thresholds(exact, [0.68, 0.95])
ax.contour(grid[..., 0], grid[..., 1], exact, levels=contours, colors="black",
           linewidths=1.2)  # fmt: skip
ax.plot(*theta_o[0], "*", color=lb.plotting.PALETTE[1], ms=14, mec="white",
        label="true $\\theta$")  # fmt: skip
ax.plot([], [], "k-", lw=1.2, label="exact 68, 95 %")
for side, bound in ((0, simulator.low), (1, simulator.high)):  # outside the prior
    ax.axvspan(*sorted([bound[0], zoom[side, 0]]), color="0.85", zorder=0)
    ax.axhspan(*sorted([bound[1], zoom[side, 1]]), color="0.85", zorder=0)
ax.set(xlabel="amplitude (counts per bin)", ylabel="line energy (keV)",
       xlim=zoom[:, 0].tolist(), ylim=zoom[:, 1].tolist())  # fmt: skip
ax.legend(loc="upper right", fontsize="small")

lb.plotting.plot_coverage(axes["coverage"], nominal, coverage, n=len(theta_c),
                          label="network $q$")  # fmt: skip
axes["coverage"].legend(loc="upper left")
lb.plotting.set_alt_text(
    fig,
    "Top: a spectrum of forty bins of photon counts with a line near its "
    "middle, the true rate dashed and fifty sampled rates around it. Bottom "
    "left: the network's samples of amplitude and line energy, a compact "
    "cloud around the true value, with the exact posterior's 68 and 95 percent "
    "contours drawn over it. Bottom right: the empirical coverage against the "
    "nominal level, close to the diagonal.",
)
