"""The KPIs of one run: what each of :data:`KPIS` measures, and :func:`run_kpis`, which reads
them off a model that has run.
"""

from __future__ import annotations

import pandas as pd

from crmsim import analysis
from crmsim.attribution import REFERRAL_MOTIVES, REPEAT_MOTIVES
from crmsim.books import COST_COLUMNS
from crmsim.i18n import pgettext
from crmsim.model import CRMModel

_COST_MEANING = {
    "cost_goods": "cost of goods sold",
    "cost_service": "cost of the service delivered",
    "cost_respect": "cost of respect and personal treatment",
    "cost_recovery": "cost of handling complaints",
    "cost_channels": "cost of the contact channels staffed",
    "cost_gifts": "cost of gifts (CEM)",
    "cost_rewards": "referral rewards paid (CAM)",
    "cost_win_back": "cost of win-back offers",
    "cost_advertising": "cost of advertising",
}

#: The KPIs of one run, with what each measures (and its unit, in the last parentheses), in
#: display order. Churn follows the course's definition (seed 001, see
#: :func:`crmsim.analysis.period_churn`); the ``repeat_*`` and ``referrals_*`` KPIs are the CEM
#: and CAM KPIs of seed 004 (see :mod:`crmsim.attribution`). ``customer_equity`` is what the
#: customers still active at the end are worth: their expected future margin, discounted at
#: 10 % a year (:func:`crmsim.analysis.customer_equity`). ``clv`` is customer lifetime value:
#: the margin the run's customers brought — revenue less every cost but advertising (goods,
#: service, respect, complaints, channels, gifts, rewards, win-back) — plus the customer equity, per
#: customer acquired, so a policy that keeps customers is not judged as if they all vanished
#: at the run's end. ``acquisition_cost`` is advertising per customer acquired, so
#: ``clv - acquisition_cost`` is profit plus customer equity per customer acquired.
#: ``lever_spending`` is what the levers cost: the revenue given away as discounts plus every
#: cost but the goods sold (service, respect, complaints, channels, gifts, rewards, win-back,
#: advertising); a difference in profit over a difference in it is a return on spending.
KPIS: dict[str, str] = {
    "churn": "mean quarterly churn, course definition (share)",
    "churn_year": "mean yearly churn, course definition; runs under 52 weeks have none (share)",
    "acquired": "new customers over the run (customers)",
    "won_back": "former customers won back over the run (customers)",
    "lost": "customers lost over the run (customers)",
    "net_growth": "mean quarterly net growth, (end - start) / start of each quarter (share)",
    "referrals": "friends referred over the run (people)",
    "negative_wom": "people told negative word of mouth (people)",
    "revenue": "revenue over the run (money)",
    "discount_given": "revenue given away as discounts over the run (money)",
    **{name: f"{_COST_MEANING.get(name, name)} over the run (money)" for name in COST_COLUMNS},
    "cost": "cost over the run (money)",
    "lever_spending": "discounts given plus every cost but the goods sold, over the run (money)",
    "profit": "profit over the run (money)",
    "customer_equity": "expected future margin of the active customers, discounted (money)",
    "clv": "margin before advertising, plus customer equity, per customer acquired (money)",
    "acquisition_cost": "advertising per customer acquired (money)",
    "final_active": "active customers at the end (customers)",
    "final_marketers": "marketer customers at the end (customers)",
    "final_tenure": "mean tenure of active customers at the end (weeks)",
    "mean_tenure": "mean tenure of everyone who ever bought, at the end (weeks)",
    "repeat_purchases": "repeat purchases over the run (purchases)",
    **{f"repeat_{m}": f"CEM: repeat purchases due to {m} (purchases)" for m in REPEAT_MOTIVES},
    "repeat_spend": "spend on repeat purchases over the run (money)",
    **{f"repeat_spend_{m}": f"CEM: repeat spend due to {m} (money)" for m in REPEAT_MOTIVES},
    **{
        f"referrals_{m}": f"CAM: referrals due to {'financial benefit' if m == 'reward' else m} "
        "(people)"
        for m in REFERRAL_MOTIVES
    },
}


def kpi_label(kpi: str) -> str:
    """How a KPI is named in tables a learner reads: its own name (``churn_year``) in English,
    a short Persian name when Persian is in use (the ``"kpi"`` entries of ``experiments.po``).

    Examples
    --------
    >>> kpi_label("churn_year")
    'churn_year'
    """
    return pgettext("kpi", kpi)


def kpi_description(kpi: str) -> str:
    """What a KPI measures, with its unit, as a figure's axis names it: its :data:`KPIS` entry,
    in the language in use (the ``"kpi description"`` entries of ``experiments.po``).

    Examples
    --------
    >>> kpi_description("profit")
    'profit over the run (money)'
    """
    return pgettext("kpi description", KPIS[kpi])


#: Frame columns summed over the run into a KPI of the same name.
_SUMMED = (
    "acquired",
    "won_back",
    "lost",
    "referrals",
    "negative_wom",
    "revenue",
    "discount_given",
    *COST_COLUMNS,
    "cost",
    "profit",
    "repeat_purchases",
    *(f"repeat_{m}" for m in REPEAT_MOTIVES),
    "repeat_spend",
    *(f"repeat_spend_{m}" for m in REPEAT_MOTIVES),
    *(f"referrals_{m}" for m in REFERRAL_MOTIVES),
)


def _mean_or_nan(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def _per_customer(total: float, customers: float) -> float:
    return total / customers if customers else float("nan")


def run_kpis(model: CRMModel) -> dict[str, float]:
    """The KPIs of :data:`KPIS` for a model that has run.

    Parameters
    ----------
    model : CRMModel
        A model after ``model.run(weeks)``.

    Returns
    -------
    dict of str to float
        One value per KPI, in the order of :data:`KPIS`. Undefined values are NaN: ``churn``
        and ``net_growth`` if no complete quarter started with customers, ``churn_year`` if no
        complete year did (so always in runs under 52 weeks), ``clv`` and ``acquisition_cost``
        if nobody was acquired, the tenures if nobody is active or ever bought.

    Examples
    --------
    >>> model = CRMModel(n_customers=200, rng=3, history=False)
    >>> model.run(26, progress=False)
    >>> kpis = run_kpis(model)
    >>> list(kpis) == list(KPIS)
    True
    >>> bool(kpis["repeat_respect"] + kpis["repeat_discount"] + kpis["repeat_gift"]
    ...      <= kpis["repeat_purchases"])
    True
    """
    frame = model.datacollector.get_model_vars_dataframe()
    if len(frame) == 0:
        raise ValueError("the model has not run yet: call model.run(weeks) first")
    quarters = analysis.period_churn(frame, 13)
    years = analysis.period_churn(frame, 52)
    started = quarters[quarters["start"] > 0]
    growth = (started["end"] - started["start"]) / started["start"]
    totals = {name: float(frame[name].sum()) for name in _SUMMED}
    state = model.state
    active = state.active_mask()
    ever = state.first_purchase_week >= 0
    equity = analysis.customer_equity(model)["equity"]
    kpis = {
        "customer_equity": equity,
        "churn": _mean_or_nan(quarters["churn"]),
        "churn_year": _mean_or_nan(years["churn"]),
        "net_growth": _mean_or_nan(growth),
        "clv": analysis.lifetime_value(frame, equity),
        "lever_spending": totals["discount_given"] + totals["cost"] - totals["cost_goods"],
        "acquisition_cost": _per_customer(totals["cost_advertising"], totals["acquired"]),
        "final_active": float(frame["active"].iloc[-1]),
        "final_marketers": float(frame["marketer"].iloc[-1]),
        "final_tenure": float(state.tenure[active].mean()) if active.any() else float("nan"),
        "mean_tenure": float(state.tenure[ever].mean()) if ever.any() else float("nan"),
        **totals,
    }
    return {kpi: kpis[kpi] for kpi in KPIS}


def _check_kpi(kpi: str) -> None:
    if kpi not in KPIS:
        raise ValueError(f"kpi must be one of {list(KPIS)}, got {kpi!r}")
