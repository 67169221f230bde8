"""The thinking questions of lessons 04-06: classifications in the course's terms, predictions
made before a run, discussions with a model answer, and the helpers that keep the questions
about CRM rather than about pandas."""

from __future__ import annotations

import re

import numpy as np
import pytest

from crmsim import analysis
from crmsim.exercises import Classification, Discussion, Prediction
from crmsim.exercises import lesson_04 as ex04
from crmsim.exercises import lesson_05 as ex05
from crmsim.exercises import lesson_06 as ex06

KANO_RIGHT = dict(
    zip(
        ex04.KANO_ITEMS,
        ["performance", "attractive", "must-be", "reverse", "indifferent"]
        + ["performance", "attractive", "must-be"],
        strict=True,
    )
)
SETTINGS_RIGHT = dict(zip(ex05.SETTING_ITEMS, ["contract", "non-contract"] * 4, strict=True))
SCENES_RIGHT = dict(zip(ex06.SCENES, ex06.MISTAKE_LABELS, strict=True))


# ------------------------------------------------------------------ classifications
@pytest.mark.parametrize(
    ("question", "right"),
    [(ex04.q4, KANO_RIGHT), (ex05.q6, SETTINGS_RIGHT), (ex06.q4, SCENES_RIGHT)],
    ids=["kano", "settings", "mistakes"],
)
def test_a_classification_accepts_the_course_labels_and_names_a_wrong_item(question, right):
    assert isinstance(question, Classification)
    assert question.check(right, quiet=True)
    item = next(iter(right))
    other = next(label for label in question.labels if label != right[item])
    feedback = question.judge(right | {item: other})
    assert not feedback.correct
    assert item in feedback.message and other not in feedback.message
    assert str(len(right) - 1) in feedback.message  # how many are right
    missing = question.judge({k: v for k, v in right.items() if k != item})
    assert not missing.correct and "missing" in missing.message


def test_kano_labels_are_read_in_their_usual_word_forms():
    forms = {
        "hours a phone's battery lasts on one charge": "One-dimensional",
        "a free protective case in a new phone's box": "Delighters",
        "clean sheets on a hotel bed": "MUST BE",
        "pop-up adverts inside an app you paid for": "reversed",
        "the colour of the envelopes a bank posts statements in": "Indifference",
        "the speed of a hotel's Wi-Fi": "performance",
        "a handwritten welcome note from the hotel's manager": "excitement",
        "a phone that turns on when its power button is pressed": "basic need",
    }
    assert ex04.q4.check(forms, quiet=True)


def test_a_label_outside_the_course_is_refused_with_the_list_of_labels():
    feedback = ex04.q4.judge(KANO_RIGHT | {ex04.KANO_ITEMS[0]: "nice to have"})
    assert not feedback.correct
    assert "'nice to have' is not one of the labels" in feedback.message
    assert "must-be" in feedback.message


def test_settings_and_mistakes_accept_other_names():
    settings = dict(zip(ex05.SETTING_ITEMS, ["Subscription", "no contract"] * 4, strict=True))
    assert ex05.q6.check(settings, quiet=True)
    names = [
        "Not measuring the experience",
        "emotions",
        "getting the first contact wrong",
        "robotic",
        "missing the real need",
        "negative language",
        "letting anger escalate",
    ]
    assert ex06.q4.check(dict(zip(ex06.SCENES, names, strict=True)), quiet=True)


def test_the_expected_kano_labels_agree_with_the_lesson_examples():
    # the lesson's own examples: the power button is must-be, a short battery reverse
    assert KANO_RIGHT["a phone that turns on when its power button is pressed"] == "must-be"
    assert set(KANO_RIGHT.values()) == set(ex04.KANO_CATEGORIES)


# ------------------------------------------------------------------ predictions
def _gap04():
    return ex04.customers_kept(personal_touch=0.1) - ex04.customers_kept(reliability=0.6)


def _measured05():
    return ex05.silence_churn(ex05.Q5_WEEKS_SILENT)["measured churn"]


def _gap06():
    table = ex06.failures_by_when()
    return table.loc["first purchase", "left"] - table.loc["week 26 on", "left"]


PREDICTIONS = [
    pytest.param(ex04.q5, _gap04, "loses more customers with the reliability cut", id="kano-cut"),
    pytest.param(ex05.q5, _measured05, "comes out well above the true churn", id="silence"),
    pytest.param(
        ex06.q5, _gap06, "ends more relationships at the first purchase", id="first-contact"
    ),
]


@pytest.fixture
def fresh(request):
    """The question with no prediction recorded, before and after the test."""
    question = request.param
    question.prediction = None
    yield question
    question.prediction = None


@pytest.mark.parametrize(("fresh", "measure", "shown"), PREDICTIONS, indirect=["fresh"])
def test_a_prediction_must_come_before_the_run(fresh, measure, shown):
    assert isinstance(fresh, Prediction)
    feedback = fresh.judge(measure())
    assert not feedback.correct and "prediction" in feedback.message.lower()


@pytest.mark.parametrize(("fresh", "measure", "shown"), PREDICTIONS, indirect=["fresh"])
def test_the_run_bears_out_the_course_and_a_wrong_guess_is_set_beside_it(
    fresh, measure, shown, capsys
):
    value = measure()
    assert fresh.outcome(value) == shown  # the direction the course says
    wrong_guess = next(c for c in fresh.choices if c != shown)
    fresh.predict(wrong_guess.upper())
    assert fresh.prediction == wrong_guess  # word forms are read
    feedback = fresh.judge(value)
    assert feedback.correct
    assert f"You predicted it {wrong_guess}; the run shows it {shown}" in feedback.message
    fresh.predict(shown)
    assert "and it does" in fresh.judge(value).message
    assert "Not a prediction on offer" in (fresh.predict("no idea") or capsys.readouterr().out)


@pytest.mark.parametrize(("fresh", "measure", "shown"), PREDICTIONS, indirect=["fresh"])
def test_a_wrong_measurement_is_refused_with_what_to_look_at(fresh, measure, shown):
    fresh.predict(shown)
    value = measure()
    for wrong in (-value, "seven"):
        feedback = fresh.judge(wrong)
        assert not feedback.correct and len(feedback.message) > 30
    slip = "between 0 and 1" if fresh is ex05.q5 else "sign"  # a churn cannot be negative
    assert slip in fresh.judge(-value).message


def test_the_silence_question_names_the_usual_slips():
    ex05.q5.predict(ex05.Q5_CHOICES[0])
    row = ex05.silence_churn(ex05.Q5_WEEKS_SILENT)
    assert "true churn" in ex05.q5.judge(row["true churn"]).message
    assert "false alarms" in ex05.q5.judge(row["false alarms"]).message
    assert "percentage" in ex05.q5.judge(100 * row["measured churn"]).message
    assert ex05.q5.check(f"{100 * row['measured churn']:.6f}%", quiet=True)  # "49%" is read
    ex05.q5.prediction = None


def test_the_cut_question_names_comparing_with_the_default():
    ex04.q5.predict(ex04.Q5_CHOICES[0])
    wrong = ex04.customers_kept() - ex04.customers_kept(reliability=0.6)
    assert "default" in ex04.q5.judge(wrong).message
    ex04.q5.prediction = None


def test_the_first_contact_question_names_the_first_share_alone():
    ex06.q5.predict(ex06.Q5_CHOICES[0])
    table = ex06.failures_by_when()
    assert "alone" in ex06.q5.judge(table.loc["first purchase", "left"]).message
    ex06.q5.prediction = None


# ------------------------------------------------------------------ discussions
@pytest.mark.parametrize("question", [ex04.q6, ex05.q7, ex06.q6], ids=["04", "05", "06"])
def test_a_discussion_wants_enough_words_and_has_a_model_answer_and_rubric(question):
    assert isinstance(question, Discussion)
    assert not question.check("Because customers care.", quiet=True)
    assert "words" in question.judge("Because customers care.").message
    assert not question.judge(42).correct
    assert question.check(question.solution_text, quiet=True)
    assert len(question.solution_text.split()) >= question.min_words
    marks = re.findall(r"^- .+\(1 mark\)$", question.rubric, flags=re.MULTILINE)
    assert len(marks) >= 3
    assert question.hints


# ------------------------------------------------------------------ the helpers
def test_class_counts_gives_the_survey_categories():
    counts = ex04.class_counts()
    assert (counts.sum(axis=1) <= ex04.RESPONDENTS).all()
    assert ex04.q1.check(counts.idxmax(axis=1).to_dict(), quiet=True)


def test_quarter_table_and_departures_answer_q3_and_q4_as_the_definition_does():
    model = ex05.run_with_cut(cut=False)
    quarter = ex05.departures(model, 39, 51)
    assert quarter["week"].between(39, 51).all()
    start = model.frame.loc[39, "active_start"]
    assert ex05.q3.check((quarter["spell_start"] < 39).sum() / start, quiet=True)
    cut = ex05.quarter_table(ex05.run_with_cut(cut=True)).loc[52]
    kept = ex05.quarter_table(model).loc[52]
    answer = (cut["churn"] - kept["churn"], cut["profit"] - kept["profit"])
    assert ex05.q4.check(answer, quiet=True)
    assert cut["churn"] > kept["churn"] and cut["profit"] > kept["profit"]


def test_growth_is_acquisition_minus_churn_minus_quick_losses():
    frame = ex05.run_with_cut(cut=False).frame
    accounts = ex05.growth_accounts(frame)
    balance = accounts["acquisition"] - accounts["churn"] - accounts["quick_losses"]
    assert np.allclose(balance, accounts["growth"])
    assert (accounts["quick_losses"] >= 0).all()
    churn = analysis.period_churn(frame, weeks=13).set_index("first_week")["churn"]
    assert np.allclose(accounts["churn"], churn.loc[accounts.index])


def test_churn_from_silence_trades_false_alarms_for_lateness():
    table = ex05.silence_table((2, 8, 26))
    assert table["true churn"].nunique() == 1
    assert table["false alarms"].is_monotonic_decreasing
    assert table["weeks late"].is_monotonic_increasing
    assert table["measured churn"].is_monotonic_decreasing
    true = table["true churn"].iloc[0]
    assert table.loc[2, "measured churn"] > 2 * true  # short silences cry wolf
    assert abs(table.loc[26, "measured churn"] - true) < 0.05  # long ones are nearly right ...
    assert table.loc[26, "weeks late"] > 20  # ... and late


def test_an_unresolved_failure_costs_the_most_at_the_first_purchase():
    table = ex06.failures_by_when()
    assert table.loc["first purchase", "left"] > 0.45  # the survey's "about half"
    assert table.loc["first purchase", "left"] > 1.5 * table.loc["week 26 on", "left"]
    assert (table["failures"] > 300).all()


def test_the_seven_mistakes_are_all_placed_and_the_missing_levers_said():
    table = ex06.mistakes_table()
    assert len(table) == 7
    assert set(table["in the model"]) <= {"yes", "partly", "no"}
    assert (table.loc[table["in the model"] == "no", "how"].str.startswith("no lever")).all()


# ------------------------------------------------------------------ names in the feedback
def _dotted_names(text: str) -> set[str]:
    return set(re.findall(r"\b(crmsim(?:\.\w+)+|Policy\.\w+|Market\.\w+)", text))


def _resolve(name: str) -> bool:
    import importlib

    import crmsim

    parts = name.split(".")
    if parts[0] in ("Policy", "Market"):
        obj = getattr(crmsim, parts[0])()
        return hasattr(obj, parts[1])
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


@pytest.mark.parametrize("module", [ex04, ex05, ex06], ids=["04", "05", "06"])
def test_every_name_the_hints_solutions_and_feedback_give_exists(module):
    import inspect

    text = inspect.getsource(module)
    names = _dotted_names(text)
    assert names
    missing = sorted(n for n in names if not _resolve(n))
    assert not missing, missing
    helpers = set(re.findall(r"`ex\.(\w+)\(", text)) | set(re.findall(r"\bex\.(\w+)\(", text))
    helpers -= {f"q{i}" for i in range(10)}
    assert not sorted(h for h in helpers if not hasattr(module, h))


def test_q2_feedback_names_the_recovered_service_constant_with_its_capitals():
    from crmsim import episodes

    rude, kind = ex06._expected_q2()
    message = ex06.q2.checker((rude + 0.5, kind)).message
    assert "crmsim.episodes.RECOVERED_SERVICE" in message
    assert hasattr(episodes, "RECOVERED_SERVICE")
    assert "recovered_service" not in message
