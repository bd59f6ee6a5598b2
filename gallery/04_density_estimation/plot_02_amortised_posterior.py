r"""
One network, every observation
==============================

A network trained once on simulated lines returns the posterior of slope and
intercept for any new measurement, in one forward pass. Against the exact
Gaussian posterior it is hard to tell apart; and when the posterior's width
depends on the data, so does the network's.
"""

# %%
# The amortised posterior
# -----------------------
# An MLP (``width`` units in each of ``depth`` hidden layers, ``tanh``
# activations: the settings of the call below) maps the eight measurements
# :math:`x` to five numbers: the mean :math:`\mu(x)` and the Cholesky factor
# :math:`L(x)` of :math:`q(\theta \mid x) = \mathcal N(\mu(x), L L^\top)`.
# It was trained on simulated pairs (how many, and for how long, is printed
# below) by minimising :math:`-\log q(\theta_i \mid x_i)`, some of them
# (``val_fraction``) held out to decide when to stop. Step through five new observations
# :math:`x_o`. Left: the data, the true line and the posterior-mean lines.
# Right: the 68 % and 95 % credible ellipses of :math:`q` (blue) on those of the
# exact posterior (black, dashed), and the true :math:`\theta` (cross).
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
line = lb.simulators.LinearGaussian()  # slope and intercept; eight positions
network = dict(width=32, depth=2, activation="tanh", skip=False)  # the MLP
# pairs to simulate, Adam's batch, and the stopping rule: a tenth held out, stop
# after 20 epochs without a better held-out NLL
training = dict(
    n_sims=20_000, batch_size=1024, val_fraction=0.1, patience=20, calibrate=False
)
fit = lb.posterior.fit_posterior(line, "gaussian", **network, **training, seed=0)
print(f"{fit.n_sims:,} pairs, {fit.n_train:,} for training, {fit.epochs} epochs")
theta_o, x_o = line.sample(5, seed=2)
exact_mean, exact_cov = line.posterior(x_o)
q_mean, q_cov = fit.gaussian(x_o)
kl = lb.calibration.gaussian_kl(exact_mean, exact_cov, q_mean, q_cov)
t = np.array(line.positions)
tt = np.linspace(0, 1, 2)


def draw(fig, i):
    ax_data, ax_theta = fig.subplots(1, 2, width_ratios=[1.2, 1])
    (a, b), (ea, eb), (qa, qb) = (v[i].tolist() for v in (theta_o, exact_mean, q_mean))
    ax_data.plot(t, x_o[i], "o", color="0.3", label="$x_o$")
    ax_data.plot(tt, a * tt + b, ":", color="black", lw=1.5, label="true line")
    ax_data.plot(tt, qa * tt + qb, color=lb.plotting.PALETTE[0], label=r"$q$ mean")
    ax_data.plot(tt, ea * tt + eb, "--", color="black", lw=1.5, label="exact mean")
    ax_data.set(xlabel="position $t$", ylabel="measurement $x_j$", ylim=(-3.5, 3.5))
    ax_data.legend(loc="lower left", ncols=2)
    lb.plotting.plot_gaussian_contours(
        ax_theta, exact_mean[i], exact_cov, color="black", ls="--", label="exact"
    )
    lb.plotting.plot_gaussian_contours(
        ax_theta, q_mean[i], q_cov[i], label=r"$q(\theta \mid x_o)$", fill=True
    )
    ax_theta.plot(a, b, "x", color=lb.plotting.PALETTE[3], ms=10, mew=2.5,
                  label=r"true $\theta$")  # fmt: skip
    ax_theta.set(xlabel="slope $a$", ylabel="intercept $b$", aspect="equal")
    ax_theta.set(xlim=(ea - 1.6, ea + 1.6), ylim=(eb - 1.2, eb + 1.2))
    ax_theta.legend(loc="upper right", fontsize=9)
    ax_theta.set_title(f"observation {i + 1}: KL$(p \\,\\|\\, q)$ = {kl[i]:.3f}")


amortised = lb.stepper.stepper_from_function(
    draw,
    [f"observation {i + 1}" for i in range(len(x_o))],
    alt="For five observed data sets, the line fits and the credible ellipses of "
    "slope and intercept from the network, drawn over the exact posterior; "
    "the two sets of ellipses nearly coincide",
    figsize=(9.5, 4),
)
amortised

# %%
# A width that depends on the data
# --------------------------------
# The measurement :math:`x = \theta + (0.05 + 0.2|\theta|)\,\varepsilon` is sharp
# near zero and vague far from it, so the exact posterior (computed on a grid)
# is narrow for small :math:`|x|` and wide for large. The regression network of
# chapter 2 had one learned :math:`\sigma` for every input; here the head
# outputs :math:`\log\sigma(x)`, and after training on as many pairs it
# follows the exact width.
growing = lb.simulators.GrowingNoise()
fit_w = lb.posterior.fit_posterior(growing, "gaussian", **network, **training, seed=0)
xs = torch.linspace(-2, 2, 81)[:, None]
grid = lb.simulators.theta_grid(-5, 5, 2001)
ref_mean, ref_std = lb.simulators.grid_moments(
    growing.reference_posterior(xs, grid), grid
)
mu, cov = fit_w.gaussian(xs)
sigma = cov[:, 0, 0].sqrt()

fig, (ax_mu, ax_sigma) = plt.subplots(1, 2, figsize=(9, 3.8))
lb.plotting.plot_band(ax_mu, xs[:, 0], mu[:, 0], sigma, label=r"$q$: $\mu(x)$")
ax_mu.plot(xs[:, 0], ref_mean, "--", color="black", lw=1.5, label="exact mean")
ax_mu.set(xlabel="$x$", ylabel=r"$\theta$", title=r"$q(\theta \mid x)$: mean and bands")
ax_mu.legend(loc="upper left", ncols=2, fontsize=9)
ax_sigma.plot(
    xs[:, 0], sigma, color=lb.plotting.PALETTE[0], label=r"learned $\sigma(x)$"
)
ax_sigma.plot(
    xs[:, 0], ref_std, "--", color="black", lw=1.5, label="exact posterior std"
)
ax_sigma.set(xlabel="$x$", ylabel="posterior width", ylim=(0, None))
ax_sigma.legend(loc="upper center")
lb.plotting.set_alt_text(
    fig,
    "Left: the learned posterior mean and its one and two sigma bands against the "
    "data, over the exact mean. Right: the learned width against the data, a V "
    "shape lying on the exact posterior standard deviation.",
)
