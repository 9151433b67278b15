"""What worked: the measured effect of corrective actions and coaching sessions, on the Quality page
(by kind and by finding category, with the 95 % interval, as a table and a chart) and on the agent
page (each of the person's actions with its own before and after).

The numbers are `csdata.analytics.effects`'; this module only reads them within the account's
scope (cached until the next write, like every dashboard frame) and shows them in the reader's
language. Effects are in points of the QA score, to the cent of a point, since the interval of a
few actions is wide and a rounded mean would hide how wide; the CSAT effect is in percentage
points of the top-2-box share.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.scope import Scope
from csdata.analytics import effects
from csdata.analytics.compiler import Filters
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import text_key
from csdata.ui import charts
from csdata.ui.core import data_version, lang, tr
from csdata.ui.datatable import blank, download_buttons
from csdata.ui.sections import finding_names


@st.cache_data(show_spinner=False, max_entries=64)
def _measured(
    _wh: Warehouse,
    path: str,
    version: int,
    scope: Scope,
    start: dt.date | None,
    end: dt.date | None,
    clients: tuple[str, ...],
    teams: tuple[str, ...],
    employee_id: str | None,
) -> pd.DataFrame:
    return effects.measure(_wh, scope, start, end, clients, teams, employee_id)


def measured(wh: Warehouse, scope: Scope, filters: Filters | None = None, employee_id: str | None = None):
    """The effects within the scope: of the period and clients and teams chosen, or of one person."""
    if filters is None:
        return _measured(wh, wh.address, data_version(wh), scope, None, None, (), (), employee_id)
    return _measured(
        wh, wh.address, data_version(wh), scope, filters.start, filters.end, filters.clients, filters.teams,
        employee_id,
    )  # fmt: skip


def _signed(value, digits: int = 2, scale: float = 1.0) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value) * scale:+.{digits}f}"


def _points(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.2f}"


def _show(frame: pd.DataFrame, files: pd.DataFrame, file_stem: str, key: str) -> None:
    """A table as read on screen (numbers written out), and its numbers as CSV and Excel files."""
    st.dataframe(blank(frame), hide_index=True, width="stretch")
    download_buttons(blank(files), file_stem, key)


def _groups(summary: pd.DataFrame, by: str, names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A summary (per kind or category) with translated headings: on screen and for the files."""
    label = tr("eff_col_kind") if by == "kind" else tr("eff_col_category")
    group = [names.get(k, k) if k else tr("eff_no_finding") for k in summary[by]]
    files = pd.DataFrame(
        {
            label: group,
            tr("eff_col_events"): summary["events"],
            tr("eff_col_measured"): summary["n"],
            tr("eff_col_qa_effect"): summary["qa_effect"].round(4),
            tr("eff_col_low"): summary["qa_low"].round(4),
            tr("eff_col_high"): summary["qa_high"].round(4),
            tr("eff_col_csat_n"): summary["csat_n"],
            tr("eff_col_csat_effect"): (summary["csat_effect"] * 100).round(4),
        }
    )
    shown = files.copy()
    for column in (tr("eff_col_qa_effect"), tr("eff_col_low"), tr("eff_col_high")):
        shown[column] = [_signed(v) for v in files[column]]
    shown[tr("eff_col_csat_effect")] = [_signed(v, 1) for v in files[tr("eff_col_csat_effect")]]
    return shown, files


def what_worked(wh: Warehouse, scope: Scope, filters: Filters) -> None:
    """The effect of the period's done actions and coaching sessions (effect date in the period),
    by kind and by finding category, each with its 95 % interval."""
    language = lang()
    st.caption(tr("eff_caption"))
    frame = measured(wh, scope, filters)
    if frame.empty:
        st.info(tr("eff_none"))
        return
    st.caption(tr("eff_counted", n=len(frame), measured=int(frame["qa_effect"].notna().sum())))
    kinds = {k: effects.kind_label(k, language) for k in frame["kind"].unique()}
    categories = finding_names(wh, filters)
    groups = (
        ("kind", kinds, text_key("eff_by_kind")),
        ("category", categories, text_key("eff_by_category")),
    )
    summaries = {by: effects.summary(frame, by) for by, _, _ in groups}
    # The two charts side by side, each table below them across the page (it has many columns).
    for column, (by, names, title) in zip(st.columns(2), groups, strict=True):
        with column:
            st.markdown(f"**{tr(title)}**")
            drawn = summaries[by][summaries[by]["n"] > 0]
            if drawn.empty:
                st.caption(tr(effects.NOT_ENOUGH))
                continue
            plotted = drawn.assign(group=[names.get(k, k) if k else tr("eff_no_finding") for k in drawn[by]])
            fig = charts.effects(plotted, "group", tr("eff_col_qa_effect"), tr("eff_axis"))
            st.plotly_chart(fig, width="stretch", key=f"effects_{by}")
    for by, names, title in groups:
        st.markdown(f"**{tr(title)}**")
        shown, files = _groups(summaries[by], by, names)
        _show(shown, files, f"csdata-effects-{by}-{filters.start}_{filters.end}", f"dl_effects_{by}")


def agent_effects(wh: Warehouse, scope: Scope, agent: str, filters: Filters) -> None:
    """Each of the person's done actions and coaching sessions (of any day) with its own before
    and after: the agent's and the control's audits and means, and the effect or why there is none."""
    frame = measured(wh, scope, employee_id=agent)
    if frame.empty:
        return
    language = lang()
    st.subheader(tr("eff_agent_title"))
    st.caption(tr("eff_agent_caption"))
    names = finding_names(wh, filters)
    not_enough = tr(effects.NOT_ENOUGH)
    files = pd.DataFrame(
        {
            tr("eff_col_date"): [d.isoformat() for d in frame["effect_date"]],
            tr("eff_col_action"): frame["action_id"],
            tr("eff_col_kind"): [effects.kind_label(k, language) for k in frame["kind"]],
            tr("eff_col_category"): [
                names.get(k, k) if isinstance(k, str) and k else "" for k in frame["category"]
            ],
            tr("eff_col_qa_effect"): frame["qa_effect"].round(4),
            tr("eff_col_csat_effect"): (frame["csat_effect"] * 100).round(4),
            tr("eff_col_before_n"): frame["before_n"],
            tr("eff_col_before"): frame["before_mean"].round(4),
            tr("eff_col_after_n"): frame["after_n"],
            tr("eff_col_after"): frame["after_mean"].round(4),
            tr("eff_col_control_before_n"): frame["control_before_n"],
            tr("eff_col_control_before"): frame["control_before_mean"].round(4),
            tr("eff_col_control_after_n"): frame["control_after_n"],
            tr("eff_col_control_after"): frame["control_after_mean"].round(4),
        }
    )
    shown = files.copy()
    for column in ("eff_col_before", "eff_col_after", "eff_col_control_before", "eff_col_control_after"):
        shown[tr(column)] = [_points(v) for v in files[tr(column)]]
    shown[tr("eff_col_qa_effect")] = [
        _signed(v) if pd.notna(v) else not_enough for v in files[tr("eff_col_qa_effect")]
    ]
    files[tr("eff_col_qa_effect")] = [
        v if pd.notna(v) else not_enough for v in files[tr("eff_col_qa_effect")]
    ]
    shown[tr("eff_col_csat_effect")] = [_signed(v, 1) for v in files[tr("eff_col_csat_effect")]]
    _show(shown, files, f"csdata-effects-{agent}", "dl_effects_agent")
