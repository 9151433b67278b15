"""The house dialect and PostgreSQL's: one definition of every statement, two engines.

Every statement in csdata is written once, in DuckDB's SQL (the embedded default and the fastest
path): the metric compiler's output, the rollups, the records' writes, the migrations. When the
warehouse is a PostgreSQL database, the store translates each statement here, once per distinct
text (cached), with SQLGlot, which knows both dialects' syntax and functions; the few things it
does not translate by itself are done in this module and nowhere else:

- parameters: DuckDB's `?` (by position) and `$name` become PostgreSQL's `$1, $2, ...`, and
  `bind` puts the caller's values in that order (psycopg's raw cursor sends them as they are, so
  a `%` in the SQL text needs no escaping);
- `GROUP BY ALL`, which PostgreSQL does not have, becomes the positions of the select list's
  columns that hold no aggregate, and `ORDER BY ALL` every position;
- `json_object('k': v, ...)` becomes `json_build_object('k', v, ...)`;
- `make_timestamp(micros)` becomes the epoch plus that many microseconds (a TIMESTAMP, as
  DuckDB's is, whatever the session's time zone);
- `arg_max(v, k)` becomes the first of an ordered `array_agg`; `mode(x)` becomes PostgreSQL's
  ordered-set form, and a subquery in FROM without a name gets one;
- functions DuckDB has and PostgreSQL 15 does not (`any_value`, `hour`, `quarter`, `contains`,
  `date_sub`, `list_position`, ...) are created in the database by `COMPAT`, before the first
  migration (`regexp_extract` gives NULL where DuckDB's gives '' for no match: the statements
  only cast it, and PostgreSQL has no TRY_CAST to read '' as NULL). They stay in floating point where they can: `log2` (the rollups' histogram bins, at
  every ticket) through `numeric` took 28 µs a call, two hundred times `ln`'s, and made the
  rollups of 10 M tickets take many minutes; it is worked out as the nearest whole power k plus
  log2(x / 2^k) (that division exact, its logarithm small), so it is exact on a power of two and
  right to the last bit beside one: a value on a bin's edge falls in the same bin as on DuckDB.

Why translate instead of keeping two texts: a second copy of every query would drift from the
first, and the tests that compare the engines would be the only thing keeping them equal. With
one text, a new metric works on both engines the day it is written, and a statement SQLGlot
cannot carry fails loudly in the tests that run on PostgreSQL.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Tokenizer, TokenType

# Functions of DuckDB's the statements use that PostgreSQL 15 lacks, made once per database.
COMPAT = """
CREATE OR REPLACE FUNCTION csdata_first(anyelement, anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, $2)';
CREATE OR REPLACE AGGREGATE any_value(anyelement) (SFUNC = csdata_first, STYPE = anyelement);
CREATE OR REPLACE FUNCTION hour(timestamp) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT extract(hour FROM $1)::bigint';
CREATE OR REPLACE FUNCTION quarter(timestamp) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT extract(quarter FROM $1)::bigint';
CREATE OR REPLACE FUNCTION contains(text, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos($1, $2) > 0';
CREATE OR REPLACE FUNCTION dayofweek_iso(timestamp) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT extract(isodow FROM $1)::bigint';
CREATE OR REPLACE FUNCTION list_position(anycompatiblearray, anycompatible) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT array_position($1, $2)';
CREATE OR REPLACE FUNCTION date_sub(part text, a date, b date) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(part)
        WHEN 'year' THEN extract(year FROM age(b, a))
        WHEN 'month' THEN extract(year FROM age(b, a)) * 12 + extract(month FROM age(b, a))
        WHEN 'day' THEN b - a END::bigint $$;
CREATE OR REPLACE FUNCTION round(double precision, integer) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT round($1::numeric, $2)::double precision';
CREATE OR REPLACE FUNCTION regexp_extract(text, text, integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT (regexp_match($1, $2))[$3]';
CREATE OR REPLACE FUNCTION date_from_parts(integer, integer, integer) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT make_date($1, $2, $3)';
CREATE OR REPLACE FUNCTION log2(double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(ln($1) / ln(2::float8))
        + ln($1 / power(2::float8, round(ln($1) / ln(2::float8)))) / ln(2::float8) $$;
"""

_POSITIONAL = "csdata_p"


@functools.lru_cache(maxsize=8192)
def postgres(sql: str) -> tuple[str, tuple[str | int, ...]]:
    """PostgreSQL's text of one house statement, and the order its parameters are bound in (an
    int: the caller's positional parameter of that index; a str: the named one)."""
    tree = sqlglot.parse_one(_named_positions(sql), read="duckdb")
    return _generate(tree)


def script(sql: str) -> list[str]:
    """PostgreSQL's statements of a house script (a migration): no parameters."""
    out = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is not None:
            out.append(_generate(tree)[0])
    return out


def bind(order: tuple[str | int, ...], params: Sequence[Any] | Mapping[str, Any] | None) -> list[Any]:
    """The caller's parameters in the order of the translated statement's `$1, $2, ...`."""
    if not order:
        return []
    if isinstance(params, Mapping):
        return [params[key] for key in order]
    values = list(params or [])
    return [values[key] for key in order]


def _named_positions(sql: str) -> str:
    """Each `?` of the text named by its position (`$csdata_p0`, ...), so that the numbering of
    the output does not depend on the order SQLGlot walks its tree in."""
    tokens = [t for t in Tokenizer().tokenize(sql) if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if not tokens:
        return sql
    parts, last = [], 0
    for i, token in enumerate(tokens):
        parts += [sql[last : token.start], f"${_POSITIONAL}{i}"]
        last = token.end + 1
    return "".join(parts) + sql[last:]


def _generate(tree: exp.Expression) -> tuple[str, tuple[str | int, ...]]:
    tree = tree.transform(_rewrite)
    order: list[str | int] = []
    numbers: dict[str, int] = {}
    for node in list(tree.find_all(exp.Placeholder)):
        name = str(node.this)
        key: str | int = int(name[len(_POSITIONAL) :]) if name.startswith(_POSITIONAL) else name
        if name not in numbers:
            order.append(key)
            numbers[name] = len(order)
        node.replace(exp.Var(this=f"${numbers[name]}"))
    return tree.sql(dialect="postgres"), tuple(order)


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Subquery) and not node.alias and isinstance(node.parent, (exp.From, exp.Join)):
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{id(node) % 10**6}")))
    if isinstance(node, exp.Select) and isinstance(node.args.get("group"), exp.Group):
        group = node.args["group"]
        if group.args.get("all"):
            keys = [
                exp.Literal.number(i + 1)
                for i, e in enumerate(node.expressions)
                if not e.find(exp.AggFunc) and not e.find(exp.Window)
            ]
            node.set("group", exp.Group(expressions=keys) if keys else None)
    if isinstance(node, exp.Log) and node.this.is_int and int(node.this.name) == 2 and node.expression:
        return exp.Anonymous(this="log2", expressions=[node.expression])
    if (
        isinstance(node, exp.Order)
        and isinstance(node.parent, exp.Select)
        and any(isinstance(o.this, exp.Var) and o.this.name.upper() == "ALL" for o in node.expressions)
    ):
        # ORDER BY ALL: by every column of the select list, left to right
        width = len(node.parent.expressions)
        return exp.Order(expressions=[exp.Ordered(this=exp.Literal.number(i + 1)) for i in range(width)])
    if isinstance(node, exp.UnixToTime) and node.args.get("scale") and node.args["scale"].name == "6":
        # make_timestamp(micros): a TIMESTAMP, as DuckDB's is (PostgreSQL's to_timestamp would
        # give a TIMESTAMPTZ, read in the session's time zone)
        micros = exp.Mul(
            this=exp.Paren(this=node.this.copy()),
            expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.Var(this="MICROSECOND")),
        )
        return exp.Add(this=exp.cast(exp.Literal.string("1970-01-01"), "TIMESTAMP"), expression=micros)
    if isinstance(node, exp.JSONObject):
        pairs = []
        for kv in node.expressions:
            pairs += [kv.this.copy(), kv.expression.copy()]
        return exp.Anonymous(this="json_build_object", expressions=pairs)
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        # (PostgreSQL 15 has no any_value: `COMPAT` makes one, which skips NULLs like DuckDB's)
        return exp.Anonymous(this="any_value", expressions=[node.this.this])
    if isinstance(node, exp.ArgMax | exp.ArgMin):
        # DuckDB's arg_max(v, k): v at the row of the greatest k, rows with a NULL v or k ignored
        value, key = node.this, node.expression
        order = exp.Ordered(this=key.copy(), desc=isinstance(node, exp.ArgMax), nulls_first=False)
        agg = exp.ArrayAgg(this=exp.Order(this=value.copy(), expressions=[order]))
        kept = exp.and_(
            exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())),
            exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())),
        )
        return exp.Bracket(
            this=exp.Paren(this=exp.Filter(this=agg, expression=exp.Where(this=kept))),
            expressions=[exp.Literal.number(1)],
            offset=1,
        )
    if isinstance(node, exp.Mode) and not isinstance(node.parent, exp.WithinGroup):
        return exp.WithinGroup(
            this=exp.Anonymous(this="mode"), expression=exp.Order(expressions=[exp.Ordered(this=node.this)])
        )
    return node
