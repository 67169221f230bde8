"""crmsim: watch the ideas of a customer-relationship-management course happen.

An agent-based model (built on Mesa) of customers moving through the
Dwyer–Schurr–Oh relationship stages and the prospect -> actual -> loyal ->
marketer tiers, under calculus-, knowledge- and identification-based trust,
while a firm pulls the levers of service quality, discounts, respect, gifts,
referral rewards, complaint recovery and win-back offers.

Examples
--------
>>> import crmsim
>>> model = crmsim.CRMModel(n_customers=200, rng=7)
>>> model.run(weeks=4)
>>> model.datacollector.get_model_vars_dataframe().shape[0]
4
"""

import importlib
from typing import Any

from crmsim import analysis, experiments, scenarios
from crmsim.customer import Customer
from crmsim.events import WeekReport
from crmsim.firms import Firm
from crmsim.i18n import get_language, set_language
from crmsim.levers import KanoAttribute, Market, Policy, Population, Segment
from crmsim.model import CRMModel
from crmsim.stages import Stage, Tier

# loaded on first use: they pull in matplotlib and scipy.optimize
_LAZY = ("plots", "calibration", "exercises", "reference")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"crmsim.{name}")
    raise AttributeError(f"module 'crmsim' has no attribute {name!r}")


__all__ = [
    "CRMModel",
    "Customer",
    "Firm",
    "KanoAttribute",
    "Market",
    "Policy",
    "Population",
    "Segment",
    "Stage",
    "Tier",
    "WeekReport",
    "analysis",
    "calibration",
    "exercises",
    "experiments",
    "get_language",
    "plots",
    "reference",
    "scenarios",
    "set_language",
]
__version__ = "0.1.0"
