"""The shared input checks, and the one place they are relaxed."""

import pytest
import torch

import learnable_bases as lb
from learnable_bases._checks import check_tensor, inputs_checked


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
