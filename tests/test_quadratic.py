"""Claims about gradient descent on quadratics (learnable_bases.quadratic)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learnable_bases import quadratic as q

EPS = np.finfo(float).eps


@pytest.mark.parametrize(
    ("kappa", "eta"),
    [(1.0, 0.1), (3.0, 1 / 3), (2.5, 0.6), (0.7, 2 / 0.7), (4.0, 0.55), (49.0, 0.03)],
)
def test_iterates_match_closed_form(kappa, eta):
    w = q.gd_iterates(kappa, eta, w0=1.7, steps=60)
    closed = q.gd_iterates_closed_form(kappa, eta, w0=1.7, steps=60)
    assert w.shape == closed.shape == (61,)
    assert w[0] == 1.7
    np.testing.assert_allclose(w, closed, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("kappa", [0.5, 3.0, 49.0, 1e3, 7.3e-2])
def test_inverse_curvature_converges_in_one_step(kappa):
    w = q.gd_iterates(kappa, 1.0 / kappa, w0=-2.0, steps=5)
    # 1/kappa is rounded, so (1 - eta kappa) is 0 up to a few ulps.
    assert np.all(np.abs(w[1:]) <= 4 * EPS * 2.0)
    assert q.regime(kappa, 1.0 / kappa) == "one-step"
    # a slightly different step does not reach 0 in one step
    w_off = q.gd_iterates(kappa, 1.01 / kappa, w0=-2.0, steps=1)
    assert abs(w_off[1]) > 0.01


@pytest.mark.parametrize("kappa", [0.3, 1.0, 8.0])
def test_divergence_boundary_is_two_over_kappa(kappa):
    steps = 6000  # (1 +- 1e-3)^6000 is about e^(+-6)
    w0 = 1.0
    below = q.gd_iterates(kappa, 2 / kappa * (1 - 1e-3), w0, steps)
    above = q.gd_iterates(kappa, 2 / kappa * (1 + 1e-3), w0, steps)
    at = q.gd_iterates(kappa, 2 / kappa, w0, steps)
    assert np.all(np.diff(np.abs(below)) < 0) and abs(below[-1]) < 0.01
    assert np.all(np.diff(np.abs(above)) > 0) and abs(above[-1]) > 100
    np.testing.assert_allclose(np.abs(at), 1.0, rtol=1e-9)  # flips sign forever
    assert np.all(np.sign(at[1:]) == -np.sign(at[:-1]))
    assert q.regime(kappa, 2 / kappa * (1 - 1e-3)) == "oscillating"
    assert q.regime(kappa, 2 / kappa * (1 + 1e-3)) == "diverging"
    assert q.regime(kappa, 2 / kappa) == "undamped"


def test_regimes_cover_all_cases():
    assert q.regime(2.0, 0.1) == "slow"
    assert q.regime(2.0, 0.5) == "one-step"
    assert q.regime(2.0, 0.75) == "oscillating"
    assert q.regime(2.0, 1.0) == "undamped"
    assert q.regime(2.0, 5.0) == "diverging"
    assert set(q.REGIMES) == {
        "slow",
        "one-step",
        "oscillating",
        "undamped",
        "diverging",
    }
    slow = q.gd_iterates(2.0, 0.1, 1.0, 20)
    osc = q.gd_iterates(2.0, 0.75, 1.0, 20)
    assert np.all(slow > 0) and np.all(np.diff(slow) < 0)
    assert np.all(np.sign(osc[1:]) == -np.sign(osc[:-1]))


def test_diverging_iterates_overflow_without_warning():
    w = q.gd_iterates(1.0, 100.0, 1.0, 400)  # RuntimeWarnings are errors in pytest
    assert np.isinf(w[-1]) and np.isinf(w[-2]) and np.sign(w[-1]) != np.sign(w[-2])
    path = q.gd_path_2d([1.0, 2.0], 5.0, [1.0, 1.0], 2000)
    assert np.all(np.isinf(path[-1]))


@pytest.mark.parametrize("angle", [0.0, 0.4])
@pytest.mark.parametrize("eta", [0.05, 0.18, 0.21])
def test_2d_contraction_is_worst_axis_factor(angle, eta):
    kappas = np.array([1.0, 9.0])
    c = q.contraction_2d(kappas, eta)
    assert c == pytest.approx(max(abs(1 - eta * 1.0), abs(1 - eta * 9.0)), rel=1e-15)
    path = q.gd_path_2d(kappas, eta, w0=[1.0, -0.5], steps=150, angle=angle)
    norms = np.linalg.norm(path, axis=1)
    ratios = norms[1:] / norms[:-1]
    assert np.all(ratios <= c * (1 + 1e-12))
    assert ratios[-1] == pytest.approx(c, rel=1e-6)  # slowest axis dominates
    # started on the slowest axis, every step contracts by exactly c
    slow = int(np.argmax(np.abs(1 - eta * kappas)))
    rot = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    w0 = rot[:, slow]
    path = q.gd_path_2d(kappas, eta, w0=w0, steps=20, angle=angle)
    ratios = np.linalg.norm(path[1:], axis=1) / np.linalg.norm(path[:-1], axis=1)
    np.testing.assert_allclose(ratios, c, rtol=1e-12)


def test_2d_path_matches_closed_form_and_loss_decreases():
    kappas, eta, angle = np.array([0.5, 4.0]), 0.3, 0.7
    path = q.gd_path_2d(kappas, eta, w0=[2.0, 1.0], steps=30, angle=angle)
    rot = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    u0 = rot.T @ np.array([2.0, 1.0])
    i = np.arange(31)[:, None]
    expected = ((1 - eta * kappas) ** i * u0) @ rot.T
    np.testing.assert_allclose(path, expected, rtol=1e-10, atol=1e-14)
    losses = q.quadratic_loss_2d(kappas, path, angle=angle)
    assert losses.shape == (31,) and np.all(np.diff(losses) < 0)
    assert q.quadratic_loss_2d(kappas, [1.0, 0.0]) == pytest.approx(0.25)
    assert q.quadratic_loss(3.0, 2.0) == pytest.approx(6.0)


def test_max_stable_eta_separates_convergence_from_divergence():
    kappas = np.array([1.0, 20.0])
    eta_max = q.max_stable_eta(kappas)
    assert eta_max == pytest.approx(0.1)
    below = q.gd_path_2d(kappas, eta_max * (1 - 1e-2), [1.0, 1.0], 2000)
    above = q.gd_path_2d(kappas, eta_max * (1 + 1e-2), [1.0, 1.0], 2000)
    assert np.linalg.norm(below[-1]) < 1e-6
    assert np.linalg.norm(above[-1]) > 1e6


def test_best_fixed_eta_minimises_contraction():
    kappas = np.array([2.0, 30.0])
    best = q.best_fixed_eta(kappas)
    cond = 15.0
    assert q.contraction_2d(kappas, best) == pytest.approx((cond - 1) / (cond + 1))
    grid = np.linspace(0.001, q.max_stable_eta(kappas), 2001)
    worst = [q.contraction_2d(kappas, e) for e in grid]
    assert min(worst) >= q.contraction_2d(kappas, best) - 1e-12
    assert grid[int(np.argmin(worst))] == pytest.approx(best, abs=2e-4)


@pytest.mark.parametrize(
    ("kappas", "eta", "w0", "angle"),
    [
        ([1.0, 10.0], 0.15, [1.0, 1.0], 0.0),
        ([1.0, 10.0], 0.01, [0.3, -2.0], 0.0),
        ([0.5, 3.0], 0.4, [1.0, 2.0], 1.1),
        ([2.0, 2.0], 0.5, [1.0, 1.0], 0.0),
    ],
)
def test_steps_to_converge_matches_iteration(kappas, eta, w0, angle):
    tol = 1e-5
    n = q.steps_to_converge(kappas, eta, w0=w0, tol=tol, angle=angle)
    path = q.gd_path_2d(kappas, eta, w0, steps=5000, angle=angle)
    norms = np.linalg.norm(path, axis=1)
    brute = int(np.argmax(norms <= tol * norms[0]))
    assert n == brute


def test_steps_to_converge_edge_cases():
    assert q.steps_to_converge([1.0, 2.0], 0.5, w0=[0.0, 0.0]) == 0
    assert q.steps_to_converge([1.0, 2.0], 1.5) is None  # diverges on kappa=2
    assert q.steps_to_converge([1.0, 2.0], 1.0) is None  # undamped on kappa=2
    # the unstable axis does not matter if w0 has no component along it
    assert q.steps_to_converge([1.0, 3.0], 0.9, w0=[1.0, 0.0]) is not None


def test_steps_vs_condition_number():
    conds = np.array([1.0, 2.0, 10.0, 100.0, 1000.0])
    tol = 1e-6
    steps = q.steps_vs_condition(conds, tol=tol)
    assert steps.dtype.kind == "i" and np.all(np.diff(steps) > 0)
    # both axes contract by (K-1)/(K+1) per step, so the count is exact:
    c = (conds[1:] - 1) / (conds[1:] + 1)
    np.testing.assert_array_equal(steps[1:], np.ceil(np.log(tol) / np.log(c)))
    assert steps[0] == 1
    # and about K/2 log(1/tol) for large K
    assert steps[-1] == pytest.approx(1000 / 2 * math.log(1 / tol), rel=0.01)


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: q.gd_iterates(0.0, 0.1, 1.0, 5), ValueError),
        (lambda: q.gd_iterates(-1.0, 0.1, 1.0, 5), ValueError),
        (lambda: q.gd_iterates(1.0, 0.0, 1.0, 5), ValueError),
        (lambda: q.gd_iterates(1.0, float("nan"), 1.0, 5), ValueError),
        (lambda: q.gd_iterates(1.0, 0.1, float("inf"), 5), ValueError),
        (lambda: q.gd_iterates(1.0, 0.1, 1.0, 0), ValueError),
        (lambda: q.gd_iterates(1.0, 0.1, 1.0, 2.5), TypeError),
        (lambda: q.gd_iterates("1", 0.1, 1.0, 5), TypeError),
        (lambda: q.gd_iterates_closed_form(1.0, -0.1, 1.0, 5), ValueError),
        (lambda: q.regime(1.0, -1.0), ValueError),
        (lambda: q.regime(float("inf"), 1.0), ValueError),
        (lambda: q.gd_path_2d([1.0, 0.0], 0.1, [1.0, 1.0], 5), ValueError),
        (lambda: q.gd_path_2d([[1.0, 2.0]], 0.1, [1.0, 1.0], 5), ValueError),
        (lambda: q.gd_path_2d([1.0, 2.0], 0.1, [1.0, 1.0, 1.0], 5), ValueError),
        (lambda: q.gd_path_2d([1.0, 2.0], 0.1, [1.0, np.nan], 5), ValueError),
        (lambda: q.gd_path_2d([1.0, 2.0, 3.0], 0.1, [1.0] * 3, 5, 0.3), ValueError),
        (lambda: q.contraction_2d([], 0.1), ValueError),
        (lambda: q.contraction_2d([1.0, 2.0], 0), ValueError),
        (lambda: q.max_stable_eta([1.0, -2.0]), ValueError),
        (lambda: q.best_fixed_eta([np.inf, 1.0]), ValueError),
        (lambda: q.steps_to_converge([1.0, 2.0], 0.1, tol=0.0), ValueError),
        (lambda: q.steps_vs_condition([0.5, 2.0]), ValueError),
        (lambda: q.steps_vs_condition([]), ValueError),
        (lambda: q.quadratic_loss_2d([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError),
    ],
)
def test_bad_input_raises(call, exc):
    with pytest.raises(exc):
        call()


def test_error_messages_say_what_is_allowed():
    with pytest.raises(ValueError, match="> 0"):
        q.gd_iterates(1.0, -0.5, 1.0, 3)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        q.gd_path_2d([1.0, 2.0], 0.1, [1.0], 3)


@pytest.mark.parametrize("angle", [0.0, -math.pi / 4, 0.3])
def test_adam_path_is_torch_adam(angle):
    import torch

    kappas, w0 = [1.0, 100.0], [-3.0, 2.0]
    path = q.adam_path_2d(kappas, 0.03, w0, 50, angle=angle)
    assert path.shape == (51, 2)
    np.testing.assert_array_equal(path[0], w0)
    c, s = math.cos(angle), math.sin(angle)
    rot = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    h = rot @ torch.diag(torch.tensor(kappas, dtype=torch.float64)) @ rot.T
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.03)
    for i in range(50):
        opt.zero_grad()
        (0.5 * w @ h @ w).backward()
        opt.step()
        np.testing.assert_allclose(path[i + 1], w.detach().numpy(), rtol=1e-10)


def test_adam_rescales_along_the_axes_only():
    # a diagonal rescaling: on an axis-aligned bowl each coordinate moves at
    # about eta per step whatever its curvature; turned by 45 degrees it fails
    bowl, w0 = [1.0, 100.0], [-3.0, 2.0]
    aligned = q.adam_path_2d(bowl, 0.03, w0, 300)
    turned = q.adam_path_2d(bowl, 0.03, w0, 300, angle=-math.pi / 4)
    assert np.abs(aligned[1] - aligned[0]) == pytest.approx([0.03, 0.03], rel=1e-6)
    e_aligned = q.quadratic_loss_2d(bowl, aligned[-1])
    e_turned = q.quadratic_loss_2d(bowl, turned[-1], angle=-math.pi / 4)
    assert e_aligned < 1e-6 < 1.0 < e_turned
    with pytest.raises(ValueError, match="betas"):
        q.adam_path_2d(bowl, 0.03, w0, 3, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="w0"):
        q.adam_path_2d(bowl, 0.03, [1.0], 3)
    with pytest.raises(ValueError, match="angle"):
        q.adam_path_2d([1.0, 2.0, 3.0], 0.03, [1.0, 1.0, 1.0], 3, angle=0.5)
