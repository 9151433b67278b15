"""The dashboard pieces: the filter bar kept in the URL, KPI cards, charts, tables and drill-down.

Pages call `filter_bar`, then `data(page, filters)` for every frame `csdata.dashboards` declares
for them (each cached until the next write), then draw with the functions here. Filters live in
three places on purpose: the widgets (what Streamlit draws), a plain session key (widgets are
forgotten when the user changes page, so the next page restores from it) and the URL query string
(so a view can be bookmarked and shared; a link opened in a new session is read back from it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from csdata import charts, dashboards, exports, queries
from csdata.dashboards import Request
from csdata.i18n import (
    DURATION_UNITS,
    channel_label,
    column_label,
    duration_unit,
    fmt_change,
    fmt_value,
    literal,
    unit_name,
    with_unit,
)
from csdata.metrics import CATALOG, meets
from csdata.policy import CHANNELS, Policy
from csdata.queries import EVERYTHING, Filters, Scope
from csdata.ui import blank, data_version, download_buttons, lang, policy, tr
from csdata.warehouse import Warehouse

DEFAULT_DAYS = 90
_SAVED = "_filters"  # the last filters chosen, by URL name: survives a change of page
_WRITTEN = "_filters_url"  # what this session last wrote to the URL
_DRILL = "_drill"  # a drill-down click waiting for the next run: (level, value)
_WIDGETS = {"client": "f_clients", "channel": "f_channels", "team": "f_teams"}
AGENT_PAGE = "views/agent.py"


# -- cached data -----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=512)
def _fetch(_wh: Warehouse, path: str, version: int, request: Request, scope: Scope) -> pd.DataFrame:
    return dashboards.fetch(_wh, request, scope)


def data(
    wh: Warehouse, page: str, filters: Filters, scope: Scope = EVERYTHING, choice: str | None = None
) -> dict[str, pd.DataFrame]:
    """Every frame `page` draws, each cached by its request until the next write."""
    version = data_version(wh)
    wanted = dashboards.requests(page, filters, choice, scope, policy(wh, filters.end))
    return {name: _fetch(wh, str(wh.path), version, r, scope) for name, r in wanted.items()}


def visible_metrics(wh: Warehouse, scope: Scope, filters: Filters, metrics: list[str]) -> list[str]:
    """Those of `metrics` the account may see (a client account: the policy's list)."""
    pol = policy(wh, filters.end)
    return [m for m in metrics if scope.allows(m, pol)]


def start(page: str, choice: str | None = None, per_row: int = 5) -> tuple[Warehouse, Scope, Filters, dict]:
    """The top every dashboard shares: access check, title, filter bar, caption, data and cards."""
    from csdata.ui import require

    wh, user = require(page)
    st.title(tr("overview_title" if page == "overview" else f"nav_{page}"))
    filters = filter_bar(wh, user.scope)
    caption(wh, filters, user.scope)
    frames = data(wh, page, filters, user.scope, choice)
    kpi_cards(wh, frames, filters, per_row)
    return wh, user.scope, filters, frames


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


def _restore(saved: dict[str, list[str]], span: queries.Span, options: dict[str, list[str]]) -> list[str]:
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
def _span(_wh: Warehouse, path: str, version: int, today: dt.date) -> queries.Span | None:
    return queries.data_span(_wh, today)


def forget_filters() -> None:
    """Drops the filters this session chose (at sign-in and sign-out: one user's view is not the
    next one's)."""
    for key in (_SAVED, _WRITTEN, _DRILL, "_filters_page", "f_period", *_WIDGETS.values()):
        st.session_state.pop(key, None)


def filter_bar(wh: Warehouse, scope: Scope = EVERYTHING) -> Filters:
    """Period, clients, channels and teams; the last 90 complete days of data unless the URL says
    else (see `queries.Span`)."""
    span = _span(wh, str(wh.path), data_version(wh), dt.date.today())
    if span is None:
        st.info(tr("empty_warehouse"))
        st.stop()
    options = {
        "client": queries.clients(wh, scope),
        "channel": list(CHANNELS),
        "team": queries.teams(wh, scope),
    }
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
    agent = _take_drill()
    chosen_clients = tuple(st.session_state.get("f_clients", []))
    team_options = queries.teams(wh, scope, chosen_clients)
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
        st.switch_page(AGENT_PAGE, query_params=url_params(filters, agent=agent))
    return filters


def scope_label(wh: Warehouse, filters: Filters, scope: Scope = EVERYTHING) -> str:
    """What the numbers cover, in words: the chosen clients, or all those the user may see."""
    restricted = scope.clients is not None or scope.teams is not None
    shown = filters.clients or (tuple(queries.clients(wh, scope)) if restricted else ())
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


# -- drill-down --------------------------------------------------------------------------------


def _blank_key(grouping: str) -> str:
    """The name of the row of a split that has no key: by agent, the tickets nobody answered; by
    team, the tickets of no known queue (and people in no team)."""
    return tr("unanswered") if grouping == "agent" else tr("unassigned")


# A click on a row's box selects the row; a click on any of its cells selects that cell. Either
# drills, so a reader who clicks the name (or any figure) of a row goes where the hint says.
CLICKABLE = ["single-row", "single-cell"]


def clicked_row(event) -> int | None:
    """The row a click on a table chose: a selected row, or the row of a selected cell."""
    selection = event.selection if event is not None else None
    if not selection:
        return None
    if selection.rows:
        return int(selection.rows[0])
    if selection.cells:
        return int(selection.cells[0][0])
    return None


def _drill_on_click(event, level: str, keys: tuple[str, ...]) -> None:
    """After a click, drills with the clicked row's key and runs again (the filters sit above the
    table and take a change only before they are drawn)."""
    row = clicked_row(event)
    if row is not None and row < len(keys) and keys[row]:  # the unassigned row ('') leads nowhere
        st.session_state[_DRILL] = (level, keys[row])
        st.rerun()


def _up() -> None:
    st.session_state[_DRILL] = ("up", "")


def _take_drill() -> str | None:
    """Applies a click of the last run before the widgets are drawn (Streamlit allows no later);
    returns the agent whose page to open, if an agent was clicked."""
    level, value = st.session_state.pop(_DRILL, (None, None))
    if level == "client":
        st.session_state["f_clients"], st.session_state["f_teams"] = [value], []
    elif level == "team":
        st.session_state["f_teams"] = [value]
    elif level == "up":
        if st.session_state.get("f_teams"):
            st.session_state["f_teams"] = []
        else:
            st.session_state["f_clients"] = []
    return value if level == "agent" else None


def drill_table(
    wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, scope: Scope, key: str
) -> None:
    """Headline metrics one level below the filters (clients, a client's teams, a team's agents),
    each cell coloured against its target, a duration in the unit of its card; a click on a row
    goes one level down."""
    frame = frames["drill"]
    level = dashboards.drill_level(filters, scope.agents_visible)
    st.subheader(tr(f"drill_{level}_title"))
    trail = [tr("company")]  # where the table stands: the company, the client, the team
    if level != "client":
        trail.append(literal(", ".join(filters.clients)) or tr("all_clients"))
    if filters.teams:
        trail.append(literal(", ".join(filters.teams)))
    row = st.container(horizontal=True, vertical_alignment="center")
    row.caption(" › ".join(trail))
    if level != "client":
        row.button(tr("drill_up"), key=f"{key}_up", on_click=_up, icon=":material/arrow_upward:")
    if frame.empty:
        st.info(tr("no_data"))
        return
    metrics = [m for m in frame.columns if m in CATALOG]
    keys = tuple(str(k) for k in frame["key"])
    # A duration in the unit its card shows, in every cell and target of its column.
    durations = {m: duration_unit(card_value(frames, m)) for m in metrics if CATALOG[m].unit == "seconds"}
    raw, units, status, helps = _against_targets(wh, frame, metrics, filters, level, durations)
    raw.iloc[:, 0] = [k or _blank_key(level) for k in keys]
    if level == "agent":
        names = queries.employee_names(wh, list(keys))
        raw.insert(1, column_label("name", lang()), [names.get(k, "") for k in keys])
    shown = raw.copy()
    by_label = {CATALOG[m].short_label(lang()): d for m, d in durations.items()}
    for column, unit in units.items():
        duration = by_label.get(column.split(" · ")[0])
        shown[column] = [
            fmt_value(None if pd.isna(v) else float(v), unit, lang(), duration) for v in raw[column]
        ]
    if dashboards.split_by_channel(filters):
        st.caption(tr("drill_per_channel"))
    st.caption(tr("drill_hint_agent" if level == "agent" else "drill_hint"))
    event = st.dataframe(
        shown.style.apply(partial(_colour, status=status)),
        hide_index=True,
        width="stretch",
        column_config=_help(helps),
        key=f"{key}_{level}",
        on_select="rerun",
        selection_mode=CLICKABLE,
    )
    _drill_on_click(event, level, keys)
    download(raw, units, str, f"{level}s", filters, f"dl_{key}_{level}")


def _against_targets(
    wh, frame: pd.DataFrame, metrics, filters: Filters, level: str, durations: dict[str, str]
):
    """The table's values (numbers, by heading), each numeric column's unit, each cell's verdict
    against its target, and each column's help.

    A row is measured against its own client's contract. Where the rows' targets differ (clients
    with different contracts) a target column follows the metric; where they agree the target is
    in the column's help."""
    language = lang()
    pol = policy(wh, filters.end)
    channel = _one(filters.channels)
    raw = pd.DataFrame({tr(level): frame["key"].astype(str)})
    units: dict[str, str] = {}
    status = pd.DataFrame(index=frame.index)
    helps: dict[str, str] = {}
    for name in metrics:
        metric = CATALOG[name]
        label = metric.short_label(language)
        vals = [None if pd.isna(v) else float(v) for v in frame[name]]
        raw[label], units[label] = vals, metric.unit
        clients = list(frame["key"]) if level == "client" else [_one(filters.clients)] * len(frame)
        targets = [pol.target(name, c, channel, days=filters.days) for c in clients]
        status[label] = [meets(name, v, t) for v, t in zip(vals, targets, strict=True)]
        helps[label] = f"{metric.label(language)}: {metric.formula(language)}"
        distinct = {t for t in targets if t is not None}
        if len(distinct) > 1:
            column = f"{label} · {tr('target')}"
            raw[column], units[column] = targets, metric.unit
        elif distinct:
            target = fmt_value(distinct.pop(), metric.unit, language, durations.get(name))
            helps[label] += f" · {tr('target')} {target}"
    return raw, units, status, helps


def _colour(column: pd.Series, status: pd.DataFrame) -> list[str]:
    if column.name not in status:
        return [""] * len(column)
    return [
        {True: "background-color: #d9f2e6", False: "background-color: #fbe3d6"}.get(s, "")
        for s in status[column.name]
    ]


def _help(helps: dict[str, str]) -> dict:
    return {label: st.column_config.Column(help=text) for label, text in helps.items()}


def _one(items: tuple[str, ...]) -> str | None:
    return items[0] if len(items) == 1 else None


# -- KPI cards ---------------------------------------------------------------------------------


def target_for(pol: Policy, metric: str, filters: Filters) -> float | None:
    """The target a card shows: the client's own when one client is chosen, else the company's."""
    return pol.target(metric, _one(filters.clients), _one(filters.channels), days=filters.days)


@dataclass(frozen=True)
class Card:
    """One KPI card: a metric over the filters, or over one channel of them."""

    metric: str
    channel: str | None
    value: float | None
    before: float | None

    def label(self, language: str) -> str:
        name = CATALOG[self.metric].short_label(language)
        return f"{name} · {channel_label(self.channel, language)}" if self.channel else name


def card_rows(frames: dict[str, pd.DataFrame], filters: Filters) -> list[Card]:
    """The cards of a page in order. A wait or handle time (`dashboards.PER_CHANNEL`) is one card
    per channel in view unless one channel is chosen: an executive reads the phone's seconds and
    email's hours each against its own target, not a blend of both that no target fits."""
    now, before = queries.row_values(frames["cards"]), queries.row_values(frames["cards_before"])
    split = len(filters.channels) != 1 and "by_channel" in frames
    cards = []
    for name in now:
        if split and name in dashboards.PER_CHANNEL:
            cards += _channel_cards(name, frames["by_channel"], frames.get("by_channel_before"))
        else:
            cards.append(Card(name, None, now[name], before[name]))
    return cards


def _channel_cards(name: str, now: pd.DataFrame, before: pd.DataFrame | None) -> list[Card]:
    def by_channel(frame: pd.DataFrame | None) -> dict[str, float | None]:
        if frame is None or name not in frame:
            return {}
        return {k: None if pd.isna(v) else float(v) for k, v in zip(frame["key"], frame[name], strict=True)}

    values, previous = by_channel(now), by_channel(before)
    return [Card(name, c, values[c], previous.get(c)) for c in CHANNELS if c in values]


def kpi_cards(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, per_row: int = 5) -> None:
    """One card per metric of `frames["cards"]` (per channel for waits and handle times): value,
    change on the previous period, target."""
    pol = policy(wh, filters.end)
    language = lang()
    cards = card_rows(frames, filters)
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, cards[start : start + per_row], strict=False):
            metric = CATALOG[card.metric]
            value, prev = card.value, card.before
            delta = None if value is None or prev is None else value - prev
            duration = duration_unit(value) if metric.unit == "seconds" else None
            change = fmt_change(delta, metric.unit, language, duration)
            still = change is not None and change.startswith("±")
            colour = "off" if still else {1: "normal", -1: "inverse", 0: "off"}[metric.direction]
            with col.container(border=True):
                st.metric(
                    card.label(language),
                    fmt_value(value, metric.unit, language),
                    change,
                    delta_color=colour,
                    delta_arrow="off" if still else "auto",
                    help=f"**{metric.label(language)}**: {metric.formula(language)}",
                )
                st.caption(_target_line(pol, card, filters))


def card_target(pol: Policy, card: Card, filters: Filters) -> float | None:
    """A card's target: its channel's (or the one chosen), the client's contract if one client."""
    return pol.target(
        card.metric, _one(filters.clients), card.channel or _one(filters.channels), days=filters.days
    )


def _target_line(pol: Policy, card: Card, filters: Filters) -> str:
    target = card_target(pol, card, filters)
    if target is None:
        return tr("no_target")
    status = meets(card.metric, card.value, target)
    verdict = "" if status is None else " · " + tr("target_met" if status else "target_missed")
    return f"{tr('target')} {fmt_value(target, CATALOG[card.metric].unit, lang())}{verdict}{_mark(status)}"


def _mark(status: bool | None) -> str:
    return {True: " :green[●]", False: " :red[●]", None: ""}[status]


# -- charts and tables ---------------------------------------------------------------------------


def empty(frame: pd.DataFrame | None, *columns: str) -> bool:
    """True (and a plain message shown) when there is nothing to draw."""
    if frame is None or frame.empty or any(frame[c].isna().all() for c in columns if c in frame):
        st.info(tr("no_data"))
        return True
    return False


def duration_axis(metric: str, reference: float | None) -> charts.Axis | None:
    """The axis of a duration metric in the unit its card shows (`reference`: the card's value)."""
    if CATALOG[metric].unit != "seconds":
        return None
    unit = duration_unit(reference)
    size, digits = DURATION_UNITS[unit]
    return (1 / size, f",.{digits}f", f" {tr(f'unit_{unit}')}")


def card_value(frames: dict[str, pd.DataFrame], metric: str, channel: str | None = None) -> float | None:
    """The value a card of the page shows for `metric` (of one channel, where split)."""
    frame = frames.get("cards") if channel is None else frames.get("by_channel")
    if frame is None or metric not in frame or frame.empty:
        return None
    if channel is not None:
        frame = frame[frame["key"] == channel]
        if frame.empty:
            return None
    value = frame[metric].iloc[0]
    return None if pd.isna(value) else float(value)


def trend(
    wh: Warehouse,
    frames: dict[str, pd.DataFrame],
    metric: str,
    filters: Filters,
    key: str,
    title: str | None = None,
) -> None:
    """A metric's weekly line against its target; a wait or handle time one panel per channel
    where the page splits it, each in the unit of its card."""
    pol = policy(wh, filters.end)
    label = CATALOG[metric].label(lang())
    by_channel = frames.get("trend_by_channel")
    if by_channel is not None and metric in by_channel:
        if empty(by_channel, metric):
            return
        language = lang()
        panels = {
            c: (
                channel_label(c, language),
                duration_axis(metric, card_value(frames, metric, c)),
                pol.target(metric, _one(filters.clients), c, days=filters.days),
            )
            for c in CHANNELS
            if c in set(by_channel["key2"])
        }
        fig = charts.channel_trends(by_channel, metric, panels, title or label, tr("week"), tr("target"))
        st.plotly_chart(fig, width="stretch", key=key)
        return
    frame = frames.get("trend")
    if empty(frame, metric):
        return
    target = target_for(pol, metric, filters)
    if metric == "training_hours" and target is not None:
        target = pol.target(metric, days=7)
    axis = duration_axis(metric, card_value(frames, metric))
    fig = charts.trend(
        frame, metric, CATALOG[metric].unit, title or label, tr("week"), target, tr("target"), axis
    )
    st.plotly_chart(fig, width="stretch", key=key)


def split_trend(
    wh: Warehouse, frame: pd.DataFrame, metric: str, filters: Filters, split: str, key: str
) -> None:
    """A metric's weekly line per channel or client, each against its own target."""
    if empty(frame, metric):
        return
    pol = policy(wh, filters.end)
    language = lang()
    series = sorted(frame["key2"].dropna().unique())
    names = {s: channel_label(s, language) if split == "channel" else s for s in series}
    targets = {
        s: pol.target(
            metric,
            s if split == "client" else _one(filters.clients),
            s if split == "channel" else _one(filters.channels),
            days=filters.days,
        )
        for s in series
    }
    colours = charts.colours(split, series, queries.clients(wh) if split == "client" else ())
    fig = charts.lines(
        frame, metric, CATALOG[metric].unit, CATALOG[metric].label(language), tr("week"), names, targets, colours,
        tr("target"),
    )  # fmt: skip
    st.plotly_chart(fig, width="stretch", key=key)


def table(
    frame: pd.DataFrame,
    name: str,
    units: dict[str, str] | None = None,
    agent: str | None = None,
    key_label: str | None = None,
    filters: Filters | None = None,
) -> None:
    """A table with translated headings (metric columns formatted), and CSV / Excel downloads of
    the same rows as numbers (see `download`). With `agent` (the column holding employee IDs), a
    click on a row opens that agent's page; `key_label` names a metric table's `key` column (a
    channel's values are translated)."""
    language = lang()
    if empty(frame):
        return
    units = units or {}
    base = readable(frame)
    if key_label is not None:
        if key_label == "channel":
            base["key"] = [channel_label(c, language) for c in base["key"]]
        base["key"] = [k if k != "" else _blank_key(key_label) for k in base["key"]]
        base = base.rename(columns={"key": key_label})
    shown = base.copy()
    for column, unit in units.items():
        shown[column] = [fmt_value(None if pd.isna(v) else float(v), unit, language) for v in shown[column]]

    def heading(column: str) -> str:
        return CATALOG[column].short_label(language) if column in CATALOG else column_label(column, language)

    shown = shown.rename(columns=heading)
    clickable = {}
    if agent is not None:
        st.caption(tr("drill_hint_agent"))
        clickable = {"key": f"t_{name}", "on_select": "rerun", "selection_mode": CLICKABLE}
    config = {column_label("comment", language): st.column_config.TextColumn(width="large")}
    event = st.dataframe(
        blank(shown, numbers_too=True), hide_index=True, width="stretch", column_config=config, **clickable
    )
    if agent is not None:
        _drill_on_click(event, "agent", tuple(str(v) for v in frame[agent]))
    download(base, units, heading, name, filters, f"dl_{name}")


def download(
    frame: pd.DataFrame, units: dict[str, str], heading, name: str, filters: Filters | None, key: str
) -> None:
    """CSV and Excel downloads of a table: cells in `units` as numbers in the unit their heading
    names (rates as percentages, durations in seconds), blanks empty, a file name with the table,
    the period and whom it covers."""
    language = lang()
    out = blank(exports.as_numbers(frame, units))
    out = out.rename(columns=lambda c: with_unit(heading(c), units.get(c, ""), language))
    stem = (
        exports.file_stem(name, filters.start, filters.end, download_scope(filters))
        if filters is not None
        else f"csdata-{exports.slug(name)}"
    )
    download_buttons(out, stem, key)


def download_scope(filters: Filters) -> list[str]:
    """Whom a download covers, for its file name: the one agent, client, team or channel chosen,
    or how many where several are."""
    parts = []
    for values, plural in (
        (filters.agents, "agents"),
        (filters.clients, "clients"),
        (filters.teams, "teams"),
        (filters.channels, "channels"),
    ):
        if len(values) == 1:
            parts.append(values[0])
        elif values:
            parts.append(f"{len(values)}-{plural}")
    return parts


# Columns holding codes, and how a code is shown to a reader.
_CODES = {
    "channel": lambda v: channel_label(v, lang()),
    "stage": lambda v: tr(f"stage_{v}"),
    "kind": lambda v: tr(f"choice_{v}"),
    "source": lambda v: tr(f"choice_{v}"),
    "state": lambda v: tr(f"state_{v}"),
}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes as words in the user's language; times to the minute, days without a time, blanks
    where there is none."""
    shown = frame.copy()
    for column, word in _CODES.items():
        if column in shown:
            shown[column] = [word(v) if isinstance(v, str) and v else v for v in shown[column]]
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            midnight = (values.dropna().dt.normalize() == values.dropna()).all()
            shown[column] = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M").fillna("")
    return shown


def heatmap(frame: pd.DataFrame) -> None:
    """Tickets offered by weekday and hour of day."""
    if empty(frame, "offered"):
        return
    days = [tr(f"weekday_{d}") for d in range(1, 8)]
    fig = charts.heatmap(frame, "offered", None, days, tr("hour_of_day"), tr("tickets_unit"))
    st.plotly_chart(fig, width="stretch", key="heatmap")


def spread(frame: pd.DataFrame, metrics: tuple[str, ...], key: str) -> None:
    """Mean, median and 90th percentile of a duration per channel, as grouped bars."""
    if empty(frame, *metrics):
        return
    language = lang()
    labels = {m: CATALOG[m].label(language) for m in metrics}
    channels = {c: channel_label(c, language) for c in frame["key"]}
    units = {u: tr(f"unit_{u}") for u in ("s", "min", "h")}
    fig = charts.durations(frame, labels, channels, units, CATALOG[metrics[0]].label(language))
    st.plotly_chart(fig, width="stretch", key=key)


def metric_units(frame: pd.DataFrame) -> dict[str, str]:
    return {c: CATALOG[c].unit for c in frame.columns if c in CATALOG}


# -- complaints ----------------------------------------------------------------------------------

STAGES = ("recorded", "routed", "fed_back", "accepted")


def complaint_funnel(path: pd.DataFrame) -> None:
    """Complaints reaching each stage of the path (a complaint fed back was also routed)."""
    if empty(path) or path["tickets"].sum() == 0:
        return
    reached = [int(path.loc[path["stage"].isin(STAGES[i:]), "tickets"].sum()) for i in range(len(STAGES))]
    fig = charts.funnel([tr(f"stage_{s}") for s in STAGES], reached, tr("funnel_title"))
    st.plotly_chart(fig, width="stretch", key="funnel")
    reopened, reopens = (int(path[c].fillna(0).sum()) for c in ("reopened", "reopens"))
    st.caption(
        tr("reopened_count", n=reopened) + (tr("reopens_count", n=reopens) if reopens > reopened else "")
    )


def complaint_ageing(path: pd.DataFrame) -> None:
    """Complaints not yet accepted, by stage and by days open at the end of the period."""
    open_ = path[path["stage"] != "accepted"] if not path.empty else path
    if empty(open_):
        return
    fig = charts.stacked(
        open_, "age", "stage", "tickets", tr("ageing_title"), tr("age_days_axis"), tr("tickets_unit"),
        {s: tr(f"stage_{s}") for s in STAGES}, ["fed_back", "routed", "recorded"],
    )  # fmt: skip
    fig.update_xaxes(categoryorder="array", categoryarray=list(queries.AGE_BUCKETS))
    st.plotly_chart(fig, width="stretch", key="ageing")


def by_department(wh: Warehouse, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with its department codes as the org names them in the user's language (an
    unknown code as it is, a blank left blank)."""
    names = queries.department_names(wh, lang())
    return frame.assign(**{column: [names.get(d, d) for d in frame[column]]}) if len(frame) else frame


def finding_names(wh: Warehouse, filters: Filters) -> dict[str, str]:
    """Finding and criterion keys -> their names in the scorecard in force (language of the user)."""
    card = policy(wh, filters.end).scorecard
    return {c.key: c.label(lang()) for c in [*card.criteria, *card.critical_errors]}


def by_finding(wh: Warehouse, frame: pd.DataFrame, filters: Filters, column: str) -> pd.DataFrame:
    """The frame with its finding keys named as the scorecard names them (unknown keys as they are)."""
    names = finding_names(wh, filters)
    if column not in frame or frame.empty:
        return frame
    return frame.assign(**{column: [names.get(k, k) if isinstance(k, str) else k for k in frame[column]]})


# -- quality -------------------------------------------------------------------------------------


def criteria(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Mean score per scorecard criterion, against the pass mark: where the points are lost."""
    if empty(frame, "criterion_score"):
        return
    pol = policy(wh, filters.end)
    language = lang()
    labels = {c.key: c.label(language) for c in pol.scorecard.criteria}
    shown = frame.assign(key=[labels.get(k, k) for k in frame["key"]]).sort_values("criterion_score")
    fig = charts.bars(shown, "key", {"criterion_score": CATALOG["criterion_score"].label(language)}, "points",
                      None, CATALOG["criterion_score"].label(language),
                      pol.scorecard.pass_mark, tr("pass_mark"), horizontal=True)  # fmt: skip
    fig.update_xaxes(range=[0, 100])  # a score's bar from 0: its length is the score
    st.plotly_chart(fig, width="stretch", key="criteria")


def findings(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Audits per finding category, named as the scorecard names its criteria and critical errors."""
    if empty(frame, "audits"):
        return
    names = finding_names(wh, filters)
    shown = frame.assign(key=[names.get(k, k) if k else tr("unspecified") for k in frame["key"].fillna("")])
    shown = shown.sort_values("audits", ascending=False)
    fig = charts.bars(shown, "key", {"audits": CATALOG["audits"].label(lang())}, "count", None,
                      CATALOG["audits"].label(lang()), horizontal=True)  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="findings")


def ranking(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Agents by QA score, only those with at least the policy's minimum number of audits."""
    pol = policy(wh, filters.end)
    least = pol.min_audits_for_ranking
    if empty(frame, "audits"):
        return
    ranked = frame[(frame["audits"] >= least) & (frame["key"] != "")]
    ranked = ranked.sort_values(["qa_score", "audits"], ascending=[False, False])
    st.caption(tr("ranking_caption", n=least, left_out=int((frame["audits"] < least).sum())))
    names = queries.employee_names(wh, list(ranked["key"]))
    ranked = ranked.rename(columns={"key": "employee_id"})
    ranked.insert(0, "place", range(1, len(ranked) + 1))
    ranked.insert(2, "name", [names.get(k, "") for k in ranked["employee_id"]])
    table(ranked, "agent-ranking", metric_units(ranked), agent="employee_id", filters=filters)


def actions(frame: pd.DataFrame, filters: Filters) -> None:
    """Corrective actions of the period's audits by kind and by where they stood at its end."""
    if empty(frame):
        return
    overdue = int(frame.loc[frame["state"] == "overdue", "actions"].sum())
    (st.error if overdue else st.success)(tr("overdue_actions", n=overdue, end=filters.end))
    shown = frame.assign(kind=[tr(f"choice_{k}") for k in frame["kind"]])
    states = ["done", "open", "cancelled", "overdue"]
    fig = charts.stacked(shown, "kind", "state", "actions", None, "", tr("actions_unit"),
                         {s: tr(f"state_{s}") for s in states}, states)  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="actions")


# -- people --------------------------------------------------------------------------------------


def training_by_team(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    if empty(frame, "training_hours"):
        return
    target = policy(wh, filters.end).target("training_hours", days=filters.days)
    label = CATALOG["training_hours"].label(lang())
    fig = charts.bars(
        frame, "key", {"training_hours": label}, "hours", None, tr("team"), target, tr("target")
    )
    st.plotly_chart(fig, width="stretch", key="training_by_team")
    table(frame, "training-by-team", metric_units(frame), key_label="team", filters=filters)


def auditors(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Each auditor's audits, mean score given and spread, with their names."""
    if empty(frame, "audits"):
        return
    names = queries.employee_names(wh, list(frame["key"]))
    shown = frame.rename(columns={"key": "auditor_id"})
    shown.insert(1, "name", [names.get(k, "") for k in shown["auditor_id"]])
    table(shown, "auditors", metric_units(shown), filters=filters)


def go_live(frame: pd.DataFrame, filters: Filters) -> None:
    """Who went live in the period; those who handled tickets before passing onboarding stand out."""
    st.caption(tr("go_live_caption"))
    if empty(frame):
        return
    early = frame[frame["worked_before_passing"]]
    if len(early):
        st.error(tr("worked_before_passing_alert", n=len(early), ids=", ".join(early["employee_id"])))
    table(frame, "go-live", agent="employee_id", filters=filters)


def grades(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    if empty(frame):
        return
    grades = [b.grade for b in policy(wh, filters.end).appraisal.bands]  # best first
    fig = charts.stacked(frame, "period", "grade", "people", None, tr("period_axis"), tr("people_unit"),
                         order=grades + sorted(set(frame["grade"].dropna()) - set(grades)))  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="grades")


def appraised(frame: pd.DataFrame, filters: Filters) -> None:
    """The latest period's best ten, and everyone below standard with their coaching record."""
    if frame.empty:
        st.info(tr("no_data"))
        return
    latest = frame["period"].max()
    st.subheader(tr("top_title", period=latest))
    top = frame[(frame["period"] == latest) & (frame["place"] <= 10)]
    table(top.drop(columns=["below_standard", "below_before", "coached"]), "top-performers", {"score": "points"},
          agent="employee_id", filters=filters)  # fmt: skip
    st.subheader(tr("below_title"))
    st.caption(tr("below_caption"))
    below = frame[frame["below_standard"]].drop(columns=["place", "below_standard"])
    missing = below[~below["coached"]]
    if len(missing):
        st.error(tr("below_without_coaching", n=len(missing), ids=", ".join(missing["employee_id"])))
    table(below, "below-standard", {"score": "points"}, agent="employee_id", filters=filters)


# -- clients and agents --------------------------------------------------------------------------


def only_client(filters: Filters, client: str) -> Filters:
    return Filters(filters.start, filters.end, (client,), filters.channels, filters.teams)


def scorecard(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters) -> None:
    """The client's numbers beside the targets of their contract, as a table to download (the
    download: value and target as numbers, each row's unit in a column of its own)."""
    pol = policy(wh, filters.end)
    language = lang()
    shown, raw = [], []
    for card in card_rows(frames, filters):
        metric = CATALOG[card.metric]
        target = card_target(pol, card, filters)
        status = meets(card.metric, card.value, target)
        met = "" if status is None else tr("target_met" if status else "target_missed")
        label = card.label(language)
        shown.append(
            {
                "metric": label,
                "value": fmt_value(card.value, metric.unit, language),
                "target": fmt_value(target, metric.unit, language) if target is not None else "",
                "met": met,
            }
        )
        scale = exports.DOWNLOAD_SCALE.get(metric.unit, 1.0)
        raw.append(
            {
                "metric": label,
                "unit": unit_name(metric.unit, language),
                "value": None if card.value is None else card.value * scale,
                "target": None if target is None else target * scale,
                "met": met,
            }
        )
    shown_frame = pd.DataFrame(shown).rename(columns=lambda c: column_label(c, language))
    st.dataframe(shown_frame, hide_index=True, width="stretch")
    heading = partial(column_label, lang=language)
    download(pd.DataFrame(raw), {}, heading, "scorecard", filters, "dl_scorecard")


def small_trends(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, per_row: int = 3) -> None:
    metrics = [
        m for m in dashboards.CARDS["clients"] if any(m in f for k, f in frames.items() if "trend" in k)
    ]
    for start in range(0, len(metrics), per_row):
        for column, metric in zip(st.columns(per_row), metrics[start : start + per_row], strict=False):
            with column:
                trend(wh, frames, metric, filters, f"small_{metric}")


def pick_agent(names: dict[str, str]) -> str:
    """The agent of the URL (a click elsewhere), else the one chosen here; kept in the URL."""
    wanted = st.query_params.get("agent")
    if wanted and wanted != st.session_state.get("_agent_url"):
        st.session_state["_agent_url"] = wanted
        if wanted in names:
            st.session_state["agent_pick"] = wanted
        else:
            st.warning(tr("agent_unknown", agent=wanted))
    if st.session_state.get("agent_pick") not in names:
        st.session_state["agent_pick"] = next(iter(names))
    agent = st.selectbox(
        tr("agent"), list(names), format_func=lambda a: f"{a} · {names[a]}", key="agent_pick"
    )
    st.query_params["agent"] = agent
    st.session_state["_agent_url"] = agent
    return agent


def only_agent(filters: Filters, agent: str) -> Filters:
    return Filters(filters.start, filters.end, channels=filters.channels, agents=(agent,))


def agent_header(people: pd.DataFrame, agent: str) -> None:
    row = people[people["employee_id"] == agent].iloc[0]
    st.caption(" · ".join(literal(row[c] or "") for c in ("employee_id", "name", "team", "client")))
