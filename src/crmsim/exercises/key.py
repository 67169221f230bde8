"""An answer key that checks answers without holding them: salted, slow hashes with a tolerance.

The instructor edition checks an answer by recomputing it from the model (the checkers in
``crmsim.exercises.lesson_NN``), so it holds every answer and its method. The student
edition ships this key instead (``crmsim/exercises/answer_key.json``, written by
``make student`` from the instructor notebooks' own answers), and its questions check
against it with :class:`KeyedChecker`:

* an answer is broken into **parts**: a number, a text, each item of a list or each entry of
  a mapping, and for a :class:`~crmsim.Policy` each lever that differs from the default; a
  text that reads as a number (``"12%"``, ``"۱۲٪"``, ``"1,000"``, see
  :func:`~crmsim.exercises.core.read_number`) is that number, and ``"yes"`` and ``"no"`` are
  ``True`` and ``False`` (numpy's booleans too);
* the key is made from the answers as the checkers receive them
  (:meth:`~crmsim.exercises.core.Question.canonical`: a classification's items and labels in
  the question's own spelling), the form in which a student's answer reaches
  :class:`KeyedChecker` too; discussion questions are marked by hand and have no entry;
* a number is rounded to :data:`SIGNIFICANT` significant digits (a whole number is kept
  exactly) and each part is hashed with PBKDF2, a salt and the question's id, so the key file
  shows neither the numbers nor which of two answers is right;
* a student's number is accepted if it, or the rounding step above or below it, has the
  stored hash, so an answer computed in a different but equivalent way still passes;
* wrong parts are diagnosed by trying the usual slips on them (a percentage for a share, the
  opposite sign), so the feedback still says what went wrong, without giving the answer.

This deters reading answers off the installed package; it does not make them secret. The
hashes are slow (:data:`ITERATIONS` rounds), which makes trying every number of a known
size take hours rather than seconds, but the labels of a classification question have few
possible values and can be tried by hand anyway. For marks, grade with ``crmsim grade``
(:mod:`crmsim.exercises.grading`), which runs the instructor edition's checkers on the
answers recorded from each submission.

Examples
--------
>>> key = make_key({"demo.q1": 0.25}, {"demo.q1": "a share"}, salt="s")
>>> KeyedChecker("demo.q1", key)(0.25).correct
True
>>> KeyedChecker("demo.q1", key)(25).message
'that looks like a percentage; give the share as a fraction of 1.'
>>> KeyedChecker("demo.q1", key)("۲۵٪").correct
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from collections.abc import Iterator, Mapping
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from crmsim.exercises.core import Feedback, read_number

#: Significant digits to which numbers are compared.
SIGNIFICANT = 6
#: PBKDF2 rounds per hash: slow enough to make guessing numbers costly, quick for one check.
ITERATIONS = 20_000
#: The key shipped in the student edition, next to this module.
KEY_FILE = "answer_key.json"

__all__ = [
    "ITERATIONS",
    "KEY_FILE",
    "SIGNIFICANT",
    "KeyedChecker",
    "UncheckableAnswerError",
    "load_key",
    "make_key",
    "parts",
]


class UncheckableAnswerError(TypeError):
    """An answer of a kind the key cannot represent (it is checked when graded instead)."""


def _text(value: Any) -> str:
    """Texts compare without case, surrounding quotes or extra spaces."""
    return " ".join(str(value).strip().strip("'\"").lower().split())


#: Texts that answer a yes-or-no question as ``True`` or ``False`` do.
_YES_NO = {"yes": "true", "no": "false"}


def _leaves(answer: Any, path: str) -> Iterator[tuple[str, float | str]]:
    if answer is None:  # an unset option, such as a policy's ``promise``
        yield path, "none"
    elif isinstance(answer, Enum):
        yield path, _text(answer.name)
    elif isinstance(answer, bool) or type(answer).__name__ in ("bool_", "bool"):  # numpy's too
        yield path, "true" if answer else "false"
    elif isinstance(answer, numbers.Real):
        yield path, float(answer)
    elif isinstance(answer, str):
        number = read_number(answer)  # "12%", "۱۲٪" and "0.12" are one number
        text = _text(answer)
        yield path, _YES_NO.get(text, text) if number is None else number
    elif isinstance(answer, Mapping):
        for name in sorted(answer, key=_text):
            yield from _leaves(answer[name], f"{path}/{_text(name)}")
    elif isinstance(answer, set | frozenset):
        yield path, "|".join(sorted(_text(x) for x in answer))
    elif dataclasses.is_dataclass(answer) and not isinstance(answer, type):
        for field in dataclasses.fields(answer):
            yield from _leaves(getattr(answer, field.name), f"{path}.{field.name}")
    elif hasattr(answer, "__iter__") and hasattr(answer, "__len__"):
        items = answer.tolist() if hasattr(answer, "tolist") else list(answer)
        for index, item in enumerate(items):
            yield from _leaves(item, f"{path}/{index}")
    else:
        raise UncheckableAnswerError(f"cannot check an answer of type {type(answer).__name__}")


def parts(answer: Any) -> dict[str, float | str]:
    """The answer's parts by path: ``""`` for a single value, ``"/0"``, ``"/name"`` inside.

    Raises
    ------
    UncheckableAnswerError
        If some part is neither a number, a text, a collection nor a dataclass.
    """
    return dict(_leaves(answer, ""))


def _default_parts(answer: Any) -> dict[str, float | str]:
    """The parts of a default-made object of the answer's dataclass (empty if there is none)."""
    if not (dataclasses.is_dataclass(answer) and not isinstance(answer, type)):
        return {}
    try:
        return parts(type(answer)())
    except (TypeError, UncheckableAnswerError):
        return {}


def _exponent(value: float) -> int:
    return math.floor(math.log10(abs(value))) if value else 0


def _tokens(value: float | str, exponent: int | None) -> list[str]:
    """What a part is hashed as: a text, a whole number, or a rounded number and its neighbours."""
    if isinstance(value, str):
        return [f"t:{value}"]
    if not math.isfinite(value):
        return [f"x:{value}"]
    if exponent is None:  # whole numbers (weeks, counts) are exact: no neighbours
        return [f"i:{round(value)}"] if float(value).is_integer() else []
    step = 10.0 ** (exponent - SIGNIFICANT + 1)
    middle = round(value / step)
    return [f"f:{exponent}:{m}" for m in (middle, middle - 1, middle + 1)]


def _hash(salt: str, question: str, path: str, token: str) -> str:
    message = f"{question}\x1f{path}\x1f{token}".encode()
    return hashlib.pbkdf2_hmac("sha256", message, salt.encode(), ITERATIONS).hex()


def make_key(
    answers: Mapping[str, Any], titles: Mapping[str, str] | None = None, salt: str = ""
) -> dict[str, Any]:
    """The answer key for ``answers`` (question id to reference answer), as JSON-ready data.

    Parameters
    ----------
    answers : mapping
        Question id (``"lesson_05.q1"``) to the answer that passes its checker. Answers the
        key cannot represent are listed as checked only when graded.
    titles : mapping, optional
        Question id to title, kept for people reading the key.
    salt : str
        Mixed into every hash; a fresh random salt per cohort keeps last year's key useless.

    Returns
    -------
    dict
        ``{"salt", "significant", "iterations", "questions": {id: entry}}``.
    """
    questions: dict[str, Any] = {}
    for question, answer in answers.items():
        entry: dict[str, Any] = {"title": (titles or {}).get(question, question)}
        try:
            found = parts(answer)
        except UncheckableAnswerError:
            entry["kind"] = "graded only"
            questions[question] = entry
            continue
        defaults = _default_parts(answer)
        if defaults:  # a policy: only the levers the question is about
            found = {p: v for p, v in found.items() if defaults.get(p) != v}
            entry["kind"] = "object"
        elif isinstance(answer, str | numbers.Real | Enum):
            entry["kind"] = "value"
        elif isinstance(answer, Mapping):
            entry["kind"] = "mapping"
        else:
            entry["kind"] = "sequence"
            entry["length"] = len(found)
        entry["parts"] = []
        for path, value in found.items():
            exponent = (
                None if isinstance(value, str) or float(value).is_integer() else _exponent(value)
            )
            part = {"path": path, "exponent": exponent}
            part["digest"] = _hash(salt, question, path, _tokens(value, exponent)[0])
            entry["parts"].append(part)
        questions[question] = entry
    return {
        "salt": salt,
        "significant": SIGNIFICANT,
        "iterations": ITERATIONS,
        "questions": questions,
    }


def write_key(key: Mapping[str, Any], path: Path) -> Path:
    """Write ``key`` as JSON to ``path``; return the path."""
    path = Path(path)
    path.write_text(json.dumps(key, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def load_key() -> dict[str, Any]:
    """The key shipped with this installation (empty if there is none: the instructor edition)."""
    try:
        text = resources.files("crmsim.exercises").joinpath(KEY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return {"salt": "", "questions": {}}
    return json.loads(text)


_SLIPS = (
    (lambda v: v / 100, "looks like a percentage; give the share as a fraction of 1."),
    (lambda v: -v, "has the wrong sign; check which way round the difference goes."),
    (lambda v: 1 - v, "is the complement: the share of the others, not the one asked for."),
    (lambda v: v * 100, "looks like a share; this one is asked as a percentage."),
)


class KeyedChecker:
    """A checker that compares an answer with the answer key, for :class:`~.core.Question`.

    Parameters
    ----------
    question : str
        The question's id in the key (``"lesson_05.q1"``).
    key : mapping, optional
        The key to use; the installed one (:func:`load_key`) by default.
    """

    def __init__(self, question: str, key: Mapping[str, Any] | None = None) -> None:
        self.question = question
        self._key = key

    @property
    def key(self) -> Mapping[str, Any]:
        """The whole answer key this checker reads."""
        return self._key if self._key is not None else load_key()

    def _matches(self, part: Mapping[str, Any], value: float | str) -> bool:
        salt = self.key["salt"]
        digest = part["digest"]
        return any(
            _hash(salt, self.question, part["path"], token) == digest
            for token in _tokens(value, part["exponent"])
        )

    def _slip(self, part: Mapping[str, Any], value: float | str) -> str | None:
        if isinstance(value, str):
            return None
        for transform, message in _SLIPS:
            if self._matches(part, transform(value)):
                return message
        return None

    def __call__(self, answer: Any) -> Feedback:
        """Check ``answer`` against the key; explain what is wrong without the right answer."""
        entry = self.key["questions"].get(self.question)
        if entry is None or entry.get("kind") == "graded only":
            return Feedback(
                False,
                "this answer is checked when your notebook is graded, not here: make sure the "
                "cell runs and keeps your answer.",
            )
        try:
            given = parts(answer)
        except UncheckableAnswerError as err:
            return Feedback(False, f"{err}; give numbers, texts or a list or dict of them.")
        expected = entry["parts"]
        if entry["kind"] == "sequence" and len(given) != entry["length"]:
            return Feedback(False, f"give {entry['length']} items; you gave {len(given)}.")
        missing = [p["path"] for p in expected if p["path"] not in given]
        if entry["kind"] in ("mapping", "value") and missing:
            names = ", ".join(repr(p.strip("/.")) for p in missing if p) or "one value"
            return Feedback(False, f"the answer needs {names}.")
        wrong, slips = [], []
        for part in expected:
            value = given.get(part["path"])
            if value is None or not self._matches(part, value):
                wrong.append(part["path"])
                slip = None if value is None else self._slip(part, value)
                if slip:
                    slips.append((part["path"], slip))
        if not wrong:
            return Feedback(True, "that matches the answer key.")
        if len(expected) == 1:
            if slips:
                return Feedback(False, f"that {slips[0][1]}")
            return Feedback(False, "not the expected answer. Check the definition and try again.")
        name = {
            "sequence": "items",
            "mapping": "entries",
            "object": "settings that matter",
        }.get(entry["kind"], "parts")
        right = len(expected) - len(wrong)
        message = f"{right} of the {len(expected)} {name} are right."
        if entry["kind"] != "sequence":
            message += " Not yet right: " + ", ".join(repr(p.strip("/.")) for p in wrong) + "."
        else:
            first = min(int(p.strip("/")) for p in wrong)
            message += f" The first wrong one is item {first + 1}."
        for path, slip in slips:
            message += f" {path.strip('/.') or 'The value'} {slip}"
        return Feedback(False, message)
