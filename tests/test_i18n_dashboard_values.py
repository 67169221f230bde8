"""The values the Persian dashboard shows beside its words: the sliders' values in Persian digits
(English as Vuetify writes them), no English of Solara's own on the page, and a policy file
exported in Persian written in Persian throughout, which reads back in either language."""

from __future__ import annotations

import re
import tomllib

import ipyvuetify as v
import pytest
import solara
from test_app_browser import dashboard_in_chromium

from crmsim import app, i18n, scenarios
from crmsim.app import export, language
from crmsim.app.levers import lever_label
from crmsim.cli import load_input
from crmsim.i18n import language as in_language
from crmsim.i18n import set_language

WESTERN_DIGIT = re.compile("[0-9]")
LATIN_WORD = re.compile("[A-Za-z]{2,}")
#: Solara's own line at the foot of its pages.
SOLARA_BANNER = "This website runs on"


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _texts(widget) -> list[str]:
    """Every text in a widget tree, the contents of its slots (a thumb label) included."""
    found = []
    slots = [c for slot in getattr(widget, "v_slots", None) or [] for c in slot["children"]]
    for child in [*(getattr(widget, "children", None) or []), *slots]:
        found.extend([child] if isinstance(child, str) else _texts(child))
    return found


def _thumb_label(slider: v.Slider) -> str | None:
    """What the page writes in ``slider``'s thumb label; ``None``: Vuetify writes the value."""
    (slot,) = [s for s in slider.v_slots or [] if s["name"] == "thumb-label"] or [None]
    return None if slot is None else "".join(t for c in slot["children"] for t in _texts(c))


@solara.component
def Served():  # as `solara run` serves it: the app's layout around the page
    with language.Layout():
        app.Page(n_customers=150, rng=3)


# --------------------------------------------------------------------------- the sliders
def test_in_persian_every_sliders_value_is_shown_in_persian_digits():
    set_language("fa")
    box, rc = solara.render(Served(), handle_error=False)
    try:
        sliders = {w.label: w for w in rc.find(v.Slider).widgets}
        assert len(sliders) >= 15
        respect = sliders[lever_label("respect")]
        assert _thumb_label(respect) == "۰٫۵۰"
        assert _thumb_label(sliders[lever_label("price")]) == "۲۰٫۰"
        assert _thumb_label(sliders[lever_label("n_customers")]) == "۱۵۰"
        assert _thumb_label(sliders[lever_label("competitor_attractiveness")]) == "۰٫۰۰"
        for label, slider in sliders.items():
            shown = _thumb_label(slider)
            assert shown and not WESTERN_DIGIT.search(shown), (label, shown)
            assert i18n.parse_number(shown) == pytest.approx(slider.v_model), (label, shown)
        # Moved, it shows its new value, and the lever takes it.
        respect.v_model = 0.85
        assert _thumb_label(respect) == "۰٫۸۵"
        assert "احترام (۰ تا ۱) ۰٫۸۵ (سناریو ۰٫۵)" in " ".join(_texts(box))
        gifts = sliders[lever_label("gift_every")]
        gifts.v_model = 9
        assert _thumb_label(gifts) == "۹"
    finally:
        rc.close()


def test_in_english_the_sliders_are_solaras_and_vuetify_writes_their_values():
    box, rc = solara.render(Served(), handle_error=False)
    try:
        sliders = {w.label: w for w in rc.find(v.Slider).widgets}
        respect = sliders[app.LEVERS["respect"].label]
        for slider in sliders.values():
            assert slider.thumb_label is True and _thumb_label(slider) is None
        respect.v_model = 0.85
        assert _thumb_label(respect) is None
        assert "Respect (0–1) 0.85 (scenario 0.5)" in " ".join(_texts(box))
    finally:
        rc.close()
    # What Vuetify writes there: the step's decimals, in Western digits.
    assert [language.slider_text(*a) for a in [(0.5, 0, 0.05), (20, 12, 0.5), (150, 50, 50)]] == [
        "0.50",
        "20.0",
        "150",
    ]


def test_the_persian_label_has_the_decimals_of_vuetifys_own():
    with in_language("fa"):
        assert language.slider_text(0.01, 0, 0.005) == "۰٫۰۱۰"
        assert language.slider_text(0.25, 0.25, 0.25) == "۰٫۲۵"
        assert language.slider_text(-0.5, -1, 0.05) == "−۰٫۵۰"
        assert language.slider_text(13, 12.5, 1) == "۱۳٫۰"  # the lowest value's decimals
        assert language.slider_text(4, 1, 1) == "۴"


# --------------------------------------------------------------------------- Solara's English
def test_the_persian_page_hides_solaras_banner_and_the_english_page_keeps_it():
    with in_language("fa"):
        rule = language.page_style()
    assert 'a[href="https://solara.dev"]' in rule and "display: none" in rule
    assert language.page_style() == ""


#: The thumb labels' texts, and the page's text but the scenario's own title and description.
_READ = """() => {
  const labels = [...document.querySelectorAll('.v-slider-thumb__label')]
    .filter(e => e.offsetParent !== null).map(e => e.innerText.trim());
  const page = document.body.cloneNode(true);
  page.querySelectorAll('.crmsim-scenario').forEach(e => e.remove());
  document.body.appendChild(page);
  const text = page.innerText;
  page.remove();
  return {labels, text};
}"""


def test_the_page_served_in_persian_shows_persian_values_and_no_english_of_solaras(
    persian_server,
):
    with dashboard_in_chromium(persian_server) as (tab, problems):
        tab.get_by_text("هفتهٔ ۱۵۶ ·").wait_for()
        read = tab.evaluate(_READ)
        assert len(read["labels"]) >= 15, read["labels"]
        for label in read["labels"]:
            assert label and not WESTERN_DIGIT.search(label), read["labels"]
        # Solara's banner: not on the page, and no English of Solara's anywhere on it.
        assert SOLARA_BANNER in tab.content()  # Solara's template still writes it...
        assert not tab.get_by_text(SOLARA_BANNER).is_visible()  # ...but it is not shown
        assert "Solara" not in read["text"] and SOLARA_BANNER not in read["text"]
        # The respect slider's value, moved from the keyboard: Persian at every step.
        text = re.compile(r"^\s*" + re.escape("احترام (۰ تا ۱)") + r"\s*$")
        box = tab.locator(".v-slider").filter(has=tab.locator("label", has_text=text))
        label = box.locator(".v-slider-thumb__label")
        assert label.inner_text().strip() == "۰٫۵۰"
        thumb = box.locator("[role=slider]")
        thumb.focus()
        thumb.press("ArrowLeft")
        thumb.press("ArrowLeft")
        value = float(thumb.get_attribute("aria-valuenow"))
        assert value != 0.5
        with in_language("fa"):
            expected = language.slider_text(value, 0, 0.05)
        tab.wait_for_function(
            "([e, t]) => e.innerText.trim() === t", arg=[label.element_handle(), expected]
        )
        assert not problems, str(problems)


# --------------------------------------------------------------------------- the policy file
def _model() -> app.DashboardModel:
    model = app.DashboardModel(n_customers=300, respect=0.9, rng=4, weeks=20)
    model.set_levers(discount=0.25)
    model.run(2, progress=False)
    return model


def test_a_policy_exported_in_persian_is_written_in_persian_and_reads_back(tmp_path):
    model = _model()
    with in_language("fa"):
        text = export.policy_toml(model)
        name = export.file_name(model, "toml")
        title = scenarios.load("baseline").title
    assert name == "baseline_dashboard.toml" and name.isascii()
    meta = tomllib.loads(text)["scenario"]
    assert meta["title"].startswith(title) and meta["title"] != title
    for field in ("title", "description"):
        assert not LATIN_WORD.search(meta[field]), meta[field]
        assert not WESTERN_DIGIT.search(meta[field]), meta[field]
    assert "۰٫۲۵" in meta["description"] and "احترام" in meta["description"]
    # The comments too: but for the command, the scenario's and the program's names.
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments[1] == f"#     crmsim compare baseline {name}"
    for line in comments[:1] + comments[2:]:
        rest = re.sub(r"\b(crmsim|compare|baseline)\b", "", line)
        assert not LATIN_WORD.search(rest), line
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    for chosen in ("fa", "en"):
        with in_language(chosen):
            loaded = load_input(str(path))
        assert loaded.title == meta["title"] and loaded.name == "baseline_dashboard"
        assert loaded.policy == model.policy and loaded.kwargs["n_customers"] == 300


def test_a_policy_exported_in_english_is_as_before_and_reads_back(tmp_path):
    model = _model()
    text = export.policy_toml(model)
    assert text.startswith(
        "# The levers of a crmsim dashboard run, as a policy to compare with others:\n"
        "#     crmsim compare baseline baseline_dashboard.toml\n"
        "# From the scenario 'baseline'; the dashboard's seed was 4 (compare draws its own, "
        "the same for every policy).\n\n[scenario]\n"
    )
    meta = tomllib.loads(text)["scenario"]
    assert meta["title"] == "Baseline: an ordinary firm (levers from the dashboard)"
    assert meta["description"] == " ".join(app.settings_lines(model)[1:])
    path = tmp_path / export.file_name(model, "toml")
    path.write_text(text, encoding="utf-8")
    with in_language("fa"):
        loaded = load_input(str(path))
    assert loaded.title == meta["title"] and loaded.policy == model.policy
