"""The firm's books: revenue, what each lever cost this week, and profit.

Revenue is what customers paid (list price less their discount); the discount's
cost is that forgone revenue, reported as ``discount_given`` and not subtracted
twice. Out-of-pocket costs are the goods sold, the service delivered (every
provided attribute costs by its level, indifferent ones included), respect,
complaint handling, the contact channels staffed, gifts, referral rewards, win-back
offers and advertising.
"""

from __future__ import annotations

from crmsim.kano import service_cost_per_episode
from crmsim.levers import CHANNELS, Market, Policy
from crmsim.week import Week

COST_COLUMNS = (
    "cost_goods",
    "cost_service",
    "cost_respect",
    "cost_recovery",
    "cost_channels",
    "cost_gifts",
    "cost_rewards",
    "cost_win_back",
    "cost_advertising",
)


#: The week's tallies of active customers by preferred channel, one per channel of
#: :data:`crmsim.levers.CHANNELS`: counted as the customers are served
#: (:func:`crmsim.episodes.serve_customers`), charged by :func:`keep_books`.
CHANNEL_CUSTOMERS = tuple(f"customers_{channel}" for channel in CHANNELS)


def channel_costs(policy: Policy, market: Market) -> tuple[float, ...]:
    """What each channel of :data:`crmsim.levers.CHANNELS` costs a week per active customer who
    prefers it: its ``Market.channel_unit_cost`` if the policy staffs it, else 0.

    The per-customer part of :func:`keep_books` that lasts as long as the customer stays.

    Parameters
    ----------
    policy : Policy
        Its ``channels`` are the staffed ones.
    market : Market
        Its ``channel_unit_cost`` gives each channel's cost.

    Returns
    -------
    tuple of float
        One cost per channel, in the order of ``CHANNELS``.

    Examples
    --------
    >>> channel_costs(Policy(channels="email"), Market(channel_unit_cost={"email": 0.03}))
    (0.0, 0.0, 0.03, 0.0)
    """
    return tuple(
        market.channel_unit_cost[channel] if channel in policy.channels else 0.0
        for channel in CHANNELS
    )


def cost_per_episode(policy: Policy, market: Market) -> float:
    """What one purchase costs the firm: its goods, its service and its respect.

    The per-episode part of :func:`keep_books`; complaint handling, gifts, rewards, win-back
    and advertising depend on events, not on a purchase.
    """
    service = service_cost_per_episode(policy.service, market.service_unit_cost)
    return market.unit_cost + service + market.respect_unit_cost * policy.respect


def keep_books(n_customers: int, week: Week) -> None:
    """Turn this week's tallies into costs and profit (added to ``week.tally``)."""
    t, policy, market = week.tally, week.policy, week.market
    episodes = t["episodes"]
    t["cost_goods"] = market.unit_cost * episodes
    t["cost_service"] = service_cost_per_episode(week.service, market.service_unit_cost) * episodes
    t["cost_respect"] = market.respect_unit_cost * policy.respect * episodes
    # handling a complaint costs in proportion to the effort put into resolving it
    t["cost_recovery"] = market.recovery_unit_cost * policy.recovery * t["complaints"]
    # a staffed channel's load is the customers who would reach the firm through it
    t["cost_channels"] = sum(
        cost * t[key]
        for cost, key in zip(channel_costs(policy, market), CHANNEL_CUSTOMERS, strict=True)
        if cost
    )
    t["cost_rewards"] = policy.referral_reward * t["referral_conversions"]
    t["cost_win_back"] = market.win_back_unit_cost * t["win_back_offers"]
    t["cost_advertising"] = market.advertising_unit_cost * policy.advertising * n_customers
    t["cost"] = sum(t[name] for name in COST_COLUMNS)
    t["profit"] = t["revenue"] - t["cost"]
