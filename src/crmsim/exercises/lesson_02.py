"""Exercises for lesson 02, the relationship life cycle: Dwyer–Schurr–Oh stages and the new store.

Questions 2 to 4 use the new store of the scenario ``opening_discount`` run for 40 weeks with
seed 1 (:func:`run_scenario`); :func:`cohort` and :func:`departures` do the bookkeeping of
following a group of customers, so that the questions can be about the customers.

Examples
--------
>>> from crmsim.exercises import lesson_02 as ex
>>> ex.q1.check(["awareness", "exploration", "expansion", "commitment", "dissolution"], quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crmsim import CRMModel, Stage, scenarios
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_number,
    close_to,
    label_checker,
)
from crmsim.i18n import N_, Messages, _, format_number, pgettext
from crmsim.terms import answer_name

# ---------------------------------------------------------------- q1: the stages in order
#: Dwyer, Schurr & Oh (1987), in order. The model's UNAWARE is its own addition.
DSO_STAGES = tuple(s.name.lower() for s in Stage if s is not Stage.UNAWARE)


def _stage_name(item) -> str:
    if isinstance(item, Stage):
        return item.name.lower()
    # a stage named in Persian ("آگاهی") or in another spelling of the code name too
    return answer_name("stage", item, str(item).strip().lower().removeprefix("stage."))


def _stage_names(answer):
    """A list of stages as stage names (what the checker and the answer key read)."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return answer
    return [_stage_name(item) for item in answer]


def _check_order(answer) -> Feedback:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return Feedback(
            False, _("give a list of stage names (or `Stage` members), first stage first.")
        )
    given = [_stage_name(x) for x in answer]
    if "unaware" in given:
        return Feedback(
            False,
            _(
                "UNAWARE is the model's own addition for people who have not heard of the "
                "firm; Dwyer, Schurr and Oh's process begins once they have."
            ),
        )
    unknown = [g for g in given if g not in DSO_STAGES]
    if unknown:
        return Feedback(
            False,
            _("{unknown} is not a stage; the stages are the members of `crmsim.Stage`.").format(
                unknown=unknown
            ),
        )
    if len(given) != len(DSO_STAGES) or len(set(given)) != len(given):
        return Feedback(
            False,
            _(
                "the process has {stages} stages, each listed once; you gave "
                "{names} names ({different} different)."
            ).format(
                stages=format_number(len(DSO_STAGES)),
                names=format_number(len(given)),
                different=format_number(len(set(given))),
            ),
        )
    if given == list(DSO_STAGES):
        return Feedback(
            True,
            _(
                "first hearing of the firm, trying it, buying more, committing, and "
                "eventually (for many) parting."
            ),
        )
    first_wrong = next(i for i, (g, s) in enumerate(zip(given, DSO_STAGES, strict=True)) if g != s)
    # whole sentences, one per case, so that each language can order its own words
    if first_wrong == 0:
        message = _(
            "the process does not begin with '{stage}'. Retell the new-store story: flyers, "
            "a first visit, coming back for more, buying nearly everything there, and finally "
            "drifting away."
        ).format(stage=pgettext("stage", given[0]))
    elif first_wrong == 1:
        message = _(
            "only the first stage is in place; '{stage}' comes too early or too late. Retell "
            "the new-store story: flyers, a first visit, coming back for more, buying nearly "
            "everything there, and finally drifting away."
        ).format(stage=pgettext("stage", given[1]))
    else:
        message = _(
            "the first {count} stages are in place, but '{stage}' comes too early or too "
            "late. Retell the new-store story: flyers, a first visit, coming back for more, "
            "buying nearly everything there, and finally drifting away."
        ).format(count=format_number(first_wrong), stage=pgettext("stage", given[first_wrong]))
    return Feedback(False, message)


q1 = Question(
    N_("the stages in order"),
    _check_order,
    hints=[
        N_(
            "The stages are the members of `crmsim.Stage`, minus the one the model added for "
            "people "
            "who have not heard of the firm."
        ),
        N_(
            "Follow a neighbour of the new store from the flyer in the letterbox to the day they "
            "stop going."
        ),
    ],
    solution="answer = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution']",
    reader=_stage_names,
)


# ---------------------------------------------------------------- runs for q2 and q3
#: Seed and length of the new-store runs used by questions 2 and 3.
SEED = 1
WEEKS = 40
PROMOTION_WEEKS = 8  # the opening discount runs in weeks 0-7 (scenario ``opening_discount``)


@lru_cache(maxsize=4)
def run_scenario(name: str) -> CRMModel:
    """Run ``opening_discount`` or ``lasting_discount`` for 40 weeks with seed 1."""
    model = CRMModel(**scenarios.load(name).kwargs, rng=SEED)
    model.run(WEEKS, progress=False)
    return model


def cohort(model: CRMModel, weeks: tuple[int, int] = (0, PROMOTION_WEEKS)) -> np.ndarray:
    """The customers whose first purchase fell in ``weeks``: a cohort to follow.

    Parameters
    ----------
    model : CRMModel
        A model that has run.
    weeks : (int, int)
        ``(start, end)``: first purchases in weeks ``start <= week < end``, like a ``range``.
        The default is the opening promotion of the new store.

    Returns
    -------
    numpy.ndarray
        Their rows (customer numbers), as in ``model.losses["customer"]``.

    Examples
    --------
    >>> model = run_scenario("opening_discount")
    >>> members = cohort(model)
    >>> bool((model.state.first_purchase_week[members] < PROMOTION_WEEKS).all())
    True
    """
    first = model.state.first_purchase_week
    start, end = weeks
    return np.flatnonzero((first >= start) & (first < end))


def departures(model: CRMModel, customers: np.ndarray, since: int = 0) -> pd.DataFrame:
    """The first departure of each of ``customers`` in week ``since`` or later.

    Parameters
    ----------
    model : CRMModel
        A model that has run.
    customers : array of int
        Rows of the customers to follow, such as :func:`cohort` gives.
    since : int
        Departures before this week are left out.

    Returns
    -------
    pandas.DataFrame
        Rows of ``model.losses`` (``week``, ``customer``, ``spell_start``, ``cause``), one per
        customer who left (the first time, if they left more than once), so its length is
        the number of them lost.
    """
    losses = model.losses
    mine = losses[losses["customer"].isin(customers) & (losses["week"] >= since)]
    return mine.drop_duplicates("customer").reset_index(drop=True)


def opening_cohort_lost(model: CRMModel, end: int = PROMOTION_WEEKS) -> float:
    """Share of those who first bought in weeks ``0 .. end-1`` and left in week ``end`` or later."""
    members = cohort(model, (0, end))
    return len(departures(model, members, since=end)) / len(members)


# ---------------------------------------------------------------- q2: when do they leave?
def _lost_to_rival(frame, weeks: range) -> int:
    return int(frame.loc[frame["week"].isin(weeks), "lost_competitor"].sum())


def _check_wave(answer) -> Feedback:
    # The idea names the week: the first at full price. It is not read off the run's highest
    # weekly count, whose place moves with the seed (the series is noisy and the base grows);
    # the run only confirms that the wave begins then.
    value = as_number(answer)
    if value is None or value != int(value):
        return Feedback(False, _("give the week as a whole number, a value of the `week` column."))
    value = int(value)
    end = PROMOTION_WEEKS
    frame = run_scenario("opening_discount").frame
    if value == end:
        during = _lost_to_rival(frame, range(end))
        after = _lost_to_rival(frame, range(end, end + 4))
        return Feedback(
            True,
            _(
                "the first week at full price. The run bears it out: the competitor took "
                "{during} of the store's customers in the promotion's {weeks} weeks and "
                "{after} in the four weeks from then on. Calculus trust follows the deal every "
                "week, and a lost discount stings more than a gained one pleased, so the wave "
                "starts at once."
            ).format(
                during=format_number(during) if during else pgettext("how many", "none"),
                weeks=format_number(end),
                after=format_number(after),
            ),
        )
    if value == end - 1:
        return Feedback(
            False,
            _(
                "off by one: that is the last week *with* the discount. `discount_weeks=(start, "
                "end)` works like `range(start, end)`, so its end is the first week without it; "
                "the frame's `week` counts from 0, as `discount_weeks` does."
            ),
        )
    if end < value <= end + 6:
        return Feedback(
            False,
            _(
                "later than the idea predicts. Customers re-weigh the deal every week, so they do "
                "not wait: the wave begins the very week the price goes up. In some runs a later "
                "week holds more departures, but where the top of a noisy series falls is chance, "
                "not the idea."
            ),
        )
    if 0 <= value < end - 1:
        return Feedback(
            False,
            _(
                "that week is inside the promotion, when the competitor takes hardly anyone: "
                "customers who came for the price stay while they get it."
            ),
        )
    return Feedback(
        False,
        _(
            "not the week the idea points to. Ask when the customers who came for the price stop "
            "getting it: `scenarios.load('opening_discount').policy.discount_weeks` says when the "
            "promotion runs."
        ),
    )


q2 = Question(
    N_("when the bargain hunters leave"),
    _check_wave,
    hints=[
        N_(
            "Customers who came for the discount stay while they get it. When do they stop "
            "getting it? `scenarios.load('opening_discount').policy.discount_weeks` tells."
        ),
        N_("Like a Python `range`, `discount_weeks=(start, end)` does not include `end`."),
    ],
    solution=(
        N_(
            "# the first week without the discount: the end of discount_weeks, as in a range\n"
            "answer = scenarios.load('opening_discount').policy.discount_weeks[1]"
        )
    ),
)


# ---------------------------------------------------------------- q3: the opening cohort
def _check_cohort(answer) -> Feedback:
    model = run_scenario("opening_discount")
    share = opening_cohort_lost(model)
    members = cohort(model)
    if close_to(share, rel=1e-6)(answer):
        lasting = opening_cohort_lost(run_scenario("lasting_discount"))
        rival = {}
        for name in ("opening_discount", "lasting_discount"):
            run = run_scenario(name)
            gone = departures(run, cohort(run), since=PROMOTION_WEEKS)
            rival[name] = (gone["cause"] == "competitor").mean()
        numbers = {
            "opening": format_number(rival["opening_discount"], ".0%"),
            "lasting_rival": format_number(rival["lasting_discount"], ".0%"),
            "lasting": format_number(lasting, ".1%"),
        }
        if lasting < share:
            return Feedback(
                True,
                _(
                    "{opening} of those who left went to the competitor, against "
                    "{lasting_rival} in the lasting store's cohort. Compare the share with "
                    "{lasting} when the discount never ends: the end of the promotion pushes "
                    "more of them out, though a lasting discount loses customers too, most of "
                    "them after service failures."
                ).format(**numbers),
            )
        return Feedback(
            True,
            _(
                "{opening} of those who left went to the competitor, against {lasting_rival} "
                "in the lasting store's cohort. Compare the share with {lasting} when the "
                "discount never ends: in this run a lasting discount keeps no more of its "
                "cohort, whose customers buy more often and so meet more service failures."
            ).format(**numbers),
        )
    first = model.state.first_purchase_week
    losses = model.losses
    late = losses[losses["week"] >= PROMOTION_WEEKS]
    everyone = np.flatnonzero(first >= 0)
    if close_to(len(late) / len(members), rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "you counted every departure from week 8 on, including customers who "
                "joined after the promotion. Keep only the opening cohort."
            ),
        )
    lost = len(departures(model, members, since=PROMOTION_WEEKS))
    if close_to(lost / len(everyone), rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "the numerator is right but you divided by everyone who ever bought. "
                "The share is of the opening cohort."
            ),
        )
    if close_to(losses["customer"].isin(members).sum() / len(members), rel=1e-6)(
        answer
    ) or close_to(len(departures(model, members)) / len(members), rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "that includes cohort members who left *during* the promotion. Count only "
                "departures once it had ended."
            ),
        )
    value = as_number(answer)
    if value is not None and value > 1:
        return Feedback(False, _("give the share as a fraction between 0 and 1, not a percentage."))
    return Feedback(
        False,
        _(
            "not the share of the opening cohort lost after the promotion. `ex.cohort(model)` "
            "gives the cohort and `ex.departures(model, members, since=...)` those of them who "
            "left from a given week on; divide one count by the other."
        ),
    )


q3 = Question(
    N_("what happened to the opening cohort"),
    _check_cohort,
    hints=[
        N_(
            "The opening cohort is everyone whose first purchase fell in the promotion: "
            "`ex.cohort(model)` gives their rows."
        ),
        N_(
            "`ex.departures(model, members, since=...)` lists the first departure of each member "
            "from a given week on; lost after the promotion means from its first full-price week."
        ),
        N_("The share is the number lost over the size of the cohort."),
    ],
    solution=(
        "model = ex.run_scenario('opening_discount')\n"
        "members = ex.cohort(model, weeks=(0, 8))\n"
        "gone = ex.departures(model, members, since=8)\n"
        "answer = len(gone) / len(members)"
    ),
)


# ---------------------------------------------------------------- q4: satisfied, and leaving
#: A change in mean satisfaction smaller than this counts as "stays about the same".
SAME_CHANGE = 0.03


def _change(column: str, first: int) -> float:
    frame = run_scenario("opening_discount").frame
    return float(frame[column].iloc[first + 1] - frame[column].iloc[first])


def _satisfaction_outcome(answer) -> str:
    value = as_number(answer)
    if value is None or abs(value) < SAME_CHANGE:
        return "stays about the same"
    return "rises" if value > 0 else "falls"


def _check_satisfaction_change(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("give one number: the change in mean satisfaction."))
    last = PROMOTION_WEEKS - 1
    change = _change("satisfaction", last)
    if close_to(change, rel=1e-6, abs_=1e-9)(value):
        calculus = _change("trust_calculus", last)
        return Feedback(
            True,
            _(
                "how the service feels does not depend on the price, so satisfaction barely "
                "moves; calculus trust, which weighs the deal, changes by {change} the same "
                "week. Customers who came for the price leave satisfied: they were never held "
                "by the service."
            ).format(change=format_number(calculus, "+.2f")),
        )
    if close_to(-change, rel=1e-6, abs_=1e-9)(value):
        return Feedback(
            False, _("a sign is turned round: take the week after minus the week before.")
        )
    if close_to(_change("trust_calculus", last), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that is the change in calculus trust. The question asks about `satisfaction`, "
                "how the episodes felt."
            ),
        )
    if close_to(_change("satisfaction", last + 1), rel=1e-6, abs_=1e-9)(value) or close_to(
        _change("satisfaction", last - 1), rel=1e-6, abs_=1e-9
    )(value):
        return Feedback(
            False,
            _(
                "those are the wrong two weeks: compare the last week with the discount and the "
                "first week without it."
            ),
        )
    return Feedback(
        False,
        _(
            "not the change in mean satisfaction. Take the frame's `satisfaction` in the first "
            "week at full price minus its value in the last discounted week."
        ),
    )


q4 = Prediction(
    N_("satisfied, and leaving"),
    _check_satisfaction_change,
    choices=(N_("falls"), N_("stays about the same"), N_("rises")),
    outcome=_satisfaction_outcome,
    hints=[
        N_(
            "The frame's `satisfaction` is the mean over active customers of how their recent "
            "episodes felt."
        ),
        N_(
            "Subtract the value in the last week with the discount from the value in the first "
            "week without it."
        ),
    ],
    solution=(
        N_(
            "frame = ex.run_scenario('opening_discount').frame\n"
            "end = ex.PROMOTION_WEEKS  # the first week at full price\n"
            "answer = frame['satisfaction'].iloc[end] - frame['satisfaction'].iloc[end - 1]"
        )
    ),
)


# ---------------------------------------------------------------- q5: the story's stages
#: The lines of question 5: moments of one neighbour's relationship with the new store.
STORY = Messages(
    {
        "a": N_(
            "Over the following weeks Sara comes back more and more often, tries other shelves "
            "and asks the staff which coffee they would pick."
        ),
        "b": N_(
            "A leaflet in the letterbox says a new store opens two streets away next Saturday."
        ),
        "c": N_(
            "The launch prices are over, nobody at the till knows her any more, and the little "
            'shop on the corner is nearer. "I only went for the offers," she tells a friend.'
        ),
        "d": N_(
            "On the first Saturday she drops in and buys a few things at the opening discount."
        ),
        "e": N_(
            "A year on, nearly all her groceries come from there and she no longer reads the "
            "other shops' flyers."
        ),
        "f": N_("Her neighbour has heard her talk about the store but has not been inside yet."),
    }
)
_STAGE_ALIASES = {
    "aware": "awareness",
    "explore": "exploration",
    "exploring": "exploration",
    "expand": "expansion",
    "expanding": "expansion",
    "committed": "commitment",
    "dissolved": "dissolution",
    "stage awareness": "awareness",
    "stage exploration": "exploration",
    "stage expansion": "expansion",
    "stage commitment": "commitment",
    "stage dissolution": "dissolution",
}
_EXPECTED_STORY = {
    "a": "expansion",
    "b": "awareness",
    "c": "dissolution",
    "d": "exploration",
    "e": "commitment",
    "f": "awareness",
}

q5 = Classification(
    N_("the new store, stage by stage"),
    label_checker(_EXPECTED_STORY, aliases=_STAGE_ALIASES),
    items=tuple(STORY),
    labels=DSO_STAGES,
    aliases=_STAGE_ALIASES,
    kind="stage",
    hints=[
        N_(
            "Ask of each line: has she only heard of the store, is she trying it, is she buying "
            "more and deepening, has she settled on it, or is it ending?"
        ),
        N_("Knowing the store exists, without having bought, is a stage of its own."),
    ],
    solution=(
        "answer = {'a': 'expansion', 'b': 'awareness', 'c': 'dissolution', "
        "'d': 'exploration', 'e': 'commitment', 'f': 'awareness'}"
    ),
)


# ---------------------------------------------------------------- q6: was the promotion a success?
q6 = Discussion(
    N_("was the opening promotion a success?"),
    min_words=60,
    hints=[
        N_(
            "First purchases are exploration. What has to happen next for a relationship to "
            "pay, and what did the runs show after the discount ended?"
        ),
        N_(
            "Look at the wave of departures, at the cumulative profit of the three stores and at "
            "how long commitment takes to fill."
        ),
    ],
    solution=(
        N_(
            "Counting first purchases measures only exploration, the second of five stages. The "
            "promotion won many of those fast, but it won them with calculus trust, trust in the "
            "deal, so the week the discount ended the competitor started taking them, and "
            "customers who had got used to the lower price felt its loss. A relationship pays in "
            "expansion and commitment, which take most of a year or more to reach and need "
            "knowledge and identification trust, not a price. The runs show the promotion ending "
            "two years a little behind the store without a discount in profit, and the "
            "lasting discount losing money. So the manager should follow the opening cohort: "
            "how many of them reached expansion and commitment, how many left and why, and what "
            "they were worth, and should spend after the opening on what deepens the "
            "relationship, such as steady service and respect, rather than on the price."
        )
    ),
    rubric=(
        "- places first purchases in exploration, one stage of five (1 mark)\n"
        "- explains that a discount builds calculus trust only, which ends with the discount "
        "(the wave of departures, loss aversion) (1 mark)\n"
        "- uses the runs: the wave after the promotion, the profit of the three stores, or "
        "the opening cohort's losses (1 mark)\n"
        "- proposes measures beyond first purchases: the cohort's progress to expansion and "
        "commitment, departures and their causes, profit (1 mark)\n"
        "- proposes what to do after exploration to deepen the relationship (1 mark)"
    ),
)


__all__ = [
    "DSO_STAGES",
    "PROMOTION_WEEKS",
    "SEED",
    "STORY",
    "WEEKS",
    "cohort",
    "departures",
    "opening_cohort_lost",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "run_scenario",
]
