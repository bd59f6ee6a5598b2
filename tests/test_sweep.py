"""Stacked training equals K separate train() runs (learnable_bases.sweep)."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import torch

from learnable_bases.losses import gaussian_nll_objective, mse_objective
from learnable_bases.models import MLP, GaussianMLP
from learnable_bases.sweep import (
    stacked_forward,
    stacked_gaussian_nll,
    stacked_mse,
    train_stacked,
)
from learnable_bases.targets import sine_data
from learnable_bases.training import (
    NonFiniteLossError,
    evaluate,
    holdout_split,
    train,
)

K = 3


def _data(k=None, n=23, d=2, out=2, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    lead = () if k is None else (k,)
    x = torch.randn(*lead, n, d, generator=g, dtype=dtype)
    y = torch.sin(x.sum(-1, keepdim=True) * torch.arange(1, out + 1, dtype=dtype))
    return x, y + 0.1 * torch.randn(y.shape, generator=g, dtype=dtype)


def _member(t, k, per_member):
    return t[k] if per_member else t


def _assert_same(models, refs, hists, ref_hists, rtol, atol):
    for m, r in zip(models, refs, strict=True):
        for (name, p), q in zip(m.named_parameters(), r.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=rtol, atol=atol, msg=name)
    for h, r in zip(hists, ref_hists, strict=True):
        np.testing.assert_allclose(h.losses, r.losses, rtol=rtol, atol=atol)
        np.testing.assert_allclose(h.step_losses, r.step_losses, rtol=rtol, atol=atol)
        if r.val_losses is not None:
            np.testing.assert_allclose(h.val_losses, r.val_losses, rtol=rtol, atol=atol)
        assert (h.epochs, h.steps, h.batch_size, h.optimizer, h.seed, h.lr) == (
            r.epochs,
            r.steps,
            r.batch_size,
            r.optimizer,
            r.seed,
            r.lr,
        )


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("batch_size", [None, 7])
@pytest.mark.parametrize("per_member", [False, True])
@pytest.mark.parametrize("skip", [False, True])
def test_mlp_members_equal_separate_runs(optimizer, batch_size, per_member, skip):
    x, y = _data(K if per_member else None)
    xv, yv = _data(K if per_member else None, n=11, seed=1)
    models = [
        MLP(2, 6, depth=2, activation="tanh", out_dim=2, skip=skip, seed=s).double()
        for s in range(K)
    ]
    refs = copy.deepcopy(models)
    seeds = [10, 11, 12]
    kw = {"epochs": 6, "lr": 0.05, "batch_size": batch_size, "optimizer": optimizer}
    hists = train_stacked(
        models, stacked_mse, x, y, seeds=seeds, x_val=xv, y_val=yv, **kw
    )
    ref_hists = [
        train(
            r,
            mse_objective,
            _member(x, k, per_member),
            _member(y, k, per_member),
            seed=seeds[k],
            x_val=_member(xv, k, per_member),
            y_val=_member(yv, k, per_member),
            **kw,
        )
        for k, r in enumerate(refs)
    ]
    _assert_same(models, refs, hists, ref_hists, rtol=1e-10, atol=1e-12)
    # the members really differ (different seeds, initial weights or data)
    assert len({round(h.final_loss, 8) for h in hists}) == K
    if skip:  # the skip layer trained, in the stack as alone
        assert all(
            float(m.skip_layer.weight.detach().abs().max()) > 1e-3 for m in models
        )


def test_gaussian_mlp_float32_members_equal_separate_runs():
    """The book's case: GaussianMLP, float32, mini-batch Adam, one data set each."""
    x, y = _data(K, n=40, d=1, out=1, dtype=torch.float32)
    models = [GaussianMLP(1, 16, activation="tanh", seed=s) for s in range(K)]
    refs = copy.deepcopy(models)
    kw = {"epochs": 30, "lr": 1e-2, "batch_size": 8, "optimizer": "adam"}
    hists = train_stacked(models, stacked_gaussian_nll, x, y, seeds=range(K), **kw)
    ref_hists = [
        train(r, gaussian_nll_objective, x[k], y[k], seed=k, **kw)
        for k, r in enumerate(refs)
    ]
    _assert_same(models, refs, hists, ref_hists, rtol=1e-4, atol=1e-5)
    assert all(m.log_sigma.item() != 0.0 for m in models)


def _heteroscedastic_nll(out, y):
    """Density-network style NLL: outputs (..., n, 2), targets (..., n, 1)."""
    mu, log_sigma = out[..., :1], out[..., 1:]
    z = (y - mu) * torch.exp(-log_sigma)
    return (0.5 * z**2 + log_sigma).sum(-1).mean(-1)


def test_loss_on_outputs_with_leading_dims_plugs_in():
    x, y = _data(None, n=30, d=2, out=1)
    models = [
        MLP(2, 5, depth=1, activation="gelu", out_dim=2, seed=s).double()
        for s in range(K)
    ]
    refs = copy.deepcopy(models)
    kw = {"epochs": 5, "lr": 1e-2, "batch_size": 8, "optimizer": "adam"}
    hists = train_stacked(models, _heteroscedastic_nll, x, y, seeds=4, **kw)
    ref_hists = [
        train(r, lambda m, a, b: _heteroscedastic_nll(m(a), b), x, y, seed=4, **kw)
        for r in refs
    ]
    _assert_same(models, refs, hists, ref_hists, rtol=1e-10, atol=1e-12)


def test_sigmoid_head_and_forward_match_the_modules():
    models = [MLP(3, 4, depth=3, output="sigmoid", seed=s) for s in range(2)]
    x = torch.randn(2, 9, 3, generator=torch.Generator().manual_seed(0))
    from learnable_bases.sweep import _stack

    out = stacked_forward(models[0], _stack(models), x)
    for k, m in enumerate(models):
        torch.testing.assert_close(out[k], m(x[k]))


def test_non_finite_loss_names_member_and_matches_train():
    x, y = _data(2, n=50, d=1, out=1, dtype=torch.float32)
    x = x * torch.tensor([1.0, 30.0])[:, None, None]  # member 1 diverges
    models = [MLP(1, 4, seed=s) for s in range(2)]
    before = copy.deepcopy(models)
    kw = {"epochs": 100, "lr": 0.5, "batch_size": 10}
    with pytest.raises(NonFiniteLossError) as info:
        train_stacked(models, stacked_mse, x, y, seeds=[0, 1], **kw)
    err = info.value
    with pytest.raises(NonFiniteLossError) as ref:
        train(copy.deepcopy(before[1]), mse_objective, x[1], y[1], seed=1, **kw)
    assert err.member == 1 and ref.value.member is None
    assert (err.step, err.epoch, err.lr) == (ref.value.step, ref.value.epoch, 0.5)
    m = re.fullmatch(
        r"loss of member 1 became (inf|nan) at step (\d+) \(epoch (\d+)\) with "
        r"lr=0.5; lower the learning rate",
        str(err),
    )
    assert m and int(m.group(2)) == err.step and int(m.group(3)) == err.epoch
    assert err.history.steps == err.step and err.history.epochs == err.epoch - 1
    assert not np.isfinite(err.history.step_losses[-1])
    for a, b in zip(models, before, strict=True):  # models left unchanged
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(p, q)


def _assert_same_stop(models, refs, hists, ref_hists):
    _assert_same(models, refs, hists, ref_hists, rtol=1e-10, atol=1e-12)
    for h, r in zip(hists, ref_hists, strict=True):
        assert (h.best_epoch, h.stopped_epoch, h.max_epochs, h.patience) == (
            r.best_epoch,
            r.stopped_epoch,
            r.max_epochs,
            r.patience,
        )


@pytest.mark.parametrize("restore_best", [None, False])
def test_members_stop_on_their_own_as_separate_runs(restore_best):
    """Adam at a small lr, float64: each member stops where train() stops it."""
    x, y = sine_data(30, 0.5, seed=0)
    x, y = x.double(), y.double()
    models = [MLP(1, 32, depth=2, seed=s).double() for s in range(K)]
    refs = copy.deepcopy(models)
    kw = {
        "epochs": 400,
        "lr": 3e-3,
        "batch_size": 7,
        "optimizer": "adam",
        "val_fraction": 0.3,
        "patience": 20,
        "restore_best": restore_best,
    }
    hists = train_stacked(models, stacked_mse, x, y, seeds=range(K), **kw)
    ref_hists = [
        train(r, mse_objective, x, y, seed=k, **kw) for k, r in enumerate(refs)
    ]
    _assert_same_stop(models, refs, hists, ref_hists)
    stops = [h.stopped_epoch for h in hists]
    assert len(set(stops)) == K and max(stops) < 400  # each its own stop, all early
    for k, (m, h) in enumerate(zip(models, hists, strict=True)):
        assert h.stopped_epoch == h.best_epoch + 20 == len(h.val_losses)
        _, _, x_val, y_val = holdout_split(x, y, 0.3, seed=k)  # its own split
        kept = h.val_losses.min() if restore_best is None else h.val_losses[-1]
        assert evaluate(m, mse_objective, x_val, y_val) == pytest.approx(
            kept, rel=1e-12
        )


def test_restore_best_without_patience_and_given_validation_data():
    x, y = _data(K, n=30, d=1, out=1)
    xv, yv = _data(K, n=12, d=1, out=1, seed=1)
    models = [MLP(1, 32, depth=2, seed=s).double() for s in range(K)]
    refs = copy.deepcopy(models)
    kw = {"epochs": 150, "lr": 1e-2, "optimizer": "adam", "restore_best": True}
    hists = train_stacked(models, stacked_mse, x, y, seeds=3, x_val=xv, y_val=yv, **kw)
    ref_hists = [
        train(r, mse_objective, x[k], y[k], seed=3, x_val=xv[k], y_val=yv[k], **kw)
        for k, r in enumerate(refs)
    ]
    _assert_same_stop(models, refs, hists, ref_hists)
    assert all(h.epochs == 150 for h in hists)
    assert any(h.best_epoch < 150 for h in hists)  # restoring mattered


def test_a_stopped_member_that_diverges_later_raises_nothing():
    """Member 1 diverges at epoch 6 but ran out of patience at epoch 4."""
    x, y = sine_data(50, 0.1, seed=0)
    xs = torch.stack([x, 3 * x])
    ys = torch.stack([y, y])
    kw = {"epochs": 30, "lr": 0.4, "x_val": xs, "y_val": ys, "patience": 3}
    with pytest.raises(NonFiniteLossError, match="epoch 6"):
        train(MLP(1, 4, seed=1), mse_objective, xs[1], ys[1], epochs=30, lr=0.4)
    models = [MLP(1, 4, seed=s) for s in range(2)]
    refs = copy.deepcopy(models)
    hists = train_stacked(models, stacked_mse, xs, ys, seeds=[0, 1], **kw)
    ref_hists = [
        train(
            r,
            mse_objective,
            xs[k],
            ys[k],
            seed=k,
            epochs=30,
            lr=0.4,
            x_val=xs[k],
            y_val=ys[k],
            patience=3,
        )
        for k, r in enumerate(refs)
    ]
    assert hists[1].stopped_epoch == 4 and hists[0].stopped_epoch > 6
    _assert_same(models, refs, hists, ref_hists, rtol=1e-5, atol=1e-6)
    assert all(np.isfinite(h.losses).all() for h in hists)
    assert all(torch.isfinite(p).all() for m in models for p in m.parameters())


@pytest.mark.parametrize(
    ("change", "exc", "match"),
    [
        ({"models": []}, ValueError, "empty"),
        ({"models": MLP(2, 3)}, TypeError, "list of MLP"),
        ({"models": [torch.nn.Linear(2, 1)]}, TypeError, "MLP or GaussianMLP"),
        ({"models": [MLP(2, 3), MLP(2, 4)]}, ValueError, "same shape"),
        ({"models": [MLP(2, 3), GaussianMLP(2, 3)]}, TypeError, "one type"),
        ({"loss": "mse"}, TypeError, "callable"),
        ({"loss": lambda p, y: ((p - y) ** 2).mean()}, TypeError, r"shape \(2,\)"),
        ({"x": torch.zeros(5, 3)}, ValueError, r"\(N, in_dim\)"),
        ({"x": torch.zeros(3, 5, 2)}, ValueError, r"\(K, N, in_dim\)"),
        ({"y": torch.zeros(4, 1)}, ValueError, "y must have shape"),
        ({"x": torch.zeros(5, 2, dtype=torch.float64)}, TypeError, "dtype"),
        ({"x": torch.full((5, 2), float("nan"))}, ValueError, "NaN"),
        ({"seeds": [0]}, ValueError, "one seed per model"),
        ({"seeds": "0"}, TypeError, "seeds"),
        ({"batch_size": 6}, ValueError, "at most"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"optimizer": "rmsprop"}, ValueError, "allowed"),
        ({"x_val": torch.zeros(2, 2)}, ValueError, "both"),
        ({"val_fraction": 1.0}, ValueError, "strictly between 0 and 1"),
        ({"val_fraction": 0.05}, ValueError, "holds out 0, leaving 5"),
        (
            {
                "val_fraction": 0.4,
                "x_val": torch.zeros(2, 2),
                "y_val": torch.zeros(2, 1),
            },
            ValueError,
            "not both",
        ),
        ({"patience": 2}, ValueError, "patience needs validation data"),
        ({"patience": 0, "val_fraction": 0.4}, ValueError, "patience"),
        ({"optimizer": torch.optim.SGD}, TypeError, "optimizer must be a string"),
    ],
)
def test_bad_arguments(change, exc, match):
    args = {
        "models": [MLP(2, 3, seed=0), MLP(2, 3, seed=1)],
        "loss": stacked_mse,
        "x": torch.zeros(5, 2),
        "y": torch.zeros(5, 1),
        "epochs": 1,
        "lr": 0.1,
    } | change
    with pytest.raises(exc, match=match):
        train_stacked(
            args.pop("models"), args.pop("loss"), args.pop("x"), args.pop("y"), **args
        )
