"""Every kind of bad input gets one line that names the field, the value and what is allowed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crmsim import CRMModel, Market, Policy, checks
from crmsim.network import build_network


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (2.5, 0, math.inf, "weeks must be an integer >= 0, got 2.5"),
        (True, 0, math.inf, "weeks must be an integer >= 0, got True"),
        ("3", 0, math.inf, "weeks must be an integer >= 0, got '3'"),
        (-1, 0, math.inf, "weeks must be an integer >= 0, got -1"),
        (9, 1, 8, r"weeks must be an integer in \[1, 8\], got 9"),
    ],
)
def test_integer_checks_name_the_field_the_value_and_the_range(value, low, high, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        checks.integer("weeks", value, low, high)


def test_integer_checks_accept_numpy_integers_and_return_plain_ints():
    value = checks.integer("weeks", np.int16(4), low=0)
    assert value == 4 and type(value) is int


@pytest.mark.parametrize(
    ("value", "low", "high", "message"),
    [
        (float("nan"), 0.0, 1.0, r"rate must be in \[0.0, 1.0\], got nan"),
        (1.5, 0.0, 1.0, r"rate must be in \[0.0, 1.0\], got 1.5"),
        ("high", 0.0, 1.0, r"rate must be a number in \[0.0, 1.0\], got 'high' \(str\)"),
        (-2, 0.0, math.inf, "rate must be >= 0.0, got -2"),
        (math.inf, 0.0, math.inf, "rate must be a finite number >= 0.0, got inf"),
        (None, -math.inf, math.inf, r"rate must be a finite number, got None \(NoneType\)"),
    ],
)
def test_number_checks_name_the_field_the_value_and_the_range(value, low, high, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        checks.number("rate", value, low, high)


def test_entry_points_share_the_checks():
    with pytest.raises(ValueError, match="^n_customers must be an integer >= 1, got 0$"):
        CRMModel(n_customers=0)
    with pytest.raises(ValueError, match="^history must be one of"):
        CRMModel(n_customers=10, history="yes")
    with pytest.raises(ValueError, match="^policy must be a Policy or a mapping"):
        CRMModel(n_customers=10, policy=0.5)
    with pytest.raises(ValueError, match="^Policy.discount_target 'vip' is neither"):
        CRMModel(n_customers=10, policy=Policy(discount=0.1, discount_target="vip"))
    with pytest.raises(ValueError, match=r"^customer index must be an integer in \[0, 9\]"):
        CRMModel(n_customers=10, rng=1).customer(10)
    with pytest.raises(ValueError, match="^weeks must be an integer >= 0"):
        CRMModel(n_customers=10, rng=1).run(weeks=-3)
    with pytest.raises(ValueError, match="^Market.anger_weeks must be an integer >= 0"):
        Market(anger_weeks=1.5)
    with pytest.raises(ValueError, match=r"^rewiring must be in \[0.0, 1.0\]"):
        build_network("small-world", 50, np.random.default_rng(0), 4, rewiring=2)


def test_every_check_message_is_one_line():
    for call in (
        lambda: checks.integer("x", "many", 0),
        lambda: checks.number("x", [1], 0, 1),
        lambda: checks.choice("x", "z", ("a", "b")),
        lambda: checks.levers(Policy, 3, "policy"),
        lambda: checks.discount_target("vip", ("students",), "target"),
    ):
        with pytest.raises(ValueError) as err:
            call()
        assert "\n" not in str(err.value)
