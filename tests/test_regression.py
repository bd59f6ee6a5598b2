"""Tests of :mod:`learnable_bases.regression`: snapshots, sweeps, bad input.

Short runs on the default data: these tests check that ``fit_regression``'s
snapshots are shorter runs, that a ``width_sweep`` member is a single fit and
that bad arguments are refused; the chapter's claims about the demo, early
stopping and width are in tests/test_chapter2.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from learnable_bases.regression import fit_regression, width_sweep

# ---------------------------------------------------------------------------
# fit_regression
# ---------------------------------------------------------------------------


def test_stepper_snapshots_of_one_run_equal_shorter_runs():
    # the training stepper draws snapshots of one 300-epoch run
    epochs = [1, 3, 10, 30]
    run = fit_regression(epochs=30, snapshots=epochs)
    for e in epochs:
        at, fresh = run.at_epoch(e), fit_regression(epochs=e)
        for a, b in zip(at.model.parameters(), fresh.model.parameters(), strict=True):
            assert torch.equal(a, b), e
        assert at.history is run.history and at.x is run.x
    grid = torch.linspace(-3, 3, 7)[:, None]
    assert not np.array_equal(run.at_epoch(1).predict(grid)[0], run.predict(grid)[0])
    with pytest.raises(ValueError, match="no snapshot at epoch 5"):
        run.at_epoch(5)


def test_fit_regression_patience_needs_validation():
    with pytest.raises(ValueError, match="track_val"):
        fit_regression(epochs=2, patience=1, track_val=False)
    with pytest.raises(ValueError, match="val_fraction"):
        fit_regression(epochs=2, val_fraction=1.5)


# ---------------------------------------------------------------------------
# width_sweep
# ---------------------------------------------------------------------------


def test_width_sweep_members_equal_single_fits():
    """Member (data set i, seed j) is fit_regression(data_seed=1 + 2i, seed=j).

    Equal up to float32 rounding (a few ulp after 30 epochs). Over hundreds of
    epochs of an overfitting network such differences grow: after 200 epochs a
    width-8 member's validation loss differs from the single fit's by about 1 %.
    """
    kw = {"n": 30, "epochs": 30, "lr": 3e-2, "batch_size": None, "n_val": 300}
    r = width_sweep([3, 8], n_data=2, n_seeds=2, **kw)
    for k, width in enumerate((3, 8)):
        for i, j in itertools.product(range(2), range(2)):
            single = fit_regression(
                width, data_seed=1 + 2 * i, seed=j, track_val=False, **kw
            )
            assert r.train_loss[k, i, j] == pytest.approx(single.train_loss, abs=1e-5)
            assert r.val_loss[k, i, j] == pytest.approx(single.val_loss, abs=1e-5)
            assert r.sigma[k, i, j] == pytest.approx(single.sigma, rel=1e-5)


def test_width_sweep_rejects_bad_widths():
    for bad in ([], [0, 4], [2.5], [[1, 2]]):
        with pytest.raises(ValueError, match="widths"):
            width_sweep(bad)
