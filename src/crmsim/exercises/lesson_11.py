"""Exercises for lesson 11, the CRM game: several firms, switching, the scoreboard, what-ifs.

Every computed answer comes from one small fixed game (:func:`small_game`): your firm against
four computer rivals, one of each strategy, in a market of 1,500 people over two rounds of 13
weeks. Round 1 is played with the starting decisions; round 2 with the changes a question
names. Games are remembered, so each is played once per session.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from crmsim.exercises.core import (
    TREND_CHOICES,
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    as_number,
    as_pair,
    label_checker,
    near,
    normalize_label,
    trend,
)
from crmsim.i18n import N_, _, format_number

#: Your firm's name in the exercise game.
TEAM = "Your firm"
#: The computer rivals of the exercise game: (name, strategy), one of each strategy.
RIVALS = (
    ("Bargain Barn", "discounter"),
    ("Steady Service", "service_leader"),
    ("Kindred & Co", "relationship_builder"),
    ("Copycat", "follower"),
)
SEED = 11
N_CUSTOMERS = 1_500
WEEKS_PER_ROUND = 13
ROUNDS = 2
#: The round-2 change of questions 2 and 3: better service, within the service budget.
BETTER_SERVICE = {"service_quality": 0.85}


def config():
    """The exercise game's settings: the bundled example with one team and four rivals."""
    from crmsim.game import Rival, example_config

    return example_config(
        name="Lesson 11 exercises",
        seed=SEED,
        customers=N_CUSTOMERS,
        weeks_per_round=WEEKS_PER_ROUND,
        rounds=ROUNDS,
        teams=(TEAM,),
        rivals=tuple(Rival(name, strategy) for name, strategy in RIVALS),
    )


def _frozen(value: Any) -> Any:
    """A lever value in a hashable form (lists and sets of targets, for the cache)."""
    if isinstance(value, set | frozenset):
        return frozenset(value)
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def small_game(**round_2: Any):
    """The exercise game after both rounds, your firm playing ``round_2`` in round 2.

    Parameters
    ----------
    **round_2
        Levers your firm changes for round 2 (any ``crmsim.Policy`` field, and ``price``);
        none: it keeps the starting decisions. The rivals decide by their strategies.

    Returns
    -------
    crmsim.game.Game
        Saved in a temporary folder, removed when Python exits. The same changes give the
        same game object (it is played once).
    """
    return _played(tuple(sorted((name, _frozen(value)) for name, value in round_2.items())))


@lru_cache(maxsize=16)
def _played(round_2: tuple[tuple[str, Any], ...]):
    from crmsim.game import Game

    folder = tempfile.mkdtemp(prefix="crmsim-lesson11-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    game = Game.new(config(), folder)
    game.play_round()
    game.play_round({TEAM: dict(round_2)})
    return game


def round_rows(game, number: int) -> pd.DataFrame:
    """The firm-frame rows (one per week and firm) of round ``number`` of ``game``."""
    weeks = game.config.weeks_per_round
    frame = game.firm_frame
    first = (number - 1) * weeks
    return frame[(frame["week"] >= first) & (frame["week"] < first + weeks)]


def round_share(game, firm: str, number: int) -> float:
    """``firm``'s share of all firms' active customers, averaged over round ``number``'s weeks."""
    if firm not in game.firms:
        raise ValueError(f"firm must be one of {list(game.firms)}, got {firm!r}")
    rows = round_rows(game, number)
    return float(rows.loc[rows["firm"] == firm, "share"].mean())


# --------------------------------------------------------------------------- q1
def _switching() -> pd.DataFrame:
    """Customers each firm won from and lost to rivals over the whole game, and the net."""
    frame = small_game().firm_frame
    totals = frame.groupby("firm", sort=False)[["won_from_rival", "lost_to_rival"]].sum()
    totals["net"] = totals["won_from_rival"] - totals["lost_to_rival"]
    return totals


def _expected_q1() -> tuple[str, int]:
    totals = _switching()
    firm = str(totals["net"].idxmax())
    return firm, int(totals.loc[firm, "net"])


def _firm_and_count(answer: Any) -> tuple[str, float] | None:
    if isinstance(answer, str | Mapping):
        return None
    try:
        name, count = answer
    except (TypeError, ValueError):
        return None
    number = as_number(count)
    if not isinstance(name, str) or number is None:
        return None
    return name, number


def _check_q1(answer: Any) -> Feedback:
    given = _firm_and_count(answer)
    if given is None:
        return Feedback(False, _("Give a pair: (the firm's name, its net gain in customers)."))
    name, count = given
    totals = _switching()
    names = {normalize_label(firm): firm for firm in totals.index}
    firm = names.get(normalize_label(name))
    if firm is None:
        return Feedback(
            False,
            _("{name} is not a firm of the game: {firms}.").format(
                name=repr(name), firms=", ".join(totals.index)
            ),
        )
    best, net = _expected_q1()
    if firm == best and count == net:
        gross = str(totals["won_from_rival"].idxmax())
        # one whole message per case: a translation cannot be put together from pieces
        if gross == best:
            return Feedback(
                True,
                _(
                    "Right: switching runs both ways, so what a firm gains from its rivals is "
                    "what it won from them less what it lost to them."
                ),
            )
        return Feedback(
            True,
            _(
                "Right: switching runs both ways, so what a firm gains from its rivals is what "
                "it won from them less what it lost to them. Note that {gross} won more "
                "customers from rivals before its own losses are taken off: a firm can be a "
                "large taker and a large giver at once."
            ).format(gross=gross),
        )
    if count == totals.loc[firm, "won_from_rival"] and firm == totals["won_from_rival"].idxmax():
        return Feedback(
            False,
            _(
                "That counts only the customers won from rivals. Take off those the same firm lost "
                "to rivals (lost_to_rival): the question asks for the net gain."
            ),
        )
    if count == -totals.loc[firm, "net"]:
        return Feedback(False, _("The sign is the wrong way round: won from rivals minus lost."))
    if firm == best:
        return Feedback(
            False,
            _(
                "The firm is right, the count is not: sum won_from_rival and lost_to_rival over "
                "every week of the game, then subtract."
            ),
        )
    if count == totals.loc[firm, "net"]:
        return Feedback(
            False,
            _(
                "That is {firm}'s net gain, but another firm gained more. Compare every firm's."
            ).format(firm=firm),
        )
    return Feedback(
        False,
        _(
            "Not what the game shows. Sum won_from_rival and lost_to_rival per firm over the "
            "firm frame of small_game(), and take the firm with the largest difference."
        ),
    )


q1 = Question(
    N_("who gained most customers from rivals?"),
    _check_q1,
    hints=[
        N_("game.firm_frame has one row per week and firm, with won_from_rival and lost_to_rival."),
        N_("Group by firm, sum both columns, subtract; then find the largest difference."),
    ],
    solution=(
        N_(
            "game = ex.small_game()\n"
            "totals = game.firm_frame.groupby('firm')[['won_from_rival', 'lost_to_rival']].sum()\n"
            "net = totals['won_from_rival'] - totals['lost_to_rival']\n"
            "answer = (net.idxmax(), int(net.max()))"
        )
    ),
)


# --------------------------------------------------------------------------- q2
def _what_if_totals() -> pd.DataFrame:
    """Your firm's round-2 profit and active customers at its end, as played and with
    :data:`BETTER_SERVICE` (a what-if: the same random numbers)."""
    replay = small_game().what_if(TEAM, BETTER_SERVICE)
    return replay.groupby("case").agg(profit=("profit", "sum"), active=("active", "last"))


def _expected_q2() -> tuple[float, int]:
    totals = _what_if_totals()
    change = totals.loc["what_if"] - totals.loc["played"]
    return round(float(change["profit"]), 2), int(change["active"])


def _check_q2(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(
            False, _("Give a pair: (profit difference, difference in active customers).")
        )
    profit, active = pair
    expected_profit, expected_active = _expected_q2()
    totals = _what_if_totals()
    right_profit = near(profit, expected_profit, within=0.5)
    right_active = active == expected_active
    if right_profit and right_active:
        return Feedback(
            True,
            _(
                "Right. On the same random numbers the only difference is the decision: better "
                "service cost money within the round and kept more customers at its end. Whether "
                "that pays shows only in later rounds, or in customer equity."
            ),
        )
    if near(profit, -expected_profit, within=0.5) and active == -expected_active:
        return Feedback(False, _("Both signs are the wrong way round: what-if minus as played."))
    if near(profit, totals.loc["what_if", "profit"], within=0.5):
        return Feedback(
            False,
            _(
                "That is the what-if's profit itself; the question asks how much it differs from "
                "the round as played."
            ),
        )
    if right_profit:
        return Feedback(
            False,
            _(
                "The profit difference is right. For customers, compare the active count in the "
                "round's last week (not a sum over its weeks)."
            ),
        )
    if right_active:
        return Feedback(
            False,
            _(
                "The customers are right. For profit, sum each case's weekly profit over the "
                "round, then subtract."
            ),
        )
    return Feedback(
        False,
        _(
            "Not what the replay shows. Run small_game().what_if(TEAM, BETTER_SERVICE), sum the "
            "profit of each case and take the active customers of its last week."
        ),
    )


q2 = Question(
    N_("what if your service had been better?"),
    _check_q2,
    hints=[
        N_(
            "game.what_if(firm, changes) returns your firm's weeks of the last round twice, "
            "with a column case: 'played' and 'what_if'."
        ),
        N_(
            "Group by case: profit is summed over the weeks, active customers read in the last "
            "week."
        ),
    ],
    solution=(
        N_(
            "replay = ex.small_game().what_if(ex.TEAM, ex.BETTER_SERVICE)\n"
            "totals = replay.groupby('case').agg(profit=('profit', 'sum'), "
            "active=('active', 'last'))\n"
            "change = totals.loc['what_if'] - totals.loc['played']\n"
            "answer = (round(change['profit'], 2), int(change['active']))"
        )
    ),
)


# --------------------------------------------------------------------------- q3
#: The discounter of the exercise game.
DISCOUNTER = RIVALS[0][0]


def _expected_q3() -> tuple[float, float]:
    before = round_share(small_game(), DISCOUNTER, 2)
    after = round_share(small_game(**BETTER_SERVICE), DISCOUNTER, 2)
    return before, after


def _check_q3(answer: Any) -> Feedback:
    pair = as_pair(answer)
    if pair is None:
        return Feedback(
            False,
            _(
                "Give a pair of shares: (the discounter's round-2 share as played, with your "
                "better service)."
            ),
        )
    before, after = pair
    expected = _expected_q3()
    if near(before, expected[0], share=0.001) and near(after, expected[1], share=0.001):
        return Feedback(
            True,
            _(
                "Right: {firm}'s share moves by {change} of the market. A rival's customers judge "
                "your firm as a newcomer would, by price, discount and promise: the service you "
                "deliver reaches only those who already buy from you."
            ).format(firm=DISCOUNTER, change=format_number(abs(after - before), ".2%")),
        )
    if near(before, expected[1], share=0.001) and near(after, expected[0], share=0.001):
        return Feedback(False, _("Right numbers, wrong order: the game as played comes first."))
    if before > 1 or after > 1:
        return Feedback(False, _("Give the shares as fractions of 1, not percentages."))
    own = round_share(small_game(), TEAM, 2), round_share(small_game(**BETTER_SERVICE), TEAM, 2)
    if near(before, own[0], share=0.001) and near(after, own[1], share=0.001):
        return Feedback(
            False,
            _("Those are your firm's shares; the question asks about {firm}'s.").format(
                firm=DISCOUNTER
            ),
        )
    return Feedback(
        False,
        _(
            "Not what the games show. Use round_share(game, {firm}, 2) on small_game() "
            "and on small_game(**BETTER_SERVICE)."
        ).format(firm=repr(DISCOUNTER)),
    )


q3 = Prediction(
    N_("does the discounter lose share to better service?"),
    _check_q3,
    choices=TREND_CHOICES,
    outcome=lambda answer: trend(*as_pair(answer)),
    hints=[
        N_(
            "small_game(**BETTER_SERVICE) is the same game with your round-2 service changed; "
            "round 1 and every rival's decisions are the same."
        ),
        N_("round_share(game, firm, 2) averages a firm's share over round 2's weeks."),
    ],
    solution=(
        N_(
            "answer = (ex.round_share(ex.small_game(), ex.DISCOUNTER, 2),\n"
            "          ex.round_share(ex.small_game(**ex.BETTER_SERVICE), ex.DISCOUNTER, 2))"
        )
    ),
)


# --------------------------------------------------------------------------- q4
#: The course ideas the rivals' strategies embody.
IDEAS = (
    N_("transactional marketing"),
    N_("Kano model"),
    N_("relationship marketing"),
    N_("fast following"),
)
#: Other names a learner may give the ideas (the strategies' own names among them).
IDEA_ALIASES = {
    "transactional": "transactional marketing",
    "price": "transactional marketing",
    "discounter": "transactional marketing",
    "kano": "Kano model",
    "kano service quality": "Kano model",
    "service quality": "Kano model",
    "service leader": "Kano model",
    "relationship": "relationship marketing",
    "relationship builder": "relationship marketing",
    "follower": "fast following",
    "fast follower": "fast following",
    "imitation": "fast following",
}
#: Moves the computer rivals make (crmsim.game.rivals), to sort by the idea behind them.
MOVES = (
    N_("gives gifts every four weeks and discounts only to loyal and marketer customers"),
    N_("sells at 90 % of the market price with a discount for every buyer"),
    N_("plays last round's decisions of the firm with the largest share"),
    N_("keeps reliability at 0.95 and spends almost nothing on the logo's colour"),
    N_("rewards customers whose friends buy, and hardly advertises"),
    N_("has no levers of its own: it moves a round after the leader has moved"),
    N_("advertises as widely as the budget allows and treats customers plainly"),
    N_("charges 10 % over the market price for service done well"),
)
_MOVE_IDEAS = {
    MOVES[0]: "relationship marketing",
    MOVES[1]: "transactional marketing",
    MOVES[2]: "fast following",
    MOVES[3]: "Kano model",
    MOVES[4]: "relationship marketing",
    MOVES[5]: "fast following",
    MOVES[6]: "transactional marketing",
    MOVES[7]: "Kano model",
}

q4 = Classification(
    N_("which course idea does each move embody?"),
    label_checker(_MOVE_IDEAS, IDEA_ALIASES),
    items=MOVES,
    labels=IDEAS,
    aliases=IDEA_ALIASES,
    hints=[
        N_(
            "Ask what kind of trust a move buys: the deal of the day, a record of reliable "
            "service, or a bond with the firm?"
        ),
        N_(
            "Kano sorts attributes into must-be, performance, attractive, reverse and "
            "indifferent: money goes to the first three."
        ),
    ],
    solution=(
        N_(
            "answer = {\n"
            "    ex.MOVES[0]: 'relationship marketing', ex.MOVES[1]: 'transactional marketing',\n"
            "    ex.MOVES[2]: 'fast following', ex.MOVES[3]: 'Kano model',\n"
            "    ex.MOVES[4]: 'relationship marketing', ex.MOVES[5]: 'fast following',\n"
            "    ex.MOVES[6]: 'transactional marketing', ex.MOVES[7]: 'Kano model',\n"
            "}"
        )
    ),
)


# --------------------------------------------------------------------------- q5
Q5_ANSWER = N_(
    "The discounter holds most of the market's customers and still ranks last, because share "
    "is one measure of six. Its discounts for everyone buy customers who came for the price: "
    "they are dissatisfied, leave often (the lowest retention), refer nobody, and each is "
    "worth little at its low margin, so its customer equity and profit per customer trail "
    "the service leader's. The scoreboard weighs profit and equity most because a firm can "
    "buy share at a loss. One round's ranking is partly luck: which customers met a failure, "
    "or a rival's offer, in those thirteen weeks is drawn at random, and the points are "
    "relative, so a few referrals more or less move a firm from 0 to 100 points on that "
    "measure; the same decisions in another market rank differently. Before the next round I "
    "would try a change as a what-if on the same random numbers, to see what that decision "
    "alone does, and judge it on equity and retention as well as on the round's profit."
)

q5 = Discussion(
    N_("share, score and luck"),
    min_words=70,
    hints=[
        N_(
            "Look at the discounter's row of the scoreboard: which measures give it points, and "
            "which give it none?"
        ),
        N_(
            "What changes between two markets with the same decisions, and what does a what-if "
            "hold fixed?"
        ),
    ],
    solution=Q5_ANSWER,
    rubric=(
        N_(
            "- share is not value: customers bought with discounts for all stay briefly, refer "
            "nobody and bring little margin, so equity, retention and profit trail (1 mark)\n"
            "- why the scoreboard weighs several measures: share can be bought at a loss; profit "
            "and equity count what the base is worth (1 mark)\n"
            "- luck: a round's failures, offers and departures are random, and relative points "
            "magnify small differences between firms (1 mark)\n"
            "- a plan: test the next decision with a what-if on the same random numbers (common "
            "random numbers) and judge it on more than one round's profit (1 mark)"
        )
    ),
)

QUESTIONS = (q1, q2, q3, q4, q5)
