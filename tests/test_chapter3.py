"""Chapter 3 (going deep): every claim its text makes, its code page, its built pages.

The claims are checked with the chapter's own seeds and settings, with
tolerances that leave room for small numerical differences between machines.
Also the code page's plain-PyTorch cells and exercise 4's solution, run again on
their own. The library functions behind the chapter (``count_kinks``,
``kinks_by_depth``, ``backprop``, ``field_grid``, ``fit_field``,
``equal_parameter_width``, ``gradients_by_layer``, ``output_kinks``,
``sawtooth_kinks``) are tested in test_deep.py, its plotting helper
``plot_field`` in test_plotting.py. One library test stays here: the check that
``fit_fields`` equals separate ``train`` runs, which reuses the chapter's own
trainings.
"""

from __future__ import annotations

import html as htmllib
import inspect
import itertools
import re

import numpy as np
import pytest
import torch
from cells import plain_pytorch_cells, run
from conftest import ROOT, assigned_call, quoted_source

import learnable_bases as lb
from learnable_bases import deep

CHAPTER = "chapters/03_going_deep.html"


@pytest.mark.parametrize(
    "script", ["plot_02_one_hidden_layer_2d.py", "plot_05_depth_slider.py"]
)
def test_scripts_show_the_training_the_chapter_quotes(script):
    """The 2-D scripts spell out the optimizer, its settings and the stopping
    rule, and they are the chapter's: one training per network and build."""
    chapter = ROOT / "docs" / "chapters" / "03_going_deep.md"
    path = ROOT / "gallery" / "03_going_deep" / script
    training = assigned_call(chapter, "training", "dict")
    assert assigned_call(path, "training", "dict") == training
    assert {"optimizer", "lr", "batch_size", "epochs", "val_fraction", "patience"} <= (
        set(training)
    )


CODE_PAGE = "chapters/03_deep_network_code.html"
CODE_SOURCE = "03_deep_network_code.md"  # the code page's Markdown
DEPTHS = [1, 2, 3, 4]
SEEDS = list(range(12))  # the chapter's and plot_05_depth_slider.py's seeds
WIDE_EPOCHS = 1500  # the wide networks' epoch limit, which none reaches
FIELDS = ("blob", "moons", "spiral")
WIDTH = 32
#: the chapter's and the gallery's training: a held-out split and early stopping
FIT = {"epochs": 500, "val_fraction": 0.2, "patience": 20}


def _text(html: str) -> str:
    """Visible text of a page: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _glued(html: str) -> list[str]:
    """Every number myst-nb glued into the page as text."""
    return re.findall(r'<span class="pasted-text">([^<]*)</span>', html)


# ------------------------------------------------------ the chapter's computations
@pytest.fixture(scope="module")
def depth_sweep():
    """The chapter's depth sweep (the same call as plot_05_depth_slider)."""
    return deep.depth_sweep(("blob", "spiral"), DEPTHS, width=WIDTH, seeds=SEEDS, **FIT)


@pytest.fixture(scope="module")
def sweep(depth_sweep):
    """Seed 0 of the depth sweep: the slider's frames, by field and depth."""
    return {
        name: {f.depth: f for f in depth_sweep[name]} for name in ("blob", "spiral")
    }


@pytest.fixture(scope="module")
def one_layer():
    """The one-hidden-layer fits (the same call as plot_02_one_hidden_layer_2d)."""
    rows = deep.fit_fields(FIELDS, depth=1, width=WIDTH, seeds=[0], **FIT)
    return {name: row[0] for name, row in zip(FIELDS, rows, strict=True)}


@pytest.fixture(scope="module")
def wide():
    """One hidden layer with the four-layer network's parameters, every seed."""
    width = deep.equal_parameter_width(2, WIDTH, 4)
    kw = FIT | {"epochs": WIDE_EPOCHS}
    return deep.fit_fields(["spiral"], depth=1, width=width, seeds=SEEDS, **kw)[0]


@pytest.fixture(scope="module")
def he4():
    """The four-layer spiral networks from He's initial weights."""
    return deep.fit_fields(
        ["spiral"], depth=4, width=WIDTH, seeds=SEEDS, init="he", **FIT
    )[0]


@pytest.fixture(scope="module")
def gradients():
    """Largest weight gradient per layer, 10 seeds, both initialisations."""
    return {
        init: deep.gradients_by_layer(list(range(10)), init=init)
        for init in ("pytorch", "he")
    }


@pytest.fixture(scope="module")
def out_kinks():
    """Mean kinks of the output of 20 random networks per arrangement."""
    wide = deep.equal_parameter_width(1, 8, 4)
    return {
        (L, H): deep.output_kinks(L, H, n_networks=20, seed=0).mean()
        for L, H in ((1, 32), (2, 16), (4, 8), (1, wide))
    }


@pytest.fixture(scope="module")
def kinks():
    """Mean kinks per basis function by depth 1..6, widths 8 and 16."""
    return {
        w: deep.kinks_by_depth(range(1, 7), w, n_networks=20, seed=0).mean(axis=1)
        for w in (8, 16)
    }


# --------------------------------------------------------------- kinks_by_depth
def test_claim_kinks_grow_with_depth_and_width(kinks):
    """'1 kink at depth one, ... on average at depth four; faster for wider'."""
    k8, k16 = kinks[8], kinks[16]
    assert k8[0] == 1.0 and k16[0] == 1.0
    assert np.all(np.diff(k8) > 0) and np.all(np.diff(k16) > 0)
    assert np.all(k16[1:] > k8[1:])
    assert k8[3] > 10 * k8[0]


def test_claim_each_frame_adds_one_layer_to_the_previous_network():
    """Random deep features with one more layer are ReLUs of affine maps of the
    shallower network's features (the same draws, in order)."""
    x = torch.linspace(-3, 3, 2001, dtype=torch.float64)
    for depth in (1, 2, 3):
        low = lb.basis.random_deep_features(x, depth, 8, seed=3).numpy()
        high = lb.basis.random_deep_features(x, depth + 1, 8, seed=3).numpy()
        for k in range(8):
            on = high[:, k] > 1e-9
            if on.sum() < 10:
                continue
            design = np.c_[low[on], np.ones(on.sum())]
            coef, *_ = np.linalg.lstsq(design, high[on, k], rcond=None)
            assert np.abs(design @ coef - high[on, k]).max() < 1e-9


# --------------------------------------------------------------------- backprop
def test_claim_backprop_demo(backprop_demo):
    """'agree exactly'; the finite difference confirms; gradients shrink downwards."""
    assert max(backprop_demo["gaps"]) < 1e-15
    auto, fd = backprop_demo["autograd"], backprop_demo["finite_difference"]
    assert auto != 0.0
    assert abs(fd - auto) < 1e-6 * abs(auto)
    assert np.all(np.diff(backprop_demo["max_grad"]) > 0)  # layer 1 < ... < head


# ---------------------------------------------------------- the chapter's claims
def test_claim_one_hidden_layer_fits_blob_not_spiral(one_layer):
    blob, moons, spiral = (one_layer[name] for name in FIELDS)
    assert blob.test_mse < 0.01 and blob.r2 > 0.85  # "the blob is easy"
    assert spiral.r2 < 0.6  # "far too few for the spiral's windings"
    assert blob.r2 > moons.r2 > spiral.r2  # the ladder of difficulty


def test_fit_fields_members_equal_separate_train_runs(one_layer, sweep):
    """Trained together or alone by train(): the same fit, up to float rounding."""
    x, y = lb.targets.sample_field("spiral", 1500, 0.1, 0)
    model = lb.models.MLP(2, WIDTH, 1, seed=0)
    hist = lb.training.train(
        model, lb.losses.mse_objective, x, y, lr=5e-3, batch_size=128,
        optimizer="adam", seed=0, **FIT,
    )  # fmt: skip
    for together in (one_layer["spiral"], sweep["spiral"][1]):
        assert together.history.stopped_epoch == hist.stopped_epoch
        assert together.history.best_epoch == hist.best_epoch
        # batched and single matrix products round differently, and over
        # hundreds of epochs the gap grows: tight early, looser at the end
        for a, b in ((together.history.losses, hist.losses),
                     (together.history.val_losses, hist.val_losses)):  # fmt: skip
            np.testing.assert_allclose(a[:100], b[:100], rtol=1e-5)
            np.testing.assert_allclose(a, b, rtol=1e-3)
        for p, q in zip(together.model.parameters(), model.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-3, atol=1e-3)


def test_claim_every_layer_helps_the_spiral(sweep, depth_sweep):
    errors = [sweep["spiral"][d].test_mse for d in DEPTHS]
    assert all(b < a for a, b in itertools.pairwise(errors))
    assert errors[2] < 0.7 * errors[0]
    assert errors[3] < 0.3 * errors[0]
    assert sweep["spiral"][4].r2 > 0.85
    median = np.median(depth_sweep.test_mse("spiral"), axis=1)
    assert all(b < a for a, b in itertools.pairwise(median))


def test_claim_relative_gains_of_depth(depth_sweep, one_layer):
    blob = np.median(depth_sweep.test_mse("blob"), axis=1)
    spiral = np.median(depth_sweep.test_mse("spiral"), axis=1)
    # both fall many-fold from one layer to four
    assert spiral[0] / spiral[-1] > 10 and blob[0] / blob[-1] > 5
    # "most of the blob's gain comes from the second layer; two more lower it
    # only ...-fold further"
    assert blob[0] - blob[1] > 0.75 * (blob[0] - blob[-1])  # "most of the gain"
    assert blob[1] < blob[0] / 3
    assert 1 < blob[1] / blob[-1] < 0.5 * blob[0] / blob[1]
    # "one layer already recovers the blob, while it leaves the spiral unrecognisable"
    assert one_layer["blob"].r2 > 0.85 > 0.6 > one_layer["spiral"].r2
    assert spiral[0] - spiral[-1] > 10 * (blob[0] - blob[-1])


def test_claim_depth_beats_width_at_equal_parameters(depth_sweep, sweep, wide):
    deep4 = depth_sweep.test_mse("spiral")[-1]
    shallow = depth_sweep.test_mse("spiral")[0]
    wide_mse = np.array([fit.test_mse for fit in wide])
    assert all(fit.n_params == sweep["spiral"][4].n_params for fit in wide)
    med = np.median
    assert med(deep4) < med(wide_mse) < med(shallow)
    assert med(wide_mse) > 2 * med(deep4)
    assert wide_mse.min() > med(
        deep4
    )  # "every wide network ends worse than that median"


def test_claim_every_fit_stops_on_its_validation_error(depth_sweep, one_layer, wide):
    """'trained until its own validation error had not improved for 20 epochs,
    or to the limit of 500; kept the best weights'."""
    fits = [f for name in ("blob", "spiral") for row in depth_sweep.fits[name]
            for f in row] + list(one_layer.values()) + list(wide)  # fmt: skip
    for fit in fits:
        h = fit.history
        assert h.val_losses is not None and h.patience == FIT["patience"]
        assert h.val_losses[h.best_epoch - 1] == h.val_losses.min()
        assert h.stopped_epoch in (h.best_epoch + FIT["patience"], FIT["epochs"])
        # the network ends with its best weights: its validation loss is the best
        x, y = fit.x_train, fit.y_train
        _, _, xv, yv = lb.training.holdout_split(x, y, FIT["val_fraction"], seed=h.seed)
        with torch.no_grad():
            val = float(((fit.model(xv) - yv) ** 2).mean())
        assert val == pytest.approx(h.val_losses.min(), rel=1e-4)
    # "no training budget cuts either short": the wide and the four-layer
    # spiral networks stopped on their validation error, before the limit
    for fits, limit in (
        (wide, WIDE_EPOCHS),
        (depth_sweep.fits["spiral"][-1], FIT["epochs"]),
    ):
        for fit in fits:
            h = fit.history
            assert h.stopped_epoch == h.best_epoch + FIT["patience"] < limit
    # the training set is 80 % of the 1500 samples
    assert fits[0].history.steps == fits[0].history.epochs * 10  # 1200 / 128


def test_claim_he_initialisation_gives_fewer_bad_runs(depth_sweep, he4):
    """'about the same typical test error either way ... fewer bad runs'."""
    he = np.array([f.test_mse for f in he4])
    default = depth_sweep.test_mse("spiral")[-1]
    assert all(f.model.init == "he" for f in he4)
    assert 0.7 < np.median(he) / np.median(default) < 1.3
    assert he.max() < 0.7 * default.max()


# ------------------------------------------------------ vanishing gradients
def test_claim_default_init_is_six_times_below_he():
    """'uniform from +-1/sqrt(H), a variance of 1/(3H), six times smaller'."""
    h = 400
    default = lb.models.MLP(h, h, 2, seed=0).layers[1].weight.detach()
    he = lb.models.MLP(h, h, 2, seed=0, init="he").layers[1].weight.detach()
    assert float(default.abs().max()) <= 1 / h**0.5
    assert float(default.var()) == pytest.approx(1 / (3 * h), rel=0.02)
    assert float(he.var()) == pytest.approx(2 / h, rel=0.02)
    assert float(he.var() / default.var()) == pytest.approx(6, rel=0.03)


def test_claim_he_initialisation_keeps_the_gradient(gradients):
    """The glued table: head-to-layer-1 ratio, median and range over 10 seeds."""
    ratio = {k: g[:, -1] / g[:, 0] for k, g in gradients.items()}
    assert np.median(ratio["pytorch"]) > 20  # about 40
    assert np.median(ratio["he"]) < 10  # about 6
    assert np.median(ratio["pytorch"]) > 4 * np.median(ratio["he"])
    assert ratio["pytorch"].min() > ratio["he"].max()  # for every seed ...
    assert (ratio["pytorch"] > ratio["he"]).all()  # ... and seed by seed
    # "every layer's gradient is larger, the first layer's most"
    med = {k: np.median(g, axis=0) for k, g in gradients.items()}
    gain = med["he"] / med["pytorch"]
    assert (gain > 1).all() and gain.argmax() == 0
    # under the default the gradient shrinks layer by layer, head to layer 1
    assert np.all(np.diff(med["pytorch"]) > 0)


# ------------------------------------------------------------ output kinks
def test_claim_random_networks_realise_little_of_depth(out_kinks):
    """At 32 neurons: four layers of 8 give about 1.5x one layer of 32, a few
    per cent of what the shape allows; at equal parameters one wide layer
    bends more often than four layers of 8."""
    wide = deep.equal_parameter_width(1, 8, 4)
    assert lb.models.count_parameters(
        lb.models.MLP(1, wide, 1)
    ) == lb.models.count_parameters(lb.models.MLP(1, 8, 4))
    k1, k2, k4, kw = (out_kinks[a] for a in ((1, 32), (2, 16), (4, 8), (1, wide)))
    assert k1 == pytest.approx(32, abs=0.5)
    assert k1 < k2 < k4 < kw
    assert 1.2 < k4 / k1 < 2.0
    assert k4 / deep.sawtooth_kinks(4, 8) < 0.02
    assert kw > 0.9 * wide


# ------------------------------------------ the code page's plain PyTorch
# The code page shows a complete deep ``nn.Module`` and a complete training loop
# in plain PyTorch (cells tagged ``plain-pytorch``). The build executes them;
# these tests execute the same source again, on its own, and check what the text
# says about it (from the former test_plain_pytorch.py).
def test_deep_module_and_loop_run_and_learn():
    cells = plain_pytorch_cells(CODE_SOURCE)
    assert len(cells) == 2
    ns, printed = run(CODE_SOURCE, *cells)
    losses = [float(v) for v in re.findall(r"training MSE ([0-9.]+)", printed)]
    model = ns["model"]
    assert len(model.layers) == 4
    x = torch.rand(5, 2)
    # the module computes the recursion of the page
    h = x
    for layer in model.layers:
        h = torch.relu(layer(h))
    assert torch.allclose(model(x), model.head(h))
    assert len(losses) == 3 and losses[0] > 2 * losses[-1]
    assert losses[-1] > 0.01  # the noise floor 0.1**2 is never beaten


def test_loops_use_the_three_calls():
    loop = plain_pytorch_cells(CODE_SOURCE)[1]
    for call in ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()"):
        assert call in loop
    assert len(loop.strip().splitlines()) <= 20  # "about 15 lines"


# ---------------------------- exercise 4: backpropagation by hand, in plain PyTorch
# The build executes the exercise's hidden solution (a cell tagged
# ``plain-pytorch``); these tests execute the same source again, on its own, and
# check what the exercise and the sentence after it claim: six gradients computed
# with tensor operations alone equal what ``E.backward()`` computes, to float64
# rounding, for a network of two hidden layers (from the former
# test_chapter3_exercises.py).
LAYER_PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


@pytest.fixture(scope="module")
def exercise4():
    """The solution's source, its namespace and what it printed."""
    (source,) = plain_pytorch_cells("03_going_deep.md")
    namespace, printed = run("03_going_deep.md", source)
    return source, namespace, printed


def test_the_exercise_is_a_hidden_solution_in_plain_pytorch(exercise4):
    source, _, _ = exercise4
    # the library only draws the data; the network and its gradients are tensors
    assert [line for line in source.splitlines() if "lb." in line] == [
        'x, y = lb.targets.sample_field("spiral", 64, noise_sigma=0.1, seed=1)'
    ]
    assert "nn.Module" not in source and "autograd.grad" not in source
    assert source.count("E.backward()") == 1
    # the gradients by hand are computed before backward() and without autograd
    assert source.index("torch.no_grad()") < source.index("E.backward()")


def test_claim_two_hidden_layers_of_16_relu_units(exercise4):
    _, ns, _ = exercise4
    assert ns["W1"].shape == (16, 2) and ns["W2"].shape == (16, 16)
    assert ns["W3"].shape == (1, 16)
    assert ns["x"].shape == (64, 2)
    with torch.no_grad():
        h1 = torch.relu(ns["x"] @ ns["W1"].T + ns["b1"])
        mu = torch.relu(h1 @ ns["W2"].T + ns["b2"]) @ ns["W3"].T + ns["b3"]
    torch.testing.assert_close(mu, ns["mu"].detach())
    e = float(ns["E"].detach())
    assert e == pytest.approx(float(((mu - ns["y"]) ** 2).mean()))


def test_claim_gradients_by_hand_equal_autograd(exercise4):
    """'reproduce loss.backward() to the last bits of float64'."""
    _, ns, out = exercise4
    for name in LAYER_PARAMS:
        by_hand, auto = ns["grads"][name], ns[name].grad
        assert by_hand.shape == auto.shape == ns[name].shape, name
        assert by_hand.abs().max() > 0, name  # no gradient is trivially zero
        scale = float(auto.abs().max())
        assert float((by_hand - auto).abs().max()) <= 1e-14 * scale, name
    gaps = re.findall(r"max \|by hand - autograd\| = ([0-9.e+-]+)", out)
    assert len(gaps) == len(LAYER_PARAMS)
    assert all(float(g) < 1e-15 for g in gaps)


def test_the_gradients_are_not_autograd_in_disguise(exercise4):
    """The by-hand gradients do not depend on .grad: recomputed from fresh
    copies of the weights (no graph at all), they come out the same."""
    _, ns, _ = exercise4
    p = {name: ns[name].detach().clone() for name in LAYER_PARAMS}
    x, y = ns["x"], ns["y"]
    z1 = x @ p["W1"].T + p["b1"]
    z2 = torch.relu(z1) @ p["W2"].T + p["b2"]
    mu = torch.relu(z2) @ p["W3"].T + p["b3"]
    delta = 2 * (mu - y) / len(y)
    delta = (delta @ p["W3"]) * (z2 > 0)
    delta = (delta @ p["W2"]) * (z1 > 0)
    torch.testing.assert_close(ns["grads"]["W1"], delta.T @ x, rtol=0, atol=0)


# ------------------------------------------------------------- the built pages
@pytest.mark.site
def test_chapter_embeds_all_its_figures(site):
    html = (site / CHAPTER).read_text("utf-8")
    # basis by depth, depth slider, learned features
    assert html.count('class="lb-stepper"') == 3
    for script in (
        "plot_03_deep_network_diagram",
        "plot_04_effective_basis_depth",
        "plot_01_three_fields",
        "plot_02_one_hidden_layer_2d",
        "plot_05_depth_slider",
    ):
        assert f"../auto_gallery/03_going_deep/{script}.html" in html, script
    # static figures (stepper frames are in _images/lb-frames/)
    images = re.findall(r'<img[^>]+src="(\.\./_images/(?!lb-frames/)[^"]+)"', html)
    assert len(images) == 5
    for src in images:
        assert (site / "chapters" / src).resolve().exists(), src
    assert 'href="03_deep_network_code.html"' in html


@pytest.mark.site
def test_chapter_quotes_the_computed_fits(
    site, sweep, depth_sweep, one_layer, wide, he4
):
    glued = _glued((site / CHAPTER).read_text("utf-8"))
    spiral = sweep["spiral"]
    blob_mean = np.median(depth_sweep.test_mse("blob"), axis=1)
    spiral_mean = np.median(depth_sweep.test_mse("spiral"), axis=1)
    wide_mse = np.median([f.test_mse for f in wide])
    deep_all = depth_sweep.test_mse("spiral")[-1]
    he_all = np.array([f.test_mse for f in he4])
    expected = [
        f"{one_layer['blob'].r2:.2f}",
        f"{one_layer['blob'].test_mse:.4f}",
        f"{one_layer['moons'].r2:.2f}",
        f"{one_layer['spiral'].r2:.2f}",
        *(f"{m:.3f}" for m in spiral_mean),  # by depth, mean over seeds
        f"{spiral[4].r2:.2f}",
        str(len(SEEDS)),
        f"{spiral_mean[0] / spiral_mean[-1]:.0f}",
        f"{blob_mean[0] / blob_mean[-1]:.0f}",
        f"{blob_mean[0] / blob_mean[1]:.1f}",
        *(f"{blob_mean[i]:.4f}" for i in (0, 1, -1)),
        f"{blob_mean[0] - blob_mean[-1]:.4f}",
        f"{spiral_mean[0] - spiral_mean[-1]:.3f}",
        str(spiral[4].n_params),
        str(wide[0].width),
        f"{wide_mse:.3f}",
        f"{np.median([f.r2 for f in wide]):.2f}",
        f"{spiral_mean[-1]:.3f}",
        f"{wide_mse / spiral_mean[-1]:.1f}",
        str(len(sweep["blob"][1].y_train)),
        f"{blob_mean[1] / blob_mean[-1]:.1f}",
        # He's initialisation on the four-layer spiral networks
        f"{np.median(he_all):.4f}",
        f"{spiral_mean[-1]:.4f}",
        f"{he_all.max():.3f}",
        f"{deep_all.max():.3f}",
        str(WIDE_EPOCHS),
        # exercise 1's starting point, trained by fit_field's defaults
        f"{deep.fit_field('spiral', depth=1, width=WIDTH, seed=0).r2:.2f}",
    ]
    for value in expected:
        assert value in glued, value
    # "on the spiral, every added layer helps" (medians over seeds)
    assert np.all(np.diff(spiral_mean) < 0)


@pytest.mark.site
def test_chapter_quotes_the_kink_counts_and_parameter_count(site, kinks, out_kinks):
    glued = _glued((site / CHAPTER).read_text("utf-8"))
    for value in (f"{kinks[8][1]:.1f}", f"{kinks[8][3]:.1f}", f"{kinks[16][3]:.1f}"):
        assert value in glued, value
    for (L, H), k in out_kinks.items():
        assert f"{k:.1f}" in glued, (L, H)
        params = lb.models.count_parameters(lb.models.MLP(1, H, L))
        assert str(params) in glued, (L, H)
        most = H if L == 1 else H**L - 1
        assert str(most) in glued, (L, H)
    k1, k4 = out_kinks[1, 32], out_kinks[4, 8]
    assert f"{k4 / k1:.1f}" in glued
    assert f"{100 * k4 / (8**4 - 1):.1f}" in glued
    count = lb.models.count_parameters(lb.models.MLP(2, 16, 4))
    assert count == 3 * 16 + 3 * 17 * 16 + 17
    assert str(count) in glued


@pytest.mark.site
def test_chapter_tables_the_gradients_by_initialisation(site, gradients):
    html = (site / CHAPTER).read_text("utf-8")
    glued = _glued(html)
    for g in gradients.values():
        r = g[:, -1] / g[:, 0]
        for v in (np.median(r), r.min(), r.max()):
            assert f"{v:.0f}" in glued or f"{v:.1f}" in glued, v
        for k in range(g.shape[1]):
            assert f"{np.median(g[:, k]):.1e}" in glued, k
    # statistics over seeds are marked as such for the kernel-path check
    stats = re.findall(r'<span class="lb-stat"><span class="pasted-text">', html)
    assert len(stats) >= 16
    assert re.search(r"He.s initialisation", htmllib.unescape(_text(html)))


@pytest.mark.site
def test_chapter_prints_the_backprop_check(site, backprop_demo):
    text = _text((site / CHAPTER).read_text("utf-8"))
    assert text.count("autograd - by hand = 0.0e+00") == 5
    for name, value in zip(
        ["layer 1", "layer 2", "layer 3", "layer 4", "head"],
        backprop_demo["max_grad"],
        strict=True,
    ):
        assert f"{name} max |dE/dW| = {value:.2e}" in htmllib.unescape(text), name
    i, j = backprop_demo["index"]
    assert (
        f"dE/dW1[{i},{j}]: autograd {backprop_demo['autograd']:.10f}, "
        f"finite difference {backprop_demo['finite_difference']:.10f}"
    ) in text


@pytest.mark.site
def test_code_page_shows_real_source_lines_with_colours(site):
    html = (site / CODE_PAGE).read_text("utf-8")
    source = inspect.getsource(lb.models.MLP)
    blocks, rows, marks = quoted_source(html)
    assert len(blocks) == 9
    for line in (line for block in blocks for line in block):
        assert f"{line}\n" in source, line
    # one colour per quantity: z/W, h/g, mu/head, the loop, the widths, the input
    assert rows == {f"lb-c{k}" for k in range(1, 7)}
    assert marks == {str(k) for k in range(1, 7)}
    assert "for layer in self.layers:" in htmllib.unescape(html)


@pytest.mark.site
def test_code_page_counts_parameters_from_the_model(site):
    html = (site / CODE_PAGE).read_text("utf-8")
    glued = _glued(html)
    d, h, depth = 2, 16, 4
    count = lb.models.count_parameters(lb.models.MLP(d, h, depth))
    assert count == (d + 1) * h + (depth - 1) * (h + 1) * h + (h + 1)
    assert glued.count(str(count)) == 2  # from the model, and from the formula
    for term in ((d + 1) * h, (depth - 1) * (h + 1) * h, h + 1):
        assert str(term) in glued
    assert "recursion == module: True" in html


# ------------------------------------ vanishing gradients, kinks of one network
@pytest.mark.site
def test_vanishing_gradients_are_quoted_from_the_backprop_example(site):
    model = lb.models.MLP(in_dim=2, width=16, depth=4, seed=0).double()
    x, y = lb.targets.sample_field("spiral", 64, noise_sigma=0.1, seed=1)
    lb.losses.mse_objective(model, x.double(), y.double()).backward()
    biggest = [float(m.weight.grad.abs().max()) for m in (*model.layers, model.head)]
    assert biggest[-1] > 30 * biggest[0]
    text = _text((site / CHAPTER).read_text("utf-8"))
    assert "vanishing gradient" in text
    assert f"{biggest[-1]:.1e}" in text and f"{biggest[0]:.1e}" in text
    assert f"about {biggest[-1] / biggest[0]:.0f} times smaller" in text


@pytest.mark.site
def test_kinks_of_one_network_are_labelled_as_such(site):
    x = torch.linspace(-3, 3, 3001, dtype=torch.float64)
    one = [
        lb.deep.count_kinks(x, lb.basis.random_deep_features(x, L, 8, seed=3)).mean()
        for L in (1, 2, 3, 4)
    ]
    many = lb.deep.kinks_by_depth([2, 4], 8, n_networks=20, seed=0).mean(axis=1)
    assert abs(one[3] - many[1]) > 1  # the two really differ, so the labels matter
    gallery = (
        site / "auto_gallery/03_going_deep/plot_04_effective_basis_depth.html"
    ).read_text("utf-8")
    for L, k in zip((1, 2, 3, 4), one, strict=True):
        assert f"L = {L}, one network: {k:.1f} kinks" in htmllib.unescape(gallery)
    text = _text((site / CHAPTER).read_text("utf-8"))
    assert f"{one[1]:.1f} kinks on average at depth two and {one[3]:.1f}" in text
    assert "Averaged over 20 random networks" in text and f"{many[1]:.1f}" in text
