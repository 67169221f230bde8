"""▶ in the dashboard: :class:`Player` steps a run in one thread and redraws the page from another,
at most a few times a second.

A week at 2,000 customers takes about a millisecond to simulate; drawing the figures of a tab
takes a few hundred. Stepping and drawing in the same loop (as Mesa's own controller does) ties
the pace of the run to the pace of matplotlib, and a short play interval then queues redraws
faster than they can be made. Here the two are apart: the stepper simulates week after week at
the play interval and only marks the page out of date; the painter looks every
:data:`TEXT_PERIOD` seconds and, if the run has moved on, redraws the text (week, monitors) and,
at most every :data:`FIGURE_PERIOD` seconds, the figures. However short the interval, the page
is redrawn a bounded number of times a second, and pause stops the stepper after the week it is
simulating.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Seconds between two redraws of the text while playing (week counter, monitors).
TEXT_PERIOD = 0.2
#: Seconds between two redraws of the figures while playing, at least; never less than twice
#: the time the last redraw took, so that the run keeps most of the time however slow drawing is.
FIGURE_PERIOD = 0.5
#: The play interval used unless the page says otherwise, in seconds: 50 weeks a second at most.
INTERVAL = 0.02
#: How long :meth:`Player.pause` waits for the week being simulated to end, in seconds.
PAUSE_TIMEOUT = 5.0


class Player:
    """Plays a run: simulates week after week in the background and redraws the page now and then.

    Parameters
    ----------
    step : callable
        ``step()`` simulates one week and returns whether the run can go on (a model whose
        ``running`` turned false, for instance, returns ``False``).
    show : callable
        ``show(figures)`` redraws the page: the text, and with ``figures=True`` the figures too.
        Called from the painter thread, never from the stepper; once more, with the figures,
        when play ends (paused or by itself), unless stopped for good.
    on_end : callable, optional
        ``on_end(error)`` is called from the painter thread when play ends by itself: the run
        cannot go on (``error`` is ``None``), or a week or a redraw raised (``error`` is its
        message). Not called after :meth:`pause` or :meth:`stop`.
    alive : callable, optional
        ``alive()`` says whether anyone still watches; checked after each week, and play ends
        (as by itself) when it turns false: a page whose browser tab went away without saying
        so stops stepping.
    interval : float or callable
        Seconds from the start of one week to the start of the next (at least: a week that
        takes longer is followed at once), or a function returning them, read after each week
        (so that a control can change the pace while playing).
    text_period, figure_period : float
        Seconds between two redraws of the text and of the figures, at least.

    Examples
    --------
    >>> weeks = []
    >>> player = Player(lambda: weeks.append(1) or len(weeks) < 5, lambda figures: None,
    ...                 interval=0.0)
    >>> player.play()
    True
    >>> player.wait(timeout=5.0)
    True
    >>> len(weeks), player.playing
    (5, False)
    """

    def __init__(
        self,
        step: Callable[[], bool],
        show: Callable[[bool], None],
        on_end: Callable[[str | None], None] | None = None,
        *,
        alive: Callable[[], bool] | None = None,
        interval: float | Callable[[], float] = INTERVAL,
        text_period: float = TEXT_PERIOD,
        figure_period: float = FIGURE_PERIOD,
    ) -> None:
        self._step = step
        self._show = show
        self._on_end = on_end
        self._alive = alive
        self._interval = interval if callable(interval) else (lambda: interval)
        self.text_period = text_period
        self.figure_period = figure_period
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._dirty = threading.Event()
        self._threads: tuple[threading.Thread, threading.Thread] | None = None
        self._closed = False
        self.error: str | None = None
        #: Redraws made while playing, text only and with figures: for tests and benchmarks.
        self.redraws = {"text": 0, "figures": 0}

    @property
    def playing(self) -> bool:
        """Whether the stepper is simulating weeks."""
        threads = self._threads
        return threads is not None and threads[0].is_alive() and not self._halt.is_set()

    def play(self) -> bool:
        """Start playing; ``False`` if already playing or stopped for good.

        Returns
        -------
        bool
            Whether play started.
        """
        with self._lock:
            if self._closed or self.playing:
                return False
            self._join(PAUSE_TIMEOUT)  # the painter of the previous play, if still drawing
            self._halt = threading.Event()
            self._dirty = threading.Event()
            self.error = None
            halt, dirty = self._halt, self._dirty
            # Whether this play ended by itself (not paused): shared by its two threads only.
            ended = threading.Event()
            stepper = threading.Thread(
                target=self._run_stepper,
                args=(halt, dirty, ended),
                name="crmsim-stepper",
                daemon=True,
            )
            painter = threading.Thread(
                target=self._run_painter,
                args=(halt, dirty, ended, stepper),
                name="crmsim-painter",
                daemon=True,
            )
            self._threads = (stepper, painter)
            stepper.start()
            painter.start()
            return True

    def pause(self, timeout: float = PAUSE_TIMEOUT) -> None:
        """Stop after the week being simulated, and wait (up to ``timeout`` s) for it to end.

        The painter is not waited for: it may be drawing, and the caller (a button's handler)
        redraws the page itself.
        """
        self._halt.set()
        threads = self._threads
        if threads is not None and threads[0] is not threading.current_thread():
            threads[0].join(timeout)

    def stop(self, timeout: float = PAUSE_TIMEOUT) -> None:
        """Pause for good: for a page that closes. Later calls of :meth:`play` do nothing."""
        with self._lock:
            self._closed = True
        self.pause(timeout)
        self._join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until play ends (by itself or paused); ``False`` if ``timeout`` s passed first."""
        threads = self._threads
        if threads is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in threads:
            if thread is threading.current_thread():
                continue
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False
        return True

    def _join(self, timeout: float) -> None:
        threads = self._threads
        for thread in threads or ():
            if thread is not threading.current_thread():
                thread.join(timeout)

    def _run_stepper(
        self, halt: threading.Event, dirty: threading.Event, ended: threading.Event
    ) -> None:
        try:
            due = time.monotonic()
            while not halt.is_set():
                going_on = self._step()
                dirty.set()
                if not going_on or (self._alive is not None and not self._alive()):
                    break
                # One week per interval, the week's own time included; a run that falls
                # behind (a busy machine) goes on at its pace rather than catching up in a burst.
                now = time.monotonic()
                due = max(due + max(0.0, float(self._interval())), now)
                # Waiting on the event rather than sleeping: a pause ends the wait at once.
                halt.wait(due - now)
        except Exception as err:  # shown on the page; the thread ends cleanly all the same
            self.error = f"{type(err).__name__}: {err}"
        finally:
            if not halt.is_set():
                ended.set()
                halt.set()

    def _run_painter(
        self,
        halt: threading.Event,
        dirty: threading.Event,
        ended: threading.Event,
        stepper: threading.Thread,
    ) -> None:
        next_figures = 0.0
        # Redraws start text_period apart (not text_period after the last one ended), so the
        # week counter does not fall further behind after the figures, the slow redraws.
        due = time.monotonic() + self.text_period
        try:
            while not halt.wait(max(0.0, due - time.monotonic())):
                started = time.monotonic()
                due = started + self.text_period
                if not dirty.is_set():
                    continue
                dirty.clear()
                figures = started >= next_figures
                self._show(figures)
                self.redraws["figures" if figures else "text"] += 1
                if figures:
                    spent = time.monotonic() - started
                    next_figures = started + max(self.figure_period, 2 * spent)
        except Exception as err:  # a redraw failed (or its page closed): play ends with it
            self.error = self.error or f"{type(err).__name__}: {err}"
            if not halt.is_set():
                ended.set()
                halt.set()
        stepper.join(PAUSE_TIMEOUT)
        if self._closed:
            return  # the page is gone: nothing to draw on, nobody to tell
        if self.error is None:
            # The week play stopped at, figures included: the page that paused showed its
            # text at once and left the figures, the slow part, to this thread.
            try:
                self._show(True)
            except Exception as err:
                self.error = f"{type(err).__name__}: {err}"
        if (ended.is_set() or self.error) and self._on_end is not None:
            self._on_end(self.error)
