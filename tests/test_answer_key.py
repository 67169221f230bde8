"""The student edition's answer key checks answers it does not contain, and explains slips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crmsim import Policy, Stage
from crmsim.exercises.key import KeyedChecker, make_key, parts

ANSWERS = {
    "t.share": 0.0123456789,
    "t.week": 9,
    "t.pair": (0.21, -1234.5),
    "t.stages": [Stage.AWARENESS, Stage.EXPLORATION, Stage.EXPANSION],
    "t.labels": {"battery life": "must-be", "logo": "indifferent"},
    "t.flag": False,
}


@pytest.fixture(scope="module")
def key():
    return make_key(ANSWERS, salt="cohort-2026")


def check(key, question, answer):
    return KeyedChecker(question, key)(answer)


def test_the_key_holds_no_answer(key):
    text = json.dumps(key)
    for needle in ("0.0123", "1234.5", "must-be", "indifferent", "awareness", "0.21"):
        assert needle not in text


def test_right_answers_pass_in_any_equivalent_form(key):
    assert check(key, "t.share", 0.0123456789).correct
    assert check(key, "t.share", np.float64(0.01234568)).correct  # rounded at 7 digits
    assert check(key, "t.week", np.int64(9)).correct
    assert check(key, "t.pair", [0.21, -1234.5]).correct
    assert check(key, "t.stages", ["awareness", "exploration", "expansion"]).correct
    assert check(key, "t.labels", {"Battery life": "Must-be", "logo": "indifferent"}).correct
    assert check(key, "t.flag", "False").correct


def test_wrong_answers_fail_with_a_diagnosis_but_not_the_answer(key):
    assert not check(key, "t.share", 0.0124).correct
    assert not check(key, "t.week", 10).correct  # whole numbers have no neighbours
    percentage = check(key, "t.share", 1.23456789)
    assert not percentage.correct and "percentage" in percentage.message
    sign = check(key, "t.pair", (0.21, 1234.5))
    assert not sign.correct and "1 of the 2" in sign.message and "sign" in sign.message
    order = check(key, "t.stages", ["awareness", "expansion", "exploration"])
    assert "item 2" in order.message
    labels = check(key, "t.labels", {"battery life": "must-be", "logo": "attractive"})
    assert "'logo'" in labels.message and "must-be" not in labels.message
    assert "give 3 items" in check(key, "t.stages", ["awareness"]).message


def test_a_new_salt_makes_a_different_key():
    assert make_key(ANSWERS, salt="a") != make_key(ANSWERS, salt="b")


def test_a_policy_is_keyed_by_the_levers_that_differ_from_the_default():
    answer = Policy(discount=0.1)
    found = parts(answer)  # unset options (None) are parts too, or no policy could be keyed
    key = make_key({"t.policy": answer}, salt="s")
    entry = key["questions"]["t.policy"]
    assert [p["path"] for p in entry["parts"]] == [".discount"]
    assert found[".discount"] == pytest.approx(0.1)
    assert KeyedChecker("t.policy", key)(Policy(discount=0.1)).correct
    assert not KeyedChecker("t.policy", key)(Policy(discount=0.2)).correct
