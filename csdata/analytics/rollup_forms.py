"""How each measure is answered from the rollups, decided from its own SQL.

The fact tables that grow with the tickets (`tickets`, and complaint `rounds`, which join them) are
kept summed per day × client × channel × team × agent × department (`csdata.store.rollups` keeps
those tables current in every write's transaction). A page's cost then follows the number of
those cells, not of tickets, whatever the period. Nobody writes a second definition of a measure
for this: its SQL in `csdata.analytics.metrics` is parsed (SQLGlot) and each aggregate in it is
replaced by what the rollup stores:

- `count(*)`, `count(x)`, `count_if(c)`, `sum(x)` (with any `FILTER (WHERE ...)`) are stored as
  they are per cell and read back as their sum (NULL where every cell is, as `count_if` is over
  no true or false value): exact;
- `avg(x)` as the sum and the count of x: exact; `stddev_samp(x)` as count, sum and sum of
  squares (exact up to floating-point rounding);
- `median(x)` and `quantile_cont(x, [...])` from a histogram of x per day × client × channel ×
  team (`HISTOGRAM_KEYS`): bins 1 unit wide up to 100 units, counted at their upper bound, then a
  power-of-two number of units no wider than 1 % of the values they hold, counted at their
  middle. A quantile read this way (`error_bound`) is off by at most 1 second (the `resolution`
  of its unit) or 1 % of its value, whichever is larger, and exact for whole seconds up to 100.

A measure that compares with a threshold the policy sets per client and channel (the service
level's `sla_s`) is stored once per threshold of `SLA_LADDER`; the query layer picks each row's
column by its client and channel for the policy in force, and reads the facts when the policy
names a threshold off the ladder. Anything else (an aggregate of another kind, a measure of
another source, a grouping or filter the rollup lacks: hour of day; an agent, for a histogram)
is answered from the fact tables, as before: the rollup only ever makes a query cheaper.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from csdata.analytics.metrics import CATALOG, MEASURES

# The sources kept as rollups, and the table of each.
ROLLUP_TABLES = {"tickets": "rollup_tickets", "rounds": "rollup_rounds"}
HISTOGRAM_TABLE = "rollup_histograms"
# The cells of the sums and of the histograms: columns every source relation of the query layer has.
ROLLUP_KEYS = ("day", "client", "channel", "team", "agent_id", "department")
HISTOGRAM_KEYS = ("day", "client", "channel", "team")
# The groupings (`compiler.GROUPINGS`) each can be split by.
ROLLUP_GROUPINGS = frozenset(
    {"day", "week", "month", "weekday", "client", "channel", "team", "agent", "department"}
)
HISTOGRAM_GROUPINGS = frozenset({"day", "week", "month", "weekday", "client", "channel", "team"})
# The hour of day (the service page's heatmap of offered tickets by weekday × hour) is kept for a
# few measures only, per hour × the histograms' keys (no agent: a split or filter by agent reads
# the facts): every measure per hour and agent would make every write recompute a table many
# times the size of the daily one. Its hour is the column `opened_at` (the tickets' opening time
# cut to the hour), so the query layer's groupings read it as they read the facts.
HOURLY_TABLE = "rollup_hours"
HOURLY_MEASURES = ("offered",)
HOURLY_KEYS = (*HISTOGRAM_KEYS, "opened_at")

# The follow-ups the compliance queue watches (`csdata.analytics.compliance`), one row per ticket
# and kind, with when it started and when it closed: a complaint (started when opened) until the
# customer accepted it (its accepted round's answer; with no round, the ticket's own answer), a
# promised callback until it was made. Kept like the sums, by the day the ticket was opened, so
# that the queue as of any day reads these rows and not every ticket. `$start`/`$end_excl` bound
# the tickets read, as in `compiler.fact_relation`.
FOLLOWUPS_TABLE = "rollup_followups"
FOLLOWUPS_KEYS = ("day", "kind", "ticket_id")
FOLLOWUPS_SQL = """
    SELECT CAST(t.opened_at AS DATE) AS day, 'complaint' AS kind, t.ticket_id, t.agent_id, t.client,
           t.team, t.opened_at AS started_at,
           CASE WHEN r.ticket_id IS NOT NULL THEN r.accepted_at
                WHEN t.customer_accepted THEN coalesce(t.feedback_at, t.opened_at) END AS closed_at
    FROM tickets t LEFT JOIN (
        SELECT r.ticket_id, min(coalesce(r.answered_at, r.feedback_at, k.feedback_at, k.opened_at))
                                FILTER (WHERE r.answer = 'accepted') AS accepted_at
        FROM complaint_rounds r JOIN tickets k ON k.ticket_id = r.ticket_id
        WHERE k.type = 'complaint' AND k.opened_at >= $start AND k.opened_at < $end_excl
        GROUP BY r.ticket_id) r ON r.ticket_id = t.ticket_id
    WHERE t.type = 'complaint' AND t.opened_at >= $start AND t.opened_at < $end_excl
    UNION ALL
    SELECT CAST(t.opened_at AS DATE), 'callback', t.ticket_id, t.agent_id, t.client, t.team,
           t.callback_promised_at, t.callback_done_at
    FROM tickets t
    WHERE t.callback_promised_at IS NOT NULL AND t.opened_at >= $start AND t.opened_at < $end_excl"""

# Service-level thresholds kept in the rollups, in seconds: from 5 seconds to 3 days, the usual
# contract terms of phone, chat and email. A threshold off this list is answered from the facts.
SLA_LADDER = (
    *(5, 10, 15, 20, 25, 30, 40, 45, 50, 60, 90, 120, 180, 240, 300, 600, 900, 1200, 1800),
    *(h * 3600 for h in (1, 2, 3, 4, 6, 8, 12, 24, 48, 72)),
)
SLA_COLUMN = "sla_s"
_SLA_TOKEN = "__sla__"  # stands for the row's threshold column in a read expression

# What one unit of a histogram's resolution is, by the unit of the metric that reads it.
RESOLUTION = {"seconds": 1.0, "hours": 1 / 3600}


@dataclass(frozen=True)
class Sums:
    """A measure read from per-cell partial aggregates: `read` is SQL over the partials' columns
    (`column(sql)`), with `__sla__` where a ladder partial is picked per row."""

    partials: tuple[str, ...]
    read: str
    ladder: tuple[str, ...] = ()  # partial SQL per threshold of SLA_LADDER, when the measure has one


@dataclass(frozen=True)
class Histogram:
    """A median or quantiles of `value` (over rows meeting `where`) read from binned counts."""

    value: str
    where: str | None
    quantiles: tuple[float, ...] | None  # None: one median (a number, not a list)
    resolution: float


def column(sql: str) -> str:
    """The rollup column holding one partial aggregate: named by its SQL, so the rollup's shape
    follows the catalog and a changed definition is a new column."""
    return "p_" + hashlib.sha1(sql.encode()).hexdigest()[:12]


def bin_sql(value: str, resolution: float) -> str:
    """A value's bin, as the value it stands for: whole units up to 100 units, counted at their
    upper bound (exact for whole seconds); then bins of a power-of-two number of units at most
    1 % of the values they hold, counted at their middle (see the module docstring)."""
    r = repr(float(resolution))
    width = f"({r} * pow(2, floor(log2(({value}) / (100 * {r})))))"
    return (
        f"CASE WHEN ({value}) <= 100 * {r} THEN ceil(({value}) / {r}) * {r}"
        f" ELSE (ceil(({value}) / {width}) - 0.5) * {width} END"
    )


def error_bound(metric: str, value: float) -> float:
    """How far a metric read from the rollups may be from the facts at `value`: 0 for sums, one
    unit of resolution or 1 % of the value, whichever is larger, for a histogram's quantile."""
    forms = [form(m) for m in CATALOG[metric].measures]
    bins = [f.resolution for f in forms if isinstance(f, Histogram)]
    return max([max(r, 0.01 * abs(value)) for r in bins], default=0.0)


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="duckdb")


def _filtered(agg: exp.Expression, where: exp.Expression | None) -> exp.Expression:
    return exp.Filter(this=agg, expression=exp.Where(this=where.copy())) if where is not None else agg


def _partials(agg: exp.AggFunc, where: exp.Expression | None) -> tuple[list[str], str] | None:
    """The partials of one aggregate and the SQL (with `{0}`, `{1}`... for their columns) reading it."""
    if isinstance(agg, exp.Count):
        return [_sql(_filtered(agg.copy(), where))], "coalesce(sum({0}), 0)"
    if isinstance(agg, exp.CountIf | exp.Sum):  # NULL, as count_if is, where no row has a value
        return [_sql(_filtered(agg.copy(), where))], "sum({0})"
    x = agg.this
    count = _sql(_filtered(exp.Count(this=x.copy()), where))
    total = _sql(_filtered(exp.Sum(this=exp.cast(x.copy(), "DOUBLE")), where))
    if isinstance(agg, exp.Avg):
        return [count, total], "sum({1}) / nullif(sum({0}), 0)"
    if isinstance(agg, exp.StddevSamp):
        squares = _sql(_filtered(exp.Sum(this=exp.cast(x.copy(), "DOUBLE") * x.copy()), where))
        return [count, total, squares], (
            "CASE WHEN sum({0}) > 1 THEN sqrt(greatest("
            "(sum({2}) - sum({1}) * sum({1}) / sum({0})) / (sum({0}) - 1), 0)) END"
        )
    return None


def _unit(measure: str) -> str | None:
    for metric in CATALOG.values():
        if measure in metric.measures:
            return metric.unit
    return None


def _histogram(name: str, tree: exp.Expression) -> Histogram | None:
    where = None
    if isinstance(tree, exp.Filter):
        where, tree = tree.expression.this, tree.this
    resolution = RESOLUTION.get(_unit(name) or "")
    if resolution is None:
        return None
    if isinstance(tree, exp.Median):
        quantiles = None
    elif isinstance(tree, exp.PercentileCont) and isinstance(tree.expression, exp.Array):
        quantiles = tuple(float(q.this) for q in tree.expression.expressions)
    else:
        return None
    return Histogram(_sql(tree.this), None if where is None else _sql(where), quantiles, resolution)


def _replace(tree: exp.Expression, node: exp.Expression, sql: str) -> exp.Expression:
    """`tree` with `node` replaced by `sql` (the tree itself when the node is its root)."""
    new = sqlglot.parse_one(sql, read="duckdb")
    if node is tree:
        return new
    node.replace(new)
    return tree


@functools.cache
def form(name: str) -> Sums | Histogram | None:
    """How measure `name` is read from the rollups, or None: from the facts only."""
    measure = MEASURES[name]
    if measure.source not in ROLLUP_TABLES:
        return None
    tree = sqlglot.parse_one(measure.sql, read="duckdb")
    root = tree.this if isinstance(tree, exp.Filter) else tree
    if isinstance(root, exp.Median | exp.PercentileCont):
        return _histogram(name, tree) if measure.source == "tickets" else None
    partials: list[str] = []
    ladder: list[str] = []
    for agg in list(tree.find_all(exp.AggFunc)):
        filt = agg.parent if isinstance(agg.parent, exp.Filter) else None
        where = filt.expression.this if filt is not None else None
        node = filt or agg
        thresholded = any(c.name == SLA_COLUMN for c in node.find_all(exp.Column))
        if thresholded:
            if ladder or not isinstance(agg, exp.Count | exp.CountIf):
                return None
            for t in SLA_LADDER:
                fixed = node.copy()
                for c in list(fixed.find_all(exp.Column)):
                    if c.name == SLA_COLUMN:
                        c.replace(exp.Literal.number(t))
                ladder.append(_sql(fixed))
            partials.extend(ladder)
            read = "coalesce(sum({}), 0)" if isinstance(agg, exp.Count) else "sum({})"
            tree = _replace(tree, node, read.format(_SLA_TOKEN))
            continue
        found = _partials(agg, where)
        if found is None:
            return None
        sqls, read = found
        partials.extend(s for s in sqls if s not in partials)
        tree = _replace(tree, node, read.format(*(column(s) for s in sqls)))
    return Sums(tuple(partials), _sql(tree), tuple(ladder))


def stored(measure: str) -> str:
    """The rollup column of a measure kept as one partial (`offered`: the tickets of a cell)."""
    f = form(measure)
    if not isinstance(f, Sums) or len(f.partials) != 1:
        raise KeyError(f"{measure} is not one column of a rollup")
    return column(f.partials[0])


def partials(source: str) -> list[str]:
    """Every partial aggregate the rollup of `source` stores, in catalog order."""
    found: list[str] = []
    for name, measure in MEASURES.items():
        f = form(name) if measure.source == source else None
        if isinstance(f, Sums):
            found.extend(p for p in f.partials if p not in found)
    return found


def hourly_partials() -> list[str]:
    """The partial aggregates the hourly table stores: those of `HOURLY_MEASURES`."""
    found: list[str] = []
    for name in HOURLY_MEASURES:
        found.extend(p for p in form(name).partials if p not in found)
    return found


def table(src: str, keys: tuple[str, ...]) -> str:
    """The table a source's sums are read from when split by `keys`."""
    return HOURLY_TABLE if "hour" in keys else ROLLUP_TABLES[src]


def groupings(src: str, keys: tuple[str, ...]) -> frozenset[str]:
    """The groupings the sums of a source can be split by, with `keys` in mind: split by the hour
    of day, the tickets' hourly table's."""
    return HISTOGRAM_GROUPINGS | {"hour"} if src == "tickets" and "hour" in keys else ROLLUP_GROUPINGS


def histograms() -> dict[str, Histogram]:
    """The measures kept as histograms, by name."""
    return {name: f for name in MEASURES if isinstance(f := form(name), Histogram)}


def threshold_case(thresholds: dict[tuple[str, str], int], value, bind, alias: str = "") -> str:
    """One CASE over channel, then client, giving `value(seconds)` of each row's service-level
    threshold. `thresholds`: (client or '', channel) -> seconds, '' being the channel's default;
    `bind` turns a client's name into a bound parameter; `alias` prefixes the row's columns. An
    expression costs far less than joining millions of rows to a threshold table."""
    branches = []
    for channel in sorted({ch for _, ch in thresholds}):
        overrides = " ".join(
            f"WHEN {bind(client)} THEN {value(s)}"
            for (client, ch), s in sorted(thresholds.items())
            if ch == channel and client
        )
        default = value(thresholds[("", channel)])
        branches.append(
            f"WHEN '{channel}' THEN "
            + (f"CASE {alias}client {overrides} ELSE {default} END" if overrides else default)
        )
    return f"(CASE {alias}channel {' '.join(branches)} END)"


def ladder_read(f: Sums, thresholds: dict[tuple[str, str], int] | None, bind) -> str | None:
    """`f.read` with each row's threshold column picked (`threshold_case`), or None when a
    threshold is off the ladder."""
    if not f.ladder:
        return f.read
    if thresholds is None or any(s not in SLA_LADDER for s in thresholds.values()):
        return None
    col = {s: column(p) for s, p in zip(SLA_LADDER, f.ladder, strict=True)}
    return f.read.replace(_SLA_TOKEN, threshold_case(thresholds, col.__getitem__, bind))


@functools.cache
def signature() -> str:
    """What the stored rollups must have been built by: their columns and bins. A warehouse whose
    rollups carry another signature is rebuilt when opened read-write
    (`csdata.store.warehouse.Warehouse._ensure_rollups`)."""
    parts = [f"{s}:{','.join(partials(s))}" for s in ROLLUP_TABLES]
    parts += [f"{n}:{h}:{bin_sql('x', h.resolution)}" for n, h in histograms().items()]
    parts += [",".join(ROLLUP_KEYS), ",".join(HISTOGRAM_KEYS), FOLLOWUPS_SQL]
    parts += [",".join(hourly_partials()), ",".join(HOURLY_KEYS)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
