r"""
SGD: true gradient plus noise
=============================

A mini-batch gradient is the full-data gradient plus zero-mean noise whose
variance falls as :math:`\sigma^2_\nabla/B`. We measure this on the smallest
model with a picture: a straight line :math:`\mu(x) = w x + b` fitted by mean
squared error, whose two parameters we can draw.
"""

# %%
# Scatter and variance of mini-batch gradients
# --------------------------------------------
# At a fixed point :math:`(w, b) = (-1, 1.5)` we draw 300 mini-batches of each
# size :math:`B` from :math:`N = 1024` noisy samples, without replacement inside
# a batch (as within an epoch). Left: the gradient component
# :math:`\partial E/\partial w`. Every distribution is centred on the full-data
# gradient (black line) and narrows as the batch grows.
#
# Right: the total variance :math:`\mathbb{E}\,\|\mathbf{g}_B - \nabla E\|^2` of
# the mini-batch gradient (summed over both parameters) follows
# :math:`\sigma^2_\nabla/B`, where :math:`\sigma^2_\nabla` is the variance of the
# :math:`N` single-sample gradients. Drawing without replacement from a finite
# data set removes a little more noise, by the factor :math:`(N-B)/(N-1)`: the
# exact law (solid line) bends below :math:`\sigma^2_\nabla/B` (dashed) as
# :math:`B` approaches :math:`N`.
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
x, y = lb.targets.sine_data(1024, 0.3, seed=0)
loss_fn = lb.losses.mse_objective


def line(w, b):
    """The model mu(x) = w x + b as a torch module, at given parameters."""
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    return model


model = line(-1.0, 1.5)

sizes = [1, 4, 16, 64, 256]
dw = []  # column 0 of each gradient is dE/dw (parameters: weight, then bias)
for b in sizes:
    g = lb.landscape.minibatch_gradients(model, loss_fn, x, y, b, 300, seed=b)
    dw.append(g[:, 0])
noise = lb.landscape.gradient_noise(
    model, loss_fn, x, y, 2 ** np.arange(9), n_batches=300, seed=1
)
full_dw = noise.full_grad[0]

fig, (ax, ax_var) = plt.subplots(1, 2, figsize=(7.5, 3.6))
lb.plotting.set_alt_text(
    fig,
    (
        "Two panels. Left: violins of the mini-batch gradient for batch sizes 1 to 256,"
        " all centred on the full-data gradient and narrowing as the batch grows. "
        "Right: log-log plot of the mini-batch gradient variance against the batch "
        "size; the measured points fall on a line of slope minus one and bend slightly "
        "below it near the full data set, as the exact law predicts."
    ),
)
parts = ax.violinplot(dw, showextrema=False, widths=0.8)
for body in parts["bodies"]:
    body.set(facecolor=lb.plotting.PALETTE[0], alpha=0.5)
ax.axhline(full_dw, color="black", lw=1.5, label=r"full-data $\partial E/\partial w$")
means = [g.mean() for g in dw]
ax.plot(
    range(1, 6), means, "o", color=lb.plotting.PALETTE[3], label="mean of 300 batches"
)
ax.set(xticks=range(1, 6), xticklabels=sizes, xlabel="batch size $B$")
ax.set_ylabel(r"mini-batch $\partial E/\partial w$")
ax.legend(loc="lower right")

bs = noise.batch_sizes
ax_var.errorbar(
    bs, noise.msd, yerr=2 * noise.msd_se, fmt="o", label="measured (±2 s.e.)"
)
ax_var.plot(bs, noise.sigma2_grad / bs, "--", color="0.4", label=r"$\sigma^2_\nabla/B$")
exact = r"$\sigma^2_\nabla\,(N-B)\,/\,(B\,(N-1))$"
ax_var.plot(bs, noise.theory, "-", color=lb.plotting.PALETTE[3], label=exact)
ax_var.set(xscale="log", yscale="log", xlabel="batch size $B$")
ax_var.set_ylabel(r"$\mathbb{E}\,\|\mathbf{g}_B - \nabla E\|^2$")
ax_var.set_xticks(bs, [str(b) for b in bs])
ax_var.legend()
fpc = (noise.n - bs) / (noise.n - 1)
slope = np.polyfit(np.log(bs), np.log(noise.msd / fpc), 1)[0]
print(
    f"sigma^2 = {noise.sigma2_grad:.2f}; "
    f"log-log slope with the factor (N-B)/(N-1) divided out: {slope:.3f}"
)

# %%
# An SGD path next to the gradient-descent path
# ---------------------------------------------
# From the same start and with the same learning rate, full-batch gradient
# descent (every step uses all 1024 samples) and SGD with :math:`B = 8` each take
# 40 steps over the contours of the full-data loss. The noisy steps scatter
# around the smooth path and never settle exactly, but they cost 128 times less.
lr, n_steps = 0.05, 40
paths = {}
for label, b in [("gradient descent, $B = N$", None), ("SGD, $B = 8$", 8)]:
    paths[label] = lb.landscape.parameter_path(
        line(-1.0, 1.5), loss_fn, x, y, steps=n_steps, lr=lr, batch_size=b, seed=0
    )
w_grid, b_grid = np.linspace(-1.5, 1.0, 81), np.linspace(-0.6, 1.9, 81)
surface = lb.landscape.loss_surface_2d(model, loss_fn, x, y, w_grid, b_grid)
fig, ax = plt.subplots(figsize=(6, 5.6))
lb.plotting.set_alt_text(
    fig,
    (
        "Contour plot of the loss of a straight-line fit over slope and intercept, with"
        " two 40-step paths from the same start: full-batch gradient descent moves "
        "smoothly to the minimum, while SGD with batches of eight follows it noisily "
        "and jitters around the minimum."
    ),
)
lb.plotting.plot_loss_contours(ax, w_grid, b_grid, surface, n_levels=8)
for (label, path), color in zip(paths.items(), lb.plotting.PALETTE[::3], strict=False):
    lb.plotting.plot_path(ax, path, color=color, label=label)
ax.set(
    xlabel="slope $w$", ylabel="intercept $b$", title=f"{n_steps} steps, $\\eta = {lr}$"
)
fig.legend(loc="outside lower center", ncols=2)  # below the contours, not on them

# sphinx_gallery_thumbnail_number = 2
