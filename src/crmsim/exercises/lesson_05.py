"""Exercises for lesson 05, churn rate: the definition, the telecom example, a leading indicator.

Examples
--------
>>> from crmsim.exercises import lesson_05 as ex
>>> ex.q1.check(170_000 / 17_000_000, quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crmsim import CRMModel, analysis, scenarios
from crmsim.events import WeekReport
from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_float,
    as_number,
    close_to,
    label_checker,
)
from crmsim.i18n import N_, _, format_number

#: The course's telecom operator over one quarter.
TELECOM = {"start": 17_000_000, "joined": 680_000, "lost": 170_000}


def _as_float(answer) -> float | None:
    try:
        return as_float(answer)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- q1: the telecom churn
def _check_telecom_churn(answer) -> Feedback:
    t = TELECOM
    value = _as_float(answer)
    if value is None:
        return Feedback(False, _("give the churn rate as a number."))
    if close_to(analysis.churn_rate(start=t["start"], lost=t["lost"]), rel=1e-6)(value):
        return Feedback(
            True, _("the customers lost, over the customers there when the quarter began.")
        )
    end = t["start"] + t["joined"] - t["lost"]
    if close_to(t["lost"] / end, rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "you divided by the count at the *end* of the quarter. Churn uses the count "
                "at its start: the end count is the base of the *next* quarter."
            ),
        )
    if close_to(t["lost"] / (t["start"] + t["joined"]), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "you added the newcomers to the base. Customers who joined during the quarter "
                "do not enter this quarter's churn."
            ),
        )
    if close_to(100 * t["lost"] / t["start"], rel=1e-6)(value):
        return Feedback(False, _("that looks like a percentage; give the rate as a fraction of 1."))
    if close_to((t["joined"] - t["lost"]) / t["start"], rel=1e-6)(value):
        return Feedback(False, _("that is the net growth of the base, not its churn."))
    return Feedback(
        False,
        _(
            "not the churn rate. Which customers count as lost, and which count forms the "
            "base of the rate?"
        ),
    )


q1 = Question(
    N_("churn of the telecom operator"),
    _check_telecom_churn,
    hints=[
        N_("Churn compares the customers lost with the customers present when the period *began*."),
        N_(
            "`crmsim.analysis.churn_rate(start=..., lost=...)` implements the definition; try it "
            "by hand too."
        ),
    ],
    solution=(
        N_(
            "answer = 170_000 / 17_000_000   # or "
            "crmsim.analysis.churn_rate(start=17_000_000, lost=170_000)"
        )
    ),
)


# ---------------------------------------------------------------- q2: growth without churn
def _check_growth_without_churn(answer) -> Feedback:
    t = TELECOM
    value = _as_float(answer)
    if value is None:
        return Feedback(False, _("give the growth rate as a number."))
    if close_to(analysis.net_growth(start=t["start"], joined=t["joined"], lost=0), rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "every point of churn removed is a point of growth gained, without winning "
                "a single extra customer."
            ),
        )
    if close_to(analysis.net_growth(**t), rel=1e-6)(value):
        return Feedback(False, _("that is the growth *with* churn. Imagine nobody had left."))
    if close_to(t["joined"] / (t["start"] + t["joined"]), rel=1e-6)(value):
        return Feedback(
            False, _("growth is measured against the base at the start of the quarter.")
        )
    if value > 1 and close_to(100 * t["joined"] / t["start"], rel=1e-6)(value):
        return Feedback(False, _("that looks like a percentage; give the rate as a fraction of 1."))
    return Feedback(
        False,
        _(
            "not the growth without churn. If nobody left, how much larger would the "
            "base be at the end than at the start, relative to the start?"
        ),
    )


q2 = Question(
    N_("growth if nobody had left"),
    _check_growth_without_churn,
    hints=[
        N_("Net growth is (joined - lost) / start."),
        N_(
            "`crmsim.analysis.net_growth` takes `start`, `joined` and `lost`; what is `lost` if "
            "nobody leaves?"
        ),
    ],
    solution=(
        N_(
            "answer = 680_000 / 17_000_000   # or "
            "crmsim.analysis.net_growth(start=17_000_000, joined=680_000, lost=0)"
        )
    ),
)


# ---------------------------------------------------------------- the runs of q3 and q4
#: Questions 3 and 4: the baseline firm, cutting service quality as week ``cut_week`` starts.
RUN = {"scenario": "baseline", "n_customers": 2_000, "rng": 42, "cut_week": 52, "cut_to": 0.5}
QUARTER = 13  # weeks


@lru_cache(maxsize=2)
def run_with_cut(cut: bool = True, weeks: int = 65) -> CRMModel:
    """The baseline firm for ``weeks`` weeks; if ``cut``, service quality is 0.5 from week 52."""
    model = CRMModel(
        **scenarios.load(RUN["scenario"]).kwargs | {"n_customers": RUN["n_customers"]},
        rng=RUN["rng"],
    )
    model.run(min(weeks, RUN["cut_week"]), progress=False)
    if cut:
        model.policy = model.policy.replace(service_quality=RUN["cut_to"])
    model.run(max(0, weeks - RUN["cut_week"]), progress=False)
    return model


def quarter_table(model: CRMModel) -> pd.DataFrame:
    """A run's quarters side by side: churn by the definition, revenue and profit.

    One row per complete quarter, indexed by its ``first_week``: the columns of
    :func:`crmsim.analysis.period_churn` (``start``, ``lost``, ``joined``, ``end``, ``churn``)
    and the quarter's summed ``revenue`` and ``profit``.

    Examples
    --------
    >>> table = quarter_table(run_with_cut(cut=False))
    >>> list(table.index)
    [0, 13, 26, 39, 52]
    """
    frame = model.frame
    table = analysis.period_churn(frame, weeks=QUARTER).set_index("first_week")
    money = frame.groupby(frame["week"] // QUARTER)[["revenue", "profit"]].sum()
    table[["revenue", "profit"]] = money.to_numpy()[: len(table)]
    return table


def departures(model: CRMModel, first_week: int, last_week: int) -> pd.DataFrame:
    """The departures of weeks ``first_week`` to ``last_week`` (both included).

    Rows of ``model.losses``: ``week``, ``customer``, ``spell_start`` (the week that customer's
    relationship began), ``cause`` and ``first_purchase``. Whether each of them counts in a
    period's churn is the learner's call: see the definition.
    """
    losses = model.losses
    return losses[(losses["week"] >= first_week) & (losses["week"] <= last_week)]


def _quarters(model: CRMModel):
    return quarter_table(model).reset_index()


# ------------------------------------------------- q3: quarterly churn by the definition
Q3_QUARTER_START = 39  # weeks 39-51: the last quarter before the cut


def _check_quarter_churn(answer) -> Feedback:
    model = run_with_cut(cut=False)
    frame, losses = model.frame, model.losses
    a, b = Q3_QUARTER_START, Q3_QUARTER_START + QUARTER
    start = int(frame.loc[a, "active_start"])
    in_quarter = losses[(losses["week"] >= a) & (losses["week"] < b)]
    right = (in_quarter["spell_start"] < a).sum() / start
    value = _as_float(answer)
    if value is None:
        return Feedback(False, _("give the churn rate as a number."))
    if close_to(right, rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "it agrees with `crmsim.analysis.period_churn(frame, weeks=13)`, which "
                "applies the same definition to every quarter."
            ),
        )
    if close_to(len(in_quarter) / start, rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "you counted every departure in the quarter, including customers who joined "
                "during it and left again. Only those present at the quarter's start count."
            ),
        )
    if close_to(frame.loc[a : b - 1, "lost_from_start"].sum() / start, rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "`lost_from_start` counts customers present at the start of each *week*, so "
                "summed over a quarter it still includes people who joined during the quarter."
            ),
        )
    end = int(frame.loc[b - 1, "active"])
    if close_to((in_quarter["spell_start"] < a).sum() / end, rel=1e-6)(value):
        return Feedback(
            False,
            _("you divided by the count at the quarter's end. Churn uses the count at its start."),
        )
    if close_to(frame.loc[a : b - 1, "churn_rate"].mean(), rel=1e-6)(value):
        return Feedback(
            False,
            _("that is the average *weekly* churn. The question asks for one quarterly rate."),
        )
    return Feedback(
        False,
        _(
            "not the quarter's churn. Count the customers active at the start of week "
            "{first}, then how many of *them* left during weeks {first}-{last}."
        ).format(first=format_number(a), last=format_number(b - 1)),
    )


q3 = Question(
    N_("churn of one quarter, by the definition"),
    _check_quarter_churn,
    hints=[
        N_(
            "The base is `frame.loc[first_week, 'active_start']`: the customers there when the "
            "quarter began."
        ),
        N_(
            "`ex.departures(model, 39, 51)` lists the quarter's departures; one counts only if its "
            "`spell_start` is before the quarter's first week: that customer was already there at "
            "the start."
        ),
    ],
    solution=(
        N_(
            "model = ex.run_with_cut(cut=False)\n"
            "start = model.frame.loc[39, 'active_start']\n"
            "in_quarter = ex.departures(model, 39, 51)\n"
            "answer = (in_quarter['spell_start'] < 39).sum() / start"
        )
    ),
)


# ---------------------------------------------------------------- q4: the leading indicator
def _check_leading(answer) -> Feedback:
    cut = _quarters(run_with_cut(cut=True)).set_index("first_week")
    kept = _quarters(run_with_cut(cut=False)).set_index("first_week")
    quarter = RUN["cut_week"]  # the quarter that starts with the cut
    churn_gap = cut.loc[quarter, "churn"] - kept.loc[quarter, "churn"]
    profit_gap = cut.loc[quarter, "profit"] - kept.loc[quarter, "profit"]
    try:
        churn, profit = (as_float(x) for x in answer)
    except (TypeError, ValueError):
        return Feedback(
            False,
            _("give a pair: (difference in quarterly churn, difference in quarterly profit)."),
        )
    churn_ok = close_to(churn_gap, rel=1e-6)(churn)
    profit_ok = close_to(profit_gap, rel=1e-6)(profit)
    if churn_ok and profit_ok:
        # two whole sentences, not one with a part swapped: a translation may need to change
        # the rest of it too
        if profit_gap > 0:
            news = _(
                "in the very quarter of the cut, churn was higher, yet the firm made *more* "
                "profit than the firm that kept its service: the cost saved arrives at once, the "
                "lost customers' revenue is missed only later. Watching profit alone, the cut "
                "looks like a success."
            )
        else:
            news = _(
                "in the very quarter of the cut, churn was higher, yet the firm lost only a "
                "little profit: the cost saved arrives at once, the lost customers' revenue is "
                "missed only later. Watching profit alone, the cut looks like a success."
            )
        return Feedback(True, news)
    if close_to(-churn_gap, rel=1e-6)(churn) or close_to(-profit_gap, rel=1e-6)(profit):
        return Feedback(
            False,
            _("each difference is the firm that cut minus the firm that kept; check the signs."),
        )
    before = quarter - QUARTER
    if close_to(cut.loc[quarter, "churn"] - cut.loc[before, "churn"], rel=1e-6)(churn):
        return Feedback(
            False,
            _(
                "you compared the cut firm with its own previous quarter. Churn changes as a young "
                "firm matures anyway, so compare the same quarter of the two firms instead."
            ),
        )
    if not churn_ok:
        return Feedback(
            False,
            _(
                "the churn difference is off. Take each firm's churn for the quarter starting at "
                "the cut (`ex.quarter_table(model).loc[52, 'churn']`) and subtract."
            ),
        )
    return Feedback(
        False,
        _(
            "the churn difference is right, but the profit difference is not. Take each firm's "
            "profit for the same quarter (the `profit` column of `ex.quarter_table`), then "
            "subtract."
        ),
    )


q4 = Question(
    N_("what the managers saw"),
    _check_leading,
    hints=[
        N_(
            "Run both firms, `ex.run_with_cut(cut=True)` and `ex.run_with_cut(cut=False)`, and "
            "look at the same quarter in each: the one that starts with the cut."
        ),
        N_(
            "`ex.quarter_table(model)` gives one row per quarter, labelled by its first week, with "
            "its churn and its profit."
        ),
    ],
    solution=(
        N_(
            "cut = ex.quarter_table(ex.run_with_cut(cut=True)).loc[52]\n"
            "kept = ex.quarter_table(ex.run_with_cut(cut=False)).loc[52]\n"
            "answer = (cut['churn'] - kept['churn'], cut['profit'] - kept['profit'])"
        )
    ),
)


# ------------------------------------------------- growth: acquisition minus churn
def growth_accounts(frame: pd.DataFrame, weeks: int = QUARTER) -> pd.DataFrame:
    """Each period's growth split the course's way: acquisition minus churn.

    One row per complete period (indexed by ``first_week``), as shares of the customers at
    its start: ``acquisition`` (customers who joined: new, won back or returned), ``churn``
    (by the definition: customers present at the start who left), ``quick_losses`` (customers
    who joined *and* left within the period: not churn by the definition, yet gone) and
    ``growth`` (end minus start). The accounts balance:
    ``growth = acquisition - churn - quick_losses``.

    Examples
    --------
    >>> accounts = growth_accounts(run_with_cut(cut=False).frame)
    >>> row = accounts.loc[52]
    >>> bool(abs(row.acquisition - row.churn - row.quick_losses - row.growth) < 1e-12)
    True
    """
    table = analysis.period_churn(frame, weeks=weeks).set_index("first_week")
    table = table[table["start"] > 0]
    start = table["start"]
    return pd.DataFrame(
        {
            "start": start,
            "acquisition": table["joined"] / start,
            "churn": table["churn"],
            "quick_losses": (table["joined"] - table["lost"] - (table["end"] - start)) / start,
            "growth": (table["end"] - start) / start,
        }
    )


# ------------------------------------------------- shops: churn from silence
#: The shop of questions 5 and 7: the baseline firm in a market of 20,000 people. The year
#: measured is weeks ``first_week`` to ``first_week + 51``; the run goes on long enough for
#: every departure of that year to be noticed even after 26 silent weeks.
SHOP = {"scenario": "baseline", "n_customers": 20_000, "rng": 42, "weeks": 130, "first_week": 52}
#: Thresholds of silence (weeks without a purchase) compared in the notebook.
SILENCE_WEEKS = (1, 2, 4, 8, 13, 26)


class _Activity:
    """Observer: every purchase and every departure, by person (a row renewed after a move
    holds a new person, as in :class:`crmsim.analysis.PurchaseLog`)."""

    def __init__(self, n: int) -> None:
        self.ids = np.arange(n)
        self.next_id = n
        self.bought: list[pd.DataFrame] = []
        self.left: list[pd.DataFrame] = []

    def __call__(self, report: WeekReport) -> None:
        for kind, parts in (("episode", self.bought), ("left", self.left)):
            who = report.who(kind)
            if len(who):
                parts.append(pd.DataFrame({"person": self.ids[who], "week": report.week}))
        moved = report.who("moved")
        if len(moved):
            self.ids[moved] = np.arange(self.next_id, self.next_id + len(moved))
            self.next_id += len(moved)


@lru_cache(maxsize=1)
def shop_records() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The shop's run (:data:`SHOP`): its weekly frame, its purchases and its true departures.

    Returns ``(frame, purchases, departures)``; ``purchases`` and ``departures`` have one row
    per event with ``person`` and ``week``. A shop sees only the purchases; the departures
    are what the model knows and the shop does not.
    """
    kwargs = scenarios.load(SHOP["scenario"]).kwargs | {"n_customers": SHOP["n_customers"]}
    model = CRMModel(**kwargs, rng=SHOP["rng"], history=False)
    watch = _Activity(model.state.n)
    with model.subscribe(watch):
        model.run(SHOP["weeks"], progress=False)
    return (
        model.frame,
        pd.concat(watch.bought, ignore_index=True).sort_values(["person", "week"]),
        pd.concat(watch.left, ignore_index=True),
    )


def _silences(purchases: pd.DataFrame, weeks_silent: int, last_week: int) -> pd.DataFrame:
    """Each time a customer goes ``weeks_silent`` weeks without buying: ``person``, ``last``
    (week of the last purchase) and ``call`` (week the shop calls them lost)."""
    week = purchases["week"]
    following = purchases.groupby("person")["week"].shift(-1)
    silent = (following - week > weeks_silent) | (
        following.isna() & (week + weeks_silent <= last_week)
    )
    calls = purchases.loc[silent, ["person"]].assign(last=week[silent])
    return calls.assign(call=calls["last"] + weeks_silent).reset_index(drop=True)


def silence_churn(weeks_silent: int) -> pd.Series:
    """Churn as a shop measures it, calling a customer lost after ``weeks_silent`` silent weeks.

    For the year of :data:`SHOP`, returns

    * ``measured churn``: of the customers the shop counts as current when the year begins
      (a purchase in the ``weeks_silent`` weeks before), the share it calls lost during it;
    * ``true churn``: the year's churn by the definition, from the model's own departures
      (:func:`crmsim.analysis.period_churn`);
    * ``false alarms``: the share of the year's calls that name someone who was in truth
      still a customer;
    * ``weeks late``: on average, how many weeks after a true departure of the year the shop
      calls that customer lost.

    Examples
    --------
    >>> row = silence_churn(26)
    >>> sorted(row.index)
    ['false alarms', 'measured churn', 'true churn', 'weeks late']
    """
    frame, purchases, gone = shop_records()
    weeks_silent = int(weeks_silent)
    a = SHOP["first_week"]
    b = a + 52
    calls = _silences(purchases, weeks_silent, SHOP["weeks"] - 1)
    # current at the year's start, as far as the shop can tell
    before = purchases[purchases["week"] < a].groupby("person")["week"].max()
    current = before.index[before + weeks_silent >= a]
    in_year = calls[(calls["call"] >= a) & (calls["call"] < b)]
    lost = in_year.loc[in_year["person"].isin(current), "person"].nunique()
    # a call is right if the person had truly left between the last purchase and the call
    paired = in_year.reset_index().merge(gone.rename(columns={"week": "left"}), on="person")
    right = paired[(paired["left"] >= paired["last"]) & (paired["left"] <= paired["call"])]
    false_alarms = 1 - right["index"].nunique() / len(in_year) if len(in_year) else np.nan
    # how late each true departure of the year is called
    left = gone[(gone["week"] >= a) & (gone["week"] < b)].rename(columns={"week": "left"})
    noticed = pd.merge_asof(
        left.sort_values("left"),
        calls.sort_values("last"),
        left_on="left",
        right_on="last",
        by="person",
        direction="backward",
    ).dropna(subset=["call"])
    true = analysis.period_churn(frame, weeks=52).set_index("first_week").loc[a, "churn"]
    return pd.Series(
        {
            "measured churn": lost / len(current),
            "true churn": float(true),
            "false alarms": false_alarms,
            "weeks late": float((noticed["call"] - noticed["left"]).mean()),
        },
        name=weeks_silent,
    )


def silence_table(thresholds=SILENCE_WEEKS) -> pd.DataFrame:
    """:func:`silence_churn` for several thresholds, one row each (index ``weeks_silent``)."""
    rows = [silence_churn(n) for n in thresholds]
    return pd.DataFrame(rows).rename_axis("weeks_silent")


# ---------------------------------------------------------------- q5: eight silent weeks
Q5_WEEKS_SILENT = 8
#: What the shop of question 5 can show, as the learner predicts it (its churn ...).
Q5_CHOICES = (
    N_("comes out well above the true churn"),
    N_("comes out close to the true churn"),
    N_("comes out well below the true churn"),
)


def _q5_outcome(answer) -> str:
    measured, true = as_number(answer), silence_churn(Q5_WEEKS_SILENT)["true churn"]
    if measured > 1.2 * true:
        return Q5_CHOICES[0]
    return Q5_CHOICES[2] if measured < 0.8 * true else Q5_CHOICES[1]


def _check_silent_churn(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("give the churn the shop measures, as one number."))
    row = silence_churn(Q5_WEEKS_SILENT)
    if close_to(row["measured churn"], rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "the shop measures {measured} where the model's true churn is {true}: "
                "{false_alarms} of the customers it calls lost were only between purchases."
            ).format(
                measured=format_number(row["measured churn"], ".0%"),
                true=format_number(row["true churn"], ".0%"),
                false_alarms=format_number(row["false alarms"], ".0%"),
            ),
        )
    if value > 1 and close_to(row["measured churn"], rel=1e-3)(value / 100):
        return Feedback(
            False, _("that looks like a percentage; give the churn as a fraction of 1.")
        )
    if not 0 <= value <= 1:
        return Feedback(
            False,
            _("a churn rate is a share of the customers present at the start: between 0 and 1."),
        )
    if close_to(row["true churn"], rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "that is the true churn, which the model knows and the shop does not. The question "
                "asks for what the shop measures from silence alone."
            ),
        )
    if close_to(row["false alarms"], rel=1e-6)(value):
        return Feedback(
            False, _("that is the share of false alarms; the question asks for the measured churn.")
        )
    return Feedback(
        False,
        # the call is code: its number stays as Python reads it
        _(
            "not the shop's churn. Take `ex.silence_churn({weeks})` and read its 'measured churn'."
        ).format(weeks=Q5_WEEKS_SILENT),
    )


q5 = Prediction(
    N_("churn seen from silence"),
    _check_silent_churn,
    choices=Q5_CHOICES,
    outcome=_q5_outcome,
    hints=[
        N_(
            "`ex.silence_churn(weeks_silent)` measures a year's churn the way a shop must: a "
            "customer is lost after that many weeks without a purchase."
        ),
        N_(
            "Set the measured churn beside the 'true churn' in the same result: how often does an "
            "ordinary customer go two months without buying?"
        ),
    ],
    # a constant, for the catalog: 8 is Q5_WEEKS_SILENT
    solution=N_("answer = ex.silence_churn(8)['measured churn']"),
)


# ---------------------------------------------------------------- q6: contract or not
#: Other ways of naming the two settings.
SETTING_ALIASES = {
    "contractual": "contract",
    "subscription": "contract",
    "non contractual": "non-contract",
    "noncontractual": "non-contract",
    "noncontract": "non-contract",
    "no contract": "non-contract",
    "without contract": "non-contract",
    "shop": "non-contract",
}
SETTINGS = (N_("contract"), N_("non-contract"))
SETTING_ITEMS = (
    N_("a mobile phone plan billed every month"),
    N_("a clothing shop"),
    N_("a gym membership renewed each year"),
    N_("a supermarket"),
    N_("a video-streaming subscription"),
    N_("a petrol station"),
    N_("a car insurance policy"),
    N_("an online bookshop without membership"),
)

q6 = Classification(
    N_("subscriptions and shops"),
    label_checker(
        {
            SETTING_ITEMS[0]: "contract",
            SETTING_ITEMS[1]: "non-contract",
            SETTING_ITEMS[2]: "contract",
            SETTING_ITEMS[3]: "non-contract",
            SETTING_ITEMS[4]: "contract",
            SETTING_ITEMS[5]: "non-contract",
            SETTING_ITEMS[6]: "contract",
            SETTING_ITEMS[7]: "non-contract",
        },
        aliases=SETTING_ALIASES,
    ),
    items=SETTING_ITEMS,
    labels=SETTINGS,
    aliases=SETTING_ALIASES,
    hints=[
        N_(
            "Ask of each business: does it learn on a definite day that a customer has stopped "
            "being one?"
        ),
        N_(
            "Where the customer must renew or cancel, the departure is recorded; where the "
            "customer simply stops coming, the firm sees only silence."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    'a mobile phone plan billed every month': 'contract',\n"
            "    'a clothing shop': 'non-contract',\n"
            "    'a gym membership renewed each year': 'contract',\n"
            "    'a supermarket': 'non-contract',\n"
            "    'a video-streaming subscription': 'contract',\n"
            "    'a petrol station': 'non-contract',\n"
            "    'a car insurance policy': 'contract',\n"
            "    'an online bookshop without membership': 'non-contract',\n"
            "}"
        )
    ),
)


# ---------------------------------------------------------------- q7: choosing the threshold
q7 = Discussion(
    N_("how long a silence means lost"),
    min_words=60,
    hints=[
        N_(
            "Look at the notebook's table: what does a short threshold get wrong, and what does a "
            "long one?"
        ),
        N_(
            "A win-back offer and a figure reported to the board need different things: one needs "
            "speed, the other a fair number."
        ),
    ],
    solution=(
        N_(
            "There is no threshold that is both early and right. With a short silence (two or "
            "four weeks) the shop calls many customers lost who are only between purchases: "
            "measured churn comes out far above the truth and most of the calls are false alarms. "
            "With a long silence (half a year) the measured churn is close to the true one and "
            "false alarms are rare, but each departure is noticed about half a year after it "
            "happened, too late to act. So I would use two numbers. For the churn reported to the "
            "board, a long threshold, kept fixed so that periods compare. For a win-back or "
            "retention campaign, an earlier warning (about two months), accepting that some "
            "messages reach customers who had not left, because a timely offer is cheap and a "
            "late one is useless. Better still, set the threshold per customer from their usual "
            "rhythm of buying: four silent weeks mean little for someone who buys every month, a "
            "lot for someone who buys every week."
        )
    ),
    rubric=(
        N_(
            "- explains the trade-off: short thresholds give false alarms and inflate churn, long "
            "ones detect departures late (1 mark)\n"
            "- uses the notebook's measurements (measured against true churn, share of false "
            "alarms, weeks late) (1 mark)\n"
            "- separates the purposes: a stable figure for reporting against an early warning for "
            "action (1 mark)\n"
            "- notes that customers buy at different rates, so one threshold for all is crude, or "
            "that a contract setting avoids the problem (1 mark)"
        )
    ),
)

__all__ = [
    "QUARTER",
    "Q5_CHOICES",
    "Q5_WEEKS_SILENT",
    "RUN",
    "SETTINGS",
    "SETTING_ALIASES",
    "SETTING_ITEMS",
    "SHOP",
    "SILENCE_WEEKS",
    "TELECOM",
    "departures",
    "growth_accounts",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
    "quarter_table",
    "run_with_cut",
    "shop_records",
    "silence_churn",
    "silence_table",
]
