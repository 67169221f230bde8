"""The machinery behind ``check()``, ``hint()`` and ``solution()``."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Feedback:
    """The verdict on an answer and the explanation shown to the learner."""

    correct: bool
    message: str


def close_to(expected: float, rel: float = 1e-3, abs_: float = 1e-9) -> Callable[[Any], bool]:
    """A predicate: is a number within ``rel`` (relative) or ``abs_`` of ``expected``?"""

    def within(value: Any) -> bool:
        try:
            return math.isclose(float(value), expected, rel_tol=rel, abs_tol=abs_)
        except (TypeError, ValueError):
            return False

    return within


def as_number(answer: Any) -> float | None:
    """The answer as a finite float, or None if it is not one number."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def is_percentage_of(value: float, share: float, tolerance: float = 0.002) -> bool:
    """Whether ``value`` is the share ``share`` written as a percentage (0.37 as 37)."""
    return 1 < value <= 100 and abs(value / 100 - share) < tolerance


class Question:
    """One exercise question.

    Parameters
    ----------
    title : str
        A short name shown in feedback.
    checker : callable
        Takes the learner's answer and returns a :class:`Feedback`. It should explain
        *why* a wrong answer is wrong (which definition was missed), not reveal the answer.
    hints : sequence of str
        Shown one at a time by successive ``hint()`` calls.
    solution : str
        Shown by ``solution()``: the worked answer, usually as code.
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], Feedback],
        hints: Sequence[str] = (),
        solution: str = "",
    ) -> None:
        self.title = title
        self.checker = checker
        self.hints = tuple(hints)
        self.solution_text = solution
        self._hints_shown = 0

    def check(self, answer: Any = None, quiet: bool = False) -> bool:
        """Check ``answer``; print feedback (unless ``quiet``) and return whether it is right."""
        if answer is None or answer is Ellipsis:
            feedback = Feedback(False, "No answer yet: replace the ____ or ... with your answer.")
        else:
            try:
                feedback = self.checker(answer)
            except Exception as err:  # a learner's odd answer must not crash the lesson
                feedback = Feedback(False, f"Could not check that answer ({err}).")
        if not quiet:
            mark = "Correct" if feedback.correct else "Not yet"
            print(f"{mark} — {self.title}: {feedback.message}")
        return feedback.correct

    def hint(self) -> str:
        """Print (and return) the next hint."""
        if not self.hints:
            text = "No hint for this one: re-read the lesson's section on it."
        else:
            text = self.hints[min(self._hints_shown, len(self.hints) - 1)]
            self._hints_shown += 1
        print(f"Hint — {self.title}: {text}")
        return text

    def solution(self) -> str:
        """Print (and return) the worked solution (the student edition has none to show)."""
        text = self.solution_text or NO_SOLUTION
        print(f"Solution — {self.title}:\n{text}")
        return text


#: What ``solution()`` says in the student edition, whose questions carry no solutions.
NO_SOLUTION = (
    "The worked solution is not part of this edition. Try the hints, then ask your instructor."
)


def question_id(question: Question) -> str | None:
    """The id of a lesson's question, ``"lesson_05.q1"``, found among the loaded lesson modules.

    Ids name questions in the answer key and the gradebook; ``None`` for a question that no
    ``crmsim.exercises.lesson_NN`` module defines (one made in a notebook).
    """
    for name, module in list(sys.modules.items()):
        if not name.startswith("crmsim.exercises.lesson_") or module is None:
            continue
        for attribute, value in vars(module).items():
            if value is question and attribute.startswith("q") and attribute[1:].isdigit():
                return f"{name.rsplit('.', 1)[1]}.{attribute}"
    return None
