"""The market is open: people leave the category and newcomers take their place.

Markets renew. Each week a small share of people leave the category for good: they
move away, or their life changes and they no longer need what the firm sells
(``Market.category_turnover``; about one person in eleven moves house in a year, and a
little under half of them move to another county, U.S. Census Bureau CPS 2022). A
customer among them is lost to the firm like any other departure, with the cause
``moved``, through no fault of the firm, unless the relationship survives the move: with
``Market.mover_loss`` below 1 a moving customer keeps the firm with chance
``1 - mover_loss``, stays a customer and is not replaced. Each leaver's place
is taken by a newcomer who has never heard of the firm, with traits drawn afresh from
the population, so the number of people stays the same and there are always new
prospects to win: without them, a firm can only ever lose the customers it has.
"""

from __future__ import annotations

import numpy as np

from crmsim.arrays import rows_of
from crmsim.leaving import leave
from crmsim.state import CustomerState
from crmsim.week import Week


def people_come_and_go(state: CustomerState, week: Week) -> None:
    """Some people leave the category (customers among them are lost); newcomers arrive."""
    rate = week.market.category_turnover
    if rate == 0:
        return  # a closed market draws nothing, so runs without turnover stay as they were
    movers = rows_of(week.luck("turnover", state.n) < rate)
    keep_share = 1.0 - week.market.mover_loss
    if keep_share > 0 and len(movers):
        # drawn only when some movers keep the firm, so runs with mover_loss 1 draw what
        # the model drew before this rule; a moving customer who keeps the firm stays
        customers = movers[week.active(state)[movers]]
        if len(customers):
            stay = customers[week.luck("mover-stays", customers) < keep_share]
            movers = np.setdiff1d(movers, stay, assume_unique=True)
    if not len(movers):
        return
    leave(state, week, movers[week.active(state)[movers]], "moved")
    # the detail keeps what each leaver spent in all, which renewing their row wipes
    week.note("moved", movers, state.spend[movers])
    state.renew(movers, week.population, week.generator("newcomers"))
    week.stage_changed(movers)
