"""Self-checking exercises for the lesson notebooks, in the style of Kaggle's learntools.

Each lesson has a module ``crmsim.exercises.lesson_NN`` with questions ``q1``,
``q2`` ...; a notebook cell calls ``q1.check(answer)``, ``q1.hint()`` or
``q1.solution()``. Feedback explains what is wrong and why, and never gives the
answer away unless the learner asks for the solution.

Examples
--------
>>> from crmsim.exercises import Question, Feedback
>>> def checker(value):
...     if abs(value - 0.01) < 1e-9:
...         return Feedback(True, "Right: 170,000 of the 17,000,000 at the start.")
...     return Feedback(False, "Divide the customers lost by those present at the start.")
>>> q = Question("telecom churn", checker, hints=["Who is in the denominator?"],
...              solution="churn = 170_000 / 17_000_000")
>>> q.check(0.01, quiet=True)
True
"""

from crmsim.exercises.core import (
    Classification,
    Discussion,
    Feedback,
    Prediction,
    Question,
    close_to,
    label_checker,
    normalize_label,
    question_id,
    read_number,
    sentence,
)

__all__ = [
    "Classification",
    "Discussion",
    "Feedback",
    "Prediction",
    "Question",
    "close_to",
    "label_checker",
    "normalize_label",
    "question_id",
    "read_number",
    "sentence",
]
