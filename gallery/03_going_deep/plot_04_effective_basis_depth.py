r"""
Effective basis functions by depth
==================================

What the last hidden layer of a random ReLU network computes, as functions of a
1D input, for one to four hidden layers. The head combines these functions, so
they are the network's effective basis. Each added layer folds the previous
layer's functions again, and the shapes grow richer.
"""

# %%
# Adding layers
# -------------
# The networks have 8 ReLU neurons per layer and random weights
# (:func:`learnable_bases.basis.random_deep_features`; each neuron's
# transition is placed inside the plotted range). The random draws are made in
# order, so the network of each frame is the previous frame's network with one
# more layer on top. With one layer every function is a single ramp with one
# kink; each further layer adds and folds the ramps below it, so the functions
# gain kinks with every layer. Each frame shows one network, and its title gives
# that network's average number of kinks per function; the next section
# averages over 20 networks per depth.
import matplotlib.pyplot as plt
import numpy as np
import torch

import learnable_bases as lb

lb.plotting.use_style()
x = torch.linspace(-3, 3, 3001, dtype=torch.float64)
depths = (1, 2, 3, 4)
width = 8
features = [lb.basis.random_deep_features(x, L, width, seed=3) for L in depths]


def draw(fig, i):
    ax = fig.subplots()
    f = features[i]
    kinks = lb.deep.count_kinks(x, f)
    lb.plotting.plot_basis_functions(ax, x, f / f.abs().max(dim=0).values)
    layers = "hidden layer" if depths[i] == 1 else "hidden layers"
    ax.set_title(
        f"{depths[i]} {layers}: this network's functions have "
        f"{kinks.mean():.1f} kinks on average"
    )
    ax.set(ylabel=r"$h^{(L)}_j(x)$ / its maximum", ylim=(-0.05, 1.05))


kinks_here = [lb.deep.count_kinks(x, f).mean() for f in features]
basis_by_depth = lb.stepper.stepper_from_function(
    draw,
    [
        f"L = {L}, one network: {k:.1f} kinks"
        for L, k in zip(depths, kinks_here, strict=True)
    ],
    alt="The 8 last-layer functions of a random ReLU network of a 1D input, for "
    "1 to 4 hidden layers; more layers give more kinks and more varied shapes",
    figsize=(7.0, 3.8),
    same_layout=True,
)
basis_by_depth

# %%
# Counting kinks
# --------------
# A kink is a point where a function's slope changes, counted here by
# :func:`learnable_bases.deep.count_kinks` on a fine grid. Over 20 random
# networks per depth and two widths, the average number of kinks per
# effective basis function grows steadily with depth, and faster for wider
# layers: where a unit is active it bends wherever a unit of the layer below
# bends, and it adds new kinks where its own input crosses zero. The bars span
# the middle half (25th to 75th percentile) of the functions.
all_depths = [1, 2, 3, 4, 5, 6]
fig, ax = plt.subplots(figsize=(6.0, 4.0))
lb.plotting.set_alt_text(
    fig,
    (
        "Average number of kinks per last-layer basis function of random ReLU networks "
        "against depth, 1 to 6 hidden layers, for widths 8 and 16 with error bars: the "
        "count grows with every layer added, faster for the wider network."
    ),
)
for width, color, offset in (
    (8, lb.plotting.PALETTE[0], -0.06),
    (16, lb.plotting.PALETTE[3], 0.06),
):
    counts = lb.deep.kinks_by_depth(all_depths, width, n_networks=20, seed=0)
    q1, q3 = np.percentile(counts, [25, 75], axis=1)
    mean = counts.mean(axis=1)
    ax.errorbar(
        np.array(all_depths) + offset,
        mean,
        yerr=[mean - q1, q3 - mean],
        fmt="o-",
        color=color,
        capsize=3,
        label=f"width {width}",
    )
    print(f"width {width}: mean kinks by depth", np.round(mean, 1).tolist())
ax.set(xlabel="hidden layers $L$", ylabel="kinks per basis function", xticks=all_depths)
ax.legend(loc="upper left")

# sphinx_gallery_thumbnail_number = 2
