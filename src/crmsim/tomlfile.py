"""Plain data to TOML text, and TOML files read with one-line errors.

The standard library reads TOML but does not write it. A game writes two kinds of files
people read and edit: its configuration and the decisions each firm played. Policies,
scenarios, markets and games are all read with :func:`read`, so a file that cannot be read
is reported the same way wherever it is given. Both are
plain data (strings, numbers, booleans, lists and tables), which is all this writer
handles; anything else is refused rather than written in a form ``tomllib`` would read
back differently.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_text(name: Any) -> str:
    """A table's key as TOML writes it: bare when it can be, else quoted."""
    if not isinstance(name, str):
        raise TypeError(f"TOML keys are strings, got {name!r}")
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def value_text(value: Any) -> str:
    """Plain data (a number, a text, a list, a mapping) as one TOML value; a mapping becomes an
    inline table. ``TypeError`` for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, str):
        # JSON's escapes are a subset of TOML's basic strings
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` as TOML text that ``tomllib.loads`` reads back equal.

    Nested mappings become tables and lists of mappings arrays of tables; ``None`` values
    are left out (TOML has no null).

    Examples
    --------
    >>> print(dumps({"name": "Spring", "teams": ["A", "B"], "budget": {"max_discount": 0.2}}))
    name = "Spring"
    teams = ["A", "B"]
    <BLANKLINE>
    [budget]
    max_discount = 0.2
    <BLANKLINE>
    """
    lines: list[str] = []
    _write_table(lines, data, prefix=())
    return "\n".join(lines).lstrip("\n") + "\n"


def _write_table(lines: list[str], data: Mapping[str, Any], prefix: tuple[str, ...]) -> None:
    items = [(k, v) for k, v in data.items() if v is not None]
    for key, value in items:
        if not isinstance(value, Mapping) and not _is_table_array(value):
            lines.append(f"{key_text(key)} = {value_text(value)}")
    for key, value in items:
        path = (*prefix, key_text(key))
        if isinstance(value, Mapping):
            lines += ["", f"[{'.'.join(path)}]"]
            _write_table(lines, value, path)
        elif _is_table_array(value):
            for item in value:
                lines += ["", f"[[{'.'.join(path)}]]"]
                _write_table(lines, item, path)


def read(path: Path) -> dict[str, Any]:
    """The data of the TOML file ``path``; ``ValueError`` in one line naming the file if it
    cannot be read or is not TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: cannot be read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({err})") from None
    except RecursionError:
        raise ValueError(f"{path}: not valid TOML (nested too deeply)") from None
