"""Client economics (policy 二(二)5: budgets, cost control, analysis of the operating data): what
each client earns, what it costs and whether it stays inside its budget, per calendar month.

Per client and month:

- **tickets**: the client's *handled* tickets, those answered (a first response: the catalog's
  `answered`, `csdata.analytics.metrics`) and opened in the month (a ticket belongs to the month
  it was opened in, as in every metric); **handled hours**: their handle seconds ÷ 3600.
- **revenue**: from the client's contract in the policy version in force on the month's last day
  (`Contract.pricing`): per ticket, Σ over channels of the channel's price × handled tickets of
  that channel (a channel without a price earns nothing); per agent-hour, the price × hours; a
  monthly fee, the fee. Empty when the contract names no price.
- **cost**: the month's pay (`csdata.analytics.payroll`: base, seniority, performance pay and
  bonus, each person placed by their period on their last employed day of the month) of the
  people who worked on its tickets, shared out so:

  1. A person who handled tickets in the month is shared across the clients of those tickets
     by handled seconds: client c gets pay × (seconds on c's tickets ÷ all their handled
     seconds). One whose handled tickets record no handle seconds at all is shared by handled
     tickets instead.
  2. A person who handled no tickets and whose position is `supervisor` or `qa` in a team (the
     team of their pay row) is shared across that team's *agents' clients by headcount*: the
     team's agents are the people of that team (by their pay rows) who handled tickets in the
     month; client c gets pay × (the number of those agents who handled at least one of c's
     tickets ÷ the sum of those numbers over clients). An agent who handled tickets of two
     clients counts once for each.
  3. Everyone else (office staff, trainers, QA staff without a team, agents not yet live, a
     team's supervisor when nobody of the team handled tickets) is **unallocated**: one line a
     month with no client, so the cost of the whole payroll is accounted for.

  Shares are kept as exact fractions and each line's cost is rounded half up to cents once, at
  the end (as the payroll rounds), so the lines of a month may differ from the payroll's total by
  a cent or so.
- **margin** = revenue − cost; **margin %** = margin ÷ revenue; **cost per ticket** = cost ÷
  tickets; **budget**: the contract's `monthly_budget` in that version, and **budget − actual** =
  budget − cost (below zero: over budget). Each empty when its inputs are.

A client has a line in a month when it has handled tickets or cost in it. The period is whole
months: those from the month of its first day to the month of its last.

Who sees it: an account whose scope `sees_economics` (finance, exec, admin), within its clients;
the unallocated line only to one unlimited by clients. The pay is read whole (`EVERYTHING`)
because a client's cost includes a supervisor's share that no client scope holds, but only sums
per client and month leave this module, never a person's pay. The SQL gathers the handled
tickets (from the daily rollups); the sharing and the money are Python fractions and decimals,
where they can be read and rounded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import payroll
from csdata.analytics import rollup_forms as forms
from csdata.analytics.compiler import _Params
from csdata.analytics.payroll import cents
from csdata.policy import History, Policy

# The table's columns, in order (the page's table and download, the CLI's table).
COLUMNS = (
    "client", "month", "tickets", "handled_hours", "revenue", "cost", "margin", "margin_pct", "cost_per_ticket",
    "budget", "budget_left",
)  # fmt: skip
# What `csdata finance --json` prints per client and month, exactly.
JSON_FIELDS = ("client", "month", "revenue", "cost", "margin", "tickets", "cost_per_ticket", "budget")
MONEY = ("revenue", "cost", "margin", "cost_per_ticket", "budget", "budget_left")
# The positions whose pay is shared across their team's agents' clients by headcount.
TEAM_OVERHEAD = ("supervisor", "qa")


def _exact(value) -> Fraction:
    return Fraction(Decimal(str(value)))


def month_span(start: dt.date, end: dt.date) -> list[str]:
    """The months (YYYY-MM) from the month of `start` to the month of `end`, oldest first."""
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def default_period(first: dt.date, last: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The `months` whole months up to `last` (its month when `last` ends it, else the month
    before: a month still running would show a month's pay against a few days' tickets), from
    `first` at the earliest; `first`..`last` when they hold no whole month."""
    end = last if (last + dt.timedelta(days=1)).day == 1 else last.replace(day=1) - dt.timedelta(days=1)
    if end < first:
        return first, last
    back = end.year * 12 + end.month - months  # months since year 0, counted from 0
    return max(first, dt.date(back // 12, back % 12 + 1, 1)), end


def _handled(wh, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Handled tickets and their handle seconds per month, client, channel and agent, read from
    the daily rollups (`csdata.store.rollups`, kept with every write of tickets), so a year costs
    the days' cells, not every ticket: the catalog's `answered` and the sum half of `aht`'s mean
    (handle seconds of answered tickets; `rollup_forms` keeps an average as its count and sum)."""
    answered = forms.stored("answered")
    seconds = forms.column(forms.form("handle_mean").partials[1])
    params = _Params({"start": first, "end": last})
    return wh.df(
        f"""SELECT strftime(day, '%Y-%m') AS month, client, channel, agent_id,
                   sum({answered}) AS tickets, coalesce(sum({seconds}), 0) AS seconds
            FROM {forms.ROLLUP_TABLES["tickets"]}
            WHERE day BETWEEN $start AND $end
            GROUP BY ALL HAVING sum({answered}) > 0""",
        params.values,
    )


def revenue(policy: Policy, client: str, by_channel: dict[str, int], seconds: Fraction) -> Fraction | None:
    """The month's revenue of `client` under `policy` (exact; None: its contract names no price)."""
    contract = policy.contract(client)
    pricing = contract.pricing if contract is not None else None
    if pricing is None:
        return None
    if pricing.model == "per_ticket":
        return sum(
            (_exact(price) * by_channel.get(channel, 0) for channel, price in pricing.ticket_prices.items()),
            Fraction(0),
        )
    if pricing.model == "per_hour":
        return _exact(pricing.hour_price) * seconds / 3600
    return _exact(pricing.monthly_fee)


def _shares(pay: pd.DataFrame, handled: pd.DataFrame) -> tuple[dict[str, Fraction], Fraction]:
    """The month's pay shared out by the module's rules: cost per client, and the unallocated."""
    work: dict[str, dict[str, list[Fraction]]] = defaultdict(lambda: defaultdict(lambda: [Fraction(0)] * 2))
    for r in handled.itertuples():
        if r.agent_id is not None and not pd.isna(r.agent_id):
            cell = work[r.agent_id][r.client]
            cell[0] += _exact(r.seconds)
            cell[1] += int(r.tickets)
    team_agents: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in pay.itertuples():
        if r.employee_id in work and r.team is not None and not pd.isna(r.team):
            for client in work[r.employee_id]:
                team_agents[r.team][client] += 1
    cost: dict[str, Fraction] = defaultdict(Fraction)
    unallocated = Fraction(0)
    for r in pay.itertuples():
        total = _exact(r.total)
        clients = work.get(r.employee_id)
        if clients:
            by_seconds = sum(c[0] for c in clients.values()) > 0
            weights = {client: c[0] if by_seconds else c[1] for client, c in clients.items()}
        elif r.position in TEAM_OVERHEAD and r.team in team_agents:
            weights = {client: Fraction(n) for client, n in team_agents[r.team].items()}
        else:
            unallocated += total
            continue
        whole = sum(weights.values())
        for client, weight in weights.items():
            cost[client] += total * weight / whole
    return dict(cost), unallocated


def economics(
    wh,
    start: dt.date,
    end: dt.date,
    clients: tuple[str, ...] = (),
    scope: Scope = EVERYTHING,
    history: History | None = None,
) -> pd.DataFrame:
    """Per client and month of the whole months from `start` to `end`: `COLUMNS` (see the module
    notes for each figure), oldest month first, clients by name, the unallocated line (client
    empty) last in its month. `clients`: only these (and no unallocated line). Money as numbers
    with cents; empty for a scope that does not see economics."""
    if not scope.sees_economics or scope.unassigned or start > end:
        return pd.DataFrame(columns=list(COLUMNS))
    history = history or History.load(wh)
    months = month_span(start, end)
    first, _ = payroll.parse_month(months[0])
    _, last = payroll.parse_month(months[-1])
    handled = _handled(wh, first, last)
    wanted = set(clients) if clients else None
    if scope.clients is not None:
        wanted = set(scope.clients) & (wanted if wanted is not None else set(scope.clients))
    rows = []
    for month in months:
        month_end = payroll.parse_month(month)[1]
        policy = history.in_force(month_end)[1]
        of_month = handled[handled["month"] == month]
        pay = payroll.payroll(wh, month, EVERYTHING, history, position=True)
        cost, unallocated = _shares(pay, of_month)
        names = sorted(set(of_month["client"]) | {c for c, v in cost.items() if v})
        for client in names:
            if wanted is not None and client not in wanted:
                continue
            mine = of_month[of_month["client"] == client]
            by_channel = mine.groupby("channel")["tickets"].sum().to_dict()
            seconds = sum((_exact(s) for s in mine["seconds"]), Fraction(0))
            contract = policy.contract(client)
            budget = contract.monthly_budget if contract is not None else None
            rows.append(
                _line(client, month, int(mine["tickets"].sum()), seconds,
                      revenue(policy, client, by_channel, seconds), cost.get(client, Fraction(0)), budget)
            )  # fmt: skip
        if unallocated and wanted is None:
            rows.append(_line(None, month, 0, Fraction(0), None, unallocated, None))
    return _frame(rows)


def _line(client, month, tickets, seconds, earned, spent, budget) -> dict:
    income, cost = cents(earned), cents(spent)
    margin = None if income is None else income - cost
    return {
        "client": client,
        "month": month,
        "tickets": tickets,
        "handled_hours": float(cents(seconds / 3600)),
        "revenue": income,
        "cost": cost,
        "margin": margin,
        "margin_pct": None if margin is None or not income else float(margin / income),
        "cost_per_ticket": cents(Fraction(cost) / tickets) if tickets else None,
        "budget": cents(budget),
        "budget_left": None if budget is None else cents(budget) - cost,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in MONEY:
        frame[column] = pd.to_numeric(frame[column].map(lambda v: None if v is None else float(v)))
    frame["margin_pct"] = pd.to_numeric(frame["margin_pct"])
    frame["handled_hours"] = pd.to_numeric(frame["handled_hours"])
    frame["tickets"] = frame["tickets"].astype("int64")
    return frame


def as_json(frame: pd.DataFrame) -> list[dict]:
    """The lines as `csdata finance --json` prints them: `JSON_FIELDS`, money as numbers with
    cents, an empty figure as null."""
    out = []
    for r in frame[list(JSON_FIELDS)].to_dict("records"):
        out.append(
            {k: None if v is None or (isinstance(v, float) and pd.isna(v)) else v for k, v in r.items()}
        )
        out[-1]["tickets"] = int(out[-1]["tickets"])
    return out


def _sum(values) -> float | None:
    """Money added as decimals (cents exact); None when there is nothing to add."""
    found = [cents(v) for v in values if not pd.isna(v)]
    return float(sum(found, Decimal("0.00"))) if found else None


def totals(frame: pd.DataFrame) -> dict[str, float | None]:
    """The period's sums: `revenue`, `cost` (of the clients' lines), `margin` (of the lines with a
    price), `margin_pct` (that margin ÷ their revenue), `unallocated` (the unallocated lines'
    cost), `budget` and `budget_left`, and `tickets`."""
    clients = frame[frame["client"].notna()]
    billed = clients[clients["revenue"].notna()]
    sums: dict[str, float | None] = {
        c: _sum(clients[c]) for c in ("revenue", "cost", "margin", "budget", "budget_left")
    }
    sums["unallocated"] = _sum(frame.loc[frame["client"].isna(), "cost"])
    sums["tickets"] = int(frame["tickets"].sum())
    revenue = _sum(billed["revenue"])
    sums["margin_pct"] = sums["margin"] / revenue if revenue and sums["margin"] is not None else None
    return sums


def by_month(frame: pd.DataFrame) -> pd.DataFrame:
    """The trend, per month: revenue, the clients' cost, margin (revenue − that cost) and the
    unallocated pay."""
    columns = ["month", "revenue", "cost", "margin", "unallocated"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for month, part in frame.groupby("month", sort=True):
        sums = totals(part)
        revenue, cost = sums["revenue"] or 0.0, sums["cost"] or 0.0
        rows.append([month, revenue, cost, round(revenue - cost, 2), sums["unallocated"] or 0.0])
    return pd.DataFrame(rows, columns=columns)
