"""The result cache: off by default, equal results when on, never stale."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases.cache import CACHE_ENV, call_key


@pytest.fixture
def trainings(monkeypatch):
    """Count the calls of ``train`` inside :mod:`learnable_bases.deep`."""
    calls = []
    real = lb.deep.train

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(lb.deep, "train", counting)
    return calls


def small_fit(**kwargs):
    return lb.deep.fit_field("moons", depth=2, width=8, epochs=3, grid=12, **kwargs)


def assert_same_fit(a, b):
    assert a.test_mse == b.test_mse and a.r2 == b.r2
    np.testing.assert_array_equal(a.prediction, b.prediction)
    np.testing.assert_array_equal(a.history.losses, b.history.losses)
    torch.testing.assert_close(a.x_train, b.x_train, rtol=0, atol=0)
    for (name, p), (_, q) in zip(
        a.model.state_dict().items(), b.model.state_dict().items(), strict=True
    ):
        torch.testing.assert_close(p, q, rtol=0, atol=0, msg=name)


def test_without_the_variable_every_call_computes(monkeypatch, trainings):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    small_fit()
    small_fit()
    assert len(trainings) == 2


def test_a_cached_result_equals_a_computed_one(monkeypatch, tmp_path, trainings):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    computed = small_fit()
    loaded = small_fit()
    assert len(trainings) == 1  # the second call trained nothing
    assert loaded is not computed
    assert_same_fit(loaded, computed)
    monkeypatch.delenv(CACHE_ENV)
    assert_same_fit(small_fit(), loaded)  # and equals a run without the cache


def test_other_arguments_compute_again(monkeypatch, tmp_path, trainings):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    small_fit(seed=0)
    small_fit(seed=1)
    small_fit(seed=0, activation="relu")  # the default, spelled out: a hit
    assert len(trainings) == 2
    assert len(list(tmp_path.glob("fit_field-*.pkl"))) == 2


def test_defaults_share_a_key_and_unhashable_arguments_have_none():
    f = lb.regression.fit_regression
    assert call_key(f) == call_key(f, epochs=300) == call_key(f, 32)
    assert call_key(f) != call_key(f, epochs=299)
    assert call_key(lb.training.evaluate, None, None, object(), None) is None


def test_tensor_and_array_arguments_key_on_their_content():
    f = lb.training.holdout_split
    a = torch.arange(6.0).reshape(3, 2)
    key = call_key(f, a, a, 0.5, seed=0)
    assert key is not None
    assert call_key(f, a.clone(), a.clone(), 0.5, seed=0) == key  # equal content
    b = a.clone()
    b[2, 1] = 5.5
    assert call_key(f, b, a, 0.5, seed=0) != key  # one entry differs
    assert call_key(f, a.double(), a, 0.5, seed=0) != key  # the dtype counts
    assert call_key(f, a.reshape(2, 3), a, 0.5, seed=0) != key  # and the shape
    arr = np.arange(6.0)
    assert call_key(f, arr, arr, 0.5, seed=0) == call_key(
        f, arr.copy(), arr.copy(), 0.5, seed=0
    )
    assert call_key(f, np.array([object()]), arr, 0.5, seed=0) is None


def test_a_fit_on_given_pairs_is_cached_by_their_content(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    theta, x = lb.simulators.GrowingNoise().sample(200, seed=0)
    kwargs = dict(width=4, schedule=((2, 1e-2),), patience=None, val_fraction=None)
    first = lb.posterior.fit_posterior(theta=theta, x=x, **kwargs)
    again = lb.posterior.fit_posterior(theta=theta.clone(), x=x.clone(), **kwargs)
    assert len(list(tmp_path.glob("fit_posteriors-*.pkl"))) == 1  # a hit
    probe = torch.linspace(-1, 1, 5)[:, None]
    torch.testing.assert_close(again.outputs(probe), first.outputs(probe))
    lb.posterior.fit_posterior(theta=theta, x=x + 1.0, **kwargs)  # other data
    assert len(list(tmp_path.glob("fit_posteriors-*.pkl"))) == 2


def test_simulators_key_by_their_settings():
    f = lb.posterior.fit_posterior
    line = lb.simulators.LinearGaussian
    assert call_key(f, line()) == call_key(f, line(noise=0.5))  # the default, spelled
    assert call_key(f, line()) != call_key(f, line(noise=0.6))
    assert call_key(f, line()) != call_key(f, lb.simulators.GrowingNoise())
    assert call_key(f, line()) != call_key(f, "line")  # a name is not the object


def test_keys_follow_torch_and_its_vector_kernels(monkeypatch):
    f = lb.regression.fit_regression
    here = call_key(f)
    assert torch.__version__ in lb.cache.numerics()
    assert torch.backends.cpu.get_cpu_capability() in lb.cache.numerics()
    monkeypatch.setattr(lb.cache, "numerics", lambda: "another torch, other kernels")
    assert call_key(f) != here


def test_cached_functions_leave_the_global_rng_alone():
    # A cache hit skips the computation, so the computation must not draw from
    # (or reseed) the global generator, or code after a hit would change.
    state = torch.get_rng_state()
    small_fit()
    lb.regression.fit_regression(epochs=1)
    lb.deep.kinks_by_depth([1, 2], 3, n_networks=2, n_grid=101)
    assert torch.equal(torch.get_rng_state(), state)


def test_a_cached_result_is_not_reused_after_the_library_changes(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(lb.cache.LIBRARY, lib / "learnable_bases")
    cache = tmp_path / "cache"
    script = textwrap.dedent(
        f"""
        import os, sys
        os.environ[{CACHE_ENV!r}] = {str(cache)!r}
        import learnable_bases as lb
        assert lb.__file__.startswith({str(lib)!r}), lb.__file__
        calls = []
        real = lb.deep.count_kinks
        lb.deep.count_kinks = lambda *a: calls.append(1) or real(*a)
        lb.deep.kinks_by_depth([1], 2, n_networks=1, n_grid=11)
        print(len(calls))
        """
    )

    def run() -> int:
        out = subprocess.run(
            [sys.executable, "-c", script],
            env={
                "PYTHONPATH": str(lib),
                "PATH": "/usr/bin:/bin",
                "OMP_NUM_THREADS": "1",
            },
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout)

    assert run() == 1  # computed and stored
    assert run() == 0  # loaded
    with (lib / "learnable_bases" / "targets.py").open("a") as f:
        f.write("\n# any change to any module of the library\n")
    assert run() == 1  # computed again, not the stored result of the old library


def test_histories_with_snapshots_survive_the_round_trip():
    x, y = lb.targets.sample_field("blob", 64, 0.1, seed=0)
    model = lb.models.MLP(2, 4, seed=0)
    history = lb.training.train(
        model, lb.losses.mse_objective, x, y, epochs=2, lr=0.01, snapshots=[0, 2]
    )
    loaded = pickle.loads(lb.cache.dumps(history))
    assert set(loaded.snapshots) == {0, 2}
    with pytest.raises(TypeError):  # still read-only
        loaded.snapshots[1] = {}
    for epoch, state in history.snapshots.items():
        for name, value in state.items():
            assert torch.equal(loaded.snapshots[epoch][name], value)


def test_calls_that_differ_only_by_spelled_out_defaults_share_one_key():
    # a gallery script that writes out a default trains what the chapter's call
    # without it trains, so the docs build trains it once
    f, snaps = lb.regression.fit_regression, (0, 1, 3, 10, 30, 100, 300)
    keys = {
        call_key(f, snapshots=snaps),
        call_key(f, epochs=300, snapshots=list(snaps)),
        call_key(f, optimizer="adam", lr=0.01, snapshots=snaps),
    }
    assert len(keys) == 1 and None not in keys


def test_a_readers_dataclass_is_not_keyed_by_its_fields():
    # its sample() could change while its fields stay: computed, never cached
    import dataclasses

    @dataclasses.dataclass
    class Mine:
        n: int = 3

    def f(sim):
        return sim

    assert call_key(f, Mine()) is None
    assert call_key(f, lb.simulators.LinearGaussian()) is not None
