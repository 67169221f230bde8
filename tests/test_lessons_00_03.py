"""The thinking questions of lessons 00-03: predictions are checked against the run and set
beside it, classifications accept the course's word forms and name the items to look at again,
discussions want an argument of some length, and lesson 02's fixed questions teach the idea."""

from __future__ import annotations

import numpy as np
import pytest

from crmsim import CRMModel, Policy, scenarios
from crmsim.exercises import lesson_00, lesson_01, lesson_02, lesson_03
from crmsim.exercises.core import Classification, Discussion, Prediction

# --------------------------------------------------------------------------- predictions
# Each: (question, a function computing the measured answer as the notebook does, the choice
# the run bears out, the usual slips with a word their feedback must contain).


def _advertising_gain():
    ends = {}
    for name, advertising in lesson_00.ADVERTISING.items():
        run = CRMModel(
            n_customers=1_000, policy=Policy(service_quality=0.7, advertising=advertising), rng=2024
        )
        run.run(104, progress=False)
        ends[name] = run.frame["active"]
    usual, more = ends["usual"], ends["five times"]
    right = (more.iloc[-1] - usual.iloc[-1]) / usual.iloc[-1]
    slips = {
        (more.iloc[51] - usual.iloc[51]) / usual.iloc[51]: "one year",
        more.iloc[-1] - usual.iloc[-1]: "divide",
        more.iloc[-1] / usual.iloc[-1]: "minus one",
    }
    return right, slips


def _newcomer_profit():
    no_discount = Policy(service_quality=0.7, advertising=0.02)
    policies = {
        "new": no_discount.replace(discount=0.1, discount_target="new"),
        "none": no_discount,
    }
    profit = {}
    for name, policy in policies.items():
        model = CRMModel(n_customers=2_000, policy=policy, rng=1, streams="keyed")
        model.run(104, progress=False)
        profit[name] = model.frame["profit"].sum()
    right = profit["new"] - profit["none"]
    return right, {-right: "wrong sign"}


def _satisfaction_at_the_end_of_the_discount():
    frame = lesson_02.run_scenario("opening_discount").frame
    end = lesson_02.PROMOTION_WEEKS
    right = frame["satisfaction"].iloc[end] - frame["satisfaction"].iloc[end - 1]
    calculus = frame["trust_calculus"].iloc[end] - frame["trust_calculus"].iloc[end - 1]
    return right, {calculus: "calculus trust", -right: "sign"}


def _satisfaction_by_promise():
    means = {}
    for name, promise in lesson_03.PROMISES.items():
        values = []
        for seed in lesson_03.PROMISE_RUN["seeds"]:
            run = CRMModel(
                n_customers=2_000,
                policy=lesson_03.promise_policy(promise),
                rng=seed,
                streams="keyed",
            )
            run.run(lesson_03.PROMISE_RUN["weeks"], progress=False)
            values.append(run.frame["satisfaction"].mean())
        means[name] = sum(values) / len(values)
    right = means["under"] - means["over"]
    return right, {-right: "wrong sign", means["under"] - means["honest"]: "honest"}


PREDICTIONS = [
    pytest.param(lesson_00.q4, _advertising_gain, "ends with only a few more", id="00.q4"),
    pytest.param(lesson_01.q5, _newcomer_profit, "earns more than no discount", id="01.q5"),
    pytest.param(
        lesson_02.q4, _satisfaction_at_the_end_of_the_discount, "stays about the same", id="02.q4"
    ),
    pytest.param(
        lesson_03.q5,
        _satisfaction_by_promise,
        "comes out higher with the under-promise",
        id="03.q5",
    ),
]


@pytest.mark.parametrize(("question", "measure", "shown"), PREDICTIONS)
def test_a_prediction_comes_first_then_the_run_is_checked_and_set_beside_it(
    question, measure, shown, capsys
):
    right, _ = measure()
    question.prediction = None
    assert question.check(right) is False
    assert "First commit to a prediction" in capsys.readouterr().out
    # the choice the run does not bear out: the answer is still right, the gap is named
    other = next(c for c in question.choices if c != shown)
    assert question.predict(other.upper()) is None  # it prints; the choice is kept
    assert question.prediction == other
    assert question.check(right) is True
    out = capsys.readouterr().out
    assert f"the run shows it {shown}" in out and "Explain the gap" in out
    # the choice it bears out
    question.predict(shown)
    assert question.check(right) is True
    assert "and it does" in capsys.readouterr().out
    assert question.outcome(right) == shown
    question.prediction = None


@pytest.mark.parametrize(("question", "measure", "shown"), PREDICTIONS)
def test_the_usual_slips_in_measuring_are_refused_with_what_went_wrong(question, measure, shown):
    right, slips = measure()
    question.prediction = shown
    try:
        for slip, word in slips.items():
            feedback = question.judge(slip)
            assert feedback.correct is False, (question.title, slip)
            assert word.lower() in feedback.message.lower(), (question.title, feedback.message)
        assert question.judge("not a number").correct is False
    finally:
        question.prediction = None


def test_a_choice_that_is_not_on_offer_is_refused(capsys):
    lesson_03.q5.prediction = None
    assert lesson_03.q5.predict("it depends") is None
    assert "choose one of" in capsys.readouterr().out
    assert lesson_03.q5.prediction is None


def test_what_the_promise_run_teaches_holds_on_every_seed():
    # the lesson says the same service feels better after an under-promise, run by run
    for seed in lesson_03.PROMISE_RUN["seeds"]:
        under = lesson_03._mean_satisfaction(lesson_03.PROMISES["under"], seed)[0]
        over = lesson_03._mean_satisfaction(lesson_03.PROMISES["over"], seed)[0]
        assert under - over > 2 * lesson_03.SAME_SATISFACTION, seed


def test_satisfaction_hardly_moves_when_the_discount_ends_whatever_the_seed():
    # lesson 02 q4 says customers leave satisfied: calculus trust falls, satisfaction does not
    for seed in range(2, 5):
        model = CRMModel(**scenarios.load("opening_discount").kwargs, rng=seed)
        model.run(10, progress=False)
        frame = model.frame
        assert abs(frame["satisfaction"].iloc[8] - frame["satisfaction"].iloc[7]) < 0.03, seed
        assert frame["trust_calculus"].iloc[8] - frame["trust_calculus"].iloc[7] < -0.1, seed


# --------------------------------------------------------------------------- classifications
CLASSIFICATIONS = [
    pytest.param(
        lesson_00.q5,
        {n: "stage" for n in ("awareness", "exploration", "expansion", "commitment", "dissolution")}
        | {n: "tier" for n in ("prospect", "actual", "loyal", "marketer")},
        {"awareness": "Relationship stage", "loyal": "TIERS", "marketer": "customer tier"},
        id="00.q5",
    ),
    pytest.param(
        lesson_01.q4,
        dict.fromkeys("ace", "product-centric") | dict.fromkeys("bdf", "customer-centric"),
        {"a": "Product centric", "b": "customer-centred", "d": "Customer"},
        id="01.q4",
    ),
    pytest.param(
        lesson_02.q5,
        {
            "a": "expansion",
            "b": "awareness",
            "c": "dissolution",
            "d": "exploration",
            "e": "commitment",
            "f": "awareness",
        },
        {"a": "Expanding", "c": "dissolved", "e": "Stage.COMMITMENT"},
        id="02.q5",
    ),
    pytest.param(
        lesson_03.q4,
        {
            "a": "knowledge",
            "b": "calculus",
            "c": "identification",
            "d": "calculus",
            "e": "knowledge",
            "f": "identification",
        },
        {"a": "Knowledge-based", "b": "calculus based trust", "c": "IDENTIFICATION trust"},
        id="03.q4",
    ),
    pytest.param(
        lesson_03.q7,
        {
            "make buying feel safe": "none",
            "be present on social media": "none",
            "under-promise and over-deliver": "promise",
            "serve before, during and after the sale": "service",
            "speak with a human voice": "respect",
            "communicate, and own your mistakes": "recovery",
            "always be reachable": "channels",
        },
        {"always be reachable": "Policy.channels", "make buying feel safe": "no lever"},
        id="03.q7",
    ),
]


@pytest.mark.parametrize(("question", "right", "word_forms"), CLASSIFICATIONS)
def test_a_classification_accepts_the_course_labels_in_any_word_form(
    question, right, word_forms, capsys
):
    assert isinstance(question, Classification)
    assert question.check(right) is True
    assert question.check(right | word_forms) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("question", "right", "word_forms"), CLASSIFICATIONS)
def test_a_wrong_classification_names_the_items_to_look_at_not_their_labels(
    question, right, word_forms
):
    first, second = list(right)[:2]
    labels = sorted(set(right.values()))
    swapped = dict(right)
    swapped[first] = next(label for label in labels if label != right[first])
    feedback = question.judge(swapped)
    assert feedback.correct is False
    assert repr(first) in feedback.message and repr(second) not in feedback.message
    assert right[first] not in feedback.message.replace(repr(first), "")
    missing = {k: v for k, v in right.items() if k != second}
    assert repr(second) in question.judge(missing).message
    assert "not one of the labels" in question.judge(right | {first: "maybe"}).message


def test_lesson_01_keeps_its_four_types_question():
    right = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
    assert lesson_01.q1.check(right | {"d": "Interactive CRM"}, quiet=True)


# --------------------------------------------------------------------------- discussions
DISCUSSIONS = [
    pytest.param(lesson_00.q6, id="00.q6"),
    pytest.param(lesson_01.q6, id="01.q6"),
    pytest.param(lesson_02.q6, id="02.q6"),
    pytest.param(lesson_03.q6, id="03.q6"),
]


@pytest.mark.parametrize("question", DISCUSSIONS)
def test_a_discussion_records_an_argued_answer_and_carries_a_model_answer_and_rubric(question):
    assert isinstance(question, Discussion)
    assert question.check(question.solution_text, quiet=True) is True
    assert len(question.solution_text.split()) >= question.min_words
    short = question.judge("It depends on the firm.")
    assert short.correct is False and str(question.min_words) in short.message
    assert question.judge(42).correct is False
    marks = [line for line in question.rubric.splitlines() if line.startswith("- ")]
    assert len(marks) >= 4 and all("mark" in line for line in marks)
    assert question.hints


# --------------------------------------------------------------------------- lesson 02's fixes
def test_the_wave_question_wants_the_week_the_idea_predicts_on_every_seed():
    end = scenarios.load("opening_discount").policy.discount_weeks[1]
    assert lesson_02.q2.check(end, quiet=True)
    assert lesson_02.q2.check(str(end), quiet=True)
    # the idea holds whatever the seed: nobody leaves for the competitor during the promotion,
    # and the wave begins in its first full-price week, though its top may fall later
    for seed in range(1, 6):
        model = CRMModel(**scenarios.load("opening_discount").kwargs, rng=seed)
        model.run(end + 4, progress=False)
        lost = model.frame["lost_competitor"]
        assert lost.iloc[:end].sum() <= 2 and lost.iloc[end] >= 5, seed


@pytest.mark.parametrize(
    ("week", "word"),
    [(7, "range"), (9, "later"), (11, "noisy"), (3, "inside the promotion"), (8.5, "whole")],
)
def test_a_wrong_week_gets_advice_that_fits_the_mistake(week, word):
    feedback = lesson_02.q2.judge(week)
    assert feedback.correct is False
    assert word in feedback.message


def test_the_stage_order_feedback_reads_right_for_any_number_in_place():
    stages = list(lesson_02.DSO_STAGES)
    messages = []
    for first_wrong in range(3):
        given = stages[:first_wrong] + stages[first_wrong:][::-1]
        messages.append(lesson_02.q1.judge(given).message)
    assert "does not begin with 'dissolution'" in messages[0]
    assert "only the first stage is in place" in messages[1]
    assert "the first 2 stages are in place" in messages[2]
    assert not any("first 1 " in m for m in messages)


def test_the_cohort_helpers_do_the_bookkeeping_so_the_question_is_about_the_customers():
    model = lesson_02.run_scenario("opening_discount")
    members = lesson_02.cohort(model)
    first = model.state.first_purchase_week[members]
    assert ((first >= 0) & (first < lesson_02.PROMOTION_WEEKS)).all()
    gone = lesson_02.departures(model, members, since=lesson_02.PROMOTION_WEEKS)
    assert gone["customer"].is_unique and (gone["week"] >= lesson_02.PROMOTION_WEEKS).all()
    assert lesson_02.q3.check(len(gone) / len(members), quiet=True)
    everyone = lesson_02.departures(model, members)
    feedback = lesson_02.q3.judge(len(everyone) / len(members))
    assert feedback.correct is False and "during" in feedback.message


def test_lesson_03_campaign_question_is_answered_with_its_helper():
    shares = lesson_03.competitor_campaign(start=130, weeks=13, rate=0.5, boost=0.6)
    assert lesson_03.q3.check(shares["expansion"], quiet=True)
    assert shares["exploration"] > shares["expansion"] > shares["commitment"]


def test_every_new_question_is_of_the_kind_the_notebooks_use():
    kinds = {
        lesson_00: (Prediction, Classification, Discussion),
        lesson_01: (Classification, Prediction, Discussion),
        lesson_02: (Prediction, Classification, Discussion),
        lesson_03: (Classification, Prediction, Discussion, Classification),
    }
    for module, expected in kinds.items():
        questions = sorted(
            (n for n in vars(module) if n[0] == "q" and n[1:].isdigit()), key=lambda n: int(n[1:])
        )
        new = [getattr(module, n) for n in questions[3:]]
        assert [type(q) for q in new] == list(expected), module.__name__


def test_under_promising_keeps_more_customers_on_every_seed_over_three_years():
    # the lesson's table: with the same service the under-promise ends with more customers,
    # a lower weekly churn and fewer lost to the competitor than the over-promise, run by
    # run; after two years the gap in customers is narrow (measured: 1,323 against 1,310)
    at_two_years = []
    for seed in lesson_03.PROMISE_RUN["seeds"]:
        under = lesson_03._promise_frame(lesson_03.PROMISES["under"], seed)
        over = lesson_03._promise_frame(lesson_03.PROMISES["over"], seed)
        assert under["active"].iloc[-1] > over["active"].iloc[-1], seed
        for column in ("lost", "lost_competitor"):
            share = [f[column].sum() / f["active_start"].sum() for f in (under, over)]
            assert share[0] < share[1], (seed, column)
        at_two_years.append(under["active"].iloc[103] - over["active"].iloc[103])
    assert abs(np.mean(at_two_years)) < 0.05 * over["active"].iloc[103]


def test_the_honest_promise_loses_the_fewest_and_builds_the_most_knowledge_trust():
    # the lesson's table: told what the service is, newcomers try the firm as often as after
    # the grand promise and meet no shortfall; measured (three seeds): weekly churn 0.54 %
    # honest, 0.57 % under and 0.65 % over; knowledge trust 0.43, 0.38 and 0.39
    for seed in lesson_03.PROMISE_RUN["seeds"]:
        frames = {
            name: lesson_03._promise_frame(promise, seed)
            for name, promise in lesson_03.PROMISES.items()
        }
        churn = {n: f["lost"].sum() / f["active_start"].sum() for n, f in frames.items()}
        knowledge = {n: f["trust_knowledge"].mean() for n, f in frames.items()}
        assert min(churn, key=churn.get) == "honest", (seed, churn)
        assert max(knowledge, key=knowledge.get) == "honest", (seed, knowledge)
