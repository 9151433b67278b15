"""Quoting SQL: the one place a value or a name is written into SQL text.

Values a user or a file gives are bound as parameters wherever DuckDB allows (`?` or `$name`).
Some statements cannot take a parameter where a value or a name goes: a column alias, a `CASE`
over a file's own column names, a `CREATE TABLE ... AS` that DuckDB prepares once for many rows.
Those write the value or the name into the text through these functions and no other, so there
is one rule to review: a literal doubles its single quotes, an identifier its double quotes.
"""

from __future__ import annotations

from collections.abc import Iterable


def literal(value: object) -> str:
    """A string literal: 'it''s'."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: object) -> str:
    """A quoted identifier: "Agent ""A"" name"."""
    return '"' + str(name).replace('"', '""') + '"'


def literal_list(values: Iterable[object]) -> str:
    """A list literal of strings: ['a', 'b''s']."""
    return "[" + ", ".join(literal(v) for v in values) + "]"
