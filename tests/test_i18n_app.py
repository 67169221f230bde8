"""The dashboard in Persian: every message of ``crmsim.app`` has its Persian, the page served with
``CRMSIM_LANG=fa`` reads right to left in Persian and in the shipped Vazirmatn (in headless
Chromium, with the fixtures of ``test_app_browser.py``: same offline set-up, same skip and fail
policy), the page and the game page rendered in Persian show no English label, and in English
everything reads exactly as before."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from catalogs import catalog_file, catalog_names, extracted, fields, persian_catalog
from test_app import _strings
from test_app_browser import (
    dashboard_in_chromium,
)

import crmsim.app
from crmsim import app, i18n, scenarios
from crmsim.app import assets, language
from crmsim.app import game as game_page
from crmsim.app.compare import pair
from crmsim.app.levers import lever_help, lever_label
from crmsim.cli import main
from crmsim.game import Game, example_config
from crmsim.i18n import language as in_language
from crmsim.i18n import set_language

APP = Path(crmsim.app.__file__).parent
CATALOGS = i18n.LOCALE_DIR / "fa" / "LC_MESSAGES"
TERM_KINDS = {"stage", "tier", "cause", "trust", "kano", "channel"}
PERSIAN_LETTER = re.compile("[\u0600-\u06ff]")
LATIN_WORD = re.compile("[A-Za-z]{2,}")
# What a Persian message may keep in Latin letters: names of code, files, commands and the
# runs A and B, which the learner types or reads as they are.
KEPT_IN_LATIN = re.compile(
    r"\b(crmsim|compare|baseline|game|round|app|DIR|GamePage|directory|CRMModel|history|"
    r"True|CSV|PNG|TOML|CEM|CAM|opening_discount|customer_centric|lasting_discount|"
    r"discount_target|discount_end|discount_start|rng|price|all|new|loyal|marketer)\b"
)


pytestmark = pytest.mark.usefixtures("english_afterwards")


def _messages() -> list[tuple[str, str | None, str | tuple[str, ...]]]:
    """Every message marked in ``crmsim/app/*.py``: (file, context, msgid)."""
    return [(m.path.name, m.context, m.message) for m in extracted(sorted(APP.glob("*.py")))]


def _own_messages() -> set[str]:
    """The app's own msgids (not the course's terms), singulars and plurals."""
    own = set()
    for _file, context, message in _messages():
        if context is None:
            own.update([message] if isinstance(message, str) else message)
    return own


# --------------------------------------------------------------------------- the catalogs
def test_every_message_of_the_app_has_its_persian_with_the_same_placeholders():
    messages = _messages()
    entries = persian_catalog()
    assert len(messages) > 200, "the extraction missed the dashboard's messages"
    missing, mismatched = [], []
    for file, context, message in messages:
        if context is not None:
            # The course's terms: terms.po's to translate, under one of its contexts.
            assert context in TERM_KINDS, (file, context, message)
            continue
        ids = [message] if isinstance(message, str) else list(message)
        entry = entries.get((None, ids[0]))
        strings = [] if entry is None else entry.string
        strings = [strings] if isinstance(strings, str) else list(strings)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append((file, ids[0]))
            continue
        for text in strings:
            if fields(text) != fields(ids[0]):
                mismatched.append((file, ids[0], text))
            # Persian, but for names the learner types or reads as they are
            rest = KEPT_IN_LATIN.sub("", re.sub(r"\{\w+\}", "", text))
            assert not LATIN_WORD.search(rest), (file, text)
    assert not missing, f"no Persian for: {missing}"
    assert not mismatched, f"placeholders differ: {mismatched}"


def test_app_po_holds_only_what_the_app_shows_and_nothing_another_catalog_says_otherwise():
    mine = catalog_file("app.po")
    shown = _own_messages()
    for message in mine:
        key = message.id if isinstance(message.id, str) else message.id[0]
        assert key in shown, f"app.po translates {key!r}, which the app no longer shows"
        assert "\u200c" not in key
    others = {}
    for name in catalog_names():
        if name != "app.po":
            others.update({(m.context, m.id): m.string for m in catalog_file(name)})
    for message in mine:
        other = others.get((message.context, message.id))
        assert other in (None, message.string), (message.id, other, message.string)


def test_persian_words_that_need_it_are_joined_with_the_zero_width_non_joiner():
    text = (CATALOGS / "app.po").read_text(encoding="utf-8")
    # "می" before a verb and the plural "ها" are written apart from their word, not joined
    # to it and not with a space.
    assert not re.search(r"(^|\s)می [\u0600-\u06ff]", text.replace("msgstr ", "\n"))
    assert "\u200cها" in text and "می\u200c" in text


# --------------------------------------------------------------------------- in Persian
def _visible_english(texts: str) -> list[str]:
    """The app's own English messages (without placeholders) found in ``texts``, as words."""
    own = {m for m in _own_messages() if "{" not in m and len(m) >= 4}
    persian = i18n.translations("fa")
    return sorted(
        m
        for m in own
        if persian.gettext(m) != m and re.search(rf"(?<![A-Za-z]){re.escape(m)}(?![A-Za-z])", texts)
    )


def _shown(box, scenario: str = "baseline") -> str:
    """Every text of the page rendered in ``box`` but the scenario's title and description,
    which are the scenarios' own texts (``crmsim.scenarios`` gives them in the language)."""
    shown = scenarios.load(scenario)
    texts = " ".join(_strings(box))
    return texts.replace(shown.title, "").replace(shown.description.replace("`", ""), "")


def test_the_dashboard_rendered_in_persian_shows_persian_and_no_english_label():
    set_language("fa")

    @solara.component
    def Served():  # as `solara run` serves it: the app's layout around the page
        with language.Layout():
            app.Page(n_customers=150, rng=3)

    box, rc = solara.render(Served(), handle_error=False)
    try:
        (provider,) = rc.find(v.LocaleProvider).widgets
        assert provider.rtl and provider.attributes["dir"] == "rtl"
        seen = []
        tabs = rc.find(v.Tabs).widget
        for number in range(len(app.TABS)):
            tabs.v_model = number
            seen.append(_shown(box))
        texts = " ".join(seen)
        for persian in ("بازنشانی", "اهرم‌ها", "مشتریان فعال", "این چیست؟", "دنبال کردن یک نفر"):
            assert persian in texts, persian
        assert _visible_english(texts) == []
        labels = {w.label for w in rc.find(v.Slider).widgets}
        assert lever_label("respect") in labels and "Respect (0–1)" not in labels
        tooltips = " ".join(s for w in rc.find(v.Tooltip).widgets for s in _strings(w))
        assert lever_help("respect") in tooltips
    finally:
        rc.close()


def test_the_page_in_persian_writes_its_numbers_and_menus_in_persian():
    model = app.DashboardModel(n_customers=200, respect=0.9, rng=4, weeks=30)
    model.set_levers(discount_target="loyal+marketer")
    pair(model, "customer_centric")
    with in_language("fa"):
        lines = [app.summary_line(model), *app.settings_lines(model)]
        monitors = app.monitors(model)
        against = app.compared_monitors(model)
        summary = app.person_summary(model, 3)
        menu = language.choices(["all", "new"], [language.target_text(t) for t in ("all", "new")])
        network = app.network_figure(app.DashboardModel(n_customers=60, rng=1), person=7)
    for line in [*lines, summary, *monitors.values(), *against.values()]:
        assert not re.search("[0-9]", line.replace("CRMModel", "")), line
    assert lines[0].startswith("هفتهٔ ۳۰ · ")
    assert "بذر ۴ · ۲۰۰ نفر" in lines[1]
    assert [m["title"] for m in menu] == ["همه", "فقط مشتریان جدید"]
    assert [m["value"] for m in menu] == ["all", "new"]
    title = network.axes[0].get_title()
    assert title.startswith("چه کسی با چه کسی") and title.endswith("(هفتهٔ ۰)")
    assert "Vazirmatn" in network.axes[0].title.get_fontfamily()
    assert [t.get_text() for t in network.axes[0].texts] == ["فرد ۷"]


def test_a_refused_value_is_named_by_its_persian_label():
    with in_language("fa"):
        model = app.DashboardModel(discount_start=8, discount_end=4, errors="show", rng=1)
        said = app.in_words(model.error)
    assert "“تخفیف تا هفتهٔ (۰: بی‌پایان)” (۴) باید پس از “تخفیف از هفتهٔ” (۸) باشد" in said


@pytest.fixture(scope="module")
def game_folder(tmp_path_factory) -> Path:
    """A small game with two rounds played."""
    folder = tmp_path_factory.mktemp("game") / "autumn"
    game = Game.new(example_config(customers=300, weeks_per_round=2), folder)
    game.play_round()
    game.play_round()
    return folder


def test_the_game_page_rendered_in_persian_shows_persian_and_no_english_label(game_folder):
    set_language("fa")

    @solara.component
    def Served():
        with solara.AppLayout():
            game_page.GamePage(game_folder)

    box, rc = solara.render(Served(), handle_error=False)
    try:
        assert rc.find(v.LocaleProvider).widget.rtl
        seen = []
        tabs = rc.find(v.Tabs).widget
        for number in range(len(game_page.GAME_TABS)):
            tabs.v_model = number
            html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
            shown = re.sub("<[^>]*>", " ", html)  # the tables' text, not their markup
            seen.append(" ".join(_strings(box)) + " " + shown)
        texts = " ".join(seen)
        for persian in ("سهم بازار", "جدول امتیازها پس از دور ۲", "ارزش ویژهٔ مشتری", "رتبه"):
            assert persian in texts, persian
        assert _visible_english(texts) == []
        rc.find(v.Select).widget.v_model = "دور ۱"  # the round picker, in Persian
        assert "بازار در پایان دور ۱ (هفتهٔ ۱)" in " ".join(_strings(box))
    finally:
        rc.close()


# --------------------------------------------------------------------------- in English
def test_in_english_every_message_is_itself_and_the_page_is_solaras_own():
    for message in _own_messages():
        assert i18n._(message) == message
    assert language.page_style() == ""

    @solara.component
    def Served():
        with language.Layout():
            app.Page(n_customers=100, rng=1)

    box, rc = solara.render(Served(), handle_error=False)
    try:
        assert rc.find(v.LocaleProvider).widgets == []
        texts = " ".join(_strings(box))
        for english in (
            "Reset",
            "Levers",
            "Active customers",
            "Run set-up (at Reset, for a fresh run)",
        ):
            assert english in texts
    finally:
        rc.close()


def test_in_english_the_page_reads_exactly_as_before(game_folder):
    """The lines the page writes, against the f-strings that wrote them before translation."""
    model = app.DashboardModel(n_customers=200, respect=0.9, rng=4, weeks=30)
    model.set_levers(discount=0.25)
    model.run(2, progress=False)
    frame = model.snapshot()
    last = frame.iloc[-1]
    customers = int(last["actual"] + last["loyal"] + last["marketer"])
    churn = app.monitors(model)["Churn this quarter"]
    assert app.summary_line(model).startswith(
        f"Week 32 · {customers:,} customers ({int(last['loyal']):,} loyal, "
        f"{int(last['marketer']):,} marketers) of 200 people · churn last quarter "
    )
    assert app.summary_line(model).endswith(f" · profit so far {frame['profit'].sum():,.0f}")
    assert app.settings_lines(model) == [
        "Seed 4 · 200 people · small-world network",
        "Differs from the scenario: Discount (share off the price) 0.25 (scenario 0); "
        "Respect (0–1) 0.9 (scenario 0.5)",
        "Changed during the run: from week 30 Discount (share off the price) 0 → 0.25",
    ]
    assert churn == f"{app.views._monitor_values(frame)[2]:.1%}"
    assert app.person_summary(model, 3).startswith("Person 3: stage ")
    # The levers' labels and explanations: their English tables, as the tests read them.
    assert [lever_label(n) for n in app.LEVERS] == [lever.label for lever in app.LEVERS.values()]
    assert [lever_help(n) for n in app.LEVERS] == [lever.help for lever in app.LEVERS.values()]
    pair(model, "customer_centric")
    first, _second = app.side_by_side_lines(model)
    assert first == (
        "Side by side: A is this run; B runs customer_centric's policy on the same seed 4, "
        "200 people and market"
    )
    assert app.compared_monitors(model)["Profit so far"].startswith("B ")
    figure = app.draw_figure(model, "tiers")
    assert "A: all customers" in figure.axes[0].get_legend_handles_labels()[1]
    shown = game_page.standing(Game.open(game_folder), 1)
    assert game_page.round_labels([1, 2]) == ["round 1", "round 2"]
    assert "<caption>Scoreboard after round 1</caption>" in game_page.scoreboard_html(shown)
    assert "<th>Rank</th><th>Firm</th><th>Score</th>" in game_page.scoreboard_html(shown)
    ticks = [t.get_text() for t in game_page.firms_figure(shown).axes[0].get_xticklabels()]
    assert ticks == ["R1"]


def test_the_language_modules_examples_run():
    import doctest

    failures, attempted = doctest.testmod(language)
    assert failures == 0 and attempted > 0


# --------------------------------------------------------------------------- the command
class _Server:
    """Stands in for the Solara server process: keeps its environment, exits at once."""

    envs: list[dict[str, str]] = []

    def __init__(self, command, env):
        _Server.envs.append(env)

    def wait(self, timeout=None):
        return 0


@pytest.mark.parametrize("chosen", ["fa", "en"])
def test_crmsim_app_hands_its_language_to_the_server(monkeypatch, chosen):
    monkeypatch.setattr(assets, "missing", lambda cache=None: [])
    monkeypatch.setattr(subprocess, "Popen", _Server)
    _Server.envs.clear()
    set_language(chosen)
    assert main(["app", "--port", "9124"]) == 0
    (env,) = _Server.envs
    assert env[i18n.LANGUAGE_VARIABLE] == chosen


def test_the_typeface_is_the_shipped_one_given_in_the_pages_own_css():
    rules = assets.font_faces()
    assert "http" not in rules and rules.count("url(data:font/ttf;base64,") == 2
    with in_language("fa"):
        assert language.page_style().startswith(rules)
        assert "font-family: Vazirmatn" in language.page_style()


# --------------------------------------------------------------------------- in a browser
# (the server: conftest.persian_server)
#: What the page must show in Persian: headings, buttons, a group's title, a lever, a tab and
#: a monitor.
PERSIAN = (
    "سناریو",
    "اهرم‌ها",
    "بازنشانی",
    "گام",
    "مقایسه",
    "خروجی",
    "تنظیمات اجرا (هنگام بازنشانی، برای اجرایی تازه)",
    "احترام (۰ تا ۱)",
    "مشتریان فعال",
    "ریزش این فصل",
    "درباره",
)
#: Read from the page: its root's direction, a label's typeface and whether Vazirmatn loaded.
_LOOK = """async () => {
  await document.fonts.ready;
  const root = document.querySelector('.v-locale-provider');
  const label = [...document.querySelectorAll('.v-slider .v-label')]
    .find(e => e.innerText.trim().startsWith('احترام'));
  const drawer = document.querySelector('.v-navigation-drawer').getBoundingClientRect();
  return {
    dir: root.getAttribute('dir'),
    lang: root.getAttribute('lang'),
    direction: getComputedStyle(root).direction,
    textDirection: getComputedStyle(document.querySelector('.crmsim-description')).direction,
    drawerRight: drawer.left > window.innerWidth / 2,
    font: getComputedStyle(label).fontFamily,
    check: document.fonts.check('16px Vazirmatn', 'سناریو'),
    loaded: [...document.fonts]
      .filter(f => f.family.replace(/["']/g, '') === 'Vazirmatn' && f.status === 'loaded')
      .map(f => String(f.weight)),
    // All but the scenario's title and description: the scenarios' own texts.
    text: (() => {
      const page = document.body.cloneNode(true);
      page.querySelectorAll('.crmsim-scenario').forEach(e => e.remove());
      document.body.appendChild(page);
      const text = page.innerText;
      page.remove();
      return text;
    })(),
  };
}"""


def test_the_page_served_in_persian_reads_right_to_left_in_vazirmatn(persian_server, tmp_path):
    with dashboard_in_chromium(persian_server) as (tab, problems):
        tab.get_by_text("هفتهٔ ۱۵۶ ·").wait_for()
        tab.screenshot(path=str(tmp_path / "dashboard_fa.png"))
        look = tab.evaluate(_LOOK)
        assert (look["dir"], look["lang"], look["direction"]) == ("rtl", "fa", "rtl")
        assert look["textDirection"] == "rtl" and look["drawerRight"], look
        assert "Vazirmatn" in look["font"], look["font"]
        assert look["check"] and "400" in look["loaded"], look["loaded"]
        for persian in PERSIAN:
            assert tab.get_by_text(persian, exact=True).first.is_visible(), persian
        assert _visible_english(look["text"]) == []
        assert not re.search(r"Week|Reset|Levers", look["text"])
        # Another tab, in Persian too: the Info tab's sections.
        tab.get_by_role("tab", name="درباره").click()
        tab.get_by_text("این چیست؟", exact=True).wait_for()
        assert _visible_english(tab.locator(".crmsim-info").inner_text()) == []
        assert (tmp_path / "dashboard_fa.png").stat().st_size > 10_000
        assert not problems, str(problems)
