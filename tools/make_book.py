#!/usr/bin/env python3
"""Build the course site: the lessons and the executed student notebooks as static HTML.

The site holds what a student sees, without installing anything: a landing page (the
lessons' table from ``lessons/README.md``), one page per lesson text and one per notebook,
executed, with its figures. The notebooks are the *student edition*
(:func:`make_student.student_notebook`): the exercises show their questions and an empty
``answer = ...`` (a prediction left as ``...``, a written answer as an empty text), never the
solutions, and no answer key ships. The notebooks run with this checkout's (instructor)
package, with ``CRMSIM_HIDE_SOLUTIONS`` set so that ``solution()`` shows nothing.

It is a Sphinx build with MyST-NB (Markdown and notebooks) and the Book theme, made to need
no network:

* notebooks are executed by MyST-NB into a ``jupyter-cache`` folder (``WORK/cache/<model>``,
  one per version of ``src/crmsim``), so a rebuild runs only notebooks whose code changed;
  a change to the model starts a fresh cache, since cached figures would show the old model;
* maths is rendered in the browser by the MathJax 2 copy of ``jupyter-server-mathjax``,
  shipped inside the site (``_static/mathjax``), instead of Sphinx's default CDN address;
  the theme bundles its own fonts and icons; widgets' JavaScript (a CDN by default) is left
  out, so slider cells show their static output.

Usage::

    python tools/make_book.py                      # build/book/index.html
    python tools/make_book.py --execute 00_getting_started --out /tmp/site
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
#: Where the site's sources, the Sphinx environment and the execution cache live.
DEFAULT_WORK = ROOT / "build" / ".book"


def _load_make_student():
    # a script next to this one, not a module of an installed package
    if "make_student" in sys.modules:
        return sys.modules["make_student"]
    spec = importlib.util.spec_from_file_location(
        "make_student", ROOT / "tools" / "make_student.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_student"] = module
    spec.loader.exec_module(module)
    return module


make_student = _load_make_student()

MD_LINK = re.compile(r"(?P<head>!?\[[^\]]*\]\()(?P<target>[^)\s]+)\)")
#: The lessons' README bullet about the two editions: the site is the student edition.
EDITIONS_BULLET = re.compile(r"^\* \*\*Two editions\.\*\*.*?(?=^\* |^#|\Z)", re.DOTALL | re.M)

LANDING_INTRO = """\
This site is the course as a student sees it: each lesson's reading, then its notebook run
from top to bottom with every figure. The exercises at the end of each notebook show their
questions; to answer them, run the notebook yourself (`make lab`, or the student edition
from your instructor).
"""

CONF = """\
# Written by tools/make_book.py: edit that file, not this one.
project = "crmsim"
html_title = "crmsim: a course in customer relationships"
extensions = ["myst_nb"]
exclude_patterns = ["README.md", "lessons/README.md", "_build"]
html_theme = "sphinx_book_theme"
html_theme_options = {{"show_toc_level": 2}}
html_static_path = ["_static"]
html_css_files = ["crmsim.css"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

nb_execution_mode = "cache"
nb_execution_cache_path = {cache!r}
nb_execution_excludepatterns = {excluded!r}
nb_execution_timeout = {timeout!r}
nb_execution_raise_on_error = True
# The widget manager's JavaScript comes from a CDN; without it sliders show static output.
nb_ipywidgets_js = {{}}

mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
mathjax2_config = {{
    "tex2jax": {{
        "inlineMath": [["\\\\(", "\\\\)"]],
        "displayMath": [["\\\\[", "\\\\]"]],
        "processRefs": False,
        "processEnvironments": False,
        # MyST marks pages to be skipped and the maths in them to be typeset
        "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
        "processClass": "math|output_area",
    }},
    # jupyter-server-mathjax ships the STIX-Web fonts only (as Jupyter configures it)
    "HTML-CSS": {{
        "availableFonts": [],
        "imageFont": None,
        "preferredFont": None,
        "webFont": "STIX-Web",
    }},
}}
"""


def model_fingerprint(src: Path = SRC / "crmsim") -> str:
    """A short hash of the package's source, naming the execution cache it may reuse."""
    digest = hashlib.sha256()
    for path in sorted(Path(src).rglob("*")):
        if path.is_file() and path.suffix in {".py", ".toml", ".json"}:
            digest.update(str(path.relative_to(src)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def rebase_links(text: str, page_dir: str, new_dir: str) -> str:
    """Rewrite the relative links of a page written in ``page_dir`` for a page in ``new_dir``.

    Both folders are relative to the site's root, in POSIX form (``"lessons"``, ``""``).
    """

    def rebase(match: re.Match) -> str:
        target = match.group("target")
        path, _, anchor = target.partition("#")
        if not path or "://" in path or path.startswith(("mailto:", "/")):
            return match.group(0)
        moved = posixpath.relpath(
            posixpath.normpath(posixpath.join(page_dir, path)), new_dir or "."
        )
        return f"{match.group('head')}{moved}{'#' + anchor if anchor else ''})"

    return MD_LINK.sub(rebase, text)


#: The site's own style: Persian text right to left in Vazirmatn.
SITE_CSS = """\
@font-face { font-family: "Vazirmatn"; src: url("fonts/Vazirmatn-Regular.ttf") format("truetype");
  font-weight: normal; }
@font-face { font-family: "Vazirmatn"; src: url("fonts/Vazirmatn-Bold.ttf") format("truetype");
  font-weight: bold; }
[lang="fa"], [dir="rtl"] { font-family: "Vazirmatn", sans-serif; }
[dir="rtl"] pre, [dir="rtl"] code { direction: ltr; text-align: left; }
"""


def landing_page(
    lessons_readme: str, lessons: list[str], notebooks: list[str], docs: list[str]
) -> str:
    """The site's ``index.md``: the lessons' README, retitled, rebased and with a table of contents.

    Parameters
    ----------
    lessons_readme : str
        ``lessons/README.md`` as the student edition has it (links outside it unlinked).
    lessons, notebooks, docs : list of str
        The pages to list, as paths from the site's root without suffix.
    """
    body = rebase_links(lessons_readme, "lessons", "")
    body = EDITIONS_BULLET.sub("", body)
    body = re.sub(r"^# .*\n", "", body, count=1).lstrip()
    # each lesson's notebook sits under the lesson (see notebook_toctree); others stand alone
    stems = {lesson.split("/", 1)[1] for lesson in lessons}
    alone = [n for n in notebooks if n.split("/", 1)[1] not in stems]
    english = [page for page in lessons + alone if "/fa/" not in page]
    persian = [page for page in lessons + alone if "/fa/" in page]
    reference = "\n".join(docs)
    text = f"# crmsim: a course in customer relationships\n\n{LANDING_INTRO}\n{body.rstrip()}\n\n"
    text += f"```{{toctree}}\n:hidden:\n:caption: Lessons\n\n{chr(10).join(english)}\n```\n"
    if persian:
        text += PERSIAN_LINK
        text += (
            "\n```{toctree}\n:hidden:\n:caption: درس‌ها به فارسی\n\nlessons/fa/README\n"
            + "\n".join(persian)
            + "\n```\n"
        )
    if docs:
        text += f"\n```{{toctree}}\n:hidden:\n:caption: Reference\n\n{reference}\n```\n"
    return text


#: The landing page's way to the Persian edition.
PERSIAN_LINK = """
<p dir="rtl" lang="fa">همین دوره به فارسی: <a href="lessons/fa/README.html">درس‌ها به فارسی</a></p>
"""


def notebook_toctree(notebook: str) -> str:
    """A hidden table of contents putting a lesson's notebook under the lesson in the sidebar."""
    number = notebook.rsplit("/", 1)[1].split("_", 1)[0]
    title = f"دفترچهٔ {number}" if "/fa/" in notebook else f"Notebook {number}"
    return f"\n```{{toctree}}\n:hidden:\n\n{title} </{notebook}>\n```\n"


def _write_if_changed(path: Path, data: bytes) -> None:
    # Sphinx rereads a page whose file is newer than its environment: keep unchanged ones old.
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _sync(source: Path, target: Path, keep: set[str]) -> None:
    """Make ``target`` hold ``source``'s files, leaving unchanged files and ``keep`` alone."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for path in wanted:
        _write_if_changed(target / path, (source / path).read_bytes())
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if relative.parts[0] in keep or relative in wanted:
                continue
            if path.is_file():
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def mathjax_folder() -> Path:
    """The MathJax 2 files that ``jupyter-server-mathjax`` ships."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def prepare_sources(
    site: Path,
    cache: Path,
    execute: list[str] | None = None,
    timeout: int = 600,
    notebooks: Path = ROOT / "notebooks",
    lessons: Path = ROOT / "lessons",
) -> list[str]:
    """Write the site's sources (student notebooks, lessons, docs, index, conf) into ``site``.

    Parameters
    ----------
    execute : list of str, optional
        Notebook names (stems) to execute; the others are shown without outputs. ``None``
        executes every notebook.

    Returns
    -------
    list of str
        The pages, as paths from ``site`` without suffix.
    """
    with tempfile.TemporaryDirectory(prefix="crmsim-book-") as scratch:
        edition = Path(scratch)
        make_student.build(edition, notebooks, lessons, key=None, package=False)
        lesson_pages, notebook_pages = [], []
        for folder in ("", "fa/"):
            lesson_pages += sorted(
                f"lessons/{folder}{p.stem}"
                for p in (edition / "lessons" / folder).glob("*.md")
                if p.stem != "README"
            )
            notebook_pages += sorted(
                f"notebooks/{folder}{p.stem}"
                for p in (edition / "notebooks" / folder).glob("*.ipynb")
            )
        doc_pages = sorted(
            p.relative_to(edition).with_suffix("").as_posix()
            for p in (edition / "docs").rglob("*.md")
        )
        for lesson in lesson_pages:
            paired = [n for n in notebook_pages if n.split("/", 1)[1] == lesson.split("/", 1)[1]]
            if paired:
                with (edition / f"{lesson}.md").open("a", encoding="utf-8") as page:
                    page.write(notebook_toctree(paired[0]))
        readme = (edition / "lessons" / "README.md").read_text(encoding="utf-8")
        index = landing_page(readme, lesson_pages, notebook_pages, doc_pages)
        (edition / "index.md").write_text(index, encoding="utf-8")
        # a notebook is named by its path under notebooks/: "00_getting_started", "fa/00_..."
        excluded = [
            f"{page}.ipynb"
            for page in notebook_pages
            if execute is not None and page.split("/", 1)[1] not in execute
        ]
        conf = CONF.format(cache=str(cache), excluded=excluded, timeout=timeout)
        (edition / "conf.py").write_text(conf, encoding="utf-8")
        _sync(edition, site, keep={"_static"})
    static = site / "_static" / "mathjax"
    if not static.is_dir():
        shutil.copytree(mathjax_folder(), static)
    # the Persian pages' typeface, shipped with the package (no font from the network)
    fonts = site / "_static" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in sorted((SRC / "crmsim" / "fonts").glob("*.ttf")):
        _write_if_changed(fonts / font.name, font.read_bytes())
    _write_if_changed(site / "_static" / "crmsim.css", SITE_CSS.encode("utf-8"))
    return ["index", *lesson_pages, *notebook_pages, *doc_pages]


def build(
    out: Path = ROOT / "build" / "book",
    work: Path = DEFAULT_WORK,
    execute: list[str] | None = None,
    timeout: int = 600,
    quiet: bool = True,
) -> list[str]:
    """Build the site into ``out``; return its pages (paths from ``out``, without ``.html``).

    Parameters
    ----------
    out : Path
        The site; open ``out/index.html``.
    work : Path
        Sources, Sphinx's environment and the execution cache, kept for quick rebuilds.
    execute : list of str, optional
        Only these notebooks (stems, ``"00_getting_started"``) are executed; all by default.
    timeout : int
        Seconds one notebook cell may run.

    Raises
    ------
    RuntimeError
        If Sphinx fails, for example because a notebook cell raised.
    """
    out, work = Path(out).resolve(), Path(work).resolve()
    fingerprint = model_fingerprint()
    caches = work / "cache"
    if caches.is_dir():  # outputs of an older model are no use again
        for old in caches.iterdir():
            if old.name != fingerprint:
                shutil.rmtree(old, ignore_errors=True)
    pages = prepare_sources(work / "site", caches / fingerprint, execute, timeout)
    env = dict(os.environ)
    # Kernels import this checkout's crmsim (an absolute path: they start in notebooks/) and
    # draw with the inline backend, whatever backend the caller's environment asks for.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env.pop("MPLBACKEND", None)
    # The package is the instructor's: a cell calling ``ex.qN.solution()`` must show none.
    env["CRMSIM_HIDE_SOLUTIONS"] = "1"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(work / "doctrees")]
    command += ["-q"] if quiet else []
    # Sphinx builds inside ``work`` (MyST-NB writes its executed notebooks next to the output
    # folder, not in it), and the finished site is copied to ``out``.
    command += [str(work / "site"), str(work / "html")]
    result = subprocess.run(command, env=env, check=False)
    if result.returncode:
        raise RuntimeError(f"the site's build failed (sphinx exit {result.returncode})")
    if out.exists():
        if any(out.iterdir()) and not (out / "index.html").is_file():
            raise RuntimeError(f"{out} is not empty and holds no site: not replacing it")
        shutil.rmtree(out)
    shutil.copytree(work / "html", out, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book", help="the site")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help="sources and execution cache"
    )
    parser.add_argument(
        "--execute",
        nargs="*",
        metavar="NOTEBOOK",
        help="execute only these notebooks (names without .ipynb); all by default",
    )
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    try:
        build(args.out, args.work, args.execute, args.timeout, quiet=not args.verbose)
    except (RuntimeError, make_student.SolutionMarkerError) as err:
        print(f"make_book: {err}", file=sys.stderr)
        return 1
    print(f"course site: open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
