"""The dashboards' filter bar, kept in the URL so a reload, a bookmark or a colleague's link
opens the same view; the filters a session chose survive a change of page."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import lookups
from csdata.analytics.compiler import Filters
from csdata.pages import PAGES
from csdata.policy import CHANNELS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    channel_label,
)
from csdata.ui.core import data_version, lang, tr
from csdata.ui.drilldown import _DRILL, take_drill
from csdata.ui.timing import timed

DEFAULT_DAYS = 90
_SAVED = "_filters"  # the last filters chosen, by URL name: survives a change of page
_WRITTEN = "_filters_url"  # what this session last wrote to the URL
_WIDGETS = {"client": "f_clients", "channel": "f_channels", "team": "f_teams"}


# -- filters in the URL ----------------------------------------------------------------------


def _url() -> dict[str, list[str]]:
    found = {k: st.query_params.get_all(k) for k in ("from", "to", *_WIDGETS)}
    return {k: v for k, v in found.items() if v}


def _as_url(filters: Filters) -> dict[str, list[str]]:
    """The filters as query parameters, every one a list (empty where nothing is chosen)."""
    return {
        "from": [filters.start.isoformat()],
        "to": [filters.end.isoformat()],
        "client": list(filters.clients),
        "channel": list(filters.channels),
        "team": list(filters.teams),
    }


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _restore(saved: dict[str, list[str]], span: lookups.Span, options: dict[str, list[str]]) -> list[str]:
    """Puts URL-shaped filters into the widgets; returns the values it had to ignore."""
    ignored: list[str] = []
    start, end = (_date((saved.get(k) or [None])[0]) for k in ("from", "to"))
    for key in ("from", "to"):
        if saved.get(key) and _date(saved[key][0]) is None:
            ignored.append(f"{key}={saved[key][0]}")
    default_start, default_end = span.default(DEFAULT_DAYS)
    start = min(max(start or default_start, span.first), span.last)
    end = min(max(end or default_end, start), span.last)
    st.session_state["f_period"] = (start, end)
    for name, widget in _WIDGETS.items():
        chosen = saved.get(name, [])
        st.session_state[widget] = [v for v in chosen if v in options[name]]
        ignored += [f"{name}={v}" for v in chosen if v not in options[name]]
    return ignored


def _write_url(filters: Filters) -> None:
    wanted = _as_url(filters)
    for key, value in wanted.items():
        if value and st.query_params.get_all(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]
    st.session_state[_WRITTEN] = {k: v for k, v in wanted.items() if v}
    st.session_state[_SAVED] = st.session_state[_WRITTEN]


def url_params(filters: Filters, **extra: str) -> dict[str, list[str] | str]:
    """The filters as query parameters (for a link or a page switch)."""
    return {**{k: v for k, v in _as_url(filters).items() if v}, **extra}


@st.cache_data(show_spinner=False, max_entries=64)
def _span(_wh: Warehouse, path: str, version: int, today: dt.date) -> lookups.Span | None:
    return lookups.data_span(_wh, today)


def forget_filters() -> None:
    """Drops the filters this session chose (at sign-in and sign-out: one user's view is not the
    next one's)."""
    for key in (_SAVED, _WRITTEN, _DRILL, "_filters_page", "f_period", *_WIDGETS.values()):
        st.session_state.pop(key, None)


def filter_bar(wh: Warehouse, scope: Scope = EVERYTHING) -> Filters:
    """Period, clients, channels and teams; the last 90 complete days of data unless the URL says
    else (see `lookups.Span`)."""
    with timed("lookups"):
        span = _span(wh, wh.address, data_version(wh), dt.date.today())
        options = {
            "client": lookups.clients(wh, scope),
            "channel": list(CHANNELS),
            "team": lookups.teams(wh, scope),
        }
    if span is None:
        st.info(tr("empty_warehouse"))
        st.stop()
    url = _url()
    ignored: list[str] = []
    page = st.session_state.get("page")
    # Streamlit forgets a widget's value on any run that does not draw it (a page without the
    # filter bar), so the widgets are filled again from the saved filters whenever one is missing.
    forgotten = any(key not in st.session_state for key in ("f_period", *_WIDGETS.values()))
    if url and url != st.session_state.get(_WRITTEN):  # a bookmark or a shared link
        ignored = _restore(url, span, options)
    elif forgotten or page != st.session_state.get("_filters_page"):  # the filters of the last view
        _restore(st.session_state.get(_SAVED, {}), span, options)
    st.session_state["_filters_page"] = page
    agent = take_drill()
    chosen_clients = tuple(st.session_state.get("f_clients", []))
    with timed("lookups"):
        team_options = lookups.teams(wh, scope, chosen_clients)
    st.session_state["f_teams"] = [t for t in st.session_state.get("f_teams", []) if t in team_options]

    language = lang()
    # The period needs room for "2026/10/31 – 2026/12/31" in either language.
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2]) if scope.agents_visible else (*st.columns([3, 3, 2]), None)
    period = c1.date_input(tr("period"), min_value=span.first, max_value=span.last, key="f_period")
    clients = c2.multiselect(tr("clients"), options["client"], placeholder=tr("all_clients"), key="f_clients")
    channels = c3.multiselect(
        tr("channels"),
        CHANNELS,
        format_func=lambda c: channel_label(c, language),
        placeholder=tr("all_channels"),
        key="f_channels",
    )
    teams = (
        c4.multiselect(tr("teams"), team_options, placeholder=tr("all_teams"), key="f_teams") if c4 else []
    )
    if ignored:
        st.warning(tr("filters_ignored", values=", ".join(ignored)))
    if not isinstance(period, tuple) or len(period) != 2:
        st.info(tr("period_needs_two_dates"))
        st.stop()
    filters = Filters(period[0], period[1], tuple(clients), tuple(channels), tuple(teams))
    _write_url(filters)
    if not clients and len(options["client"]) == 1:
        # One client in view (a client account, a supervisor of one client's teams): its contract
        # is the measure everywhere, as if it were chosen (the address keeps what the user chose).
        filters = Filters(
            filters.start, filters.end, tuple(options["client"]), filters.channels, filters.teams
        )
    if agent:  # an agent's row was clicked on the last run
        st.switch_page(PAGES["agent"].file, query_params=url_params(filters, agent=agent))
    return filters


def scope_label(wh: Warehouse, filters: Filters, scope: Scope = EVERYTHING) -> str:
    """What the numbers cover, in words: the chosen clients, or all those the user may see."""
    restricted = scope.clients is not None or scope.teams is not None
    shown = filters.clients or (tuple(lookups.clients(wh, scope)) if restricted else ())
    parts = [", ".join(shown) if shown else tr("all_clients")]
    if filters.teams:
        parts.append(", ".join(filters.teams))
    parts.append(
        ", ".join(channel_label(c, lang()) for c in filters.channels)
        if filters.channels
        else tr("all_channels")
    )
    return " · ".join(parts)


def caption(wh: Warehouse, filters: Filters, scope: Scope) -> None:
    previous = filters.previous()
    st.caption(
        tr(
            "overview_caption",
            start=filters.start,
            end=filters.end,
            scope=scope_label(wh, filters, scope),
            prev_start=previous.start,
            prev_end=previous.end,
        )
    )
