"""Both engines for the tests: a DuckDB file, or a fresh PostgreSQL database.

The metric, import, access and workflow tests take a warehouse from `target(...)`, parametrised
over `ENGINES`, so each runs on DuckDB and on PostgreSQL. PostgreSQL is the server named by
CSDATA_TEST_PG (default: the local server's socket, as user `postgres`'s peer or the current
user); each test gets its own database, copied from a migrated template (much faster than
migrating each; the template is this test run's own, so runs sharing a server do not disturb
each other), and dropped after it.

With no server reachable the PostgreSQL cases skip, saying so, unless CSDATA_REQUIRE_PG=1 (CI),
where that is a failure.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
from pathlib import Path

import pytest

ENGINES = ("duckdb", "postgresql")
SERVER = os.environ.get("CSDATA_TEST_PG", "postgresql:///postgres?host=/var/run/postgresql")
# This test run's own template (several runs may share one server: none drops another's), removed
# when the run ends; templates of runs that died are removed by the next run.
TEMPLATE = f"csdata_test_template_{os.getpid()}"


def _url(database: str) -> str:
    base, _, query = SERVER.partition("?")
    head = base.rsplit("/", 1)[0]
    return f"{head}/{database}" + (f"?{query}" if query else "")


def _admin():
    import psycopg

    return psycopg.connect(SERVER, autocommit=True, connect_timeout=5)


@functools.cache
def _template() -> str | None:
    """Migrate the template database once per test run; None (with the reason) when no server."""
    try:
        with _admin() as con:
            _drop_dead_templates(con)
            con.execute(f"CREATE DATABASE {TEMPLATE}")
    except Exception as exc:  # no server, no role: the reason is the test's skip message
        _template.reason = (
            f"no PostgreSQL server at {SERVER}: {str(exc).splitlines()[0] if str(exc) else exc!r}"
        )
        return None
    from csdata.store.warehouse import Warehouse

    Warehouse(_url(TEMPLATE), create=True).close()
    atexit.register(_drop_template)
    return TEMPLATE


def _drop_dead_templates(con) -> None:
    """The templates of earlier runs whose process has ended (this machine's: same pid space)."""
    names = [
        r[0]
        for r in con.execute("SELECT datname FROM pg_database WHERE datname LIKE 'csdata_test_template%'")
    ]
    for name in names:
        pid = name.rpartition("_")[2]
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_template() -> None:
    try:
        with _admin() as con:
            con.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    except Exception:  # the server went away first: the next run removes it
        pass


def require_postgres() -> None:
    """Skip (or, with CSDATA_REQUIRE_PG=1, fail) a test when no PostgreSQL server is reachable."""
    if _template() is None:
        reason = getattr(_template, "reason", "no PostgreSQL server")
        if os.environ.get("CSDATA_REQUIRE_PG") == "1":
            pytest.fail(f"CSDATA_REQUIRE_PG=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def new_database(request, migrated: bool = True) -> str:
    """A fresh PostgreSQL database for one test (dropped after it), migrated or empty: its URL."""
    require_postgres()
    name = f"csdata_test_{secrets.token_hex(6)}"
    with _admin() as con:
        con.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {TEMPLATE}" if migrated else ""))

    def drop() -> None:
        with _admin() as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    request.addfinalizer(drop)
    return _url(name)


def target(request, engine: str, path: Path) -> str | Path:
    """Where a test's warehouse lives: the DuckDB file `path`, or a new PostgreSQL database."""
    return new_database(request) if engine == "postgresql" else path
