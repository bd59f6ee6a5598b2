"""Claims about training and gradient noise (learnable_bases.training)."""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
import sys

import numpy as np
import pytest
import torch

from learnable_bases import _checks, training
from learnable_bases.losses import gaussian_nll_objective, mse_objective
from learnable_bases.models import MLP, GaussianMLP
from learnable_bases.targets import sine_data
from learnable_bases.training import (
    History,
    NonFiniteLossError,
    evaluate,
    holdout_split,
    train,
)


def _linear_data(n=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g, dtype=torch.float64)
    y = x @ torch.tensor([[1.5], [-0.5]], dtype=torch.float64) + 0.3
    return x, y


def _linear_model():
    model = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model


# ---------------------------------------------------------------------------
# train: bookkeeping and exactness
# ---------------------------------------------------------------------------


def test_history_shapes_and_counts():
    x, y = _linear_data(10)
    xv, yv = _linear_data(6, seed=1)
    hist = train(
        _linear_model(),
        mse_objective,
        x,
        y,
        epochs=5,
        lr=0.1,
        batch_size=3,
        x_val=xv,
        y_val=yv,
    )
    assert isinstance(hist, History)
    assert hist.epochs == 5 and hist.steps == 5 * 4 and hist.batch_size == 3
    assert hist.losses.shape == (5,) and hist.step_losses.shape == (20,)
    assert hist.val_losses.shape == (5,)
    assert hist.lr == 0.1 and hist.optimizer == "sgd" and hist.seed == 0
    assert hist.wall_time > 0 and hist.final_loss == hist.losses[-1]
    # epoch loss = sample-weighted mean of its batch losses (3, 3, 3, 1 samples)
    w = np.array([3, 3, 3, 1]) / 10
    np.testing.assert_allclose(hist.losses, hist.step_losses.reshape(5, 4) @ w)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hist.lr = 1.0
    with pytest.raises(ValueError, match="read-only"):
        hist.losses[0] = 0.0
    full = train(_linear_model(), mse_objective, x, y, epochs=3, lr=0.1)
    assert full.steps == 3 and full.batch_size == 10 and full.val_losses is None


def test_full_batch_sgd_is_plain_gradient_descent():
    x, y = _linear_data(10)
    model = _linear_model()
    lr, epochs = 0.2, 25
    hist = train(model, mse_objective, x, y, epochs=epochs, lr=lr)
    # the same iteration by hand: theta <- theta - lr * grad of the mean squared error
    a = torch.cat([x, torch.ones(10, 1, dtype=torch.float64)], dim=1)
    theta = torch.zeros(3, 1, dtype=torch.float64)
    losses = []
    for _ in range(epochs):
        r = a @ theta - y
        losses.append(float((r**2).mean()))
        theta = theta - lr * 2 * a.T @ r / 10
    np.testing.assert_allclose(hist.losses, losses, rtol=1e-12)
    fitted = torch.cat([model.weight.detach()[0], model.bias.detach()])
    torch.testing.assert_close(fitted, theta[:, 0])


def test_minibatches_follow_the_seed():
    x, y = _linear_data(12)
    runs = [
        train(
            _linear_model(),
            mse_objective,
            x,
            y,
            epochs=3,
            lr=0.05,
            batch_size=4,
            seed=s,
        )
        for s in (7, 7, 8)
    ]
    np.testing.assert_array_equal(runs[0].step_losses, runs[1].step_losses)
    assert not np.array_equal(runs[0].step_losses, runs[2].step_losses)
    # each epoch visits every sample once: with batch_size = 1 and a zero
    # learning-rate-like tiny step, the epoch loss is the full-data loss
    hist = train(
        _linear_model(), mse_objective, x, y, epochs=1, lr=1e-300, batch_size=1
    )
    assert hist.losses[0] == pytest.approx(float((y**2).mean()), rel=1e-12)


def test_adam_fits_1d_regression_and_evaluate():
    x, y = sine_data(200, 0.1, seed=0)
    model = MLP(1, 32, activation="tanh", seed=0)
    before = evaluate(model, mse_objective, x, y)
    hist = train(
        model, mse_objective, x, y, epochs=150, lr=1e-2, batch_size=32, optimizer="adam"
    )
    after = evaluate(model, mse_objective, x, y)
    assert hist.optimizer == "adam"
    assert after < 0.05 * before and after < 0.04
    assert model.training  # evaluate restores the mode
    model.eval()
    evaluate(model, mse_objective, x, y)
    assert not model.training


def test_gaussian_nll_learns_the_noise_scale():
    true_sigma = 0.2
    x, y = sine_data(1000, true_sigma, seed=10)
    model = GaussianMLP(1, 32, activation="tanh", seed=0)
    hist = train(
        model, gaussian_nll_objective, x, y, epochs=1500, lr=2e-2, optimizer="adam"
    )
    learned = float(model.sigma)
    assert abs(learned - true_sigma) < 0.10 * true_sigma, learned
    assert hist.wall_time < 10


def test_width_underfits_small_and_overfits_large():
    # 20 noisy points: one neuron cannot follow sin(2x), 256 neurons chase noise
    x, y = sine_data(20, 1.0, seed=100)
    xv, yv = sine_data(2000, 1.0, seed=200)
    result = {}
    for width in (1, 256):
        model = MLP(1, width, seed=0)
        train(model, mse_objective, x, y, epochs=3000, lr=3e-2, optimizer="adam")
        tr = evaluate(model, mse_objective, x, y)
        va = evaluate(model, mse_objective, xv, yv)
        result[width] = (tr, va - tr)
    (train_small, gap_small), (train_large, gap_large) = result[1], result[256]
    assert train_small > 3 * train_large, result
    assert gap_large > gap_small + 0.3, result


# ---------------------------------------------------------------------------
# train: failures
# ---------------------------------------------------------------------------


def test_divergence_raises_with_step_and_lr():
    x, y = sine_data(50, 0.1, seed=0)
    model = torch.nn.Linear(1, 1)
    with pytest.raises(NonFiniteLossError) as info:
        train(model, mse_objective, x, y, epochs=200, lr=10.0, batch_size=10)
    err = info.value
    assert isinstance(err, FloatingPointError)
    msg = str(err)
    m = re.fullmatch(
        r"loss became (inf|nan) at step (\d+) \(epoch (\d+)\) with lr=10; "
        r"lower the learning rate",
        msg,
    )
    assert m, msg
    assert int(m.group(2)) == err.step > 1 and int(m.group(3)) == err.epoch
    assert err.epoch == (err.step - 1) // 5 + 1 and err.lr == 10.0
    assert err.history.steps == err.step and not np.isfinite(
        err.history.step_losses[-1]
    )
    assert np.all(np.isfinite(err.history.step_losses[:-1]))
    assert err.history.epochs == err.epoch - 1


def test_nan_loss_on_first_step_raises():
    x, y = _linear_data(4)
    with pytest.raises(
        NonFiniteLossError, match=r"nan at step 1 \(epoch 1\) with lr=0.5"
    ):
        train(
            _linear_model(),
            lambda m, a, b: m(a).sum() * float("nan"),
            x,
            y,
            epochs=2,
            lr=0.5,
        )


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.0}, TypeError, "epochs"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"lr": float("nan")}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 11}, ValueError, "at most the number of samples N=10"),
        ({"optimizer": "rmsprop"}, ValueError, "allowed values.*adam.*sgd"),
        ({"seed": None}, TypeError, "seed"),
        ({"x_val": torch.zeros(3, 2, dtype=torch.float64)}, ValueError, "both"),
        ({"progress": "yes"}, TypeError, "progress"),
    ],
)
def test_bad_train_arguments(kwargs, exc, match):
    x, y = _linear_data(10)
    args = {"epochs": 1, "lr": 0.1} | kwargs
    with pytest.raises(exc, match=match):
        train(_linear_model(), mse_objective, x, y, **args)


def test_bad_train_data():
    x, y = _linear_data(10)
    model = _linear_model()
    with pytest.raises(ValueError, match="same number of samples"):
        train(model, mse_objective, x, y[:9], epochs=1, lr=0.1)
    bad = x.clone()
    bad[3, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        train(model, mse_objective, bad, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="callable"):
        train(model, "mse", x, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="scalar"):
        train(model, lambda m, a, b: m(a) - b, x, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="Module"):
        train(lambda t: t, mse_objective, x, y, epochs=1, lr=0.1)
    frozen = _linear_model().requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable"):
        train(frozen, mse_objective, x, y, epochs=1, lr=0.1)


def test_progress_bar_only_when_asked(capfd, monkeypatch):
    x, y = _linear_data(10)
    train(_linear_model(), mse_objective, x, y, epochs=3, lr=0.1)
    assert capfd.readouterr().err == ""  # not a terminal under pytest
    train(_linear_model(), mse_objective, x, y, epochs=3, lr=0.1, progress=True)
    assert "training" in capfd.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv(_checks.NO_PROGRESS_ENV, raising=False)
    assert _checks.show_progress(None)
    monkeypatch.setenv(_checks.NO_PROGRESS_ENV, "1")
    assert not _checks.show_progress(None)
    assert _checks.show_progress(True) and not _checks.show_progress(False)


def test_optimizer_falls_back_when_fused_is_unsupported(monkeypatch):
    real = torch.optim.Adam

    def no_fused(params, lr, **kwargs):
        if kwargs.get("fused"):
            raise RuntimeError("fused not supported here")
        return real(params, lr=lr, **kwargs)

    monkeypatch.setattr(torch.optim, "Adam", no_fused)
    opt = training._make_optimizer("adam", list(_linear_model().parameters()), 0.1)
    assert isinstance(opt, real) and opt.defaults["foreach"] is True


@pytest.mark.parametrize(("name", "cls"), [("sgd", "SGD"), ("adam", "Adam")])
def test_train_updates_are_torch_optimizer_steps(name, cls):
    """The fast update path makes the same steps as torch.optim's optimizer."""
    x, y = sine_data(40, 0.2, seed=0)
    model = MLP(1, 8, depth=2, activation="tanh", seed=0)
    ref = copy.deepcopy(model)
    train(model, mse_objective, x, y, epochs=4, lr=1e-2, batch_size=16, optimizer=name)
    opt = training._make_optimizer(name, list(ref.parameters()), 1e-2)
    assert isinstance(opt, getattr(torch.optim, cls))
    gen = torch.Generator().manual_seed(0)
    for _ in range(4):
        for idx in torch.randperm(40, generator=gen).split(16):
            opt.zero_grad()
            mse_objective(ref, x[idx], y[idx]).backward()
            opt.step()
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        assert torch.equal(p, q)


# ---------------------------------------------------------------------------
# train: snapshots of one run
# ---------------------------------------------------------------------------


def test_snapshot_at_epoch_e_equals_a_fresh_run_of_e_epochs():
    x, y = sine_data(37, 0.2, seed=0)
    kw = {"lr": 1e-2, "batch_size": 8, "optimizer": "adam", "seed": 3}
    model = GaussianMLP(1, 8, seed=0)
    initial = copy.deepcopy(model.state_dict())
    hist = train(
        model, gaussian_nll_objective, x, y, epochs=6, snapshots=[0, 1, 4, 6], **kw
    )
    assert sorted(hist.snapshots) == [0, 1, 4, 6]
    for name, value in initial.items():
        assert torch.equal(hist.snapshots[0][name], value)
    for e in (1, 4):
        fresh = GaussianMLP(1, 8, seed=0)
        train(fresh, gaussian_nll_objective, x, y, epochs=e, **kw)
        for name, value in fresh.state_dict().items():
            assert torch.equal(hist.snapshots[e][name], value), (e, name)
    for name, value in model.state_dict().items():
        assert torch.equal(hist.snapshots[6][name], value)
    # snapshots are copies, not views of the live parameters
    assert not torch.equal(hist.snapshots[1]["log_sigma"], model.log_sigma.detach())
    loaded = GaussianMLP(1, 8)
    loaded.load_state_dict(hist.snapshots[6])
    assert torch.equal(loaded(x).mu, model(x).mu)
    no_snaps = train(
        GaussianMLP(1, 8, seed=0), gaussian_nll_objective, x, y, epochs=1, lr=0.1
    )
    assert dict(no_snaps.snapshots) == {}


@pytest.mark.parametrize(
    ("snapshots", "exc"),
    [([7], ValueError), ([-1], ValueError), ([1.5], TypeError), ("1", TypeError)],
)
def test_bad_snapshots(snapshots, exc):
    x, y = _linear_data(10)
    with pytest.raises(exc, match="snapshot"):
        train(
            _linear_model(), mse_objective, x, y, epochs=6, lr=0.1, snapshots=snapshots
        )


# ---------------------------------------------------------------------------
# train: held-out data and early stopping
# ---------------------------------------------------------------------------


def _overfit_setup():
    """30 noisy points and a wide network: the validation loss turns up early."""
    x, y = sine_data(30, 0.5, seed=0)
    model = MLP(1, 64, depth=2, seed=1).double()
    kw = {"lr": 1e-2, "optimizer": "adam", "seed": 1}
    return model, x.double(), y.double(), kw


def _train_on_split(model, x, y, kw, **extra):
    """train() on holdout_split's parts, given explicitly; returns (history, val)."""
    x_tr, y_tr, x_val, y_val = holdout_split(x, y, 0.3, seed=kw["seed"])
    hist = train(
        model, mse_objective, x_tr, y_tr, x_val=x_val, y_val=y_val, **kw, **extra
    )
    return hist, (x_val, y_val)


def _assert_same_weights(a, b):
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_holdout_split_is_seeded_disjoint_and_ordered():
    x = torch.arange(30.0)[:, None]
    y = -x
    parts = holdout_split(x, y, 0.3, seed=4)
    x_tr, y_tr, x_val, y_val = parts
    assert x_tr.shape == (21, 1) and x_val.shape == (9, 1)  # round(0.3 * 30) = 9
    assert torch.equal(y_tr, -x_tr) and torch.equal(y_val, -x_val)  # pairs kept
    tr, va = set(x_tr[:, 0].tolist()), set(x_val[:, 0].tolist())
    assert not tr & va and tr | va == set(range(30))
    assert torch.all(x_tr[1:] > x_tr[:-1]) and torch.all(x_val[1:] > x_val[:-1])
    again = holdout_split(x, y, 0.3, seed=4)
    assert all(torch.equal(a, b) for a, b in zip(parts, again, strict=True))
    assert not torch.equal(holdout_split(x, y, 0.3, seed=5)[2], x_val)
    # 0.1 * 30 is 3.0000000000000004 in floats: still 3 held out
    assert holdout_split(x, y, 0.1, seed=0)[2].shape == (3, 1)


def test_val_fraction_trains_on_the_rest_and_validates_on_the_split():
    model, x, y, kw = _overfit_setup()
    ref = copy.deepcopy(model)
    hist = train(
        model, mse_objective, x, y, epochs=20, batch_size=7, val_fraction=0.3, **kw
    )
    by_hand, _ = _train_on_split(ref, x, y, kw, epochs=20, batch_size=7)
    np.testing.assert_array_equal(hist.step_losses, by_hand.step_losses)
    np.testing.assert_array_equal(hist.val_losses, by_hand.val_losses)
    _assert_same_weights(model, ref)
    assert hist.steps == 20 * 3  # 21 training samples in batches of 7


def test_early_stopping_stops_and_restores_the_best_weights():
    model, x, y, kw = _overfit_setup()
    full, (x_val, y_val) = _train_on_split(copy.deepcopy(model), x, y, kw, epochs=300)
    hist = train(
        model,
        mse_objective,
        x,
        y,
        epochs=300,
        val_fraction=0.3,
        patience=20,
        snapshots=[0, 10, 200],
        **kw,
    )
    best = int(np.argmin(hist.val_losses)) + 1
    assert hist.best_epoch == best and hist.patience == 20 and hist.max_epochs == 300
    assert hist.stopped_epoch == hist.epochs == best + 20 < 300
    assert hist.losses.shape == hist.val_losses.shape == (hist.epochs,)
    assert hist.steps == hist.epochs and sorted(hist.snapshots) == [0, 10]
    assert np.all(hist.val_losses[best:] >= hist.val_losses[best - 1])
    # the same trajectory as the full run, cut where patience ran out
    np.testing.assert_array_equal(hist.val_losses, full.val_losses[: hist.epochs])
    # the model holds the best epoch's weights, not the last one's
    restored = evaluate(model, mse_objective, x_val, y_val)
    assert restored == pytest.approx(hist.val_losses.min(), rel=1e-12)
    assert restored < hist.val_losses[-1] and restored < full.val_losses[-1]
    # a fresh run of best_epoch epochs ends with the same weights
    fresh = MLP(1, 64, depth=2, seed=1).double()
    train(fresh, mse_objective, x, y, epochs=best, val_fraction=0.3, **kw)
    _assert_same_weights(model, fresh)


def test_restore_best_false_keeps_the_last_weights_and_without_patience_runs_all():
    model, x, y, kw = _overfit_setup()
    _, _, x_val, y_val = holdout_split(x, y, 0.3, seed=kw["seed"])
    args = {"epochs": 60, "val_fraction": 0.3, **kw}
    last = copy.deepcopy(model)
    hist = train(last, mse_objective, x, y, patience=5, restore_best=False, **args)
    assert hist.epochs == hist.best_epoch + 5 < 60
    assert evaluate(last, mse_objective, x_val, y_val) == pytest.approx(
        hist.val_losses[-1], rel=1e-12
    )
    # restore_best without patience: all epochs run, the best weights kept
    best = copy.deepcopy(model)
    hist = train(best, mse_objective, x, y, restore_best=True, **args)
    assert hist.epochs == 60 and hist.best_epoch < 60
    assert evaluate(best, mse_objective, x_val, y_val) == pytest.approx(
        hist.val_losses.min(), rel=1e-12
    )
    # neither (the default): all epochs, the last weights, as without validation
    plain, no_val = copy.deepcopy(model), copy.deepcopy(model)
    hist = train(plain, mse_objective, x, y, patience=None, restore_best=None, **args)
    x_tr, y_tr, _, _ = holdout_split(x, y, 0.3, seed=kw["seed"])
    train(no_val, mse_objective, x_tr, y_tr, epochs=60, **kw)
    assert hist.epochs == 60 and hist.patience is None
    _assert_same_weights(plain, no_val)
    assert evaluate(plain, mse_objective, x_val, y_val) == pytest.approx(
        hist.val_losses[-1], rel=1e-12
    )
    assert hist.val_losses[-1] > hist.val_losses.min()


def test_history_defaults_for_existing_constructions():
    hist = History(
        losses=np.ones(3),
        step_losses=np.ones(3),
        val_losses=np.array([3.0, np.nan, 1.0]),
        wall_time=0.0,
        epochs=3,
        steps=3,
        lr=0.1,
        batch_size=1,
        optimizer="sgd",
        seed=0,
    )
    assert hist.best_epoch == 3 and hist.stopped_epoch == 3
    assert hist.max_epochs is None and hist.patience is None
    assert dataclasses.replace(hist, val_losses=None).best_epoch is None


def _by_hand(model, make, x, y, epochs, batch_size, seed=0):
    """Reference loop: torch.optim's zero_grad, backward, step."""
    opt = make(model.parameters())
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=gen).split(batch_size):
            opt.zero_grad()
            mse_objective(model, x[idx], y[idx]).backward()
            opt.step()


@pytest.mark.parametrize(
    ("optimizer", "name", "make"),
    [
        (
            functools.partial(torch.optim.SGD, momentum=0.9, weight_decay=1e-3),
            "SGD(momentum=0.9, weight_decay=0.001)",
            lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, weight_decay=1e-3),
        ),
        (
            lambda params, lr: torch.optim.AdamW(params, lr=lr, weight_decay=0.1),
            "AdamW",
            lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        ),
        (torch.optim.SGD, "SGD", lambda p: torch.optim.SGD(p, lr=1e-2)),
    ],
)
def test_optimizer_factory_is_called_with_params_and_lr(optimizer, name, make):
    x, y = sine_data(40, 0.2, seed=0)
    model = MLP(1, 8, depth=2, activation="tanh", seed=0)
    ref = copy.deepcopy(model)
    hist = train(
        model,
        mse_objective,
        x,
        y,
        epochs=4,
        lr=1e-2,
        batch_size=16,
        optimizer=optimizer,
    )
    assert hist.optimizer == name and hist.lr == 1e-2
    _by_hand(ref, make, x, y, epochs=4, batch_size=16)
    _assert_same_weights(model, ref)


def test_momentum_and_weight_decay_change_the_run():
    """The factory's settings take effect: each one moves the weights elsewhere."""
    x, y = sine_data(40, 0.2, seed=0)
    ends = []
    for opt in (
        "sgd",
        torch.optim.SGD,
        functools.partial(torch.optim.SGD, momentum=0.9),
        functools.partial(torch.optim.SGD, weight_decay=0.1),
    ):
        model = MLP(1, 8, depth=2, activation="tanh", seed=0)
        train(
            model, mse_objective, x, y, epochs=10, lr=1e-2, batch_size=16, optimizer=opt
        )
        ends.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(ends[1], ends[0])  # the class is plain SGD
    assert float((ends[2] - ends[0]).abs().max()) > 1e-3  # momentum
    assert float((ends[3] - ends[0]).abs().max()) > 1e-4  # weight decay
    # weight decay shrinks the weights
    assert float(ends[3].norm()) < float(ends[0].norm())


_SGD_INSTANCE = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"val_fraction": 0.0}, ValueError, "strictly between 0 and 1; got 0.0"),
        ({"val_fraction": 1.0}, ValueError, "strictly between 0 and 1"),
        ({"val_fraction": 1.5}, ValueError, "strictly between 0 and 1"),
        ({"val_fraction": float("nan")}, ValueError, "strictly between 0 and 1"),
        ({"val_fraction": "0.2"}, TypeError, "val_fraction must be a number"),
        ({"val_fraction": 0.04}, ValueError, "holds out 0, leaving 10 for training"),
        ({"val_fraction": 0.96}, ValueError, "holds out 10, leaving 0 for training"),
        (
            {
                "val_fraction": 0.2,
                "x_val": torch.zeros(3, 2),
                "y_val": torch.zeros(3, 1),
            },
            ValueError,
            "either val_fraction .* or x_val and y_val, not both",
        ),
        (
            {"patience": 0, "val_fraction": 0.2},
            ValueError,
            "patience must be a positive",
        ),
        (
            {"patience": 2.5, "val_fraction": 0.2},
            TypeError,
            "patience must be a positive",
        ),
        ({"patience": True, "val_fraction": 0.2}, TypeError, "patience"),
        ({"patience": 3}, ValueError, "patience needs validation data"),
        ({"restore_best": True}, ValueError, "restore_best needs validation data"),
        (
            {"restore_best": "yes", "val_fraction": 0.2},
            TypeError,
            "restore_best must be",
        ),
        (
            {
                "x_val": torch.zeros(3, 3, dtype=torch.float64),
                "y_val": torch.zeros(3, 1, dtype=torch.float64),
            },
            ValueError,
            r"x_val must have shape \(n, 2\), matching x \(10, 2\).*got \(3, 3\)",
        ),
        (
            {
                "x_val": torch.zeros(3, 2, dtype=torch.float64),
                "y_val": torch.zeros(3, dtype=torch.float64),
            },
            ValueError,
            r"y_val must have shape \(n, 1\)",
        ),
        (
            {"optimizer": 0.9},
            TypeError,
            r"\['adam', 'sgd'\], or a callable make\(params, lr=lr\)",
        ),
        (
            {"optimizer": _SGD_INSTANCE},
            TypeError,
            "got SGD .pass the class or a factory",
        ),
        (
            {"optimizer": lambda params, lr: None},
            TypeError,
            "must return a torch.optim.Optimizer; got NoneType",
        ),
    ],
)
def test_bad_early_stopping_and_optimizer_arguments(kwargs, exc, match):
    x, y = _linear_data(10)
    with pytest.raises(exc, match=match):
        train(_linear_model(), mse_objective, x, y, epochs=2, lr=0.1, **kwargs)
