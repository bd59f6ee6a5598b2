r"""
Calibration: coverage of credible regions
=========================================

If :math:`q(\theta \mid x)` is the posterior, its 68 % credible region
contains the true :math:`\theta` in 68 % of simulations, and likewise for every
level. Plotting the empirical coverage against the level shows at a glance
whether an estimator is honest, overconfident or underconfident.
"""

# %%
# Coverage over fresh simulations
# -------------------------------
# For each of 4,000 new pairs :math:`(\theta^*, x)` we find the smallest
# highest-density region of :math:`q(\theta \mid x)` that still contains
# :math:`\theta^*`, and record its level :math:`\alpha`. The fraction with
# :math:`\alpha \le` a nominal level is the empirical coverage at that level.
# The networks are the ones of the two previous figures, trained with the same
# seeds; the shaded band is the binomial scatter (two standard deviations) of
# a perfectly calibrated estimator.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
nominal = np.linspace(0.05, 0.95, 19)
n_test = 4000

# the simulators, networks and training of the figures before
line, square = lb.simulators.LinearGaussian(), lb.simulators.SquareBimodal()
network = dict(width=32, depth=2, activation="tanh", skip=False)
training = dict(
    n_sims=20_000, batch_size=1024, val_fraction=0.1, patience=20, calibrate=False
)
fit_line = lb.posterior.fit_posterior(line, "gaussian", **network, **training, seed=0)
theta, x = line.sample(n_test, seed=11)
mean_q, cov_q = fit_line.gaussian(x)
mean_p, cov_p = line.posterior(x)
cover_line = {
    "network $q$": lb.calibration.hpd_level_gaussian(mean_q, cov_q, theta),
    "exact posterior": lb.calibration.hpd_level_gaussian(mean_p, cov_p, theta),
}

fits_square = {
    "Gaussian $q$": lb.posterior.fit_posterior(
        square, "gaussian", **network, **training, seed=0
    ),
    "mixture $q$, $M=5$": lb.posterior.fit_posterior(
        square, "mixture", components=5, **network, **training, seed=0
    ),
}
grid = lb.simulators.theta_grid(-2.5, 2.5, 501)
theta_b, x_b = square.sample(n_test, seed=11)
cover_square = {
    name: lb.calibration.hpd_level_grid(fit.density_on_grid(x_b, grid), grid, theta_b)
    for name, fit in fits_square.items()
}

# %%
# Reading the plot
# ----------------
# Left, the line: the network's curve lies on the diagonal, inside the band,
# as does the exact posterior's. Right, the two-peaked case: the mixture is on
# the diagonal too, but the Gaussian's curve is an S. Its small regions sit in
# the gap between the two peaks, where the true :math:`\theta` almost never is,
# so they cover far less than they claim (below the diagonal: *overconfident*);
# its large regions are wide enough to swallow both peaks and cover more than
# they claim (above: *underconfident*). Where its curve crosses the diagonal
# its coverage happens to be right at that one level, but its regions are in
# the wrong place at every level.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4))
styles = [(lb.plotting.PALETTE[0], "o", "-"), ("black", "", "--")]
for (name, levels), (color, marker, ls) in zip(cover_line.items(), styles, strict=True):
    lb.plotting.plot_coverage(
        axes[0], nominal, lb.calibration.empirical_coverage(levels, nominal),
        n=n_test, color=color, marker=marker, ls=ls, label=name,
    )  # fmt: skip
styles = [(lb.plotting.PALETTE[0], "o", "--"), (lb.plotting.PALETTE[1], "s", "-")]
for (name, levels), (color, marker, ls) in zip(
    cover_square.items(), styles, strict=True
):
    lb.plotting.plot_coverage(
        axes[1], nominal, lb.calibration.empirical_coverage(levels, nominal),
        n=n_test, color=color, marker=marker, ls=ls, label=name,
    )  # fmt: skip
axes[0].set_title("line: slope and intercept")
axes[1].set_title(r"$x_j = \theta^2 + \varepsilon_j$")
for ax in axes:
    ax.legend(loc="upper left")
lb.plotting.set_alt_text(
    fig,
    "Empirical coverage against nominal credibility level. Left: the network "
    "for the line and the exact posterior both lie on the diagonal. Right: the "
    "mixture network lies on the diagonal; the Gaussian network's curve is an S, "
    "far below the diagonal for small levels and above it for the largest.",
)
