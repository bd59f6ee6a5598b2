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
# is trained on the line simulator with the same number of optimizer steps
# (in three phases of falling learning rate), so only the number of
# simulations changes; the three seeds of a budget are trained together, as
# one stack of networks.
import matplotlib.pyplot as plt

import learnable_bases as lb

lb.plotting.use_style()
budgets = [100, 1_000, 10_000, 100_000]
sweep = lb.posterior.budget_sweep("line", budgets, seeds=[0, 1, 2])
print(f"{sweep.steps} steps per network; mean KL by budget:", sweep.kl.mean(axis=1))

# %%
# Distance to the exact posterior against the budget
# --------------------------------------------------
# The distance is the Kullback–Leibler divergence
# :math:`\mathrm{KL}(p \,\|\, q)` from the exact posterior, averaged over 2,000
# held-out observations (grey: each seed; blue: their mean). The orange squares
# are the held-out negative log-likelihood minus that of the exact posterior:
# they land on the same curve, as the chapter's identity says they must.
fig, ax = plt.subplots(figsize=(7, 4))
for j in range(len(sweep.seeds)):
    ax.plot(budgets, sweep.kl[:, j], "o", color="0.55", ms=4,
            label="one seed" if j == 0 else None)  # fmt: skip
ax.plot(budgets, sweep.kl.mean(axis=1), "-", color=lb.plotting.PALETTE[0],
        label=r"mean KL$(p \,\|\, q)$ of 3 seeds")  # fmt: skip
excess = sweep.heldout_nll.mean(axis=1) - sweep.exact_nll
ax.plot(budgets, excess, "s--", color=lb.plotting.PALETTE[1], ms=7, mfc="none",
        mew=1.8, label="held-out NLL minus its floor")  # fmt: skip
ax.set(xscale="log", yscale="log", xlabel="simulations $N$",
       ylabel="distance to the exact posterior")  # fmt: skip
ax.legend(loc="upper right")
lb.plotting.set_alt_text(
    fig,
    "On log-log axes, the divergence between learned and exact posterior falls "
    "steeply from a hundred to ten thousand simulations and more slowly after; "
    "the excess held-out negative log-likelihood follows the same curve.",
)
