"""The shared input checks, and the one place they are relaxed."""

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases._checks import (
    check_int_sequence,
    check_interval,
    check_sequence,
    check_shape,
    check_tensor,
    inputs_checked,
)


def test_check_tensor_rejects_nan_outside_and_trusts_checked_data_inside():
    bad = torch.tensor([[1.0, float("nan")]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_tensor("x", bad)
    with inputs_checked():
        assert check_tensor("x", bad) is bad
        with pytest.raises(TypeError, match="floating dtype"):
            check_tensor("x", torch.ones(2, dtype=torch.int64))  # types still checked
    with pytest.raises(ValueError, match="NaN or infinite"):
        check_tensor("x", bad)  # restored on exit


def test_train_still_rejects_nan_data_up_front():
    model = lb.models.MLP(1, 4, seed=0)
    x = torch.tensor([[0.0], [float("nan")]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        lb.training.train(model, lb.losses.mse_objective, x, x, epochs=1, lr=0.1)
    # and a model called on its own after training still checks its input
    with pytest.raises(ValueError, match="NaN or infinite"):
        model(x)


@pytest.mark.parametrize("values", [[], [[1, 2]], [1.5, 2], [0, 3], 7, ["a"]], ids=repr)
def test_an_integer_sequence_is_one_dimensional_integral_and_in_range(values):
    with pytest.raises(
        ValueError, match=r"budgets must be a 1D sequence of integers >= 1 \(a zero"
    ):
        check_int_sequence(
            "budgets", values, minimum=1, note=" (a zero budget trains on nothing)"
        )


def test_an_integer_sequence_comes_back_as_an_array():
    assert check_int_sequence("seeds", (3, 4, -1)).tolist() == [3, 4, -1]
    with pytest.raises(
        ValueError, match="seeds must be a 1D sequence of integers; got"
    ):
        check_int_sequence("seeds", [0.5])
    # and the sweeps use it
    with pytest.raises(
        ValueError, match="widths must be a 1D sequence of integers >= 1"
    ):
        lb.regression.width_sweep([4, 0])
    with pytest.raises(ValueError, match="zero budget trains on nothing"):
        lb.posterior.budget_sweep("line", [0, 100])


def test_check_sequence_takes_sequences_and_arrays_and_refuses_strings():
    assert check_sequence("seeds", [0, 1], "ints") == [0, 1]
    arr = np.arange(3)
    assert check_sequence("seeds", arr, "ints") is arr
    assert check_sequence("seeds", [], "ints") == []  # empty allowed by default
    for bad in ("01", b"01", 3, None, {0, 1}):
        with pytest.raises(TypeError, match="seeds must be a sequence of ints"):
            check_sequence("seeds", bad, "ints")
    with pytest.raises(ValueError, match="seeds must be a non-empty sequence of ints"):
        check_sequence("seeds", [], "ints", nonempty=True)
    assert check_sequence("seeds", (3, 4), "ints, one per model", length=2) == (3, 4)
    with pytest.raises(
        ValueError, match="seeds must hold 3 ints, one per model; got 2"
    ):
        check_sequence("seeds", (3, 4), "ints, one per model", length=3)


def test_check_shape_fixes_int_sizes_frees_named_ones_and_counts_dimensions():
    x = torch.zeros(5, 2)
    assert check_shape("x", x, ("n", 2)) is x
    assert check_shape("x", x.numpy(), (np.int64(5), "k")) is not None  # numpy sizes
    with pytest.raises(ValueError, match=r"^x must have shape \(n, 3\); got \(5, 2\)$"):
        check_shape("x", x, ("n", 3))
    with pytest.raises(ValueError, match=r"x must have shape \(4, k\) \(one row"):
        check_shape("x", x, (np.int64(4), "k"), " (one row per point)")
    with pytest.raises(ValueError, match=r"\(5, 2\) \(2 dimensions, not 1\)$"):
        check_shape("x", x, (5,))
    with pytest.raises(ValueError, match=r"\(5,\) \(1 dimension, not 2\)$"):
        check_tensor("x", torch.zeros(5), shape=("n", 2))


def test_check_interval_names_the_argument_and_takes_arrays():
    assert check_interval(np.array([0.0, 2.0]), "x_range") == (0.0, 2.0)
    with pytest.raises(TypeError, match=r"^x_range must be a pair \(lo, hi\)"):
        check_interval("ab", "x_range")
    with pytest.raises(ValueError, match=r"^\(low, high\) must have finite lo < hi"):
        check_interval((1.0, float("inf")), "(low, high)")
