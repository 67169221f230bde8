"""What the dashboard's Export buttons download: the weekly table (:func:`weekly_csv`), the open
tab's figures (:func:`figures_png`) and the levers as a policy file for ``crmsim compare``
(:func:`policy_toml`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from crmsim import plots, scenarios, tomlfile
from crmsim.app.model import DashboardModel
from crmsim.app.views import (
    FIGURES,
    NETWORK_LIMIT,
    TABS,
    network_figure,
    render_png,
    settings_lines,
)
from crmsim.i18n import _, format_number, right_to_left
from crmsim.levers import Market, Policy, Population

#: Resolution of the exported figures: sharper than on the page, for slides and reports.
EXPORT_DPI = 150

# The policy fields the dashboard's levers set: always written, so the file reads as the
# sidebar does; the others only where they differ from the defaults.
_LEVER_FIELDS = (
    "service",
    "respect",
    "discount",
    "discount_target",
    "discount_weeks",
    "gift_value",
    "gift_every",
    "referral_reward",
    "recovery",
    "channels",
    "win_back",
    "advertising",
)


def file_name(model: DashboardModel, suffix: str) -> str:
    """The name an export of ``model`` is downloaded as: scenario and seed, or for the policy
    file (whose name ``crmsim compare`` shows) the scenario alone.

    Examples
    --------
    >>> model = DashboardModel(n_customers=100, rng=4, weeks=3)
    >>> file_name(model, "csv"), file_name(model, "toml")
    ('baseline_seed4.csv', 'baseline_dashboard.toml')
    """
    if suffix == "toml":
        return f"{model.scenario_name}_dashboard.toml"
    return f"{model.scenario_name}_seed{model.seed}.{suffix}"


def weekly_csv(model: DashboardModel) -> bytes:
    """The weekly table of the run so far as CSV: one row per week, one column per measure.

    Examples
    --------
    >>> text = weekly_csv(DashboardModel(n_customers=100, rng=1, weeks=3)).decode()
    >>> text.splitlines()[0].split(",")[:3], len(text.splitlines())
    (['week', 'active_start', 'active'], 4)
    """
    return model.snapshot().to_csv(index=False).encode("utf-8")


def figures_png(model: DashboardModel, tab: int = 0) -> bytes:
    """The figures of tab number ``tab`` of :data:`~crmsim.app.TABS`, side by side in one PNG,
    at full size and :data:`EXPORT_DPI`.

    A run not started yet, or a network too large to draw, gives an image that says so.

    Examples
    --------
    >>> figures_png(DashboardModel(n_customers=100, rng=1, weeks=3))[:4]
    b'\\x89PNG'
    """
    from PIL import Image

    figures = []
    for key in TABS[list(TABS)[tab]][0]:
        if model.week == 0:
            break
        if key in FIGURES:
            figures.append(FIGURES[key](model.snapshot()))
        elif key == "network" and model.n_customers <= NETWORK_LIMIT:
            figures.append(network_figure(model))
    if not figures:
        figure = plots.make_figure(figsize=(6.0, 1.0))
        figure.text(
            0.5,
            0.5,
            _("Nothing simulated yet")
            if model.week == 0
            else _("No figure on this tab for this run"),
            ha="center",
            va="center",
        )
        plots.localize(figure)
        figures.append(figure)
    images = [
        Image.open(BytesIO(render_png(figure, dpi=EXPORT_DPI))).convert("RGB") for figure in figures
    ]
    sheet = Image.new(
        "RGB",
        (sum(i.width for i in images), max(i.height for i in images)),
        "white",
    )
    left = 0
    for image in images:
        sheet.paste(image, (left, 0))
        left += image.width
    buffer = BytesIO()
    sheet.save(buffer, format="png")
    return buffer.getvalue()


# ------------------------------------------------------------------ the policy file
def _plain(value: Any) -> Any:
    """A lever's value as plain data for :func:`crmsim.tomlfile.value_text`: a set as a sorted
    list, a dataclass (a Kano attribute, a segment) as the mapping of its fields."""
    if isinstance(value, set | frozenset):
        return [_plain(item) for item in sorted(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _table(name: str, values: Mapping[str, Any]) -> list[str]:
    # each lever on one line: a mapping as an inline table, not a table of its own
    rows = (f"{tomlfile.key_text(k)} = {tomlfile.value_text(_plain(v))}" for k, v in values.items())
    return [f"[{name}]", *rows, ""]


def _different(value: Any, default: Any, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of dataclass ``value`` that differ from ``default`` or are in ``always``."""
    fields = {}
    for field in dataclasses.fields(value):
        if not field.compare:
            continue  # derived (Policy.service_quality): what it set is in another field
        mine = getattr(value, field.name)
        if mine is None:
            continue  # TOML has no None: a missing field means the default, None here
        if field.name in always or mine != getattr(default, field.name):
            fields[field.name] = mine
    return fields


def policy_toml(model: DashboardModel) -> str:
    """The run's levers as a TOML file that ``crmsim compare`` and ``crmsim run`` read.

    ``[policy]`` holds every lever of the sidebar, ``[market]`` and ``[population]`` only what
    differs from the defaults (``crmsim compare`` needs the same market in every file it
    compares: a market lever changed in the dashboard is written, and then the other files
    need it too). ``[scenario]`` holds the number of people and the weeks of a run, its title
    and description (the header's lines of the levers) in the language in use, as are the
    comments; the file reads back in either language (:func:`crmsim.scenarios.from_dict`).

    Examples
    --------
    >>> text = policy_toml(DashboardModel(n_customers=300, respect=0.2, rng=1))
    >>> "respect = 0.2" in text, "n_customers = 300" in text, "[market]" in text
    (True, True, False)
    """
    # Title, description and comments in the language in use (the scenario's title and the
    # header's lines already are); names, the command and the file's name as they are typed.
    scenario = scenarios.load(model.scenario_name)
    notes = settings_lines(model)[1:]  # all but the seed's: compare draws its own
    seed = "None" if model.seed is None else format_number(model.seed)
    if model.seed is None and right_to_left():
        seed = _("none")
    lines = [
        "# " + _("The levers of a crmsim dashboard run, as a policy to compare with others:"),
        f"#     crmsim compare baseline {file_name(model, 'toml')}",
        "# "
        + _(
            "From the scenario {name}; the dashboard's seed was {seed} (compare draws its own, "
            "the same for every policy)."
        ).format(name=repr(model.scenario_name), seed=seed),
        "",
        *_table(
            "scenario",
            {
                "title": _("{title} (levers from the dashboard)").format(title=scenario.title),
                "description": " ".join(notes),
                "weeks": scenario.weeks,
                "n_customers": model.n_customers,
            },
        ),
        *_table("policy", _different(model.policy, Policy(), _LEVER_FIELDS)),
    ]
    market = _different(model.market, Market())
    if market:
        lines += _table("market", market)
    population = _different(model.population, Population())
    if population:
        lines += _table("population", population)
    return "\n".join(lines).rstrip() + "\n"
