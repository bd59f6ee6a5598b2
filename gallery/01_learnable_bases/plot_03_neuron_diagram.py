r"""
The neuron and the network
==========================

An artificial neuron weighs its inputs, adds a bias and passes the sum through
an activation: :math:`\phi_j = g(\mathbf{v}_j^T \mathbf{x} + b_j)`. A hidden layer
is :math:`H` such neurons side by side, and a head combines them into the output.
"""

# %%
# One neuron
# ----------
# The weights :math:`\mathbf{v}_j` choose which combination of the inputs the
# neuron responds to, the bias :math:`b_j` sets its threshold, and the
# activation :math:`g` shapes the response.
import matplotlib.pyplot as plt

import learnable_bases as lb

lb.plotting.use_style()
fig, ax = plt.subplots(figsize=(8.0, 3.8))
lb.plotting.set_alt_text(
    fig,
    (
        "Diagram of one neuron: inputs x1 to xd, each multiplied by its weight, are "
        "summed with a bias; the sum passes through a ReLU activation to give the basis"
        " function phi j."
    ),
)
lb.diagrams.draw_neuron(ax, n_inputs=3, activation="relu")

# %%
# One hidden layer
# ----------------
# Each hidden unit :math:`h_j` is one neuron; every input feeds every unit. The
# head is linear for regression, :math:`f(\mathbf{x}) = \sum_j w_j h_j + w_0`,
# or a sigmoid of that sum for classification.
fig, (ax_lin, ax_sig) = plt.subplots(1, 2, figsize=(8.0, 4.0))
lb.plotting.set_alt_text(
    fig,
    (
        "Two network diagrams side by side, each with three inputs, a hidden layer of "
        "eight ReLU units and one output: on the left a linear head for regression, on "
        "the right a sigmoid head for classification."
    ),
)
lb.diagrams.draw_network(ax_lin, [3, 8, 1], output="linear")
lb.diagrams.draw_network(ax_sig, [3, 8, 1], output="sigmoid")
ax_lin.set_title("regression")
ax_sig.set_title("classification")

# sphinx_gallery_thumbnail_number = 2
