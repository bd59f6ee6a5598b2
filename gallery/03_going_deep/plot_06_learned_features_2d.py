r"""
Learned features of a deep network
==================================

The last hidden layer of a deep network is the basis its linear head combines:
:math:`\mu(\mathbf{x}) = \sum_j w_j h^{(L)}_j(\mathbf{x}) + w_0`. On the spiral
field, a few of those learned feature maps sit beside the output at several
moments of one training run.
"""

# %%
# The last hidden layer, during training
# --------------------------------------
# Four hidden layers of 32 ReLU neurons learn the spiral field of chapter 3
# (the settings of the call below). With depth the basis functions are the
# outputs :math:`h^{(4)}_j(x_1, x_2)` of the last hidden layer, each a curved,
# folded surface rather than a single ramp. Left: the network's output
# :math:`\mu`. Right: the four terms :math:`w_j h^{(4)}_j` that vary most in
# the trained network, on one colour scale (purple negative, white zero, orange
# positive; the colour bars give both scales), at the same moments of one run.
import learnable_bases as lb

lb.plotting.use_style()
field_moments = [0, 3, 10, 100]  # epochs; 0 is the initial network
deep = lb.deep.fit_field(
    "spiral", depth=4, width=32, activation="relu",  # the network
    n_train=1500, noise_sigma=0.1,  # the noisy samples of the field
    optimizer="adam", lr=5e-3, batch_size=128, epochs=100,  # a fixed schedule
    snapshots=field_moments, seed=0,
)  # fmt: skip
n_side = deep.truth.shape[0]
points = lb.deep.field_grid(n_side)
maps = []
for e in field_moments:
    t, total = lb.basis.head_terms(deep.model, points, deep.history.snapshots[e])
    maps.append((t.numpy().reshape(n_side, n_side, -1), total.numpy()))
final_terms = maps[-1][0]
shown = final_terms.reshape(-1, final_terms.shape[-1]).std(axis=0).argsort()[::-1][:4]
m_max = max(float(abs(m[..., shown]).max()) for m, _ in maps)


def draw_field(fig, i):
    axes = fig.subplots(1, 5, sharex=True, sharey=True)
    term_maps, total = maps[i]
    lb.plotting.plot_field(axes[0], total.reshape(n_side, n_side), vmin=-1, vmax=1)
    axes[0].set_title(rf"$\mu$, epoch {field_moments[i]}")
    for ax, j in zip(axes[1:], shown, strict=True):
        lb.plotting.plot_field(
            ax, term_maps[..., j], vmin=-m_max, vmax=m_max, cmap="PuOr_r"
        )
        ax.set_title(f"$w_{{{j}}} h_{{{j}}}$")
    for ax in axes:
        ax.set(xticks=[], yticks=[])
    for ax in axes[2:]:
        ax.set_ylabel("")
    # two scales: the output's (left) and the one shared by the four terms
    fig.colorbar(axes[0].images[0], ax=axes[0], shrink=0.8, aspect=15)
    fig.colorbar(axes[1].images[0], ax=axes[1:], shrink=0.8, aspect=15)


learning_2d = lb.stepper.stepper_from_function(
    draw_field,
    [f"epoch {e}" + (" (initial)" if e == 0 else "") for e in field_moments],
    alt=(
        "A four-layer network learning the spiral field: its output and four "
        "learned last-layer feature maps, from the initial network to the trained one"
    ),
    figsize=(8.0, 2.2),
    same_layout=True,
)
learning_2d

# %%
# All 32 learned basis functions
# ------------------------------
# The whole last hidden layer of the trained network, each term
# :math:`w_j h^{(4)}_j` on the same colour scale as above. A few are large and
# carry the windings, some are small corrections, and many are blank: ReLU
# units that are off for every input in the square (dead, as in chapter 1) and
# contribute nothing. A deep network often uses only part of its width.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(4, 8, figsize=(7.5, 4.0), sharex=True, sharey=True)
for j, ax in enumerate(axes.ravel()):
    lb.plotting.plot_field(
        ax, final_terms[..., j], vmin=-m_max, vmax=m_max, cmap="PuOr_r"
    )
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    ax.set_title(f"$j = {j}$", fontsize=9)
lb.plotting.set_alt_text(
    fig,
    "Grid of the 32 last-layer terms of the trained four-layer spiral network, "
    "some large curved bands, some small, some blank",
)
dead = int((abs(final_terms).reshape(-1, final_terms.shape[-1]).max(axis=0) == 0).sum())
print(f"{dead} of {final_terms.shape[-1]} last-layer units are off everywhere")
