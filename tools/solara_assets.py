"""Put Solara's front-end files in its local cache, for a dashboard that works offline.

A Solara page loads its JavaScript, CSS and fonts through the server, which fetches them from
a public CDN on first use and keeps them in ``<venv>/share/solara/cdn``. Where that CDN is out
of reach (CI here, an offline classroom) the page stays blank. The CDN serves the files of
npm packages, so this script takes the same packages from the npm registry with ``npm pack``
and unpacks them where the server looks first.

Run it with the venv's Python (it reads the installed Solara's versions)::

    .venv/bin/python tools/solara_assets.py

It does nothing for packages already in the cache, and exits with 1 if npm is missing or a
package cannot be fetched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import resources
from pathlib import Path


def packages() -> list[str]:
    """The npm packages (``name@version``) the installed Solara's page template loads."""
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


def main() -> int:
    import solara.server.settings as settings

    cache = Path(settings.assets.proxy_cache_dir)
    wanted = [p for p in packages() if not (cache / p / "package.json").exists()]
    if not wanted:
        print(f"Solara's front-end files are already in {cache}")
        return 0
    npm = shutil.which("npm")
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


if __name__ == "__main__":
    raise SystemExit(main())
