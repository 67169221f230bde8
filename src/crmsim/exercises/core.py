"""The machinery behind ``check()``, ``hint()`` and ``solution()``."""

from __future__ import annotations

import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crmsim.i18n import N_, _, format_number, parse_number, right_to_left, translations
from crmsim.terms import read_term, spelling_key, term


@dataclass(frozen=True)
class Feedback:
    """The verdict on an answer and the explanation shown to the learner."""

    correct: bool
    message: str


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest left as written.

    Unlike ``str.capitalize``, names in the text keep their case, so feedback that mentions
    ``crmsim.episodes.RECOVERED_SERVICE`` still names the constant the learner must look up.

    Examples
    --------
    >>> sentence("the term is RECOVERED_SERVICE")
    'The term is RECOVERED_SERVICE'
    """
    return text[:1].upper() + text[1:]


def close_to(expected: float, rel: float = 1e-3, abs_: float = 1e-9) -> Callable[[Any], bool]:
    """A predicate: is a number within ``rel`` (relative) or ``abs_`` of ``expected``?"""

    def within(value: Any) -> bool:
        number = as_number(value)
        return number is not None and math.isclose(number, expected, rel_tol=rel, abs_tol=abs_)

    return within


def near(value: float, expected: float, *, within: float = 0.0, share: float = 0.0) -> bool:
    """Is ``value`` within ``within`` of ``expected``, or within ``share`` of ``expected``'s size?

    The bound is the larger of the two. Unlike :func:`close_to`, a relative bound is taken
    on the expected number alone (``math.isclose`` takes it on the larger of the two), so
    "within half a percent of the measured value" means just that.
    """
    return abs(value - expected) <= max(within, share * abs(expected))


#: Persian and Arabic-Indic digits, and their decimal and thousands marks, as ASCII.
_DIGITS = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬٪",
    "01234567890123456789.,%",
)


#: "percent" written out (English or Persian) after a number reads as a percent sign.
_PERCENT_WORDS = re.compile(r"\s*(?:per\s*cent|percent|pct|درصد)\s*$")
#: Blanks inside a number ("1 000"), and the direction marks Persian text may carry.
_BLANKS = re.compile(r"[\s\u200c\u200e\u200f\u00a0\u202f]+")


def _read_plain(cleaned: str) -> float | None:
    """What :func:`float` reads of a number :func:`~crmsim.i18n.parse_number` does not: ``"5."``."""
    cleaned = cleaned.translate(_DIGITS).replace("\u2212", "-")
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def read_number(text: str) -> float | None:
    """A number written as text, or None: ``"0.3"``, ``"1,000"``, ``"12%"``, ``"۱۲٫۵٪"``.

    A percent sign (or the word, ``"12 percent"``, ``"۱۲ درصد"``) divides by 100, so ``"1%"``
    reads as 0.01, the share it names. Numbers written in Persian are read as
    :func:`crmsim.i18n.parse_number` reads them: Persian and Arabic-Indic digits, ``٫`` for the
    decimal point, ``٬`` between thousands and ``٪`` for per cent.

    Examples
    --------
    >>> read_number("۱٪"), read_number("1,000"), read_number("12 percent")
    (0.01, 1000.0, 0.12)
    >>> read_number("۰٫۱۲۵"), read_number("۱٬۲۰۰"), read_number("۱۲٫۵٪")
    (0.125, 1200.0, 0.125)
    >>> read_number("about ten") is None
    True
    """
    cleaned = _PERCENT_WORDS.sub("%", text.strip().lower())
    cleaned = _BLANKS.sub("", cleaned).replace("٪", "%")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    if "%" in cleaned:  # one sign, at the end: "12%%" is a slip, not a number
        return None
    try:
        value: float | None = parse_number(cleaned)
    except ValueError:
        value = _read_plain(cleaned)
    if value is None or not math.isfinite(value):
        return None
    return value / 100 if percent else value


def as_number(answer: Any) -> float | None:
    """The answer as a finite float, or None if it is not one number (texts such as "1%" and
    "۱۲٫۵٪" read, see :func:`read_number`)."""
    if isinstance(answer, str):
        return read_number(answer)
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def as_float(answer: Any) -> float:
    """``float(answer)``, except that a text is read as :func:`read_number` reads it first.

    For checkers that unpack several numbers, ``rude, kind = (as_float(x) for x in answer)``:
    what ``float`` read they still read, and ``"۰٫۵"`` or ``"50%"`` as well.

    Raises
    ------
    TypeError, ValueError
        As ``float`` does, for what is not a number.

    Examples
    --------
    >>> as_float("۰٫۲۵"), as_float(3), as_float("25%")
    (0.25, 3.0, 0.25)
    """
    if isinstance(answer, str):
        number = read_number(answer)
        if number is not None:
            return number
    return float(answer)


def as_pair(answer: Any) -> tuple[float, float] | None:
    """The answer as a pair of finite numbers ``(first, second)``, or None if it is not one."""
    if isinstance(answer, str):
        return None
    try:
        first, second = answer
    except (TypeError, ValueError):
        return None
    a, b = as_number(first), as_number(second)
    return None if a is None or b is None else (a, b)


#: The choices of a prediction about how a measure moves between two runs (marked for the
#: catalog: a prediction is typed in English, and shown with its translation beside it).
TREND_CHOICES = (N_("rises"), N_("falls"), N_("stays about the same"))


def trend(before: float, after: float) -> str:
    """How a measure moves from ``before`` to ``after``, as one of :data:`TREND_CHOICES`.

    A change of less than about 15 % either way (a rise under 15 %, a fall under 13 %) is
    "stays about the same": smaller gaps between a few runs are mostly luck.

    Examples
    --------
    >>> trend(100, 130), trend(100, 80), trend(100, 105)
    ('rises', 'falls', 'stays about the same')
    """
    if after > 1.15 * before:
        return "rises"
    if after < 0.87 * before:
        return "falls"
    return "stays about the same"


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
    reader : callable, optional
        Turns an answer into the form the checker reads (and the answer key is made from),
        such as stage names written in Persian into the English code names; it must hand
        back what it cannot read unchanged.
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], Feedback],
        hints: Sequence[str] = (),
        solution: str = "",
        reader: Callable[[Any], Any] | None = None,
    ) -> None:
        self.title = title
        self.checker = checker
        self.hints = tuple(hints)
        self.solution_text = solution
        self.reader = reader
        self._hints_shown = 0

    def check(self, answer: Any = None, quiet: bool = False) -> bool:
        """Check ``answer``; print feedback (unless ``quiet``) and return whether it is right."""
        feedback = self._feedback(answer, self.judge)
        if not quiet:
            mark = _("Correct") if feedback.correct else _("Not yet")
            print(
                _("{mark} — {title}: {message}").format(
                    mark=mark, title=_(self.title), message=feedback.message
                )
            )
        return feedback.correct

    @staticmethod
    def _feedback(answer: Any, judge: Callable[[Any], Feedback]) -> Feedback:
        if answer is None or answer is Ellipsis:
            return Feedback(False, _("No answer yet: replace the ____ or ... with your answer."))
        try:
            return judge(answer)
        except Exception as err:  # a learner's odd answer must not crash the lesson
            return Feedback(False, _("Could not check that answer ({error}).").format(error=err))

    def judge(self, answer: Any) -> Feedback:
        """The feedback on an answer that is there; kinds of question add their own steps."""
        return self.checker(self.canonical(answer))

    def mark(self, answer: Any) -> Feedback:
        """The verdict for grading (``crmsim grade``): as :meth:`check`, silently, without the
        steps that only guide the learner (a :class:`Prediction`'s prediction is not marked)."""
        return self._feedback(answer, self.judge)

    def canonical(self, answer: Any) -> Any:
        """The answer as the checker receives it (the answer key is made from this form).

        The answer itself for most questions, or what the question's ``reader`` makes of it;
        a :class:`Classification` maps items and labels onto its own spelling.
        """
        return answer if self.reader is None else self.reader(answer)

    def hint(self) -> str:
        """Print (and return) the next hint."""
        if not self.hints:
            text = _("No hint for this one: re-read the lesson's section on it.")
        else:
            # hints are written in English in the lesson modules and shown in the language in use
            text = _(self.hints[min(self._hints_shown, len(self.hints) - 1)])
            self._hints_shown += 1
        print(_("Hint — {title}: {text}").format(title=_(self.title), text=text))
        return text

    def solution(self) -> str:
        """Print (and return) the worked solution (the student edition has none to show).

        None is shown either while the environment variable :data:`HIDE_SOLUTIONS` is set (the
        course site runs the student notebooks with the instructor's package, so that a
        ``solution()`` cell shows nothing there).
        """
        text = self.solution_text or NO_SOLUTION
        if os.environ.get(HIDE_SOLUTIONS):
            text = NO_SOLUTION
        text = _(text)
        print(_("Solution — {title}:").format(title=_(self.title)) + "\n" + text)
        return text


#: An environment variable: while it is set (to anything not empty), ``solution()`` shows none.
HIDE_SOLUTIONS = "CRMSIM_HIDE_SOLUTIONS"

#: What ``solution()`` says in the student edition, whose questions carry no solutions.
NO_SOLUTION = N_(
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


# ------------------------------------------------------------------ kinds of question
def normalize_label(text: Any, aliases: Mapping[str, str] | None = None) -> str:
    """A label as the checkers compare it: lower case, no accents, punctuation or plural ``s``.

    ``"Knowledge-based"``, ``"knowledge based"`` and ``"KNOWLEDGE"`` differ only in word forms,
    so a list of ``aliases`` (normalized form → label) maps them onto one label; ``"gifts"``
    and ``"gift"`` meet without one.

    Examples
    --------
    >>> normalize_label("  Gifts ")
    'gift'
    >>> normalize_label("Knowledge-based trust", {"knowledge based trust": "knowledge"})
    'knowledge'
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    joined = " ".join(words)
    if aliases:
        # a Persian alias has no letters left here (see read_label): it must not match "" too
        table = {
            " ".join(re.sub(r"[^a-z0-9]+", " ", k.lower()).split()): v
            for k, v in aliases.items()
            if k.isascii()
        }
        if joined in table:
            return normalize_label(table[joined])
    singular = [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    ]
    joined = " ".join(singular)
    if aliases and joined in table:
        return normalize_label(table[joined])
    return joined


class Prediction(Question):
    """A predict-then-run question: commit to a prediction, run the model, check what it shows.

    The learner first calls ``predict(choice)`` with one of ``choices`` (before running the
    cell that answers the question), then ``check(answer)`` with what the run measured. The
    prediction is not marked; once the measured answer is right, the feedback sets it beside
    what the run showed (``outcome(answer)``), so a wrong guess becomes the thing to explain.

    Parameters
    ----------
    title, checker, hints, solution
        As for :class:`Question`; ``checker`` judges the measured answer.
    choices : sequence of str
        The predictions on offer, such as ``("rises", "falls", "stays about the same")``.
    outcome : callable
        Maps a (correct) measured answer to the choice it bears out; an answer written as
        text that reads as a number (``"-3.9%"``) reaches it as that number. The student
        edition keeps it (it must compute from the answer, not hold one).

    Examples
    --------
    >>> q = Prediction("gift and churn", lambda a: Feedback(a < 0, "measured"),
    ...                choices=("rises", "falls"), outcome=lambda a: "falls" if a < 0 else "rises")
    >>> q.check(-0.01, quiet=True)  # no prediction yet
    False
    >>> text = q.show()
    Predictions on offer — gift and churn:
        'rises'
        'falls'
    >>> q.predict("Rises")
    Prediction recorded — gift and churn: rises. Now run the model and check what it shows.
    >>> q.prediction
    'rises'
    >>> q.judge(-0.01).message
    'measured You predicted it rises; the run shows it falls. Explain the gap in your own words.'
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], Feedback],
        choices: Sequence[str],
        outcome: Callable[[Any], str],
        hints: Sequence[str] = (),
        solution: str = "",
    ) -> None:
        super().__init__(title, checker, hints=hints, solution=solution)
        self.choices = tuple(choices)
        self.outcome = outcome
        self.prediction: str | None = None

    def show(self) -> str:
        """Print (and return) the predictions on offer, one a line, as the learner types them.

        In a language other than English each choice is followed by its translation, as
        :func:`choice_list` writes it: ``'rises' (افزایش می‌یابد)``. The choice itself is what
        :meth:`predict` takes (its translation is read too).
        """
        lines = [_("Predictions on offer — {title}:").format(title=_(self.title))]
        lines += [f"    {choice_list((choice,))}" for choice in self.choices]
        text = "\n".join(lines)
        print(text)
        return text

    def predict(self, choice: str) -> None:
        """Record the prediction ``choice`` (one of :attr:`choices`, or its translation in the
        language in use) and print what was recorded, in the language in use.

        The prediction is kept in :attr:`prediction` (the choice itself, as the code names
        it); nothing is returned, so a notebook cell that ends with the call shows the printed
        message only, not an English value after it.
        """
        options = choice_list(self.choices)
        title = _(self.title)
        if choice is None or choice is Ellipsis:
            print(
                _("No prediction yet — {title}: replace the ... with one of {options}.").format(
                    title=title, options=options
                )
            )
            return
        wanted = normalize_label(choice)
        matches = [
            c
            for c in self.choices
            if normalize_label(c) == wanted or str(choice).strip() == _(c).strip()
        ]
        if not matches:
            print(
                _("Not a prediction on offer — {title}: choose one of {options}.").format(
                    title=title, options=options
                )
            )
            return
        self.prediction = matches[0]
        print(
            _(
                "Prediction recorded — {title}: {prediction}. "
                "Now run the model and check what it shows."
            ).format(title=title, prediction=_(self.prediction))
        )

    def judge(self, answer: Any) -> Feedback:
        if self.prediction is None:
            return Feedback(
                False,
                _(
                    "First commit to a prediction, before you run: "
                    ".predict(...) with one of {options}."
                ).format(options=choice_list(self.choices)),
            )
        feedback = self.checker(answer)
        if not feedback.correct:
            return feedback
        number = read_number(answer) if isinstance(answer, str) else None
        shown = self.outcome(answer if number is None else number)  # "-3.9%" reads as a number
        if normalize_label(shown) == normalize_label(self.prediction):
            comparison = _(
                "You predicted it {prediction}, and it does. Say why in your own words."
            ).format(prediction=_(self.prediction))
        else:
            comparison = _(
                "You predicted it {prediction}; the run shows it {shown}. "
                "Explain the gap in your own words."
            ).format(prediction=_(self.prediction), shown=_(shown))
        return Feedback(True, f"{feedback.message} {comparison}")

    def mark(self, answer: Any) -> Feedback:
        """The measured answer's verdict: the prediction is recorded, not marked."""
        return self._feedback(answer, self.checker)


def quoted(value: Any) -> str:
    """``value`` as an answer quotes it: ``repr``, but a text's Persian joiners left unescaped
    and a number written as :func:`~crmsim.i18n.format_number` writes it (in Persian digits
    in Persian; in English that is its ``repr``).

    Examples
    --------
    >>> quoted("مشتری\u200cمدار") == "'مشتری\u200cمدار'", quoted(3), quoted(np.float64(0.5))
    (True, '3', '0.5')
    """
    if isinstance(value, str):
        return f"'{value}'" if "'" not in value else repr(value)
    if type(value) in (int, float):  # format() writes these as repr() does
        return format_number(value)
    if isinstance(value, np.integer | np.floating):  # np.float64(0.5) is 0.5 to a learner
        return format_number(value.item())
    return repr(value)


def item_list(items: Sequence[str]) -> str:
    """Items of a classification as feedback names them: each as the learner types it, then
    its translation when the language in use has one (``'clean sheets' (ملحفهٔ تمیز)``)."""
    comma = "، " if right_to_left() else ", "
    return comma.join(_item_named(item) for item in items)


def _item_named(item: str) -> str:
    """``item`` quoted as the learner types it, then its translation if the language has one."""
    shown = _(item) if isinstance(item, str) and len(item) > 1 else item
    return quoted(item) if shown == item else f"{quoted(item)} ({shown})"


def choice_list(choices: Sequence[str]) -> str:
    """The choices of a :class:`Prediction` as the learner types them, each followed by its
    translation when the language in use has one: ``'rises' (افزایش می‌یابد), ...``.

    Examples
    --------
    >>> choice_list(("rises", "falls"))
    "'rises', 'falls'"
    """
    return ", ".join(_item_named(choice) for choice in choices)


def read_label(
    label: Any,
    aliases: Mapping[str, str] | None = None,
    kind: str | None = None,
    labels: Sequence[str] = (),
) -> str:
    """A label as :func:`normalize_label` gives it, or, when it is none of ``labels`` and the
    labels are names of a ``kind`` of :data:`crmsim.terms.TERM_KINDS`, the name it reads as.

    A Persian answer has no English letters for :func:`normalize_label` to keep, so the course's
    Persian terms are read by :func:`crmsim.terms.read_term` instead.

    Examples
    --------
    >>> read_label("Must-Be", kind="kano", labels=["must-be"]), read_label("جذاب", kind="kano")
    ('must be', 'attractive')

    Labels of no kind are read in Persian too: as their Persian in the catalog, or as a Persian
    alias among ``aliases``.

    >>> read_label("مشتری‌مدار", labels=["customer-centric", "product-centric"])
    'customer centric'
    """
    normal = normalize_label(label, aliases)
    if normal in {normalize_label(each, aliases) for each in labels}:
        return normal
    if kind is None:
        return _persian_label(label, aliases or {}, labels) or normal
    try:
        return normalize_label(read_term(kind, label), aliases)
    except ValueError:
        return normal


def _persian_label(label: Any, aliases: Mapping[str, str], labels: Sequence[str]) -> str | None:
    """The label (normalized) whose Persian, or a Persian alias of it, ``label`` is; else None."""
    written = spelling_key(str(label))
    persian = translations("fa")
    for each in labels:
        if written == spelling_key(persian.gettext(each)):
            return normalize_label(each, aliases)
    for alias, each in aliases.items():
        if written == spelling_key(alias) and not alias.isascii():
            return normalize_label(each, aliases)
    return None


def label_checker(
    expected: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
    kind: str | None = None,
) -> Callable[[Any], Feedback]:
    """A checker for a classification: each item's label against ``expected``.

    Wrong items are named (not their right labels), so the learner knows where to look again.
    With a ``kind`` (``"stage"``, ``"kano"`` ...) labels written as the course's Persian terms
    are read too (:func:`read_label`).
    """
    right = {
        normalize_label(item): normalize_label(label, aliases) for item, label in expected.items()
    }
    names = {normalize_label(item): item for item in expected}
    labels = tuple(expected.values())

    def check(answer: Any) -> Feedback:
        given = {
            normalize_label(item): read_label(label, aliases, kind, labels)
            for item, label in answer.items()
        }
        missing = [names[i] for i in right if i not in given]
        if missing:
            return Feedback(
                False,
                _("label every item; missing: {items}.").format(items=item_list(missing)),
            )
        wrong = [names[i] for i in right if given[i] != right[i]]
        if wrong:
            return Feedback(
                False,
                _("{right} of {count} right; look again at {items}.").format(
                    right=format_number(len(right) - len(wrong)),
                    count=format_number(len(right)),
                    items=item_list(wrong),
                ),
            )
        return Feedback(
            True,
            _("all {count} classified as the course does.").format(count=format_number(len(right))),
        )

    return check


class Classification(Question):
    """Sort items into the course's categories: a mapping from each item to one label.

    Labels are compared by :func:`normalize_label`, so case, hyphens, plural ``s`` and the
    ``aliases`` given (other names for a label) do not matter; when the labels are names of a
    ``kind`` of :data:`crmsim.terms.TERM_KINDS`, the course's Persian terms for them are read
    too. A label outside ``labels`` is refused with the list of labels, before the answer is
    judged.

    Parameters
    ----------
    title, checker, hints, solution
        As for :class:`Question`; ``checker`` is usually :func:`label_checker`.
    items : sequence of str
        What the learner classifies (shown by :meth:`show`).
    labels : sequence of str
        The categories on offer.
    aliases : mapping, optional
        Other names for a label, such as ``{"knowledge-based": "knowledge"}``.
    kind : str, optional
        The kind of name the labels are (``"trust"``, ``"kano"`` ...), for reading them in
        Persian as well (:func:`crmsim.terms.read_term`).
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], Feedback],
        items: Sequence[str],
        labels: Sequence[str],
        aliases: Mapping[str, str] | None = None,
        hints: Sequence[str] = (),
        solution: str = "",
        kind: str | None = None,
    ) -> None:
        super().__init__(title, checker, hints=hints, solution=solution)
        self.items = tuple(items)
        self.labels = tuple(labels)
        self.aliases = dict(aliases or {})
        self.kind = kind

    def _label(self, label: Any) -> str:
        return read_label(label, self.aliases, self.kind, self.labels)

    def _labels(self) -> str:
        """The labels as the learner types them, each followed by its translation if any."""
        named = [term(self.kind, label) if self.kind else _(label) for label in self.labels]
        return ", ".join(
            label if shown == label else f"{label} ({shown})"
            for label, shown in zip(self.labels, named, strict=True)
        )

    def show(self) -> str:
        """Print (and return) a template answer to copy: every item with a blank label."""
        # the items and labels are typed as the question spells them; in another language
        # each item's translation follows it as a comment, each label's in brackets
        lines = ["answer = {"]
        for item in self.items:
            shown = _(item) if isinstance(item, str) else item
            note = f"  # {shown}" if shown != item else ""
            lines.append(f"    {item!r}: '____',{note}")
        lines.append("}")
        text = "\n".join(lines) + "\n" + _("# labels: {labels}").format(labels=self._labels())
        print(text)
        return text

    def judge(self, answer: Any) -> Feedback:
        if not isinstance(answer, Mapping):
            return Feedback(False, _("give a dict from each item to its label (see .show())."))
        allowed = {normalize_label(label, self.aliases) for label in self.labels}
        unknown = [label for label in answer.values() if self._label(label) not in allowed]
        if unknown:
            return Feedback(
                False,
                _("{label} is not one of the labels: {labels}.").format(
                    label=quoted(unknown[0]), labels=self._labels()
                ),
            )
        items = {normalize_label(item) for item in self.items}
        extra = [item for item in answer if normalize_label(item) not in items]
        if extra:
            return Feedback(
                False,
                _("{item} is not one of the items to classify.").format(item=quoted(extra[0])),
            )
        return self.checker(self.canonical(answer))

    def canonical(self, answer: Any) -> Any:
        """The answer with each item and label spelt as the question spells them.

        ``{"battery LIFE": "Must-Bes"}`` becomes ``{"battery life": "must-be"}`` when those are
        an item and a label of the question; an answer that is not a mapping of the question's
        items to its labels comes back unchanged.
        """
        if not isinstance(answer, Mapping):
            return answer
        labels = {normalize_label(label, self.aliases): label for label in self.labels}
        items = {normalize_label(item): item for item in self.items}
        canonical = {}
        for item, label in answer.items():
            name, kind = normalize_label(item), self._label(label)
            if name not in items or kind not in labels:
                return answer
            canonical[items[name]] = labels[kind]
        return canonical


class Discussion(Question):
    """An open question answered in the learner's own words, marked by the instructor.

    ``check(text)`` accepts any answer of at least ``min_words`` words (it records it for
    grading and cannot judge it); ``solution()`` shows the model answer and :attr:`rubric`
    says what earns the marks. The student edition ships neither.

    Examples
    --------
    >>> q = Discussion("why voice", min_words=5, solution="A model answer.", rubric="- a point")
    >>> q.check("Too short.", quiet=True)
    False
    >>> q.check("Complaining gives the firm a chance to fix it.", quiet=True)
    True
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], Feedback] | None = None,
        min_words: int = 25,
        hints: Sequence[str] = (),
        solution: str = "",
        rubric: str = "",
    ) -> None:
        super().__init__(title, checker or self._long_enough, hints=hints, solution=solution)
        self.min_words = min_words
        self.rubric = rubric

    def _long_enough(self, answer: Any) -> Feedback:
        words = len(str(answer).split())
        if words < self.min_words:
            return Feedback(
                False,
                _(
                    "{words} words; argue it in at least {min_words}, with a reason and an "
                    "example from the model."
                ).format(words=format_number(words), min_words=format_number(self.min_words)),
            )
        return Feedback(
            True,
            _(
                "recorded ({words} words). It is marked by your instructor; "
                "compare it with the model answer when you are allowed to see it."
            ).format(words=format_number(words)),
        )

    def judge(self, answer: Any) -> Feedback:
        if not isinstance(answer, str):
            return Feedback(False, _("write your answer as text, between quotes."))
        return self.checker(answer)
