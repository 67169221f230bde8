"""The sidebar's controls: SolaraViz's ``model_params``, one slider or menu per lever, set to a
run's values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crmsim.app.model import _FOREVER, ATTRIBUTES, NO_END, RUN_WEEKS, DashboardModel, target_label
from crmsim.levers import default_service
from crmsim.network import NETWORK_KINDS


def _slider(label: str, value: float, low: float, high: float, step: float) -> dict[str, Any]:
    # A scenario may hold a value beyond the usual range: widen the slider rather than clip it.
    return {
        "type": "SliderFloat",
        "label": label,
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def _int_slider(label: str, value: int, low: int, high: int, step: int = 1) -> dict[str, Any]:
    return {
        "type": "SliderInt",
        "label": label,
        "value": value,
        "min": min(low, value),
        "max": max(high, value),
        "step": step,
    }


def model_params(
    model: DashboardModel, per_attribute: bool = False, weeks: int = RUN_WEEKS
) -> dict[str, Any]:
    """SolaraViz's ``model_params``: one control per lever, set to ``model``'s values.

    Parameters
    ----------
    model : DashboardModel
        The run whose settings the controls start from.
    per_attribute : bool
        One slider per Kano attribute instead of a single service-quality slider (and one
        for spam, the reverse attribute, which service quality does not set).
    weeks : int
        Weeks each rebuilt model simulates at once (0: it waits at week 0 for Step or ▶).

    Returns
    -------
    dict
        Keys are keyword arguments of :class:`DashboardModel`; a dict value is a control,
        anything else is passed as it is.

    Examples
    --------
    >>> params = model_params(DashboardModel(n_customers=100, rng=1))
    >>> params["respect"]["value"], params["scenario_name"]
    (0.5, 'baseline')
    """
    policy, market = model.policy, model.market
    levels = {name: policy.service[name].level for name in ATTRIBUTES if name in policy.service}
    params: dict[str, Any] = {
        "scenario_name": model.scenario_name,
        "errors": "show",
        "weeks": weeks,
        "n_customers": _int_slider("People in the market", model.n_customers, 50, 5_000, 50),
    }
    if not per_attribute:
        others = [v for n, v in levels.items() if policy.service[n].category != "reverse"]
        quality = round(float(np.mean(others)) if others else 0.7, 2)
        params["service_quality"] = _slider("Service quality (all but spam)", quality, 0, 1, 0.05)
        params.update({name: None for name in ATTRIBUTES if name != "spam"})
    else:
        params["service_quality"] = None
        for name in ATTRIBUTES:
            category = policy.service.get(name, default_service()[name]).category
            label = f"{name.replace('_', ' ').capitalize()} ({category})"
            params[name] = _slider(label, levels.get(name, 0.5), 0, 1, 0.05)
    if not per_attribute:
        params["spam"] = _slider("Spam (reverse)", levels.get("spam", 0.2), 0, 1, 0.05)

    targets = ["all", "new", "loyal+marketer", *model.population.segment_names]
    current = target_label(policy.discount_target)
    if current not in targets:
        targets.append(current)
    start, end = policy.discount_weeks or (0, NO_END)
    if end == _FOREVER:
        end = NO_END
    params.update(
        {
            "respect": _slider("Respect", policy.respect, 0, 1, 0.05),
            "discount": _slider("Discount", policy.discount, 0, 0.9, 0.05),
            "discount_target": {
                "type": "Select",
                "label": "Discount for",
                "value": current,
                "values": targets,
            },
            "discount_start": _int_slider("Discount from week", start, 0, RUN_WEEKS - 1),
            "discount_end": _int_slider("Discount until week (0: never ends)", end, 0, RUN_WEEKS),
            "gift_value": _slider("Gift value (money)", policy.gift_value, 0, 20, 0.5),
            "gift_every": _int_slider("Gift every ... weeks", policy.gift_every, 1, 52),
            "referral_reward": _slider("Referral reward (money)", policy.referral_reward, 0, 40, 1),
            "recovery": _slider("Complaint recovery", policy.recovery, 0, 1, 0.05),
            "win_back": _slider("Win-back effort", policy.win_back, 0, 1, 0.05),
            "advertising": _slider("Advertising reach per week", policy.advertising, 0, 0.2, 0.005),
            "competitor_attractiveness": _slider(
                "Competitor attractiveness", market.competitor_attractiveness, -1, 1, 0.05
            ),
            "competitor_offer_rate": _slider(
                "Competitor offers per week", market.competitor_offer_rate, 0, 0.25, 0.005
            ),
            # Market refuses a price below the unit cost, so the slider starts there.
            "price": _slider(
                "Price", market.price, market.unit_cost, 2 * market.competitor_price, 0.5
            ),
            "network": {
                "type": "Select",
                "label": "Social network",
                "value": model.network_kind,
                "values": list(NETWORK_KINDS),
            },
            "rng": {
                "type": "InputText",
                "label": "Random seed (blank: a new one)",
                "value": str(model.seed) if isinstance(model.seed, int) else "",
            },
        }
    )
    return params
