"""The shared input checks, and the one place they are relaxed."""

import numpy as np
import pytest
import torch

import learnable_bases as lb
from learnable_bases._checks import (
    check_int_sequence,
    check_sequence,
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
