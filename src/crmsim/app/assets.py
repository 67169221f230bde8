"""Solara's front-end files: which ones the page needs, whether they are installed, and the step
that installs them from the npm registry, so that the dashboard works offline.

A Solara page loads its JavaScript, CSS and fonts through the server, which looks for them in
``<environment>/share/solara/cdn`` and otherwise fetches them from a public CDN. Where that CDN
is out of reach (a classroom network, CI) and the files are not installed, the page stays
blank with no message. The CDN serves the files of npm packages, so :func:`install` takes the
same packages from the npm registry (``npm pack``) and unpacks them where the server looks
first. (The PyPI package ``solara-assets`` would do the same, but it lags behind Solara's
releases and ships other versions of these files than the installed Solara loads.)

``make venv`` runs this step; by hand, with the environment's Python::

    python -m crmsim.app.assets

It does nothing for packages already installed, and exits with 1 if npm is missing or a
package cannot be fetched. ``crmsim app`` checks the files before it serves the page
(:func:`missing`) and, if they are missing and the CDN is out of reach, says to run this
command (:func:`install_command`) instead of serving a blank page.

The Persian page's typeface, Vazirmatn, ships with crmsim itself (``crmsim/fonts``): the page
receives it in its own CSS (:func:`font_faces`), so it needs neither npm nor the internet.
"""

from __future__ import annotations

import base64
import functools
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path

from crmsim.typefaces import FONT_DIR, PERSIAN_FAMILY

#: A file every Solara page loads first: fetched to tell whether the CDN can be reached.
PROBE = "requirejs@2.3.6/require.js"


def packages() -> list[str]:
    """The npm packages (``name@version``) the installed Solara's page loads.

    Read from Solara's page template and settings, so the list follows Solara's upgrades.

    Examples
    --------
    >>> any(p.startswith("requirejs@") for p in packages())
    True
    """
    import ipyvuetify
    import solara.server.settings as settings

    package = r"((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/"  # name@version/, the name maybe @scoped
    template = resources.files("solara.server").joinpath("templates/solara.html.j2").read_text()
    found = set(re.findall(r"\{\{cdn\}\}/" + package, template))
    fontawesome = re.match("/?" + package, settings.assets.fontawesome_path)
    if fontawesome:
        found.add(fontawesome.group(1))
    # The template names the front-end for both Vuetify 2 and 3; only one is used.
    vuetify3 = int(ipyvuetify.__version__.split(".")[0]) >= 3
    unused = "solara-vuetify-app@" if vuetify3 else "solara-vuetify3-app@"
    return sorted(p for p in found if unused not in p)


def cache_dir() -> Path:
    """Where Solara's server looks for the files first (``SOLARA_ASSETS_PROXY_CACHE_DIR``)."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing(cache: Path | None = None) -> list[str]:
    """The packages of :func:`packages` not installed in ``cache`` (:func:`cache_dir`).

    Examples
    --------
    >>> missing(Path("/nonexistent")) == packages()
    True
    """
    cache = cache_dir() if cache is None else cache
    return [p for p in packages() if not (cache / p / "package.json").exists()]


def cdn_url() -> str:
    """The CDN the server fetches missing files from (``SOLARA_ASSETS_CDN``)."""
    import solara.settings

    return str(solara.settings.assets.cdn)


def cdn_reachable(timeout: float = 3.0) -> bool:
    """Whether the CDN answers within ``timeout`` seconds.

    The request runs in a thread given up after ``timeout``: a name lookup on a closed
    network may block for much longer than a socket's own timeout.
    """
    url = cdn_url().rstrip("/") + "/" + PROBE
    answered: list[bool] = []

    def probe() -> None:
        try:
            with urllib.request.urlopen(url, timeout=timeout):
                answered.append(True)
        except (OSError, ValueError, urllib.error.URLError):
            answered.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answered and answered[0])


def install_command() -> str:
    """The command that installs the files into this environment, ready to paste.

    Examples
    --------
    >>> install_command().endswith("-m crmsim.app.assets")
    True
    """
    return f"{shlex.quote(sys.executable)} -m crmsim.app.assets"


def install(
    wanted: list[str] | None = None,
    cache: Path | None = None,
    npm: str | None = None,
) -> int:
    """Fetch the missing packages with ``npm pack`` and unpack them into ``cache``.

    Parameters
    ----------
    wanted : list of str, optional
        ``name@version`` of each package; the :func:`missing` ones by default.
    cache : pathlib.Path, optional
        Solara's cache folder, :func:`cache_dir` by default.
    npm : str, optional
        The npm program; found on the ``PATH`` by default.

    Returns
    -------
    int
        0 when every package is installed, 1 if npm is missing or a package cannot be fetched
        (the reason on stderr). Each package installed is reported on stdout.
    """
    cache = cache_dir() if cache is None else cache
    wanted = missing(cache) if wanted is None else wanted
    if not wanted:
        print(f"Solara's front-end files are already in {cache}")
        return 0
    npm = npm or shutil.which("npm")
    if npm is None:
        print("npm is needed to fetch Solara's front-end files: install Node.js", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for package in wanted:
            result = subprocess.run(
                [npm, "pack", package, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                print(f"npm pack {package} failed:\n{result.stderr}", file=sys.stderr)
                return 1
            archive = Path(tmp) / result.stdout.strip().splitlines()[-1]
            target = cache / package
            unpacked = Path(tmp) / "unpacked"
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")
            # npm archives hold one folder, "package/": its content is the CDN's folder.
            (inner,) = unpacked.iterdir()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(inner, target)
            shutil.rmtree(unpacked)
            print(f"{package} -> {target}")
    return 0


#: The shipped typeface the Persian page is written in: its CSS name and its files by weight.
FONT_FAMILY = PERSIAN_FAMILY
FONT_FILES = {400: "Vazirmatn-Regular.ttf", 700: "Vazirmatn-Bold.ttf"}


@functools.cache
def font_faces() -> str:
    """``@font-face`` rules for Vazirmatn (regular and bold), each file in the rule itself as a
    ``data:`` URL: the page has its typeface with its CSS, from no address of its own and
    with nothing fetched from the internet.

    Examples
    --------
    >>> rules = font_faces()
    >>> rules.count("@font-face"), "font-family: 'Vazirmatn'" in rules
    (2, True)
    """
    rules = []
    for weight, name in FONT_FILES.items():
        data = base64.b64encode((FONT_DIR / name).read_bytes()).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; "
            f"font-weight: {weight}; font-display: swap; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    return "\n".join(rules) + "\n"


def main() -> int:
    """``python -m crmsim.app.assets``: install the missing files (see :func:`install`)."""
    return install()


if __name__ == "__main__":
    raise SystemExit(main())
