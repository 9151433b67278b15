"""The pieces pages are built from: the only csdata module that imports streamlit.

The warehouse is a cached resource (one per process, a cursor per session thread), query results
are cached by their arguments plus the warehouse's data version (the last audit-log id, which
every write moves), so a page rerun costs nothing until data changes. The language lives in a
plain session key rather than in a widget's state, because Streamlit forgets widget state when
the user moves to another page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata import queries
from csdata.i18n import LANG_NAMES, LANGS, channel_label, fmt_change, fmt_value, t
from csdata.metrics import CATALOG, meets
from csdata.policy import CHANNELS, Policy, load_policy
from csdata.queries import EVERYTHING, Filters, Scope
from csdata.settings import Settings, SettingsError
from csdata.warehouse import Warehouse, WarehouseError

DEFAULT_DAYS = 90
TRANSLATED_WIDGETS = ("f_channels", "trend_metric")


# -- language ----------------------------------------------------------------------------------


def lang() -> str:
    if "lang" not in st.session_state:
        try:
            st.session_state["lang"] = Settings.from_env().lang
        except SettingsError:
            st.session_state["lang"] = "en"
    return st.session_state["lang"]


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


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
    return Warehouse(path)


def warehouse() -> Warehouse:
    """The app's warehouse, or a clear message and a stopped page."""
    try:
        return _open(str(Settings.from_env().db))
    except SettingsError as exc:
        st.error(tr("err_settings", detail=str(exc)))
    except WarehouseError as exc:
        st.error(t(exc.key, lang(), **exc.params))
    st.stop()


def data_version(wh: Warehouse) -> int:
    return wh.scalar("SELECT coalesce(max(id), 0) FROM audit_log") or 0


@st.cache_data(show_spinner=False, max_entries=256)
def _metric_table(
    _wh: Warehouse,
    path: str,
    version: int,
    metrics: tuple[str, ...],
    filters: Filters,
    by: str | None,
    scope: Scope,
) -> pd.DataFrame:
    return queries.metric_table(_wh, list(metrics), filters, by, scope)


def metric_table(
    wh: Warehouse, metrics, filters: Filters, by: str | None = None, scope: Scope = EVERYTHING
) -> pd.DataFrame:
    return _metric_table(wh, str(wh.path), data_version(wh), tuple(metrics), filters, by, scope)


def metric_values(wh: Warehouse, metrics, filters: Filters, scope: Scope = EVERYTHING) -> dict:
    row = metric_table(wh, metrics, filters, None, scope).iloc[0]
    return {m: (None if pd.isna(row[m]) else float(row[m])) for m in metrics}


@st.cache_data(show_spinner=False, max_entries=16)
def _policy(_wh: Warehouse, path: str, version: int, on: dt.date) -> Policy:
    return load_policy(_wh, on)[1]


def policy(wh: Warehouse, on: dt.date) -> Policy:
    return _policy(wh, str(wh.path), data_version(wh), on)


# -- filter bar --------------------------------------------------------------------------------


def filter_bar(wh: Warehouse, scope: Scope = EVERYTHING) -> Filters:
    """Period, clients and channels; defaults to the last 90 days that have data."""
    span = queries.ticket_date_range(wh)
    if span is None:
        st.info(tr("empty_warehouse"))
        st.stop()
    first, last = span
    default = (max(first, last - dt.timedelta(days=DEFAULT_DAYS - 1)), last)
    c1, c2, c3 = st.columns([2, 3, 2])
    period = c1.date_input(tr("period"), value=default, min_value=first, max_value=last, key="f_period")
    clients = c2.multiselect(
        tr("clients"), queries.clients(wh, scope), placeholder=tr("all_clients"), key="f_clients"
    )
    channels = c3.multiselect(
        tr("channels"),
        CHANNELS,
        format_func=lambda c: channel_label(c, lang()),
        placeholder=tr("all_channels"),
        key="f_channels",
    )
    if not isinstance(period, tuple) or len(period) != 2:
        st.info(tr("period_needs_two_dates"))
        st.stop()
    return Filters(period[0], period[1], tuple(clients), tuple(channels))


def scope_label(filters: Filters) -> str:
    clients = ", ".join(filters.clients) if filters.clients else tr("all_clients")
    channels = (
        ", ".join(channel_label(c, lang()) for c in filters.channels)
        if filters.channels
        else tr("all_channels")
    )
    return f"{clients} · {channels}"


# -- KPI cards ---------------------------------------------------------------------------------


def target_for(pol: Policy, metric: str, filters: Filters) -> float | None:
    """The target a card shows: the client's own when one client is chosen, else the company's."""
    client = filters.clients[0] if len(filters.clients) == 1 else None
    channel = filters.channels[0] if len(filters.channels) == 1 else None
    return pol.target(metric, client, channel, days=filters.days)


def kpi_cards(
    wh: Warehouse, metrics: tuple[str, ...], filters: Filters, scope: Scope = EVERYTHING, per_row: int = 5
) -> None:
    now = metric_values(wh, metrics, filters, scope)
    before = metric_values(wh, metrics, filters.previous(), scope)
    by_channel_metrics = [m for m in metrics if CATALOG[m].unit == "seconds"]
    by_channel = (
        metric_table(wh, by_channel_metrics, filters, "channel", scope) if by_channel_metrics else None
    )
    pol = policy(wh, filters.end)
    language = lang()
    for start in range(0, len(metrics), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, metrics[start : start + per_row], strict=False):
            metric = CATALOG[name]
            value, prev = now[name], before[name]
            delta = None if value is None or prev is None else value - prev
            change = fmt_change(delta, metric.unit, language)
            still = change is not None and change.startswith("±")
            colour = "off" if still else {1: "normal", -1: "inverse", 0: "off"}[metric.direction]
            with col.container(border=True):
                st.metric(
                    metric.label(language),
                    fmt_value(value, metric.unit, language),
                    change,
                    delta_color=colour,
                    delta_arrow="off" if still else "auto",
                    help=metric.formula(language),
                )
                st.caption(_target_line(pol, name, filters, value, by_channel))


def _target_line(pol: Policy, name: str, filters: Filters, value, by_channel) -> str:
    metric = CATALOG[name]
    language = lang()
    target = target_for(pol, name, filters)
    if by_channel is not None and name in by_channel.columns and target is None:
        # Seconds on the phone and hours by email do not average into one number worth a target:
        # show each channel against its own.
        parts = []
        for _, row in by_channel.iterrows():
            channel_value = None if pd.isna(row[name]) else float(row[name])
            mark = _mark(meets(name, channel_value, pol.target(name, _one(filters.clients), row["key"])))
            parts.append(
                f"{channel_label(row['key'], language)} {fmt_value(channel_value, metric.unit, language)}{mark}"
            )
        return " · ".join(parts) or tr("no_target")
    if target is None:
        return tr("no_target")
    status = meets(name, value, target)
    verdict = "" if status is None else " · " + tr("target_met" if status else "target_missed")
    return f"{tr('target')} {fmt_value(target, metric.unit, language)}{verdict}{_mark(status)}"


def _one(values: tuple[str, ...]) -> str | None:
    return values[0] if len(values) == 1 else None


def _mark(status: bool | None) -> str:
    return {True: " :green[●]", False: " :red[●]", None: ""}[status]


# -- trend and per-client table -----------------------------------------------------------------


def trend_chart(
    wh: Warehouse, filters: Filters, scope: Scope = EVERYTHING, default: str = "service_level"
) -> None:
    from csdata import charts

    language = lang()
    choices = [m for m in CATALOG if m != "offered"] + ["offered"]
    name = st.selectbox(
        tr("trend_metric"),
        choices,
        index=choices.index(default),
        format_func=lambda m: CATALOG[m].label(language),
        key="trend_metric",
    )
    frame = metric_table(wh, [name], filters, "week", scope)
    if frame.empty or frame[name].isna().all():
        st.info(tr("no_data"))
        return
    metric = CATALOG[name]
    pol = policy(wh, filters.end)
    target = target_for(pol, name, filters)
    if name == "training_hours" and target is not None:
        target = pol.target(name, days=7)
    fig = charts.trend(
        frame,
        name,
        metric.unit,
        f"{tr('trend_title')} · {metric.label(language)}",
        tr("week"),
        target,
        tr("target"),
    )
    st.plotly_chart(fig, width="stretch", key="trend_chart")


def client_table(
    wh: Warehouse, metrics: tuple[str, ...], filters: Filters, scope: Scope = EVERYTHING
) -> None:
    """Headline metrics per client, each cell coloured against that client's own target."""
    language = lang()
    frame = metric_table(wh, metrics, filters, "client", scope)
    if frame.empty:
        st.info(tr("no_data"))
        return
    pol = policy(wh, filters.end)
    channel = _one(filters.channels)
    shown = pd.DataFrame({tr("client"): frame["key"]})
    status = pd.DataFrame(index=frame.index)
    for name in metrics:
        metric = CATALOG[name]
        values = frame[name].astype(float)
        shown[metric.label(language)] = [
            fmt_value(None if pd.isna(v) else v, metric.unit, language) for v in values
        ]
        status[metric.label(language)] = [
            meets(name, None if pd.isna(v) else v, pol.target(name, client, channel, days=filters.days))
            for v, client in zip(values, frame["key"], strict=True)
        ]

    def colour(column: pd.Series) -> list[str]:
        if column.name not in status:
            return [""] * len(column)
        return [
            {True: "background-color: #d9f2e6", False: "background-color: #fbe3d6"}.get(s, "")
            for s in status[column.name]
        ]

    st.dataframe(shown.style.apply(colour), hide_index=True, width="stretch")
