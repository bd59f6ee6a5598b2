r"""
How many simulations?
=====================

The question every new user of simulation-based inference asks. Here it has a
measured answer: the distance between the learned and the exact posterior as
the number of simulated pairs grows from a hundred to a hundred thousand.
"""

# %%
# Training at every budget
# ------------------------
# For each budget and each of three seeds, a network of the size used so far
# is trained on the line simulator in three phases of falling learning rate.
# A fraction of each budget's simulations is held out, and each phase stops
# when their negative log-likelihood has not improved for ``patience`` epochs
# (``sbi``'s defaults), so every budget trains to its own validation optimum.
# The three seeds of a budget are trained together, as one stack of networks.
import matplotlib.pyplot as plt
import numpy as np

import learnable_bases as lb

lb.plotting.use_style()
budgets = [100, 1_000, 10_000, 100_000]
val_fraction, patience = 0.1, 20
network = dict(width=32, depth=2, activation="tanh", skip=False)
sweep = lb.posterior.budget_sweep(
    lb.simulators.LinearGaussian(),
    budgets,
    seeds=[0, 1, 2],
    val_fraction=val_fraction,
    patience=patience,
    calibrate=False,
    **network,
)
for n, kl, steps in zip(budgets, sweep.kl, sweep.steps, strict=True):
    print(f"N = {n:>7,}: KL {np.round(kl, 4)}, optimizer steps taken {steps}")

# %%
# Distance to the exact posterior against the budget
# --------------------------------------------------
# The distance is the Kullback–Leibler divergence
# :math:`\mathrm{KL}(p \,\|\, q)` from the exact posterior, averaged over 2,000
# test observations (grey: each seed; blue: their median). The orange squares
# are the test negative log-likelihood (median over seeds) minus that of the
# exact posterior: they land on the same curve, as the chapter's identity says
# they must. The dotted line is the prior, returned whatever the data.
fig, ax = plt.subplots(figsize=(7, 4))
for j in range(len(sweep.seeds)):
    ax.plot(budgets, sweep.kl[:, j], "o", color="0.55", ms=4,
            label="one seed" if j == 0 else None)  # fmt: skip
ax.plot(budgets, np.median(sweep.kl, axis=1), "-", color=lb.plotting.PALETTE[0],
        label=r"median KL$(p \,\|\, q)$ of 3 seeds")  # fmt: skip
excess = np.median(sweep.heldout_nll, axis=1) - sweep.exact_nll
ax.plot(budgets, excess, "s--", color=lb.plotting.PALETTE[1], ms=7, mfc="none",
        mew=1.8, label="held-out NLL minus its floor")  # fmt: skip
ax.axhline(sweep.prior_kl, ls=":", color="0.35", label="the prior as $q$")
ax.set(xscale="log", yscale="log", xlabel="simulations $N$",
       ylabel="distance to the exact posterior")  # fmt: skip
ax.legend(loc="lower left")
lb.plotting.set_alt_text(
    fig,
    "On log-log axes, the divergence between learned and exact posterior falls "
    "from about one at a hundred simulations to a few thousandths at a hundred "
    "thousand, below the dotted level of the prior everywhere; the excess "
    "held-out negative log-likelihood follows the same curve.",
)
