"""``python -m benchmarks [--build] [--tiny] [--out PATH]``: run, print, write JSON.

``nox -s bench`` runs this; ``nox -s bench -- --build`` adds the build times
(minutes: four builds of the site on a temporary copy). ``--sbi`` runs the
peer comparison of :mod:`benchmarks.sbi_peer` instead (it needs ``sbi``: ``nox
-s bench_sbi``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import torch

from . import build, pages, sbi_peer, training

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

#: The sizes of issue 10, and a tiny version of them for the test.
CONFIGS = {
    "full": {
        "tutorial": {"n": 4096, "epochs": 20, "repeats": 5},
        "sweep": {"ks": [1, 2, 4, 8, 16, 32], "n": 4096, "epochs": 10, "repeats": 3},
        "flops": {"widths": [32, 256], "epochs": 3, "repeats": 5},
    },
    "tiny": {
        "tutorial": {"n": 512, "epochs": 3, "repeats": 1, "n_seeds": 2},
        "sweep": {"ks": [1, 2], "n": 256, "epochs": 1, "repeats": 1},
        "flops": {"widths": [8], "batch": 64, "epochs": 1, "repeats": 1},
    },
}


def machine() -> dict:
    """What the numbers depend on: versions, cores, load, commit."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
        text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def run(
    config: str = "full", *, with_build: bool = False, html: Path | None = None
) -> dict:
    """Run the benchmarks of ``CONFIGS[config]``; return the report.

    Parameters
    ----------
    config : {"full", "tiny"}
        Problem sizes.
    with_build : bool, default False
        Also time four builds of the site (and weigh that fresh build's pages).
    html : Path, optional
        A built site to weigh; default ``docs/_build/html`` if it exists.

    Returns
    -------
    dict
        ``machine``, ``tutorial``, ``sweep``, ``flops``, ``build`` and ``pages``
        (``None`` where not run).
    """
    sizes = CONFIGS[config]
    report = {"config": config, "machine": machine()}
    report["tutorial"] = training.train_vs_tutorial(**sizes["tutorial"])
    report["sweep"] = training.stacked_vs_loop(**sizes["sweep"])
    flops = dict(sizes["flops"])
    report["flops"] = [training.flop_fraction(w, **flops) for w in flops.pop("widths")]
    report["build"] = None
    if with_build:
        html = RESULTS / "site"
        report["build"] = build.build_times(keep=html)
    html = html or ROOT / "docs" / "_build" / "html"
    report["pages"] = pages.site_weights(html) if html.is_dir() else None
    report["machine"]["load_average_end"] = os.getloadavg()
    return report


def spread(values: list[float]) -> str:
    """Median and range, e.g. ``0.05 (0.03 to 0.07)``."""
    return f"{statistics.median(values):.3g} ({min(values):.3g} to {max(values):.3g})"


def table(report: dict) -> str:
    """The report as a two-column Markdown table."""
    rows = []
    t = report["tutorial"]
    rows.append((
        f"train() vs tutorial loop ({t['config']['epochs']} epochs, "
        f"{t['config']['threads']} thread)",
        f"{t['speedup']:.2f}x faster ({t['median']['library']:.3g} s vs "
        f"{t['median']['tutorial']:.3g} s); final MSE over "
        f"{len(t['seed_losses']['library'])} batch seeds: library "
        f"{spread(t['seed_losses']['library'])}, tutorial "
        f"{spread(t['seed_losses']['tutorial'])}",
    ))  # fmt: skip
    for row in report["sweep"]["rows"]:
        rows.append((
            f"stacked sweep vs loop, K = {row['k']}",
            f"{row['speedup']:.2f}x ({row['median']['stacked']:.3g} s vs "
            f"{row['median']['loop']:.3g} s)",
        ))  # fmt: skip
    for f in report["flops"]:
        c = f["config"]
        rows.append((
            f"train() FLOP/s / mm FLOP/s, width {c['width']}, depth {c['depth']}, "
            f"batch {c['batch']}, {c['threads']} threads",
            f"{f['fraction']:.3g} ({f['train_flops'] / 1e9:.3g} vs "
            f"{f['mm_flops'] / 1e9:.3g} GFLOP/s)",
        ))  # fmt: skip
    if report["build"]:
        b = report["build"]
        rows += [
            (name, f"{b[key]:.1f} s ({b['cpu'][key]:.1f} s CPU)")
            for name, key in [
                ("clean build, environment ready", "clean"),
                ("no-op rebuild", "noop"),
                (f"rebuild, {Path(b['script']).name} edited", "script_edit"),
                (f"rebuild, {Path(b['module']).name} edited", "library_edit"),
            ]
        ]
    if report["pages"]:
        p = report["pages"]
        heaviest = max(p["pages"], key=lambda k: p["pages"][k]["own"])
        chapters = [
            w["own"] for k, w in p["pages"].items() if k.startswith("chapters/")
        ]
        rows += [
            ("pages: own bytes, HTML and eager files, median / max",
             f"{p['own']['median'] / 1e3:.0f} KB / {p['own']['max'] / 1e3:.0f} KB "
             f"({heaviest})"),
            ("chapters: own bytes, HTML and eager files, max",
             f"{max(chapters, default=0) / 1e3:.0f} KB"),
            ("pages: lazy images (loaded when scrolled or stepped to), max",
             f"{p['lazy']['max'] / 1e3:.0f} KB"),
            ("pages: shared bytes, median / max", f"{p['shared']['median'] / 1e3:.0f}"
             f" KB / {p['shared']['max'] / 1e3:.0f} KB"),
        ]  # fmt: skip
    m = report["machine"]
    rows.append((
        "machine",
        f"{m['cpus']} CPUs, torch {m['torch']}, load average "
        f"{m['load_average'][0]:.1f} at start, {m['load_average_end'][0]:.1f} at end",
    ))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measure':<{width}} | value |", f"|{'-' * (width + 2)}|---|"]
    lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--build", action="store_true", help="also time four builds")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--html", type=Path, help="built site to weigh")
    parser.add_argument("--out", type=Path, help="JSON report path")
    parser.add_argument(
        "--sbi", action="store_true", help="sbi's NPE beside fit_posterior instead"
    )
    args = parser.parse_args(argv)
    if args.sbi:
        out = ["--out", str(args.out)] if args.out else []
        sbi_peer.main((["--tiny"] if args.tiny else []) + out)
        return
    report = run("tiny" if args.tiny else "full", with_build=args.build, html=args.html)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"bench-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str))
    print(table(report))
    print(f"\nreport: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
