"""Where a page's script spends its time, by named part: what `csdata bench` reports beside the
whole run.

A few central places of the pages say what they are doing with `timed("part")`: the filter bar's
look-ups, the cached fetch of the page's requests (its metric requests, and those of the period
before), and the chart and table helpers (drawing). Counting is off unless `csdata bench` turns it
on around one script run (`counting()`), so in the served app `timed` costs one global read and a
shared do-nothing context. Times are exclusive: a part timed inside another is charged to the
inner one only, so the parts never add up to more than the run that holds them.

`script_runs` runs the pages' scripts for the benchmark (through Streamlit's AppTest, as the
tests do), counting each run: it lives here because only `csdata.ui` may import Streamlit.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

PARTS = ("lookups", "requests", "before", "drawing")  # what is named; the rest is `rest`

_spent: dict[str, float] | None = None  # seconds per part while counting, else None
_stack: list[str] = []  # the parts entered, innermost last
_since = 0.0  # when the innermost part was last charged
_OFF = nullcontext()
_ELEMENTS = ("plotly_chart", "dataframe")


class _Part:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        global _since
        now = time.perf_counter()
        if _stack and _spent is not None:
            _spent[_stack[-1]] += now - _since
        _stack.append(self.name)
        _since = now

    def __exit__(self, *exc: object) -> None:
        global _since
        now = time.perf_counter()
        if _stack:
            name = _stack.pop()
            if _spent is not None:
                _spent[name] += now - _since
        _since = now


def timed(part: str):
    """A context that charges its time to `part` (one of `PARTS`) while counting."""
    return _OFF if _spent is None else _Part(part)


def timed_calls(part: str):
    """A decorator: every call of the function is timed as `part`."""

    def wrap(fn):
        @functools.wraps(fn)
        def counted(*args, **kwargs):
            with timed(part):
                return fn(*args, **kwargs)

        return counted

    return wrap


@contextmanager
def counting() -> Iterator[dict[str, float]]:
    """Counts the parts of what runs inside; the dict it gives is filled when the block ends."""
    import streamlit as st

    global _spent
    _spent = dict.fromkeys(PARTS, 0.0)
    _stack.clear()
    # Streamlit's own chart and table elements (turning a figure or a frame into what is sent to
    # the browser) are drawing too; the pages call them as `st.plotly_chart` / `st.dataframe`.
    shown = {name: getattr(st, name) for name in _ELEMENTS}
    for name, element in shown.items():
        setattr(st, name, timed_calls("drawing")(element))
    found: dict[str, float] = {}
    try:
        yield found
    finally:
        for name, element in shown.items():
            setattr(st, name, element)
        found.update(_spent)
        _spent = None
        _stack.clear()


def script_runs(db: Path | str, user: str, repeat: int, pages: tuple[str, ...], periods: dict) -> dict:
    """The app's whole script for each page and period (`{name: Filters}`), as the server runs
    it after a click in the navigation, for `user` signed in, through Streamlit's AppTest over
    the warehouse `db` (opened read-write, as the app does: pass a copy), the result cache
    emptied before each run (and the figures made from it). Per (page, period name): the run of
    median length of `repeat`, as (seconds, parts); each page is run once more first, untimed
    (its modules, the file cache).
    The environment, the logging and the app's cached warehouse are as before afterwards."""
    logging.disable(logging.WARNING)  # AppTest outside a server warns at every cache call
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from csdata.access import sessions
    from csdata.pages import PAGES
    from csdata.ui import core, signin

    root = Path(__file__).resolve().parents[2]
    saved_env = {k: os.environ.get(k) for k in ("CSDATA_DB", "CSDATA_LANG")}
    os.environ["CSDATA_DB"] = str(db)
    os.environ.pop("CSDATA_LANG", None)
    app = None
    try:
        app = core._open(str(db))  # the app's own cached warehouse, as the pages open it
        at = AppTest.from_file(str(root / "app.py"), default_timeout=600)
        at.session_state["lang"] = "en"
        at.session_state["username"], at.session_state[signin.TOKEN] = user, sessions.start(app, user)
        _run(at, "overview")  # signed in, on the overview: the frame's modules imported
        found = {}
        warmed: set[str] = set()
        for name, period in periods.items():
            for page in pages:
                runs = []
                for n in range(repeat + (page not in warmed)):
                    at.query_params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
                    at.switch_page(PAGES[page].file)
                    st.cache_data.clear()
                    core.clear_derived()
                    with counting() as parts:
                        started = time.perf_counter()
                        _run(at, page)
                        seconds = time.perf_counter() - started
                    if n or page in warmed:
                        runs.append((seconds, parts))
                warmed.add(page)
                found[(page, name)] = sorted(runs, key=lambda r: r[0])[(len(runs) - 1) // 2]
        return found
    finally:
        st.cache_data.clear()
        core.clear_derived()
        if app is not None:
            core._open.clear()
            app.close()
        logging.disable(logging.NOTSET)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run(at, page: str) -> None:
    from csdata.text.i18n import Problem

    at.run()
    if at.exception:
        detail = (str(at.exception[0].value).splitlines() or [""])[0][:300]
        raise Problem("err_bench_page_failed", page=page, detail=detail)
