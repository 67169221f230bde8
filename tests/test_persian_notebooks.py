"""The Persian notebooks (notebooks/fa/): the English notebooks' code, read in Persian.

Each Persian notebook has the file name of its English original. Its first code cell sets the
language (``crmsim.set_language("fa")``); after that its code is the English notebook's code
apart from strings and comments (the titles, labels and messages a learner reads), so that the
two editions compute the same things. Its markdown is Persian, right to left, with Persian
digits and every number of the English notebook's markdown. nbval runs both under
``make test``; like every notebook they are committed without outputs.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from test_persian_lessons import (
    ARABIC_SCRIPT,
    LATIN,
    PERSIAN_NUMBER,
    WESTERN_NUMBER,
    numbers,
    prose,
)

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = {p.name: p for p in (ROOT / "notebooks").glob("*.ipynb")}
PERSIAN = sorted((ROOT / "notebooks" / "fa").glob("*.ipynb"))
#: The first code cell of every Persian notebook, a cell of its own.
LANGUAGE_CELL = 'import crmsim\n\ncrmsim.set_language("fa")'


def cells(path: Path, kind: str) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


class _WithoutText(ast.NodeTransformer):
    """A cell's code with every string emptied: what it does, not what it says."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return ast.Constant("")


def code_shape(source: str) -> str:
    # IPython's magics and shell lines are not Python
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    return ast.dump(_WithoutText().visit(tree), include_attributes=False)


def test_every_english_notebook_has_its_persian_edition():
    assert sorted(ENGLISH) == [path.name for path in PERSIAN]


@pytest.mark.parametrize("notebook", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_notebook_runs_the_english_code_in_persian(notebook):
    code = cells(notebook, "code")
    assert code[0].split() == LANGUAGE_CELL.split(), f"{notebook.name}: first cell {code[0]!r}"
    english = cells(ENGLISH[notebook.name], "code")
    assert len(code) - 1 == len(english), f"{notebook.name}: not the English code cells"
    for index, (ours, theirs) in enumerate(zip(code[1:], english, strict=True), start=1):
        assert code_shape(ours) == code_shape(theirs), f"{notebook.name}: code cell {index} differs"


@pytest.mark.parametrize("notebook", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_notebooks_text_is_persian_right_to_left(notebook):
    markdown = cells(notebook, "markdown")
    assert markdown
    english_lines = []
    for text in markdown:
        assert text.lstrip().startswith('<div dir="rtl"'), f"{notebook.name}: {text[:60]!r}"
        assert text.rstrip().endswith("</div>"), f"{notebook.name}: {text[-60:]!r}"
        body = prose(text)
        for line in body.splitlines():
            latin, persian = len(LATIN.findall(line)), len(ARABIC_SCRIPT.findall(line))
            if latin > 12 and latin > persian:
                english_lines.append(line.strip())
        body = re.sub(r"^\s*(#+.*|\d+\.\s)", " ", body, flags=re.MULTILINE)
        western = [m.group() for m in WESTERN_NUMBER.finditer(body)]
        assert not western, f"{notebook.name}: Western digits in the text: {western[:5]}"
    assert not english_lines, f"{notebook.name}: lines left in English: {english_lines[:3]}"
    english = "\n".join(prose(text) for text in cells(ENGLISH[notebook.name], "markdown"))
    english = re.sub(r"^\s*(#+.*|\d+\.\s)", " ", english, flags=re.MULTILINE)
    given = numbers("\n".join(prose(text) for text in markdown), PERSIAN_NUMBER)
    missing = sorted(numbers(english, WESTERN_NUMBER) - given)
    assert not missing, f"{notebook.name}: numbers of the English notebook missing: {missing[:10]}"


@pytest.mark.parametrize("notebook", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_notebook_is_committed_clean(notebook):
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, notebook.name


@pytest.mark.parametrize("notebook", PERSIAN, ids=lambda path: path.stem)
def test_a_persian_sentence_formats_its_numbers_in_persian(notebook):
    """A Persian f-string formats its numbers with ``crmsim.i18n.format_number``.

    ``f"{n:,} مشتری"`` prints Western digits inside a Persian sentence; the English
    notebook's ``{n:,}`` becomes ``{crmsim.i18n.format_number(n, ',')}``, which writes ۱٬۲۳۴.
    A format spec on a value of a Persian f-string is what gives the mistake away.
    """
    direct = []
    for index, source in enumerate(cells(notebook, "code")):
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if ARABIC_SCRIPT.search(text):
                direct += [
                    f"code cell {index}: {ast.unparse(value)}"
                    for value in node.values
                    if isinstance(value, ast.FormattedValue) and value.format_spec is not None
                ]
    assert not direct, f"{notebook.name}: format_number these: {direct}"
