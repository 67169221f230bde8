"""The course site builds offline, has every page, shows figures and shows no solution.

``tools/make_book.py`` (``make book``) builds the site with Sphinx and MyST-NB. Executing
every notebook takes minutes, so here only the first notebook is executed (into a temporary
execution cache) and the others are rendered without outputs: enough to see that execution,
figures and the pages of every lesson and notebook work.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = sorted(p for p in (ROOT / "lessons").glob("*.md") if p.stem != "README")
LESSONS_FA = sorted(p for p in (ROOT / "lessons" / "fa").glob("*.md") if p.stem != "README")
NOTEBOOKS_FA = sorted((ROOT / "notebooks" / "fa").glob("*.ipynb"))
EXECUTED = "00_getting_started"

for _module in ("myst_nb", "sphinx_book_theme", "jupyter_server_mathjax", "nbclient"):
    pytest.importorskip(_module, reason="the site needs the `book` extra: pip install -e '.[book]'")


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


make_book = _load("make_book")
make_student = _load("make_student")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("book")
    make_book.build(work / "site", work / "work", execute=[EXECUTED])
    return work / "site"


def _page_text(path: Path) -> str:
    """A page's visible text: tags dropped, entities decoded, widget state left out."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _secrets(path: Path) -> tuple[list[str], list[str]]:
    """Solution code lines and model-answer sentences that appear nowhere else in a notebook."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code, prose, elsewhere = [], [], set()
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            inside = False
            for line in source.splitlines():
                if make_student.BEGIN.match(line):
                    inside = True
                elif make_student.END.match(line):
                    inside = False
                else:
                    (code.append if inside else elsewhere.add)(line.strip())
        else:
            for block in make_student.MD_SOLUTION.findall(source):
                prose += [s for s in _plain(block).split(". ") if len(s) > 30]
            elsewhere |= {line.strip() for line in source.splitlines()}
    code = [
        line for line in code
        if len(line) > 3 and not line.startswith("#") and line not in elsewhere
        and not re.fullmatch(r"[\w.]+ = (\.\.\.|\"\"\"|\'\'\')", line)
    ]  # fmt: skip
    return code, prose


def _plain(markdown: str) -> str:
    # markup becomes tags in the page, so compare words only
    text = make_student.MD_MARKER.sub(" ", markdown)
    return " ".join(re.sub(r"[*_`#>\[\]()]", " ", text).split())


def test_every_lesson_and_notebook_has_a_page(site):
    assert LESSONS and NOTEBOOKS
    index = (site / "index.html").read_text(encoding="utf-8")
    for lesson in LESSONS:
        assert (site / "lessons" / f"{lesson.stem}.html").is_file(), lesson.name
        assert f'href="lessons/{lesson.stem}.html"' in index, (
            f"{lesson.name} not on the landing page"
        )
    for notebook in NOTEBOOKS:
        assert (site / "notebooks" / f"{notebook.stem}.html").is_file(), notebook.name
        assert f'href="notebooks/{notebook.stem}.html"' in index
    # the Persian edition: its index, lessons and notebooks
    assert LESSONS_FA and NOTEBOOKS_FA
    assert 'href="lessons/fa/README.html"' in index
    for page in [*LESSONS_FA, *NOTEBOOKS_FA]:
        html_page = site / page.relative_to(ROOT).with_suffix(".html")
        assert html_page.is_file(), page.relative_to(ROOT)


def test_no_page_holds_a_solution_or_the_answer_key(site):
    pages = sorted(site.rglob("*.html"))
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".ipynb", ".txt", ".md"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path
    assert not list(site.rglob("answer_key.json"))
    texts = {p: _page_text(p) for p in pages}
    for notebook in [*NOTEBOOKS, *NOTEBOOKS_FA]:
        page = site / notebook.relative_to(ROOT).with_suffix(".html")
        lines = {line.strip() for line in texts[page].splitlines()}
        words = _plain(texts[page])
        code, prose = _secrets(notebook)
        assert not [line for line in code if line in lines], f"{page.name}: solution code shown"
        assert not [s for s in prose if s in words], f"{page.name}: a model answer shown"
        assert "# YOUR CODE HERE" in texts[page] or not code


def test_the_executed_notebook_shows_its_figures(site):
    page = site / "notebooks" / f"{EXECUTED}.html"
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', page.read_text(encoding="utf-8"))
    assert images, "no figure on the executed notebook's page"
    for image in images:
        assert (page.parent / image).resolve().stat().st_size > 1_000, image


def test_pages_load_nothing_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', text)
        assert not remote, f"{page.relative_to(site)} loads {remote[0]}"
    maths = site / "notebooks" / "10_strategy_lab.html"
    assert "_static/mathjax/MathJax.js" in maths.read_text(encoding="utf-8")
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()


def test_persian_pages_read_right_to_left_in_the_shipped_typeface(site):
    lesson = (site / "lessons" / "fa" / f"{LESSONS_FA[2].stem}.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in lesson and "crmsim.css" in lesson
    css = (site / "_static" / "crmsim.css").read_text(encoding="utf-8")
    fonts = re.findall(r'url\("([^"]+)"\)', css)
    assert fonts and all((site / "_static" / font).is_file() for font in fonts)
    assert '[dir="rtl"]' in css and "Vazirmatn" in css


def test_links_are_rebased_for_the_landing_page():
    text = "[a](00_x.md) [b](../notebooks/00_x.ipynb#top) [c](https://e.org/x.md) ![f](img/p.png)"
    assert make_book.rebase_links(text, "lessons", "") == (
        "[a](lessons/00_x.md) [b](notebooks/00_x.ipynb#top) [c](https://e.org/x.md) "
        "![f](lessons/img/p.png)"
    )
    page = make_book.landing_page(
        "# Lessons\n\nIntro.\n\n* **Small.** Fast.\n* **Two editions.** `### BEGIN SOLUTION`\n"
        "  more.\n* **Last.** One.\n",
        ["lessons/00_x"],
        ["notebooks/00_x"],
        [],
    )
    assert "BEGIN SOLUTION" not in page and "**Last.**" in page and "# Lessons" not in page
    assert "lessons/00_x\n```" in page and "notebooks/00_x" not in page.split("## ")[-1]
    assert "</notebooks/00_x>" in make_book.notebook_toctree("notebooks/00_x")
