"""Drill-down: a table of the level below the filters (company, client, team, agent); a click on
any cell opens that row's level, with its values coloured against the targets."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from csdata.access.scope import Scope
from csdata.analytics import lookups, page_queries, stats
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG, meets
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    column_label,
    duration_unit,
    fmt_value,
    literal,
)
from csdata.ui.core import derived, lang, policy, tr
from csdata.ui.datatable import download
from csdata.ui.firmness import beside, interval_heading, interval_texts, with_parts
from csdata.ui.kpi import card_value, one_or_none

_DRILL = "_drill"  # a drill-down click waiting for the next run: (level, value)
_TITLES = {"client": "drill_client_title", "team": "drill_team_title", "agent": "drill_agent_title"}
# The metrics whose 95 % interval the table shows beside the value (the download has every one's):
# a client's or an agent's CSAT and QA score rest on far fewer cases than its tickets.
INTERVALS = ("csat_pct", "qa_score")


# -- drill-down --------------------------------------------------------------------------------


def blank_key(grouping: str) -> str:
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


def drill_on_click(event, level: str, keys: tuple[str, ...]) -> None:
    """After a click, drills with the clicked row's key and runs again (the filters sit above the
    table and take a change only before they are drawn)."""
    row = clicked_row(event)
    if row is not None and row < len(keys) and keys[row]:  # the unassigned row ('') leads nowhere
        st.session_state[_DRILL] = (level, keys[row])
        st.rerun()


def _up() -> None:
    st.session_state[_DRILL] = ("up", "")


def take_drill() -> str | None:
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
    goes one level down. CSAT and QA score show their 95 % interval, marked "few data" below the
    policy's `statistics.min_n`; the download has every metric's low, high and n."""
    frame = frames["drill"]
    level = page_queries.drill_level(filters, scope.agents_visible)
    st.subheader(tr(_TITLES[level]))
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
    keys = tuple(str(k) for k in frame["key"])
    raw, shown, units, status, helps = derived(_cells, wh, frames, ("drill", "cards"), filters, level, lang())
    if level == "agent":
        names = lookups.employee_names(wh, list(keys))
        for table in (raw, shown):
            table.insert(1, column_label("name", lang()), [names.get(k, "") for k in keys])
    if page_queries.split_by_channel(filters):
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
    drill_on_click(event, level, keys)
    download(raw, units, str, f"{level}s", filters, f"dl_{key}_{level}")


def _cells(
    wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, level: str, language: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], pd.DataFrame, dict[str, str]]:
    """The drill-down table of `frames["drill"]` at `level` in `language` (the agents' names
    left out): its numbers by heading with each metric's low, high and n (what the download
    carries), the same as shown (formatted, with the intervals of `INTERVALS`), each numeric
    column's unit, each cell's verdict against its target and each column's help. Worked out
    of the frames alone, so cached with them (`core.derived`)."""
    frame = frames["drill"]
    metrics = [m for m in frame.columns if m in CATALOG]
    keys = tuple(str(k) for k in frame["key"])
    # A duration in the unit its card shows, in every cell and target of its column.
    durations = {m: duration_unit(card_value(frames, m)) for m in metrics if CATALOG[m].unit == "seconds"}
    raw, units, status, helps = _against_targets(wh, frame, metrics, filters, level, durations)
    raw.iloc[:, 0] = [k or blank_key(level) for k in keys]
    labels = {m: CATALOG[m].short_label(language) for m in metrics}
    shown = raw.copy()
    by_label = {labels[m]: d for m, d in durations.items()}
    for column, unit in units.items():
        duration = by_label.get(column.split(" · ")[0])
        shown[column] = [
            fmt_value(None if pd.isna(v) else float(v), unit, language, duration) for v in raw[column]
        ]
    bounds = stats.with_intervals(frame)
    min_n = policy(wh, filters.end).statistics.min_n
    for m in (m for m in INTERVALS if f"{m}_low" in bounds):
        heading = interval_heading(m, language)
        shown = beside(
            shown, labels[m], {heading: interval_texts(bounds, m, language, min_n, durations.get(m))}
        )
        helps[heading] = tr("interval_meaning")
    return with_parts(raw, bounds, labels, units), shown, units, status, helps


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
    channel = one_or_none(filters.channels)
    raw = pd.DataFrame({tr(level): frame["key"].astype(str)})
    units: dict[str, str] = {}
    status = pd.DataFrame(index=frame.index)
    helps: dict[str, str] = {}
    for name in metrics:
        metric = CATALOG[name]
        label = metric.short_label(language)
        vals = [None if pd.isna(v) else float(v) for v in frame[name]]
        raw[label], units[label] = vals, metric.unit
        clients = list(frame["key"]) if level == "client" else [one_or_none(filters.clients)] * len(frame)
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
