"""The benchmark machinery on a tiny configuration: structure and losses, not speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks import __main__ as bench
from benchmarks import pages, sbi_peer, timing, training


def test_candidates_take_turns():
    calls = []
    out = timing.alternate(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b") or 7},
        repeats=3,
        warmup=False,
    )
    assert calls == ["a", "b"] * 3
    assert len(out["a"]["seconds"]) == 3 and out["b"]["result"] == 7
    assert out["a"]["median"] == sorted(out["a"]["seconds"])[1]


def test_training_flops_counts_forward_and_both_gradients():
    # 2 -> 3 -> 1: forward 2B(6 + 3), weight gradients the same, input
    # gradient only of the second layer 2B*3.
    assert training.training_flops([2, 3, 1], batch=10) == 2 * 10 * (9 + 9 + 3)


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


@pytest.fixture
def tiny_site(tmp_path):
    html = tmp_path / "html"
    write(html / "_static" / "theme.css", "body { color: red }" * 50)
    write(html / "_static" / "theme.js", "let x = 1;" * 50)
    write(html / "_images" / "fig.png", bytes(range(256)) * 4)
    write(html / "_images" / "frame1.png", bytes(range(256)) * 2)
    write(html / "searchindex.js", "Search.setIndex({})")
    head = (
        '<link rel="stylesheet" href="{up}_static/theme.css">'
        '<script src="{up}_static/theme.js"></script>'
        '<script src="{up}searchindex.js"></script>'
    )
    write(html / "index.html", head.format(up="") + '<a href="ch/one.html">one</a>')
    write(
        html / "ch" / "one.html",
        head.format(up="../")
        + '<img src="../_images/fig.png" alt="a figure"><a href="../index.html">up</a>'
        + '<img src="../_images/frame1.png" loading="lazy" alt="a later frame">',
    )
    return html


def test_page_weight_splits_shared_and_own(tiny_site):
    w = pages.site_weights(tiny_site)
    assert set(w["pages"]) == {"index.html", "ch/one.html"}
    shared = sum(
        pages.transfer_bytes(tiny_site / f)
        for f in ("_static/theme.css", "_static/theme.js", "searchindex.js")
    )
    one, index = w["pages"]["ch/one.html"], w["pages"]["index.html"]
    assert one["shared"] == index["shared"] == shared
    assert index["own"] == pages.transfer_bytes(tiny_site / "index.html")
    assert one["own"] == pages.transfer_bytes(tiny_site / "ch" / "one.html") + 1024
    assert one["lazy"] == 512 and index["lazy"] == 0  # not part of a first visit
    assert (
        w["own"]["max"] == one["own"]
        and w["total"]["median"] == (one["total"] + index["total"]) / 2
    )


def test_tiny_run_reports_every_measure_and_agreeing_losses(tiny_site, tmp_path):
    out = tmp_path / "report.json"
    bench.main(["--tiny", "--html", str(tiny_site), "--out", str(out)])
    report = json.loads(out.read_text())
    assert {"machine", "tutorial", "sweep", "flops", "build", "pages"} <= set(report)
    t = report["tutorial"]
    assert set(t["median"]) == set(t["final_loss"]) == {"library", "tutorial"}
    lib, tut = t["final_loss"]["library"], t["final_loss"]["tutorial"]
    assert abs(lib - tut) <= 0.05 * max(lib, tut)  # different batch order only
    assert t["seed_losses"]["library"][0] == lib
    assert t["seed_losses"]["tutorial"][0] == tut
    assert len(t["seed_losses"]["tutorial"]) == 2
    assert [row["k"] for row in report["sweep"]["rows"]] == [1, 2]
    for row in report["sweep"]["rows"]:
        assert set(row["median"]) == {"stacked", "loop"}
        assert row["loss_gap"] < 1e-4  # the same batches: float rounding only
    for f in report["flops"]:
        assert f["train_flops"] > 0 and f["mm_flops"] > 0
        assert f["fraction"] == pytest.approx(f["train_flops"] / f["mm_flops"])
    assert report["build"] is None  # only with --build
    assert report["pages"]["own"]["max"] > 0
    assert "| train() vs tutorial loop" in bench.table(report)


def test_peer_metrics_score_the_project_estimator_without_sbi(tmp_path):
    # the shared metric code, on fit_posterior at a tiny budget: runs without sbi
    out = tmp_path / "sbi_peer.json"
    report = sbi_peer.run("tiny", estimators=("fit_posterior",), out=out)
    assert json.loads(out.read_text())["rows"] == report["rows"]
    (row,) = report["rows"]
    assert "error" not in row, row.get("error")
    line, sizes = row["line"], sbi_peer.CONFIGS["tiny"]
    assert len(line["mean_error"]) == sizes["n_line"]
    assert all(0 <= e < 3 for e in line["mean_error"])  # in prior sds
    assert all(0.2 < r < 5 for pair in line["sd_ratio"] for r in pair)
    cov = line["coverage"]
    assert len(cov) == len(sbi_peer.LEVELS) and all(0 <= c <= 1 for c in cov)
    assert cov == sorted(cov)  # a wider region holds at least as many
    tv = row["square"]["tv"]
    assert len(tv) == sizes["n_square"] and all(0 <= t <= 1 for t in tv)
    assert all(row["seconds"][k] > 0 for k in ("line", "square"))
    assert "| 200 | fit_posterior | 1 |" in sbi_peer.table(report)


def test_peer_metrics_see_a_wrong_posterior():
    # an estimator twice as wide as the exact line posterior: sd ratio 2,
    # over-coverage; the exact one: ratio near 1 and coverage near nominal
    sim = sbi_peer.LINE

    # the exact posterior mean is linear in x: mean(x) = x @ weights
    weights, cov = sim.posterior(torch.eye(sim.x_dim))
    chol = torch.linalg.cholesky(cov)

    class Gaussian:
        def __init__(self, scale):
            self.scale = scale

        def dist(self, x):
            return torch.distributions.MultivariateNormal(
                x.double() @ weights, scale_tril=self.scale * chol, validate_args=False
            )

        def sample(self, n, x, *, seed):
            with sbi_peer.seeded(seed):
                return self.dist(x).sample((n,))

        def log_prob(self, theta, x):
            return self.dist(x).log_prob(theta.double())

    sizes = {"n_line": 10, "mean_samples": 4000, "n_coverage": 200,
             "coverage_samples": 200}  # fmt: skip
    exact = sbi_peer.line_metrics(Gaussian(1.0), sim, **sizes)
    wide = sbi_peer.line_metrics(Gaussian(2.0), sim, **sizes)
    assert max(exact["mean_error"]) < 0.05
    assert all(abs(r - 1) < 0.1 for pair in exact["sd_ratio"] for r in pair)
    assert all(abs(r - 2) < 0.2 for pair in wide["sd_ratio"] for r in pair)
    assert exact["coverage"] == pytest.approx(sbi_peer.LEVELS, abs=0.1)
    assert wide["coverage"][0] > 0.8  # the 50 % region of q holds far more


def test_importing_the_benchmarks_does_not_import_sbi():
    code = "import benchmarks, benchmarks.sbi_peer, sys; print('sbi' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert out.stdout.strip() == "False"


def test_peer_trains_sbi_on_the_same_pairs():
    pytest.importorskip("sbi")  # only in nox -s bench_sbi's environment
    report = sbi_peer.run("tiny", estimators=("sbi-mdn",))
    (row,) = report["rows"]
    assert "error" not in row, row.get("error")
    assert all(0 <= c <= 1 for c in row["line"]["coverage"])


def test_sbi_is_trained_through_the_listing_chapter_4_shows(monkeypatch):
    # train_sbi runs sbi_npe (the function the chapter includes), nothing else
    calls = []

    def fake(theta, x, prior, density_estimator="maf"):
        calls.append((theta, x, prior, density_estimator))
        return "posterior", 7

    monkeypatch.setattr(sbi_peer, "sbi_npe", fake)
    monkeypatch.setattr(sbi_peer, "sbi_prior", lambda simulator: "prior")
    theta, x = sbi_peer.LINE.sample(10, seed=0)
    out = sbi_peer.train_sbi("nsf", sbi_peer.LINE, theta, x, seed=0)
    ((t, xs, prior, kind),) = calls
    assert t is theta and xs is x and prior == "prior" and kind == "nsf"
    assert out.posterior == "posterior" and out.epochs == 7


def test_the_exact_row_is_each_metrics_floor():
    # the true posterior through the same metric code: TV 0 on the square (its
    # grid density is the reference), sampling noise only on the line (200
    # draws: the mean within a few posterior sds / sqrt(200), the sd within 3 x 5 %)
    report = sbi_peer.run("tiny", estimators=("exact",))
    (row,) = report["rows"]
    assert "error" not in row, row.get("error")
    assert max(row["square"]["tv"]) < 1e-9
    assert max(row["line"]["mean_error"]) < 0.1
    assert all(abs(r - 1) < 0.15 for pair in row["line"]["sd_ratio"] for r in pair)
    assert "| 200 | exact | 1 |" in sbi_peer.table(report)
