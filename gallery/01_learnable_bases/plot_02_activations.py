"""
Activation functions
====================

The nonlinearity :math:`g` gives each neuron :math:`g(v x + b)` its shape: on/off
(step), smooth switch (sigmoid, tanh), ramp (ReLU) or smooth ramp (GELU). The
right panel shows the derivatives :math:`g'`, which training multiplies into
every gradient: the step's is zero everywhere, ReLU's is zero for negative input.
"""

# %%
# Five activations and their derivatives
# --------------------------------------
# The GELU here is the lecture's sigmoid form :math:`z\,\sigma(1.7z)`.
import matplotlib.pyplot as plt

import learnable_bases as lb

lb.plotting.use_style()
names = ("step", "sigmoid", "tanh", "relu", "gelu")
fig, (ax_g, ax_dg) = plt.subplots(1, 2, figsize=(7.5, 3.4), sharex=True)
lb.plotting.set_alt_text(
    fig,
    (
        "Two panels. Left: the step, sigmoid, tanh, ReLU and GELU activations against "
        "the pre-activation, from -4 to 4. Right: their derivatives; the step's is zero"
        " everywhere, ReLU's jumps from zero to one at the origin, and the smooth ones "
        "peak near zero."
    ),
)
lb.plotting.plot_activations(ax_g, names)
lb.plotting.plot_activations(ax_dg, names, derivative=True)
ax_g.set(title="activation $g(z)$", ylim=(-1.2, 2.2))
ax_dg.set(title="derivative $g'(z)$", ylim=(-0.15, 1.25))
fig.legend(*ax_g.get_legend_handles_labels(), loc="outside right center")

# %%
# Two forms of GELU
# -----------------
# The exact GELU is :math:`z\,\Phi(z)` with :math:`\Phi` the standard normal CDF.
# The sigmoid form tracks it closely; the gap is largest near :math:`|z| \approx 2.3`.
import torch

z = torch.linspace(-5, 5, 1001, dtype=torch.float64)
gap = lb.activations.gelu(z) - lb.activations.gelu_erf(z)
fig, (ax, ax_gap) = plt.subplots(1, 2, figsize=(7.5, 3.0))
lb.plotting.set_alt_text(
    fig,
    (
        "Two panels. Left: the fast GELU approximation and the exact GELU lie on top of"
        " each other from -5 to 5. Right: their difference, a wavy curve that stays "
        "within about two hundredths of zero."
    ),
)
lb.plotting.plot_activations(ax, ("gelu", "gelu_erf"), x=z)
ax.legend(loc="upper left")
ax_gap.plot(z, gap, color=lb.plotting.ACTIVATION_COLORS["gelu_erf"])
ax_gap.set(xlabel="$z$", title=r"gap $z\,\sigma(1.7z) - z\,\Phi(z)$")
print(f"largest |gap| on [-10, 10]: {lb.activations.max_gelu_gap():.4f}")

# sphinx_gallery_thumbnail_number = 1
