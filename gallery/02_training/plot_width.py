r"""
Width controls expressiveness
=============================

The regression demo again, with 1 to 64 hidden neurons and only 30 training
points. Too few neurons cannot follow the curve; many neurons can follow the
noise too. The learned :math:`\sigma` tells the story: too wide a band, then too
narrow.
"""

# %%
# One network per width
# ---------------------
# Every network sees the same 30 samples (noise :math:`\sigma = 0.3`) and is
# trained the same way: full-batch Adam on the Gaussian negative
# log-likelihood for 1000 epochs. Step through the widths :math:`H`.
import matplotlib.pyplot as plt
import torch

import learnable_bases as lb

lb.plotting.use_style()
widths = [1, 2, 4, 16, 64]
sweep = lb.regression.width_sweep(widths)
grid = torch.linspace(-3, 3, 301)[:, None]
truth = lb.targets.target_1d(grid)[:, 0]


def draw(fig, i):
    ax = fig.subplots()
    fit = sweep.fits[i]
    ax.plot(fit.x[:, 0], fit.y[:, 0], "o", color="0.35", ms=5, label="30 data")
    ax.plot(grid[:, 0], truth, ":", color="black", lw=1.5, label=r"true $\mu$")
    mu, sigma = fit.predict(grid)
    lb.plotting.plot_band(ax, grid[:, 0], mu, sigma)
    neurons = "neuron" if widths[i] == 1 else "neurons"
    ax.set_title(rf"$H = {widths[i]}$ {neurons}: learned $\sigma = {sigma:.2f}$")
    ax.set_ylim(-3.2, 3.2)
    ax.legend(loc="upper left", ncols=3)


by_width = lb.stepper.stepper_from_function(
    draw,
    [f"H = {w}" for w in widths],
    alt="Fits of the same 30 noisy points by networks of 1 to 64 hidden neurons",
    figsize=(7.5, 4),
)
by_width

# %%
# Training and validation loss against width
# ------------------------------------------
# The validation loss is measured on 1000 fresh samples. Training loss keeps
# falling as the network grows; validation loss is lowest for a few neurons and
# rises once the network fits the noise, because a narrow band is expensive
# wherever a new point falls outside it.
fig, (ax, ax_sigma) = plt.subplots(1, 2, figsize=(9, 3.8))
lb.plotting.set_alt_text(
    fig,
    (
        "Two panels against the number of hidden neurons, 1 to 64. Left: the training "
        "loss falls as neurons are added while the validation loss is lowest for a few "
        "neurons and rises for wide networks. Right: the learned noise level starts "
        "above the true value, crosses it and ends well below it for wide networks."
    ),
)
ax.plot(widths, sweep.train_loss, "o-", label="training")
ax.plot(widths, sweep.val_loss, "s--", label="validation")
ax.set(xscale="log", xlabel="hidden neurons $H$", ylabel="Gaussian NLL")
ax.legend()
ax_sigma.plot(widths, sweep.sigma, "o-", color=lb.plotting.PALETTE[2], label="learned")
ax_sigma.axhline(
    sweep.fits[0].noise_sigma, color="black", ls=":", lw=1.5, label=r"true $\sigma$"
)
ax_sigma.set(xscale="log", xlabel="hidden neurons $H$", ylabel=r"$\sigma$")
ax_sigma.legend()
for a in (ax, ax_sigma):
    a.set_xticks(widths, [str(w) for w in widths])
