"""Claims about the regression targets (learnable_bases.targets)."""

from __future__ import annotations

import pytest
import torch

from learnable_bases import targets as t


def test_sine_data_shapes_noise_and_seed():
    state = torch.get_rng_state()
    x, y = t.sine_data(4000, 0.25, seed=3)
    x2, y2 = t.sine_data(4000, 0.25, seed=3)
    assert torch.equal(torch.get_rng_state(), state)  # global RNG untouched
    assert x.shape == y.shape == (4000, 1) and x.dtype == torch.float32
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, t.sine_data(4000, 0.25, seed=4)[0])
    assert x.min() >= -3 and x.max() <= 3
    resid = y - t.target_1d(x)
    assert float(resid.std()) == pytest.approx(0.25, rel=0.05)
    assert abs(float(resid.mean())) < 4 * 0.25 / 4000**0.5
    x0, y0 = t.sine_data(10, 0.0, seed=0, x_range=(0.0, 1.0))
    torch.testing.assert_close(y0, t.target_1d(x0))
    assert x0.min() >= 0 and x0.max() <= 1


def test_target_1d_is_nonlinear_and_elementwise():
    grid = torch.linspace(-3, 3, 101)
    f = t.target_1d(grid)
    assert f.shape == (101,)
    torch.testing.assert_close(t.target_1d(grid[:, None])[:, 0], f)
    line = torch.linalg.lstsq(
        torch.stack([grid, torch.ones_like(grid)], 1), f[:, None]
    ).solution
    resid = f - (grid * line[0] + line[1])
    assert float(resid.pow(2).mean()) > 0.3  # far from a straight line


@pytest.mark.parametrize("name", sorted(t.FIELDS))
def test_fields_on_the_unit_square(name):
    x, y = t.sample_field(name, 500, 0.0, seed=1)
    assert x.shape == (500, 2) and y.shape == (500, 1)
    assert x.min() >= 0 and x.max() <= 1
    torch.testing.assert_close(y[:, 0], t.FIELDS[name](x))
    x2, y2 = t.sample_field(name, 500, 0.0, seed=1)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert float(y.std()) > 0.1  # not flat
    _, noisy = t.sample_field(name, 500, 0.3, seed=1)
    assert float((noisy - y).std()) == pytest.approx(0.3, rel=0.15)


def test_field_values():
    c = torch.tensor([t.BLOB_CENTER])
    assert float(t.blob(c)[0]) == pytest.approx(1.0)
    assert float(t.blob(torch.tensor([[0.0, 1.0]]))[0]) < 1e-3
    # on a moon ridge (top of the upper arc) vs far from both
    assert float(t.moons(torch.tensor([[0.375, 0.70]]))[0]) == pytest.approx(1.0)
    assert float(t.moons(torch.tensor([[0.05, 0.95]]))[0]) < 1e-3
    s = t.spiral(torch.rand(1000, 2, generator=torch.Generator().manual_seed(0)))
    assert s.min() >= -1 and s.max() <= 1 and s.min() < -0.9 and s.max() > 0.9


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: t.sine_data(0, 0.1, seed=0), ValueError, "n"),
        (lambda: t.sine_data(10, -0.1, seed=0), ValueError, "noise_sigma"),
        (lambda: t.sine_data(10, float("nan"), seed=0), ValueError, "noise_sigma"),
        (lambda: t.sine_data(10, 0.1, seed=None), TypeError, "seed"),
        (lambda: t.sine_data(10, 0.1, seed=0, x_range=(1, 1)), ValueError, "lo < hi"),
        (lambda: t.sine_data(10, 0.1, seed=0, x_range=3), TypeError, "pair"),
        (lambda: t.sample_field("ring", 10, 0.1, 0), ValueError, "allowed.*spiral"),
        (lambda: t.blob(torch.zeros(5, 3)), ValueError, r"\(n, 2\)"),
        (lambda: t.moons(torch.zeros(5)), ValueError, "dimension"),
        (lambda: t.spiral([[0.0, 0.0]]), TypeError, "torch.Tensor"),
        (lambda: t.target_1d(torch.tensor([float("nan")])), ValueError, "NaN"),
        (lambda: t.target_1d([0.0, 1.0]), TypeError, "torch.Tensor"),
    ],
)
def test_bad_input_raises(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
