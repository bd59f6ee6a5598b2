"""The peer, measured: ``sbi``'s NPE beside ``fit_posterior`` on the book's simulators.

``python -m benchmarks.sbi_peer [--tiny] [--budgets N ...] [--seeds S ...]
[--estimators NAME ...] [--out PATH]`` (``nox -s bench_sbi``, the only
environment with ``sbi`` installed). Also ``python -m benchmarks --sbi``.

Every estimator trains on exactly the same pairs, ``sim.sample(n, seed=s)``,
and is scored by the same code from its samples and log densities alone
(:func:`line_metrics`, :func:`square_metrics`), through one small interface:
``sample(n, x, *, seed) -> (n, d)`` and ``log_prob(theta, x) -> (m,)`` for one
observation ``x``. A :class:`~learnable_bases.posterior.PosteriorFit` has it;
:class:`SbiPosterior` gives it to an ``sbi`` posterior.

* ``fit_posterior``: the project's default estimator, a Gaussian head on the
  line and the book's 5-component mixture on the square, default settings.
* ``exact``: the true posterior (no training), the closed-form Gaussian on the
  line and the grid posterior on the square, scored by the same code: its row
  is the floor each metric can reach with these sample sizes (its coverage
  misses nominal by the noise of 1,000 simulations, a point or two).
* ``sbi-mdn``, ``sbi-nsf``, ``sbi-maf``: ``sbi.inference.NPE`` with that
  density estimator and ``sbi``'s defaults otherwise (10 % held out, stop
  after 20 epochs without a better held-out loss, batch 200, z-scored inputs),
  with the simulator's prior (``N(0, prior_std^2 I)`` on the line,
  ``BoxUniform(-bound, bound)`` on the square).

``sbi`` is imported inside the functions that need it only, so ``import
benchmarks`` (and the tests) never need it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch

import learnable_bases as lb

from .training import threads

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "sbi_peer.json"

LINE = lb.simulators.LinearGaussian()
SQUARE = lb.simulators.SquareBimodal()
#: Credibility levels of the coverage check.
LEVELS = (0.5, 0.68, 0.95)
#: Seeds of the held-out draws: fixed, and far from the training seeds.
EVAL_SEEDS = {"line": 10_000, "coverage": 10_001, "square": 10_002}
#: The estimators compared: the reference, the project's, then sbi's three.
#: ``exact`` is the reference: the true posterior, scored by the same code.
ESTIMATORS = ("exact", "fit_posterior", "sbi-mdn", "sbi-nsf", "sbi-maf")

#: The problem sizes of issue 19 item 6, and a tiny version for the test.
CONFIGS = {
    "full": {
        "budgets": [1_000, 10_000],
        "seeds": [0, 1],
        "n_line": 200,  # held-out observations for the mean and sd errors
        "mean_samples": 2_000,  # samples per observation for the mean and sd
        "n_coverage": 1_000,  # fresh simulations for the coverage
        "coverage_samples": 500,  # samples per simulation for its HPD level
        "n_square": 20,  # held-out observations for the TV distance
        "grid_points": 801,
    },
    "tiny": {
        "budgets": [200],
        "seeds": [0],
        "n_line": 4,
        "mean_samples": 200,
        "n_coverage": 20,
        "coverage_samples": 50,
        "n_square": 3,
        "grid_points": 101,
    },
}


# ---------------------------------------------------------------------------
# sbi, behind the interface the metrics use
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block on torch's global generator seeded with ``seed``, then restore.

    ``sbi`` draws its initial weights, batches and samples from the global
    generator; this keeps those draws reproducible and the caller's state intact.
    """
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        yield


class SbiPosterior:
    """An ``sbi`` posterior with ``sample(n, x, *, seed)`` and ``log_prob(theta, x)``.

    ``log_prob`` is ``sbi``'s without the leakage correction
    (``norm_posterior=False``): that is one constant per observation, which
    neither an HPD level (a ranking at one ``x``) nor a density normalised on
    a grid can see, and computing it costs ``sbi`` thousands of draws per call.

    Parameters
    ----------
    posterior : sbi.inference.posteriors.DirectPosterior
        What ``NPE(...).build_posterior()`` returns.
    epochs : int, optional
        Epochs its training ran (sbi's summary), for the report.
    """

    def __init__(self, posterior: object, epochs: int | None = None) -> None:
        self.posterior = posterior
        self.epochs = epochs

    def sample(self, n: int, x: torch.Tensor, *, seed: int = 0) -> torch.Tensor:
        """``n`` draws for one observation ``x`` (shape ``(x_dim,)``): ``(n, d)``."""
        with seeded(seed):
            return self.posterior.sample(
                (n,), x=x.reshape(1, -1).float(), show_progress_bars=False
            )

    def log_prob(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``log q(theta_i | x)`` for one observation ``x``: shape ``(m,)``."""
        with torch.no_grad():
            return self.posterior.log_prob(
                theta.float(), x=x.reshape(1, -1).float(), norm_posterior=False
            ).double()


def sbi_prior(simulator: object) -> object:
    """The simulator's prior as ``sbi`` takes it (a torch distribution)."""
    from sbi.utils import BoxUniform  # only here: sbi is optional

    if isinstance(simulator, lb.simulators.LinearGaussian):
        d = simulator.theta_dim
        return torch.distributions.MultivariateNormal(
            torch.zeros(d), simulator.prior_std**2 * torch.eye(d)
        )
    if isinstance(simulator, lb.simulators.SquareBimodal):
        b = simulator.bound
        return BoxUniform(low=-b * torch.ones(1), high=b * torch.ones(1))
    raise TypeError(f"no sbi prior for {type(simulator).__name__}")


def train_sbi(
    density_estimator: str, simulator: object, theta: torch.Tensor, x: torch.Tensor,
    *, seed: int,
) -> SbiPosterior:  # fmt: skip
    """``sbi.inference.NPE`` with ``density_estimator``, sbi's defaults otherwise."""
    # sbi prints its convergence notice on stdout, where the table goes
    with seeded(seed), contextlib.redirect_stdout(sys.stderr):
        posterior, epochs = sbi_npe(theta, x, sbi_prior(simulator), density_estimator)
        return SbiPosterior(posterior, epochs=epochs)


def sbi_npe(
    theta: torch.Tensor, x: torch.Tensor, prior: object, density_estimator: str = "maf"
) -> tuple[object, int]:
    """Neural posterior estimation with ``sbi``: the listing chapter 4 shows.

    Parameters
    ----------
    theta : torch.Tensor, shape (n, d)
        The simulated parameters, in any units (``sbi`` z-scores them).
    x : torch.Tensor, shape (n, x_dim)
        Their simulated data, in any units (z-scored too).
    prior : torch.distributions.Distribution
        The prior the ``theta`` were drawn from, on ``d`` dimensions.
    density_estimator : {"maf", "nsf", "mdn"}, default "maf"
        ``sbi``'s name of the conditional density; its default is "maf".

    Returns
    -------
    posterior : sbi.inference.posteriors.DirectPosterior
        ``posterior.sample((m,), x=x_o)`` and ``posterior.log_prob(theta, x=x_o)``.
    epochs : int
        Epochs the training ran before its held-out loss stopped improving.
    """
    from sbi.inference import NPE  # only here: sbi is optional

    npe = NPE(prior, density_estimator=density_estimator, show_progress_bars=False)
    npe.append_simulations(theta, x)  # 10 % held out, patience 20, batch 200
    npe.train(show_train_summary=False)
    return npe.build_posterior(), npe.summary["epochs_trained"][-1]


def train_project(
    simulator: object, theta: torch.Tensor, x: torch.Tensor, *, seed: int
) -> lb.posterior.PosteriorFit:
    """``fit_posterior`` as the book uses it: Gaussian head, or 5-component mixture."""
    if isinstance(simulator, lb.simulators.SquareBimodal):
        return lb.posterior.fit_posterior(
            theta=theta, x=x, head="mixture", components=5, seed=seed
        )
    return lb.posterior.fit_posterior(theta=theta, x=x, seed=seed)


class ExactPosterior:
    """The true posterior of a book simulator behind the metrics' interface.

    The line's is the closed-form Gaussian (``simulator.posterior``); the
    square's is its likelihood under the flat prior, whose normalisation on
    the grid is the reference itself (only ``log_prob`` is defined there).
    """

    epochs = 0

    def __init__(self, simulator: object) -> None:
        self.simulator = simulator

    def _gaussian(self, x: torch.Tensor) -> torch.distributions.MultivariateNormal:
        mean, cov = self.simulator.posterior(x.reshape(1, -1).float())
        return torch.distributions.MultivariateNormal(mean[0], cov)

    def sample(self, n: int, x: torch.Tensor, *, seed: int = 0) -> torch.Tensor:
        """``n`` exact draws for one observation ``x`` of the line: ``(n, d)``."""
        with seeded(seed):
            return self._gaussian(x).sample((n,))

    def log_prob(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """``log p(theta_i | x)`` (up to a constant on the square): ``(m,)``."""
        if isinstance(self.simulator, lb.simulators.SquareBimodal):
            grid = theta.reshape(-1).double()
            return self.simulator.log_likelihood(grid, x.reshape(1, -1))[0]
        return self._gaussian(x).log_prob(theta.double())


def trainer(name: str) -> Callable[..., object]:
    """The training function of estimator ``name`` (one of :data:`ESTIMATORS`)."""
    if name == "exact":
        return lambda sim, theta, x, *, seed: ExactPosterior(sim)
    if name == "fit_posterior":
        return train_project
    if name in ESTIMATORS:
        kind = name.removeprefix("sbi-")
        return lambda sim, theta, x, *, seed: train_sbi(kind, sim, theta, x, seed=seed)
    raise ValueError(f"unknown estimator {name!r}; allowed: {ESTIMATORS}")


# ---------------------------------------------------------------------------
# The metrics: samples and log densities only, the same for every estimator
# ---------------------------------------------------------------------------


def line_metrics(
    estimator: object,
    simulator: lb.simulators.LinearGaussian = LINE,
    *,
    n_line: int,
    mean_samples: int,
    n_coverage: int,
    coverage_samples: int,
) -> dict:
    """Accuracy of ``estimator`` on the line, against the exact Gaussian posterior.

    Parameters
    ----------
    estimator : object
        ``sample(n, x, *, seed) -> (n, 2)`` and ``log_prob(theta, x) -> (m,)``.
    simulator : LinearGaussian
        The line the estimator was trained on.
    n_line : int
        Held-out observations (``sample(n_line, seed=EVAL_SEEDS["line"])``).
    mean_samples : int
        Samples per observation for the mean and standard deviations.
    n_coverage : int
        Fresh simulations for the coverage.
    coverage_samples : int
        Samples per simulation for its HPD level.

    Returns
    -------
    dict
        ``mean_error``: per observation, the largest over components of
        ``|sample mean - exact mean| / prior_std``, shape ``(n_line,)``;
        ``sd_ratio``: sample sd / exact sd, ``(n_line, 2)``; ``coverage``:
        fraction of true parameters in the HPD region of each of
        :data:`LEVELS`.
    """
    _, x = simulator.sample(n_line, seed=EVAL_SEEDS["line"])
    exact_mean, cov = simulator.posterior(x)
    exact_sd = cov.diagonal().sqrt()
    errors, ratios = [], []
    for i in range(n_line):
        draws = estimator.sample(mean_samples, x[i], seed=i).double()
        errors.append((draws.mean(0) - exact_mean[i]).abs().max() / simulator.prior_std)
        ratios.append(draws.std(0) / exact_sd)
    theta_c, x_c = simulator.sample(n_coverage, seed=EVAL_SEEDS["coverage"])
    levels = lb.calibration.hpd_level_samples(
        estimator, theta_c, x_c, n_samples=coverage_samples
    )
    return {
        "mean_error": torch.stack(errors).tolist(),
        "sd_ratio": torch.stack(ratios).tolist(),
        "coverage": lb.calibration.empirical_coverage(levels, LEVELS).tolist(),
    }


def square_metrics(
    estimator: object,
    simulator: lb.simulators.SquareBimodal = SQUARE,
    *,
    n_square: int,
    grid_points: int,
) -> dict:
    """Total-variation distance of ``estimator`` to the grid reference on the square.

    The estimator's density at each held-out observation is
    ``exp(log_prob(grid, x))`` normalised on the grid over the prior's
    support, compared with ``simulator.reference_posterior`` there.

    Returns
    -------
    dict
        ``tv``: one distance in ``[0, 1]`` per observation, shape ``(n_square,)``.
    """
    _, x = simulator.sample(n_square, seed=EVAL_SEEDS["square"])
    grid = lb.simulators.theta_grid(-simulator.bound, simulator.bound, grid_points)
    reference = simulator.reference_posterior(x, grid)
    log_q = torch.stack(
        [estimator.log_prob(grid[:, None], x[i]) for i in range(len(x))]
    )
    q = lb.simulators.normalise_on_grid(log_q.double(), grid)
    return {"tv": lb.calibration.tv_distance(reference, q, grid).tolist()}


def warm_up(estimators: tuple[str, ...], n: int = 200) -> None:
    """Train each estimator once on ``n`` pairs of each simulator, untimed.

    The first training in a process pays for imports (all of ``sbi``) and
    torch's first calls; without this, that cost would land on whichever
    estimator is timed first.
    """
    for name in estimators:
        for sim in (LINE, SQUARE):
            theta, x = sim.sample(n, seed=EVAL_SEEDS["line"] - 1)
            with contextlib.suppress(Exception):  # measure() records failures
                trainer(name)(sim, theta, x, seed=0)


def measure(name: str, budget: int, seed: int, sizes: dict) -> dict:
    """Train estimator ``name`` on ``budget`` pairs of each simulator and score it.

    Returns
    -------
    dict
        ``estimator``, ``budget``, ``seed``, ``seconds`` (training wall clock per
        simulator), ``epochs`` (training epochs per simulator), ``line``
        (:func:`line_metrics`) and ``square`` (:func:`square_metrics`).
    """
    train = trainer(name)
    row = {"estimator": name, "budget": budget, "seed": seed, "seconds": {},
           "epochs": {}}  # fmt: skip
    for key, sim in (("line", LINE), ("square", SQUARE)):
        theta, x = sim.sample(budget, seed=seed)
        start = time.perf_counter()
        estimator = train(sim, theta, x, seed=seed)
        row["seconds"][key] = time.perf_counter() - start
        row["epochs"][key] = estimator.epochs
        if key == "line":
            row["line"] = line_metrics(
                estimator, sim,
                **{k: sizes[k] for k in ("n_line", "mean_samples", "n_coverage",
                                         "coverage_samples")},
            )  # fmt: skip
        else:
            row["square"] = square_metrics(
                estimator, sim, n_square=sizes["n_square"],
                grid_points=sizes["grid_points"],
            )  # fmt: skip
    return row


def run(
    config: str = "full",
    *,
    estimators: tuple[str, ...] = ESTIMATORS,
    budgets: list[int] | None = None,
    seeds: list[int] | None = None,
    out: Path | None = None,
) -> dict:
    """Measure every estimator at every budget and seed, one after the other.

    After an untimed :func:`warm_up`, smaller budgets first; with ``out``, the
    report is rewritten after every row, so an interrupted run keeps what it
    measured. An estimator that fails is recorded with its error and the run
    goes on.

    Returns
    -------
    dict
        ``config`` (the sizes), ``machine`` and ``rows`` (one :func:`measure`
        per estimator, budget and seed, or ``error``).
    """
    from .__main__ import machine

    sizes = CONFIGS[config] | {k: v for k, v in (("budgets", budgets),
                                                 ("seeds", seeds)) if v}  # fmt: skip
    report = {
        "config": sizes | {"name": config, "estimators": list(estimators)},
        "machine": machine(),
        "rows": [],
    }
    with threads(1):
        warm_up(estimators)
        for budget in sizes["budgets"]:
            for seed in sizes["seeds"]:
                for name in estimators:
                    try:
                        row = measure(name, budget, seed, sizes)
                    except Exception as err:  # recorded, shown in the table
                        row = {"estimator": name, "budget": budget, "seed": seed,
                               "error": f"{type(err).__name__}: {err}"}  # fmt: skip
                    report["rows"].append(row)
                    print(_progress(row), file=sys.stderr, flush=True)
                    if out is not None:
                        _write(report, out)
    report["machine"]["load_average_end"] = os.getloadavg()
    if out is not None:
        _write(report, out)
    return report


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str))


def _progress(row: dict) -> str:
    head = f"{row['estimator']} n={row['budget']} seed={row['seed']}"
    if "error" in row:
        return f"{head}: {row['error']}"
    s = row["seconds"]
    return f"{head}: trained in {s['line']:.1f} s (line), {s['square']:.1f} s (square)"


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def spread(values: list[float], fmt: str = ".3g") -> str:
    """Median and range over seeds, ``0.05 (0.03–0.07)``; one value alone."""
    if len(values) == 1:
        return f"{values[0]:{fmt}}"
    return (
        f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"
    )


def summary(rows: list[dict]) -> dict:
    """One estimator at one budget over its seeds: per-seed numbers, then spreads.

    Returns
    -------
    dict
        Lists over seeds: ``worst_error`` and ``median_error`` (over the held-out
        observations), ``sd_ratio_min``, ``sd_ratio_median``, ``sd_ratio_max``
        (over observations and components), ``coverage`` (one triple per
        seed), ``tv`` (mean over observations), ``seconds_line`` and
        ``seconds_square``.
    """
    out = {k: [] for k in ("worst_error", "median_error", "sd_ratio_min",
                           "sd_ratio_median", "sd_ratio_max", "coverage", "tv",
                           "seconds_line", "seconds_square")}  # fmt: skip
    for row in rows:
        err = np.asarray(row["line"]["mean_error"])
        ratio = np.asarray(row["line"]["sd_ratio"])
        out["worst_error"].append(float(err.max()))
        out["median_error"].append(float(np.median(err)))
        out["sd_ratio_min"].append(float(ratio.min()))
        out["sd_ratio_median"].append(float(np.median(ratio)))
        out["sd_ratio_max"].append(float(ratio.max()))
        out["coverage"].append(row["line"]["coverage"])
        out["tv"].append(float(np.mean(row["square"]["tv"])))
        out["seconds_line"].append(row["seconds"]["line"])
        out["seconds_square"].append(row["seconds"]["square"])
    return out


COLUMNS = (
    "budget", "estimator", "seeds", "line: mean error / prior sd, worst; median",
    "line: sd ratio q/exact, min–max (median)", "line: coverage 50/68/95 %",
    "square: mean TV", "train s, line", "train s, square",
)  # fmt: skip


def table(report: dict) -> str:
    """The report as a Markdown table: one row per budget and estimator.

    Each cell is the median over training seeds with the range in brackets
    (one value when there is one seed); the sd-ratio range is the smallest
    and largest ratio over seeds, observations and components.
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    groups: dict[tuple[int, str], list[dict]] = {}
    for row in report["rows"]:
        groups.setdefault((row["budget"], row["estimator"]), []).append(row)
    for (budget, name), rows in groups.items():
        good = [r for r in rows if "error" not in r]
        errors = [r["error"] for r in rows if "error" in r]
        cells = [f"{budget:,}", name, str(len(good))]
        if good:
            s = summary(good)
            cov = np.asarray(s["coverage"])
            cells += [
                f"{spread(s['worst_error'])}; median {spread(s['median_error'])}",
                f"{min(s['sd_ratio_min']):.2f}–{max(s['sd_ratio_max']):.2f} "
                f"({statistics.median(s['sd_ratio_median']):.2f})",
                " / ".join(spread(list(cov[:, j]), ".2f") for j in range(len(LEVELS))),
                spread(s["tv"]),
                spread(s["seconds_line"], ".1f"),
                spread(s["seconds_square"], ".1f"),
            ]
        else:
            cells += ["failed: " + errors[0][:80]] + [""] * (len(COLUMNS) - 4)
        lines.append("| " + " | ".join(cells) + " |")
    sizes = report["config"]
    m = report["machine"]
    notes = [
        f"Line: {sizes['n_line']} held-out observations, {sizes['mean_samples']:,} "
        f"samples each; coverage over {sizes['n_coverage']:,} simulations, "
        f"{sizes['coverage_samples']} samples each. Square: mean over "
        f"{sizes['n_square']} held-out observations, {sizes['grid_points']}-point "
        f"grid. Training seeds {sizes['seeds']}: median (range) over seeds. "
        f"{m['cpus']} CPUs, 1 torch thread, torch {m['torch']}, load average "
        f"{m['load_average'][0]:.1f} at start"
        + (f", {m['load_average_end'][0]:.1f} at end." if "load_average_end" in m
           else "."),
    ]  # fmt: skip
    for row in report["rows"]:
        if "error" in row:
            notes.append(
                f"{row['estimator']} n={row['budget']} seed={row['seed']} failed: "
                f"{row['error']}"
            )
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sbi_peer", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--budgets", type=int, nargs="+", help="simulation budgets")
    parser.add_argument("--seeds", type=int, nargs="+", help="training seeds")
    parser.add_argument(
        "--estimators", nargs="+", choices=ESTIMATORS, default=list(ESTIMATORS)
    )
    parser.add_argument("--out", type=Path, default=OUT, help="JSON report path")
    args = parser.parse_args(argv)
    if lb.cache.CACHE_ENV in os.environ:
        parser.error("unset LB_CACHE_DIR: a cached fit would time nothing")
    report = run(
        "tiny" if args.tiny else "full",
        estimators=tuple(args.estimators),
        budgets=args.budgets,
        seeds=args.seeds,
        out=args.out,
    )
    print(table(report))
    print(f"\nreport: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
