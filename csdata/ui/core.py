"""The frame every page shares: the user's language and text, the warehouse and cached reads.

The warehouse is a cached resource (one per process, a cursor per session thread), query results
are cached by their arguments plus the warehouse's data version (the last audit-log id, which
every write moves), so a page rerun costs nothing until data changes. A dashboard's frames
(`Frames`) know the requests, scope and version they answer, and what is worked out of them
alone (cards, table cells, figures) is cached under those (`derived`, `figure`): a new session
or a rerun does not work it out again, a write or another scope never finds it. The language
lives in a plain session key rather than in a widget's state, because Streamlit forgets widget
state when the user moves to another page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from csdata.policy import Policy, load_policy
from csdata.settings import Settings, SettingsError
from csdata.store.warehouse import Warehouse, WarehouseError
from csdata.text.i18n import (
    LANG_NAMES,
    LANGS,
    Problem,
    md,
    t_md,
)

if TYPE_CHECKING:
    from csdata.access.scope import Scope
    from csdata.analytics.page_queries import Request

TRANSLATED_WIDGETS = (
    "f_channels",
    "trend_metric",
    "service_split",
    "agent_pick",
    *(f"trend_view_{page}" for page in ("overview", "quality", "clients", "agent")),
)


# -- language ----------------------------------------------------------------------------------


def lang() -> str:
    if "lang" not in st.session_state:
        try:
            st.session_state["lang"] = Settings.from_env().lang
        except SettingsError:
            st.session_state["lang"] = "en"
    return st.session_state["lang"]


def tr(key: str, **params: object) -> md:
    """The text of `key` in the user's language, for a place that renders markdown: every
    parameter (a name from a record, a value from the URL or a file) shows as plain text."""
    return t_md(key, lang(), **params)


def problem_text(exc: Problem) -> md:
    """A refusal's message, its parameters shown as plain text (they often quote the input)."""
    return tr(exc.key, **exc.params_in(lang()))


def language_switch() -> None:
    """English / 中文, in the sidebar of every page."""
    current = lang()

    def changed() -> None:
        st.session_state["lang"] = st.session_state["_lang_choice"]
        # Widgets whose options are shown through a translated label keep the text they showed;
        # assigning their values again makes Streamlit draw them afresh in the new language and
        # keeps the user's choice.
        for key in TRANSLATED_WIDGETS:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]

    st.sidebar.radio(
        tr("language"),
        LANGS,
        index=LANGS.index(current),
        format_func=LANG_NAMES.get,
        horizontal=True,
        key="_lang_choice",
        on_change=changed,
    )


# -- warehouse and cached reads ----------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Warehouse:
    wh = Warehouse(path)
    wh.serve_backups()  # `csdata backup` asks this process for a copy while it holds the file
    return wh


def warehouse() -> Warehouse:
    """The app's warehouse, or a clear message and a stopped page."""
    try:
        return _open(str(Settings.from_env().db))
    except SettingsError as exc:
        st.error(tr("err_settings", detail=str(exc)))
    except WarehouseError as exc:
        st.error(problem_text(exc))
    st.stop()


def data_version(wh: Warehouse) -> int:
    """Moves with every write of data (sign-ins are logged too, but change no numbers)."""
    return wh.scalar("SELECT coalesce(max(id), 0) FROM audit_log WHERE action NOT LIKE 'auth.%'") or 0


@st.cache_data(show_spinner=False, max_entries=16)
def _policy(_wh: Warehouse, path: str, version: int, on: dt.date) -> Policy:
    return load_policy(_wh, on)[1]


def policy(wh: Warehouse, on: dt.date) -> Policy:
    return _policy(wh, wh.address, data_version(wh), on)


# -- what is worked out of a page's frames ------------------------------------------------------


class Frames(dict):
    """A page's frames by name, with what they were fetched for (see `key`)."""

    def __init__(self, path: str, version: int, scope: Scope, requests: dict[str, Request]) -> None:
        super().__init__()
        self._of = (path, version, scope)
        self._requests = requests

    def key(self, names: tuple[str, ...]) -> str:
        """What the frames of `names` answer, in one string: the warehouse, its data version, the
        scope and each one's request (a frame the page does not have counts as missing)."""
        return repr((*self._of, tuple((n, self._requests.get(n)) for n in names)))


@st.cache_data(show_spinner=False, max_entries=256)
def _derived(_fn: Callable, _wh: Warehouse, _frames: Frames, _args: tuple, key: str) -> Any:
    return _fn(_wh, _frames, *_args)


def derived(
    fn: Callable, wh: Warehouse, frames: dict[str, pd.DataFrame], names: tuple[str, ...], *args: object
) -> Any:
    """`fn(wh, frames, *args)`, cached with the frames of `names` when they are a page's `Frames`.

    `fn` may read only those frames, `args` and the warehouse's cached reads (`policy`: each
    cached by the data version too), and it must draw nothing. Its result is then the same for
    every session of the same scope, so `args` must hold whatever else it depends on (the
    filters, the language of its words), each an argument whose `repr` says all of it (strings,
    numbers, tuples, dates, `Filters`): the cache key is made of their `repr`, as it is cheaper
    than hashing them. What comes back is a copy, as from any cached read."""
    return _shared(_derived, fn, wh, frames, names, args)


def _shared(
    cached: Callable, fn: Callable, wh: Warehouse, frames: dict[str, pd.DataFrame], names: tuple, args: tuple
) -> Any:
    """`fn(wh, frames, *args)` through `cached` under the frames' key, or directly for frames that
    are not a page's `Frames` (a test's plain dict)."""
    if not isinstance(frames, Frames):
        return fn(wh, frames, *args)
    return cached(fn, wh, frames, args, f"{fn.__module__}.{fn.__qualname__}{frames.key(names)}{args!r}")


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(_fn: Callable, _wh: Warehouse, _frames: Frames, _args: tuple, key: str) -> Any:
    return _fn(_wh, _frames, *_args)


def figure(
    fn: Callable, wh: Warehouse, frames: dict[str, pd.DataFrame], names: tuple[str, ...], *args: object
) -> Any:
    """A chart's figure, `fn(wh, frames, *args)`, made once for the frames of `names` as `derived`
    is (the same rules and key), and then the same figure object for every run that asks: a
    plotly figure costs as much to copy (it is validated again) as to make. So it must only be
    read: handed to `st.plotly_chart`, which reads it into what it sends."""
    return _shared(_figure, fn, wh, frames, names, args)


def clear_derived() -> None:
    """Forgets every figure made by `figure` (`st.cache_data.clear()` forgets what `derived` worked
    out): a benchmark of cold runs starts from nothing."""
    _figure.clear()
