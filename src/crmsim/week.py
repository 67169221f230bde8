"""What every weekly process is handed: the levers, the generator, the week's tallies, and
what earlier processes of the same week left for later ones.

The hand-offs are typed: :class:`Episodes` holds the results of this week's service
episodes, set by :func:`crmsim.episodes.serve_customers` and read by the failure and
disrespect exits, trust, investments and commitment; ``Week.new_customers`` are this
week's first buyers (set by :func:`crmsim.trials.first_purchases`, whose purchase is
their first episode); ``Week.departures`` are the groups that left this week (set by
:func:`crmsim.leaving.leave`, read by the model's loss log).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np

from crmsim.arrays import rows_of
from crmsim.events import Event
from crmsim.kano import ServiceProfile, service_profile
from crmsim.levers import Market, Policy, Population
from crmsim.network import SocialNetwork
from crmsim.state import CustomerState
from crmsim.streams import KeyedStream, Streams


@dataclass
class Episodes:
    """This week's service episodes, one entry per customer served (rows ``who``).

    Attributes
    ----------
    who : numpy.ndarray
        Rows of the customers who bought and were served.
    experienced : numpy.ndarray
        The episode's plain value in [-1, 1]: service and respect, weighed.
    felt : numpy.ndarray
        How it felt, after the surprise against expectations (disconfirmation), in [-1, 1].
    surprise : numpy.ndarray
        Size of the gap between what was experienced and what was expected (>= 0).
    respect : numpy.ndarray
        Respect delivered, in [0, 1].
    personalization : numpy.ndarray
        Mean fulfilment of the attractive attributes: the personal touch, in [0, 1].
    failed, complained, resolved, breached : numpy.ndarray of bool
        The service failed; the customer complained of it; the firm put it right; the
        customer felt disrespected.
    """

    who: np.ndarray
    experienced: np.ndarray
    felt: np.ndarray
    surprise: np.ndarray
    respect: np.ndarray
    personalization: np.ndarray
    failed: np.ndarray
    complained: np.ndarray
    resolved: np.ndarray
    breached: np.ndarray

    @classmethod
    def joined(cls, parts: list[Episodes]) -> Episodes:
        """The episodes of ``parts`` (each firm's, in a market of several) as one."""
        names = [f.name for f in fields(cls)]
        return cls(*(np.concatenate([getattr(part, name) for part in parts]) for name in names))

    @classmethod
    def none(cls) -> Episodes:
        """No episodes (before :func:`crmsim.episodes.serve_customers` has run)."""
        empty, no = np.empty(0), np.zeros(0, dtype=bool)
        return cls(np.empty(0, dtype=np.intp), empty, empty, empty, empty, empty, no, no, no, no)


@dataclass
class Departures:
    """One group of customers who left this week, with what the loss log keeps of them.

    Gathered when they leave, because a process later in the week may reuse their rows
    (see :mod:`crmsim.turnover`).
    """

    who: np.ndarray
    spell_start: np.ndarray
    cause: np.ndarray
    #: each leaver's first purchase ever: with the row, it names the person (a newcomer may
    #: later hold the row, see crmsim.turnover)
    first_purchase: np.ndarray
    #: the firm each switched to, -1 for none (only rivals' offers set it, see crmsim.firms)
    to_firm: np.ndarray | None = None


#: Draws of the rules that read a firm's levers yet run once for a market of several firms:
#: on the market's week each customer's number comes from their own firm's streams, the
#: number the firm's week would draw (see :meth:`Week.luck`).
FIRMS_OWN_SITES = frozenset({"offer-reach", "offer-value"})


@dataclass
class Week:
    """The context of one week (one model step).

    Processes read the levers from here and add what happened to ``tally``; the
    model turns the tallies into the week's row of data and hands ``events`` to its
    observers. ``new_customers``, ``episodes`` and ``departures`` carry what one
    process leaves for a later one in the same week (see the module's docstring).
    """

    index: int
    rng: np.random.Generator
    policy: Policy
    market: Market
    population: Population
    network: SocialNetwork
    #: the run's keyed streams, or None to draw everything from ``rng`` in turn (see
    #: :mod:`crmsim.streams`)
    streams: Streams | None = None
    #: which firm this week's levers belong to (its index among the model's firms)
    firm: int = 0
    #: With several firms, the market's week: this one is a firm's share of it, and its
    #: active set holds the firm's own customers only (see :mod:`crmsim.firms`).
    market_week: Week | None = field(default=None, repr=False)
    #: With several firms and on the market's week only: each firm's week, in firm order.
    firm_weeks: list[Week] = field(default_factory=list, repr=False)
    #: On the market's week: everyone's firm (``CustomerState.firm``, the array itself).
    customer_firms: np.ndarray | None = field(default=None, repr=False)
    # a defaultdict: a Counter's missing-key hook is Python code, run some forty times a week
    tally: defaultdict[str, float] = field(default_factory=lambda: defaultdict(int))
    new_customers: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    episodes: Episodes = field(default_factory=Episodes.none)
    departures: list[Departures] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: whether anyone holds goodwill from gifts (None: not asked yet this week)
    grateful: bool | None = field(default=None, init=False, repr=False)
    _purchase_luck: np.ndarray | None = field(default=None, init=False, repr=False)
    _split: dict[str, list[np.ndarray]] = field(default_factory=dict, init=False, repr=False)
    _active: np.ndarray | None = field(default=None, init=False, repr=False)
    _active_rows: np.ndarray | None = field(default=None, init=False, repr=False)
    #: on the market's week: its active rows split by firm (see :meth:`active_rows`)
    _active_split: list[np.ndarray] | None = field(default=None, init=False, repr=False)
    _service: ServiceProfile | None = field(default=None, init=False, repr=False)
    _served: tuple[np.ndarray, np.ndarray | slice] | None = field(
        default=None, init=False, repr=False
    )

    # ------------------------------------------------------------------ luck
    # The rules name each draw (a site of crmsim.streams.SITES) and whom it is about; whether
    # the numbers come from the one generator in turn or from keyed streams is decided here.
    def luck(self, site: str, rows: np.ndarray | int) -> np.ndarray:
        """A uniform number in [0, 1) for each of ``rows`` (an array of rows, or ``n`` for all).

        Sequential mode: exactly ``rng.random(len(rows))``. Keyed mode: each customer's number
        for this site and week, whoever else is drawn (:mod:`crmsim.streams`).
        """
        if self.streams is None:
            return self.rng.random(rows if isinstance(rows, int) else len(rows))
        if self.firm_weeks and site in FIRMS_OWN_SITES:
            return self._luck_by_firm(site, rows)
        return self.draws(site, rows).random(self._count(rows))

    def _luck_by_firm(self, site: str, rows: np.ndarray) -> np.ndarray:
        # each customer's number from their own firm's streams: what the firm's week draws
        firm = self.customer_firms[rows]
        luck = np.empty(len(rows))
        for firm_week in self.firm_weeks:
            mine = rows_of(firm == firm_week.firm)
            if len(mine):
                luck[mine] = firm_week.luck(site, rows[mine])
        return luck

    def normal(self, site: str, rows: np.ndarray | int, mean: float, sd: float) -> np.ndarray:
        """A normal number (``mean``, ``sd``) for each of ``rows``, drawn like :meth:`luck`."""
        n = self._count(rows)
        draws = self.draws(site, rows).standard_normal(n)
        draws *= sd
        draws += mean
        return draws

    def draws(self, site: str, rows: np.ndarray | int) -> np.random.Generator | KeyedStream:
        """Where the numbers about ``rows`` at ``site`` come from, for a helper that draws them.

        The model's generator itself in sequential mode; in keyed mode a
        :class:`crmsim.streams.KeyedStream` with the generator methods a helper calls
        (``random``, ``standard_normal``, ``integers``), keyed by these rows.
        """
        if self.streams is None:
            return self.rng
        if isinstance(rows, int):
            rows = np.arange(rows)
        return self.streams.at(self.index, site, rows)

    def generator(self, site: str) -> np.random.Generator:
        """A generator for draws that are not one per customer (the newcomers' traits).

        The model's generator in sequential mode; in keyed mode one seeded by run, week and
        site, so runs that draw the same people here draw the same numbers for them.
        """
        if self.streams is None:
            return self.rng
        return self.streams.generator(self.index, site)

    def purchase_luck(self, state: CustomerState) -> np.ndarray:
        """Everyone's draw for a purchase this week (site ``purchase``), the caller's to change.

        With several firms it is drawn once for the market, and each firm's week takes it
        (firms change only their own customers' entries).
        """
        if self.market_week is None:
            return self.luck("purchase", state.n)
        market = self.market_week
        if market._purchase_luck is None:
            market._purchase_luck = market.luck("purchase", state.n)
        return market._purchase_luck

    @staticmethod
    def _count(rows: np.ndarray | int) -> int:
        return rows if isinstance(rows, int) else len(rows)

    # Most processes ask who is active, and only trials, departures and win-backs change
    # it: one mask per change instead of one per question keeps small runs fast.
    def active(self, state: CustomerState) -> np.ndarray:
        """Mask of active customers, shared until a process calls ``stage_changed``.

        Shared means read-only by convention: a process that wants to change it takes a copy.
        A firm's week among several firms counts the firm's own customers only.
        """
        if self._active is None:
            if self.market_week is None:
                self._active = state.active_mask()
            else:
                self._active = self.market_week.active(state) & (state.firm == self.firm)
        return self._active

    def is_active(self, state: CustomerState, rows: np.ndarray) -> np.ndarray:
        """Whether each of ``rows`` is an active customer (of this week's firm, with several).

        The same as ``active(state)[rows]``, without building a firm's mask of everyone.
        """
        if self.market_week is None:
            return self.active(state)[rows]
        return self.market_week.active(state)[rows] & (state.firm[rows] == self.firm)

    @property
    def shared_market(self) -> bool:
        """Whether this is one firm's week in a market of several (see :mod:`crmsim.firms`)."""
        return self.market_week is not None

    def per_customer(
        self,
        state: CustomerState,
        rows: np.ndarray | slice,
        lever: Callable[[Week], float | None],
    ) -> np.ndarray | float | None:
        """``lever(week)`` of each of ``rows``' own firm: a lever or price a rule reads.

        One value (this week's own) except on the market's week of several firms whose
        values differ: there each of ``rows`` (customers or prospects of some firm) gets
        their firm's, gathered by ``state.firm``, and ``None`` (say, no promise) becomes NaN,
        as does the value for anyone with no firm. Rules that read their levers this way run
        once for the whole market.
        """
        if not self.firm_weeks:
            return lever(self)
        values = [lever(firm_week) for firm_week in self.firm_weeks]
        if all(value == values[0] for value in values):
            return values[0]
        # firm -1 (none) picks the NaN at the end
        return np.array([*values, None], dtype=float)[state.firm[rows]]

    def own(self, state: CustomerState, rows: np.ndarray) -> np.ndarray:
        """Those of ``rows`` whose relationship is with this week's firm (all, with one firm)."""
        if self.market_week is None:
            return rows
        return rows[state.firm[rows] == self.firm]

    def active_rows(self, state: CustomerState) -> np.ndarray:
        """Row numbers of the active customers (shared like :meth:`active`)."""
        if self._active_rows is None:
            if self.market_week is None:
                self._active_rows = rows_of(self.active(state))
            else:
                # the market's customers, split by firm once for all the firms
                market = self.market_week
                if market._active_split is None:
                    market._active_split = market._split_by_firm(state, market.active_rows(state))
                self._active_rows = market._active_split[self.firm]
        return self._active_rows

    def _split_by_firm(self, state: CustomerState, rows: np.ndarray) -> list[np.ndarray]:
        """``rows`` split by firm, in firm order (each part in the order of ``rows``)."""
        firm = state.firm[rows]
        order = np.argsort(firm, kind="stable")
        bounds = np.searchsorted(firm[order], np.arange(len(self.firm_weeks) + 1))
        return [rows[order[bounds[k] : bounds[k + 1]]] for k in range(len(self.firm_weeks))]

    def own_share(
        self, state: CustomerState, name: str, mask: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """The rows of ``mask()`` whose relationship is with this week's firm (all, with one firm).

        With several firms the market's week scans everyone once, when the first firm asks
        for ``name``, and splits the rows by firm for the others. A process may use it only
        for a set that, while the process runs firm by firm, loses members but gains none
        in a firm yet to run.
        """
        if self.market_week is None:
            return rows_of(mask())
        market = self.market_week
        if name not in market._split:
            market._split[name] = market._split_by_firm(state, rows_of(mask()))
        return market._split[name][self.firm]

    def anyone_grateful(self, state: CustomerState) -> bool:
        """Whether anyone holds goodwill from the firm's gifts (looked at once a week).

        Without gifts nobody does, and the rules that read goodwill skip it; a policy that
        stops its gifts mid-run leaves goodwill that must still fade, hence a look, not the
        lever.
        """
        if self.market_week is not None:
            return self.market_week.anyone_grateful(state)  # one look for the whole market
        if self.grateful is None:
            self.grateful = bool(state.goodwill.any())
        return self.grateful

    def gave_gifts(self, count: int) -> None:
        """Record that ``count`` people got a gift this week: someone may now be grateful."""
        week = self if self.market_week is None else self.market_week
        week.grateful = bool(week.grateful) or count > 0

    @property
    def service(self) -> ServiceProfile:
        """The policy's service design, looked up once a week (see :func:`kano.service_profile`)."""
        if self._service is None:
            self._service = service_profile(self.policy.service)
        return self._service

    def served_and_active(self, state: CustomerState) -> tuple[np.ndarray, np.ndarray | slice]:
        """This week's served customers (``episodes.who``) who are still active.

        Returns them and their positions among the served, to pick their entries of the
        other arrays of :attr:`episodes`: a full slice when nobody served has left since,
        which spares a copy of each array. Shared like :meth:`active`.
        """
        if self._served is None:
            who = self.episodes.who
            still = self.active(state)[who]
            if still.all():
                self._served = who, slice(None)
            else:
                positions = rows_of(still)
                self._served = who[positions], positions
        return self._served

    def stage_changed(self, moved: np.ndarray | None = None) -> None:
        """Forget the active set: call after moving anyone into or out of an active stage.

        ``moved`` are the people moved; when it is given and empty, nothing changed and the
        active set is kept.
        """
        if moved is None or len(moved):
            self._forget_active()
            # a firm's customers are part of the market's, and the market's of every firm's
            if self.market_week is not None:
                self.market_week._forget_active()
            for firm_week in self.firm_weeks:
                firm_week._forget_active()

    def _forget_active(self) -> None:
        self._active = self._active_rows = self._served = self._active_split = None

    def count(self, name: str, who: np.ndarray) -> None:
        """Add ``len(who)`` to the tally ``name``; on the market's week of several firms, each
        of ``who`` to their own firm's."""
        if not self.firm_weeks:
            self.tally[name] += len(who)
            return
        counts = np.bincount(self.customer_firms[who], minlength=len(self.firm_weeks))
        for firm_week, count in zip(self.firm_weeks, counts.tolist(), strict=True):
            firm_week.tally[name] += count

    def note(self, kind: str, who: np.ndarray, detail: np.ndarray | float = 0.0) -> None:
        """Record an event of ``kind`` (see :data:`crmsim.events.EVENT_KINDS`) for ``who``.

        ``detail`` is one number per customer, or one number for them all (events whose
        detail others read, such as "left" with its cause, give one per customer).
        """
        if len(who):
            self.events.append(Event(kind, who, detail))
