"""The run log of a sweep in ``out_dir``: one JSON line per finished run, written as it ends, so
that an interrupted sweep (comparison, search) resumes without redoing them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from crmsim.experiments.kpis import KPIS
from crmsim.levers import Market, Population

#: The run log's file, and the manifest that says what a sweep's or a comparison's runs are.
RUN_LOG = "runs.jsonl"
SWEEP_MANIFEST = "sweep.json"
COMPARE_MANIFEST = "compare.json"
OPTIMIZE_MANIFEST = "optimize.json"


def run_settings(
    weeks: int,
    n_customers: int,
    seed: int,
    market: Market | None,
    population: Population | None,
    network: Any,
    streams: str = "sequential",
) -> dict[str, Any]:
    """The settings every run of a sweep or a comparison shares, as its run log records them.

    A resumed experiment must have the same ones; each kind adds what it varies around.
    """
    return {
        "weeks": weeks,
        "n_customers": n_customers,
        "seed": seed,
        "market": _canonical(market or Market()),
        "population": _canonical(population or Population()),
        "network": _network_label(network),
        "kpis": list(KPIS),
        # keyed and sequential runs of one seed differ: a resume must not mix them
        "streams": streams,
    }


def _canonical(value: Any) -> Any:
    """Plain, order-independent data for a fingerprint (sets sorted, dataclasses as dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _network_label(network: Any) -> Any:
    if isinstance(network, str):
        return network
    # a user's graph: identify it by its edges, so a different graph is a different sweep
    edges = sorted((min(a, b), max(a, b)) for a, b in network.edges())
    digest = hashlib.sha256(repr((network.number_of_nodes(), edges)).encode()).hexdigest()
    return f"graph:{digest[:16]}"


def _point_key(values: Mapping[str, Any]) -> str:
    return json.dumps(_canonical(dict(values)), sort_keys=True)


@functools.cache
def model_fingerprint() -> str:
    """The package version and a hash of the code that makes a run's numbers.

    Every Python file of the package but the dashboard, the exercises, the command line and
    the plots (which show results without changing them). A sweep records it, and refuses to
    resume runs made by other code.
    """
    import crmsim

    root = Path(crmsim.__file__).parent
    skip = {"app", "exercises"}
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in skip or relative.name in {"cli.py", "plots.py", "__main__.py"}:
            continue
        digest.update(str(relative).encode())
        digest.update(path.read_bytes())
    return f"crmsim {crmsim.__version__}, code {digest.hexdigest()[:12]}"


class _RunLog:
    """Finished runs in ``out_dir/runs.jsonl``: one JSON line per run, flushed as it ends.

    ``out_dir/sweep.json`` (``compare.json`` for a comparison, ``optimize.json`` for a
    search) holds the settings every line was made with and the model's fingerprint; a
    resumed sweep must have the same settings (its design may differ: points it shares reuse
    their runs).
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        settings: dict[str, Any],
        manifest_name: str = SWEEP_MANIFEST,
    ) -> None:
        self.folder = Path(out_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = self.folder / manifest_name
        settings = json.loads(json.dumps(settings))  # as it reads back from disk
        model = model_fingerprint()
        if manifest.is_file():
            recorded = json.loads(manifest.read_text(encoding="utf-8"))
            saved = recorded.get("settings")
            if recorded.get("model") != model:
                raise ValueError(
                    f"{self.folder} holds runs made by another version of the model "
                    f"({recorded.get('model') or 'not recorded'}; now {model}): their results "
                    "would not match new runs. Use another out_dir, or delete it to start afresh"
                )
            if saved != settings:
                differ = sorted(
                    k
                    for k in set(saved or {}) | set(settings)
                    if (saved or {}).get(k) != settings.get(k)
                )
                raise ValueError(
                    f"{self.folder} holds runs of a different experiment (settings differ in "
                    f"{differ}); use another out_dir, or delete it to start afresh"
                )
        else:
            manifest.write_text(
                json.dumps({"format": 1, "model": model, "settings": settings}, indent=2),
                encoding="utf-8",
            )
        self.path = self.folder / RUN_LOG
        self.done: dict[tuple[str, int], dict[str, float]] = {}
        if self.path.is_file():
            self._read()
        self._file = None

    def _read(self) -> None:
        data = self.path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            # a run cut off mid-line by a kill: drop the fragment so new lines start clean
            with open(self.path, "r+b") as file:
                file.truncate(len(complete))
        for number, line in enumerate(complete.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key = (_point_key(record["point"]), int(record["replication"]))
                self.done[key] = record["kpis"]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                raise ValueError(
                    f"{self.path} line {number} is not a run record ({err}); move the file "
                    "away to start afresh"
                ) from None

    def add(self, values: Mapping[str, Any], replication: int, seed: int, kpis: dict) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        record = {"point": _canonical(dict(values)), "replication": replication, "seed": seed}
        self._file.write(json.dumps(record | {"kpis": kpis}) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())  # on disk before the next run: a crash loses none
        self.done[(_point_key(values), replication)] = kpis

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
