"""Put Solara's front-end files in its local cache, for a dashboard that works offline.

The same as ``python -m crmsim.app.assets`` (see :mod:`crmsim.app.assets`), which ``make venv``
runs; kept for scripts that call this file. Run it with the environment's Python::

    .venv/bin/python tools/solara_assets.py
"""

from __future__ import annotations

from crmsim.app.assets import main

if __name__ == "__main__":
    raise SystemExit(main())
