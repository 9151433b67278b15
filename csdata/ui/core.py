"""The frame every page shares: the user's language and text, the warehouse and cached reads.

The warehouse is a cached resource (one per process, a cursor per session thread), query results
are cached by their arguments plus the warehouse's data version (the last audit-log id, which
every write moves), so a page rerun costs nothing until data changes. The language lives in a
plain session key rather than in a widget's state, because Streamlit forgets widget state when
the user moves to another page.
"""

from __future__ import annotations

import datetime as dt

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
    return _policy(wh, str(wh.path), data_version(wh), on)
