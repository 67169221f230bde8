"""Exercises for lesson 01, what CRM is: the four types of CRM, whom a discount is for, what
closing a contact channel costs, and how a customer-centric firm asks its questions.

Examples
--------
>>> from crmsim.exercises import lesson_01 as ex
>>> right = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
>>> ex.q1.check(right, quiet=True)
True
"""

from __future__ import annotations

from functools import lru_cache

from crmsim import CRMModel, Policy
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
from crmsim.terms import CRM_TYPES, answer_name

# ---------------------------------------------------------------- q1: the four types of CRM
#: The activities of question 1, as shown in the notebook.
ACTIVITIES = Messages(
    {
        "a": N_(
            "The board decides to build the business around young families, and reshapes products, "
            "prices and training to serve them first."
        ),
        "b": N_(
            "Every order automatically triggers a confirmation e-mail, a delivery slot and an "
            "invoice."
        ),
        "c": N_(
            "Last year's purchase records are mined to find which campaign brought lapsed "
            "customers back."
        ),
        "d": N_(
            "The firm opens a chat line and an SMS number so customers can reach it the way "
            "they prefer."
        ),
    }
)
_TYPE_OF = {"a": "strategic", "b": "operational", "c": "analytical", "d": "collaborative"}
_WHAT_IT_IS = {
    "strategic": N_("deciding who the firm serves and building the firm around them"),
    "operational": N_("automating the day-to-day work of selling, serving and delivering"),
    "analytical": N_("turning collected data into decisions"),
    "collaborative": N_("the channels through which customers and partners talk to the firm"),
}
_ALIASES = {
    "interactive": "collaborative",
    "analytic": "analytical",
    "operations": "operational",
    "strategy": "strategic",
}


def _normalise(label) -> str:
    text = str(label).strip().lower().replace("crm", "").strip(" -_")
    # the course's Persian names too: "عملیاتی", "CRM تعاملی"
    return answer_name("crm type", label, _ALIASES.get(text, text))


def _read_types(answer):
    """Each item's type as its code name (what the checker and the answer key read)."""
    if not isinstance(answer, dict):
        return answer
    return {item: _normalise(label) for item, label in answer.items()}


def _check_types(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(
            False,
            _("give a dict mapping each item letter to a type, e.g. {'a': 'strategic', ...}."),
        )
    given = {str(k).strip().lower(): _normalise(v) for k, v in answer.items()}
    missing = sorted(set(_TYPE_OF) - set(given))
    if missing:
        return Feedback(False, _("item(s) {missing} have no answer yet.").format(missing=missing))
    unknown = sorted({v for v in given.values() if v not in CRM_TYPES})
    if unknown:
        return Feedback(
            False,
            _("{unknown} is not one of the four types {types}.").format(
                unknown=unknown, types=list(CRM_TYPES)
            ),
        )
    wrong = [k for k in sorted(_TYPE_OF) if given[k] != _TYPE_OF[k]]
    if not wrong:
        return Feedback(
            True,
            _(
                "deciding (strategic), doing (operational), analysing (analytical) and "
                "talking (collaborative)."
            ),
        )
    k = wrong[0]
    return Feedback(
        False,
        _(
            "{count} of the four are misplaced. Item {item}: you said "
            "'{label}', which is about {meaning}. Is that what item {item} "
            "describes?"
        ).format(
            count=format_number(len(wrong)),
            item=repr(k),
            label=pgettext("crm type", given[k]),
            meaning=_(_WHAT_IT_IS[given[k]]),
        ),
    )


q1 = Question(
    N_("the four types of CRM"),
    _check_types,
    hints=[
        N_(
            "Ask of each item: is it about deciding whom to serve, doing the daily work, "
            "learning from data, or the channels customers use to reach the firm?"
        ),
        N_("Each of the four types appears exactly once."),
    ],
    solution=(
        "answer = {'a': 'strategic', 'b': 'operational', 'c': 'analytical', 'd': 'collaborative'}"
    ),
    reader=_read_types,
)


# ---------------------------------------------------------------- q2: blanket vs targeted discount
#: The runs of question 2.
RUN = {"n_customers": 2_000, "weeks": 104, "rng": 1}
BASE_POLICY = Policy(service_quality=0.7, advertising=0.02)
BLANKET = BASE_POLICY.replace(discount=0.1)  # product-centric: everyone gets it
TARGETED = BASE_POLICY.replace(discount=0.1, discount_target="bargain_hunters")  # customer-centric


@lru_cache(maxsize=4)
def run_policy(name: str) -> CRMModel:
    """Run the lesson's market under ``"blanket"`` or ``"targeted"``.

    2,000 customers, 104 weeks, seed 1.
    """
    policy = {"blanket": BLANKET, "targeted": TARGETED}[name]
    model = CRMModel(n_customers=RUN["n_customers"], policy=policy, rng=RUN["rng"])
    model.run(RUN["weeks"], progress=False)
    return model


def _total(name: str, column: str) -> float:
    return float(run_policy(name).frame[column].sum())


def _check_profit_gap(answer) -> Feedback:
    gap = _total("targeted", "profit") - _total("blanket", "profit")
    if close_to(gap, rel=1e-6)(answer):
        return Feedback(
            True,
            _(
                "aimed at the customers whose buying follows the price, the same discount "
                "buys most of the blanket discount's extra purchases for about two fifths "
                "of its money, and spends far less on customers who would have bought anyway. "
                "(It still earns less than no discount at all.)"
            ),
        )
    if close_to(-gap, rel=1e-6)(answer):
        return Feedback(
            False, _("right size, wrong sign: the question asks for targeted minus blanket.")
        )
    if close_to(_total("targeted", "revenue") - _total("blanket", "revenue"), rel=1e-6)(answer):
        return Feedback(
            False,
            _(
                "that is the difference in revenue. Profit also subtracts costs, and the "
                "discount's cost shows up as revenue not collected."
            ),
        )
    if close_to(
        _total("blanket", "discount_given") - _total("targeted", "discount_given"), rel=1e-6
    )(answer):
        return Feedback(
            False,
            _(
                "that is the discount money saved. The question asks for the whole "
                "difference in profit, which also depends on how many customers each policy keeps."
            ),
        )
    week_gap = (
        run_policy("targeted").frame["profit"].iloc[-1]
        - run_policy("blanket").frame["profit"].iloc[-1]
    )
    if close_to(week_gap, rel=1e-6)(answer):
        return Feedback(
            False, _("that compares only the last week. Sum profit over all 104 weeks first.")
        )
    return Feedback(
        False,
        _(
            "not the difference in total profit. Run both policies with the seed and size "
            "given, sum each run's weekly `profit`, then subtract blanket from targeted."
        ),
    )


q2 = Question(
    N_("profit of a targeted discount"),
    _check_profit_gap,
    hints=[
        N_(
            "Run two models that differ only in the policy: same `n_customers`, same `rng`, same "
            "weeks."
        ),
        N_("Total profit is `model.frame['profit'].sum()`; the answer is targeted minus blanket."),
    ],
    solution=(
        "totals = {}\n"
        "for name, policy in {'blanket': blanket, 'targeted': targeted}.items():\n"
        "    model = CRMModel(n_customers=2_000, policy=policy, rng=1)\n"
        "    model.run(104)\n"
        "    totals[name] = model.frame['profit'].sum()\n"
        "answer = totals['targeted'] - totals['blanket']"
    ),
)


# ---------------------------------------------------------------- q3: collaborative CRM, channels
#: The run of question 3: the policy of questions 2 and 3 without a discount, with keyed random
#: streams so that each person meets the same luck whichever channels the firm staffs.
CHANNEL_RUN = {"n_customers": 2_000, "weeks": 104, "rng": 1, "streams": "keyed"}
EVERY_CHANNEL = BASE_POLICY
EMAIL_ONLY = BASE_POLICY.replace(channels="email")
#: Seeds whose runs show how far the answers of question 3 move with the luck alone.
SPREAD_SEEDS = range(2, 8)


@lru_cache(maxsize=16)
def _channel_totals(channels: str, rng: int) -> tuple[int, int, int, int]:
    """Complaints, departures after a failure, all departures and failures of one run."""
    policy = {"all": EVERY_CHANNEL, "email": EMAIL_ONLY}[channels]
    run = {**CHANNEL_RUN, "rng": rng}
    model = CRMModel(n_customers=run["n_customers"], policy=policy, rng=rng, streams=run["streams"])
    model.run(run["weeks"], progress=False)
    totals = model.frame[["complaints", "lost_failure", "lost", "failures"]].sum()
    return tuple(int(v) for v in totals)


def _channel_effects(rng: int) -> tuple[int, int]:
    """(complaints no longer heard, extra departures after a failure) with e-mail alone."""
    every, email = _channel_totals("all", rng), _channel_totals("email", rng)
    return every[0] - email[0], email[1] - every[1]


def _check_channels(answer) -> Feedback:
    try:
        unheard, lost = (as_number(x) for x in answer)
    except (TypeError, ValueError):
        unheard = lost = None
    if unheard is None or lost is None:
        return Feedback(
            False,
            _("give a pair of numbers: answer = (complaints not heard, extra customers lost)."),
        )
    expected = _channel_effects(CHANNEL_RUN["rng"])
    right = [
        close_to(e, rel=0, abs_=0.5)(v) for e, v in zip(expected, (unheard, lost), strict=True)
    ]
    if all(right):
        return Feedback(
            True,
            _(
                "more than eight customers in ten prefer a channel the e-mail-only firm does not "
                "staff, and they still complain, but half as often: about four complaints in ten "
                "go unheard. Those customers cannot be helped and lose the relief of having "
                "spoken up, so more of them leave after a failure. A quieter complaint log is "
                "not a happier customer base."
            ),
        )
    if close_to(expected[1], abs_=0.5, rel=0)(unheard) and close_to(expected[0], abs_=0.5, rel=0)(
        lost
    ):
        return Feedback(False, _("both numbers are right, in the wrong order: complaints first."))
    if close_to(-expected[0], abs_=0.5, rel=0)(unheard) or close_to(-expected[1], abs_=0.5, rel=0)(
        lost
    ):
        return Feedback(
            False,
            _(
                "a sign is turned round: give both as positive numbers, complaints the e-mail-only "
                "firm does not hear and customers it loses beyond the firm with every channel."
            ),
        )
    every = _channel_totals("all", CHANNEL_RUN["rng"])
    email = _channel_totals("email", CHANNEL_RUN["rng"])
    # answers of the right size from another seed: the runs were not set up as asked
    spread = [_channel_effects(seed) for seed in SPREAD_SEEDS]
    hints = []
    for i, value in enumerate((unheard, lost)):
        if right[i]:
            continue
        lowest, highest = min(e[i] for e in spread), max(e[i] for e in spread)
        if i == 0 and close_to(every[3] - email[3], abs_=0.5, rel=0)(value):
            hints.append(_("the first number counts failures; the question asks about complaints"))
        elif i == 0 and 0 < value < 1:
            hints.append(_("the first number is a share; give the number of complaints"))
        elif i == 1 and close_to(email[2] - every[2], abs_=0.5, rel=0)(value):
            hints.append(
                _(
                    "the second number counts every departure; keep those after a failure "
                    "(`lost_failure`)"
                )
            )
        elif lowest <= value <= highest:
            seeds_hint = (
                N_(
                    "the first number has the size other seeds give: check "
                    "that both runs have 2,000 customers, 104 weeks, rng=1 and streams='keyed'"
                ),
                N_(
                    "the second number has the size other seeds give: check "
                    "that both runs have 2,000 customers, 104 weeks, rng=1 and streams='keyed'"
                ),
            )[i]
            hints.append(_(seeds_hint))
        else:
            not_it = (
                N_("the first number is not the difference in complaints"),
                N_("the second number is not the difference in departures after a failure"),
            )[i]
            hints.append(_(not_it))
    # each hint is a whole clause; the list's separator is the language's own (؛ in Persian)
    return Feedback(
        False, _("{problems}.").format(problems=pgettext("list separator", "; ").join(hints))
    )


q3 = Question(
    N_("what a closed channel costs"),
    _check_channels,
    hints=[
        N_(
            "Run the two policies with everything else alike: the same size, seed, weeks and "
            "streams='keyed', so that each person meets the same luck in both runs."
        ),
        N_(
            "Sum the weekly `complaints` and `lost_failure` columns of each run; the first number "
            "is every-channel minus e-mail-only complaints, the second e-mail-only minus "
            "every-channel departures after a failure."
        ),
    ],
    solution=(
        "totals = {}\n"
        "for name, policy in {'every': every_channel, 'email': email_only}.items():\n"
        "    model = CRMModel(n_customers=2_000, policy=policy, rng=1, streams='keyed')\n"
        "    model.run(104)\n"
        "    totals[name] = model.frame[['complaints', 'lost_failure']].sum()\n"
        "answer = (\n"
        "    totals['every']['complaints'] - totals['email']['complaints'],\n"
        "    totals['email']['lost_failure'] - totals['every']['lost_failure'],\n"
        ")"
    ),
)

# ---------------------------------------------------------------- q4: which attitude?
#: The statements of question 4: things a manager might say.
STATEMENTS = Messages(
    {
        "a": N_(
            "Our new blender is the best on the market; now let's find people who will buy it."
        ),
        "b": N_(
            "Before we extend the warranty from 12 to 16 months, let's see which of our "
            "customers would value it."
        ),
        "c": N_("Sales of the blue model are down, so put it on offer for everyone this month."),
        "d": N_("If we drop this product line, which customers lose something they rely on?"),
        "e": N_("Our engineers decide the features; marketing's job is to sell what they build."),
        "f": N_("This discount should go to the customers whose buying it can change, not to all."),
    }
)
_ATTITUDE_ALIASES = {
    "customer": "customer-centric",
    "customer centred": "customer-centric",
    "customer centered": "customer-centric",
    "product": "product-centric",
    "product centred": "product-centric",
    "product centered": "product-centric",
    "مشتری‌محور": "customer-centric",
    "محصول‌مدار": "product-centric",
}
_EXPECTED_ATTITUDE = {
    "a": "product-centric",
    "b": "customer-centric",
    "c": "product-centric",
    "d": "customer-centric",
    "e": "product-centric",
    "f": "customer-centric",
}

q4 = Classification(
    N_("customer-centric or product-centric"),
    label_checker(_EXPECTED_ATTITUDE, aliases=_ATTITUDE_ALIASES),
    items=tuple(STATEMENTS),
    labels=("customer-centric", "product-centric"),
    aliases=_ATTITUDE_ALIASES,
    hints=[
        N_(
            "Where does the statement start: from the product (make it, then sell it to whoever "
            "pays) or from particular customers and what they need?"
        ),
        N_("A customer-centric question usually contains a *which customers?*"),
    ],
    solution=(
        "answer = {'a': 'product-centric', 'b': 'customer-centric', 'c': 'product-centric', "
        "'d': 'customer-centric', 'e': 'product-centric', 'f': 'customer-centric'}"
    ),
)


# ---------------------------------------------------------------- q5: a discount for newcomers
#: The runs of question 5: the market of question 3 (keyed streams), with no discount or a 10 %
#: discount for new customers only (their first ``Policy.new_customer_weeks`` weeks).
NEW_CUSTOMER_DISCOUNT = BASE_POLICY.replace(discount=0.1, discount_target="new")
#: A difference in profit smaller than this share of no discount's counts as "about the same".
SAME_PROFIT = 0.01


@lru_cache(maxsize=4)
def _profit(name: str, streams: str = "keyed") -> float:
    policy = {"none": BASE_POLICY, "new": NEW_CUSTOMER_DISCOUNT}[name]
    run = CHANNEL_RUN
    model = CRMModel(n_customers=run["n_customers"], policy=policy, rng=run["rng"], streams=streams)
    model.run(run["weeks"], progress=False)
    return float(model.frame["profit"].sum())


def _newcomer_outcome(answer) -> str:
    value = as_number(answer)
    if value is None or abs(value) < SAME_PROFIT * _profit("none"):
        return "earns about the same as no discount"
    return "earns more than no discount" if value > 0 else "earns less than no discount"


def _check_newcomers(answer) -> Feedback:
    value = as_number(answer)
    if value is None:
        return Feedback(False, _("give one number: total profit with the discount minus without."))
    gap = _profit("new") - _profit("none")
    if close_to(gap, rel=1e-6)(value):
        return Feedback(
            True,
            _(
                "unlike the blanket discount, this one is paid only in a customer's first weeks, "
                "when the firm's offer has to beat the competitor's for someone who does not know "
                "it yet; it wins more first purchases, and enough of them stay once it ends to "
                "pay for it. Whom a discount is for, and when, decides whether it pays."
            ),
        )
    if close_to(-gap, rel=1e-6)(value):
        return Feedback(
            False, _("right size, wrong sign: take profit with the discount minus profit without.")
        )
    if close_to(_profit("new", "sequential") - _profit("none", "sequential"), rel=1e-6)(value):
        return Feedback(
            False,
            _(
                "those runs were not made with `streams='keyed'`, so chance differs between them "
                "as well as the policy. Run both as question 3 does."
            ),
        )
    return Feedback(
        False,
        _(
            "not the difference in total profit. Run `no_discount` and `for_newcomers` with "
            "2,000 people, 104 weeks, rng=1 and streams='keyed', sum each frame's `profit`, and "
            "subtract."
        ),
    )


q5 = Prediction(
    N_("a discount for newcomers"),
    _check_newcomers,
    choices=(
        N_("earns more than no discount"),
        N_("earns about the same as no discount"),
        N_("earns less than no discount"),
    ),
    outcome=_newcomer_outcome,
    hints=[
        N_(
            "Who gets a discount aimed at `'new'` customers, and for how long? See "
            "`help(crmsim.Policy)`."
        ),
        N_("Sum each run's weekly `profit` column; the answer is with the discount minus without."),
    ],
    solution=(
        "profit = {}\n"
        "for name, policy in {'new': for_newcomers, 'none': no_discount}.items():\n"
        "    model = CRMModel(n_customers=2_000, policy=policy, rng=1, streams='keyed')\n"
        "    model.run(104)\n"
        "    profit[name] = model.frame['profit'].sum()\n"
        "answer = profit['new'] - profit['none']"
    ),
)


# ---------------------------------------------------------------- q6: does the bakery need CRM?
q6 = Discussion(
    N_("does the bakery need a CRM system?"),
    min_words=60,
    hints=[
        N_(
            "Take the four questions the course gives (from Harvard Business Review) one at a "
            "time, and answer each for the bakery."
        ),
        N_(
            "Which of the four types of CRM would the bakery need, if any, and could it be done "
            "without software?"
        ),
    ],
    solution=(
        N_(
            "Take the four questions in turn. Is it strategically important now? For a bakery of "
            "two hundred regulars the owner already knows most of them by face; what matters is "
            "bread and service, so probably not yet. Where does it hurt? If the pain is, say, "
            "regulars drifting to a new chain, the cure is a reason to stay, and a system only "
            "helps if it shows who is drifting. Does it need precise data management now? A "
            "notebook or a simple loyalty card would record visits well enough; full software "
            "would cost more than it returns. What will it do afterwards? Without a plan to act "
            "on the data (a gift for regulars, a message to those who stopped coming), the system "
            "would only collect names. So the bakery needs the customer-centric habit, strategic "
            "CRM, before it needs operational or analytical software."
        )
    ),
    rubric=(
        "- uses each of the four questions (strategic importance now, pains, need for "
        "precise data now, what happens after) (2 marks)\n"
        "- separates CRM as a mindset (strategic) from CRM as software (operational, "
        "analytical, collaborative) (1 mark)\n"
        "- reaches a conclusion that follows from the answers, for this size of firm (1 mark)"
        "\n- names what the bakery would do with the data once it has it (1 mark)"
    ),
)

__all__ = [
    "ACTIVITIES",
    "BLANKET",
    "CHANNEL_RUN",
    "CRM_TYPES",
    "EMAIL_ONLY",
    "EVERY_CHANNEL",
    "NEW_CUSTOMER_DISCOUNT",
    "RUN",
    "STATEMENTS",
    "TARGETED",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "run_policy",
]
