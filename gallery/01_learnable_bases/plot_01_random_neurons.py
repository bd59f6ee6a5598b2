r"""
Random neurons as basis functions
=================================

A neuron :math:`\phi_j(x) = g(v_j x + b_j)` is a basis function with two knobs:
the weight :math:`v_j` sets how steep it is and which way it faces, the bias
:math:`b_j` where it switches. Here eight neurons get random knobs; step
through the activations :math:`g` to see the same knobs make different shapes.
"""

# %%
# Eight neurons, five activations
# -------------------------------
# The weights and biases are drawn once, so every frame shows the same eight
# neurons, only with a different :math:`g`. Click **Next**, use the arrow keys or
# drag the slider.
import torch

import learnable_bases as lb

lb.plotting.use_style()
x = torch.linspace(-3, 3, 601, dtype=torch.float64)
v, b = lb.basis.random_neurons(8, seed=3, weight_scale=1.5)
names = ["step", "sigmoid", "tanh", "relu", "gelu"]


def draw(fig, i):
    ax = fig.subplots()
    phi = lb.basis.neuron_features(x, v, b, names[i])
    lb.plotting.plot_basis_functions(ax, x, phi)
    ax.set_title(f"8 random neurons with $g$ = {lb.activations.LABELS[names[i]]}")
    if names[i] == "step":  # the steps overlap: mark the side each one is on
        lb.plotting.mark_step_directions(ax, v, b)


by_activation = lb.stepper.stepper_from_function(
    draw,
    [lb.activations.LABELS[n].split(" $")[0] for n in names],
    alt="Eight random neurons g(v x + b) on [-3, 3] for one activation g",
)
by_activation

# %%
# Adding neurons one at a time
# ----------------------------
# With ReLU each neuron is a ramp that starts at its own kink :math:`x = -b_j/v_j`
# (dots). A hidden layer of width :math:`H` offers the output layer these
# :math:`H` ramps to combine. The black curve is one such combination,
# :math:`\sum_j w_j \phi_j(x)` with random output weights: a broken line that
# bends at every kink, so each new neuron adds one place where the sum can bend.
relu = lb.basis.neuron_features(x, v, b, "relu")
w_out = torch.randn(8, generator=torch.Generator().manual_seed(5), dtype=x.dtype)
w_out = w_out / relu.amax(dim=0)  # each weighted ramp reaches at most |w| = O(1)
sums = torch.cumsum(relu * w_out, dim=1)  # sums[:, h - 1]: the first h neurons
kinks = -b / v[:, 0]
y_lim = (float(sums.min()) - 0.5, float(relu.max()) * 1.05)


def draw_upto(fig, i):
    ax = fig.subplots()
    h = i + 1
    lb.plotting.plot_basis_functions(ax, x, relu[:, :h], linewidth=1.2)
    ax.plot(x, sums[:, h - 1], color="black", lw=2.4, label="a combination")
    ax.plot(kinks[:h], torch.zeros(h), "o", color="black", ms=5, label="kinks")
    ax.set_title(f"ReLU basis with $H = {h}$ neuron{'s' if h > 1 else ''}")
    ax.set(ylim=y_lim, xlabel="$x$")
    ax.legend(loc="upper left")


one_by_one = lb.stepper.stepper_from_function(
    draw_upto,
    [f"H = {h}" for h in range(1, 9)],
    alt=(
        "ReLU neurons added one at a time, up to eight, with one random weighted "
        "sum of them that gains a bend at each new kink"
    ),
    same_layout=True,
)
one_by_one
