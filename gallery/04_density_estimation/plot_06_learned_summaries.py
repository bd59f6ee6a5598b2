r"""
Learned summary statistics
==========================

A line measured at 200 positions is 200 numbers, but only two weighted sums of
them carry information about its slope and intercept. A linear embedding in
front of the posterior network, trained on the same negative log-likelihood,
finds those sums by itself: its weights over the measurement positions are the
learned basis of the data.
"""

# %%
# The simulator and the two networks
# ----------------------------------
# The simulator of chapter 4's line, measured at 200 evenly spread positions
# with noise :math:`\sigma = 2`. Both networks are trained the same way, with
# the ``settings`` below: ``n_sims`` simulated pairs, standardised, a
# ``val_fraction`` of them held out, Adam until the held-out NLL has not
# improved for ``patience`` epochs. The first reads the data through an
# embedding ``nn.Linear(200, 2)``, two learned features :math:`s_k(x) = \sum_j
# w_k(t_j) x_j + c_k`, and the head behind it (``depth`` hidden layers of
# ``width`` units). The second is the plain network of the chapter, the same
# head reading all 200 numbers.
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
line = lb.simulators.LinearGaussian(positions=tuple(np.linspace(0, 1, 200)), noise=2.0)
settings = dict(
    n_sims=10_000,  # simulated pairs
    width=32, depth=2, activation="tanh",  # the head behind the embedding
    lr=1e-3, batch_size=256, max_epochs=2000,  # Adam
    val_fraction=0.1, patience=20,  # the stopping rule
)  # fmt: skip
embedded = lb.summaries.fit_summary_posterior(line, n_features=2, seed=0, **settings)
plain = lb.summaries.fit_summary_posterior(line, n_features=None, seed=0, **settings)

# %%
# The learned basis of the data
# -----------------------------
# The exact posterior depends on the data only through :math:`A^\top x =
# (\sum_j t_j x_j, \sum_j x_j)`: weights that are straight lines in :math:`t`.
# Top left: three simulated measurements. Top right: the embedding's weights
# :math:`w_k(t)` (dots) and the straight line nearest to each (dashed); the
# title gives the share of each weight vector in the span of :math:`\{t, 1\}`.
# Bottom left: three of the plain network's 32 first-layer weight vectors,
# mostly noise. Bottom right: the posterior of one held-out observation.
theta_o, x_o = line.sample(3, seed=11)
A = line.design()  # (200, 2): columns t and 1
t = np.asarray(line.positions)
share = lb.summaries.span_fraction(embedded.weights(), A)
share_plain = lb.summaries.span_fraction(plain.weights(), A)

fig, axes = plt.subplots(2, 2, figsize=(9, 7.2))
ax_data, ax_w, ax_plain, ax_post = axes.ravel()
for i, colour in enumerate(lb.plotting.PALETTE[:3]):
    ax_data.plot(t, x_o[i], ".", ms=3, color=colour, alpha=0.6)
    slope, intercept = theta_o[i].tolist()
    ax_data.plot(t, slope * t + intercept, color=colour, lw=2)
ax_data.set(xlabel="position $t$", ylabel="measurement $x_j$",
            title="three simulated measurements")  # fmt: skip


def draw_weights(ax, weights, colours):
    q, _ = torch.linalg.qr(A)
    nearest = weights @ q @ q.T  # each row's projection on span{t, 1}
    for w, p, colour in zip(weights, nearest, colours, strict=True):
        ax.plot(t, w, ".", ms=3, color=colour)
        ax.plot(t, p, "--", color=colour, lw=1.5)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(xlabel="position $t$", ylabel="weight $w_k(t)$")


draw_weights(ax_w, embedded.weights(), lb.plotting.PALETTE[:2])
ax_w.set_title(f"embedding: {share.min():.0%}, {share.max():.0%} in span$\\{{t, 1\\}}$")
draw_weights(ax_plain, plain.weights()[:3], lb.plotting.PALETTE[2:5])
ax_plain.set_title(f"plain network: {share_plain.median():.0%} in span (median)")

exact_mean, exact_cov = line.posterior(x_o[:1])
lb.plotting.plot_gaussian_contours(
    ax_post, exact_mean[0], exact_cov, color="black", ls="--", label="exact"
)
for fit, colour, name in ((embedded, 0, "embedding"), (plain, 1, "plain")):
    mean, cov = fit.gaussian(x_o[:1])
    lb.plotting.plot_gaussian_contours(
        ax_post, mean[0], cov[0], color=lb.plotting.PALETTE[colour], label=name
    )
ax_post.plot(*theta_o[0], "x", color="black", ms=9, mew=2, label=r"true $\theta$")
ax_post.set(xlabel="slope $a$", ylabel="intercept $b$",
            title="posterior of the first measurement")  # fmt: skip
ax_post.legend(loc="upper right", fontsize=9)
lb.plotting.set_alt_text(
    fig,
    "Top left: three noisy lines measured at 200 positions. Top right: the two "
    "learned embedding weight vectors over the positions, each lying on a "
    "straight line. Bottom left: three first-layer weight vectors of the plain "
    "network, scattered noise. Bottom right: 68 and 95 percent ellipses of the "
    "exact posterior, of the embedding network (nearly on it) and of the plain "
    "network (off and wider).",
)

# %%
# How well the features summarise the data
# ----------------------------------------
# On 2,000 held-out simulations: the R² of the best linear map from the two
# features to :math:`A^\top x`, and the KL divergence from the exact posterior
# to each network's, as quantiles over the observations.
theta_t, x_t = line.sample(2000, seed=1000)
r2 = lb.summaries.linear_r2(embedded.features(x_t), x_t.double() @ A)
print(f"R² of the features against A^T x: {r2[0]:.4f} (sum t x), {r2[1]:.4f} (sum x)")
exact_mean, exact_cov = line.posterior(x_t)
for fit, name in ((embedded, "embedding"), (plain, "plain")):
    kl = lb.calibration.gaussian_kl(exact_mean, exact_cov, *fit.gaussian(x_t))
    q50, q90, worst = np.quantile(np.asarray(kl), [0.5, 0.9, 1.0])
    print(f"{name:>9}: KL median {q50:.3f}, 90 % {q90:.3f}, worst {worst:.2f}")
