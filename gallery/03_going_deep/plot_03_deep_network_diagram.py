r"""
A deep network
==============

Stacking hidden layers: the output of each layer is the input of the next,
:math:`\mathbf{h}^{(\ell)} = g(W^{(\ell)} \mathbf{h}^{(\ell-1)} + \mathbf{b}^{(\ell)})`,
and a linear head reads the last one.
"""

# %%
# Three hidden layers
# -------------------
# Two inputs :math:`(x_1, x_2)`, three hidden layers of 16 ReLU units and a
# linear head that outputs :math:`\mu`: the kind of network that infers the
# 2D fields of this chapter. Every unit of a layer feeds every unit of the
# next; the head sees only the last hidden layer, whose units are the
# network's effective basis functions.
import matplotlib.pyplot as plt

import learnable_bases as lb

lb.plotting.use_style()
fig, ax = plt.subplots(figsize=(7.2, 3.8))
lb.plotting.set_alt_text(
    fig,
    (
        "Diagram of a deep network: two inputs, three hidden layers of sixteen ReLU "
        "units each, fully connected, and one linear output for the mean."
    ),
)
labels = [
    r"input $\mathbf{x}$",
    *(f"layer {k}\n$\\mathbf{{h}}^{{({k})}}$" for k in (1, 2, 3)),
    "output $\\mu$\nlinear head",
]
lb.diagrams.draw_network(ax, [2, 16, 16, 16, 1], labels=labels, activation="relu")
