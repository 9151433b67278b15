"""The Finance page's parts: its filters (period and clients: the figures are per client and
month, so channels and teams do not apply), the totals, the client × month table with its
downloads, the monthly trend, and budget against actual. The figures are
`csdata.analytics.finance`'s; this module only reads widgets and draws.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.scope import Scope
from csdata.analytics import finance, lookups
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import column_label, fmt_money, fmt_value
from csdata.ui import charts, datatable
from csdata.ui.core import data_version, lang, tr

DEFAULT_MONTHS = 12


@st.cache_data(show_spinner=False, max_entries=32)
def _economics(
    _wh: Warehouse,
    path: str,
    version: int,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    clients: tuple[str, ...],
) -> pd.DataFrame:
    return finance.economics(_wh, start, end, clients, scope)


def filters(wh: Warehouse, scope: Scope) -> tuple[dt.date, dt.date, tuple[str, ...]]:
    """The period (whole months; by default the last twelve complete months of data,
    `finance.default_period`) and the clients (none chosen: all those the account sees)."""
    span = lookups.data_span(wh)
    if span is None:
        st.info(tr("empty_warehouse"))
        st.stop()
    default = finance.default_period(span.first, span.end, DEFAULT_MONTHS)
    left, right = st.columns([3, 5])
    period = left.date_input(
        tr("period"),
        value=default,
        min_value=span.first,
        max_value=span.last,
        key="fin_period",
        help=tr("finance_period_help"),
    )
    clients = right.multiselect(
        tr("clients"), lookups.clients(wh, scope), placeholder=tr("all_clients"), key="fin_clients"
    )
    if not isinstance(period, tuple) or len(period) != 2:
        st.info(tr("period_needs_two_dates"))
        st.stop()
    return period[0], period[1], tuple(clients)


def economics(
    wh: Warehouse, scope: Scope, start: dt.date, end: dt.date, clients: tuple[str, ...]
) -> pd.DataFrame:
    return _economics(wh, wh.address, data_version(wh), scope, start, end, clients)


def summary(frame: pd.DataFrame) -> None:
    """The period's revenue, cost, margin and margin %, and the client-months over budget."""
    sums = finance.totals(frame)

    cells = [
        (tr("col_revenue"), fmt_money(sums["revenue"])),
        (tr("col_cost"), fmt_money(sums["cost"])),
        (tr("col_margin"), fmt_money(sums["margin"])),
        (tr("col_margin_pct"), fmt_value(sums["margin_pct"], "rate", lang())),
        (tr("finance_unallocated_total"), fmt_money(sums["unallocated"])),
    ]
    for row in (cells[:3], cells[3:]):  # two rows: a year's amounts are long
        for column, (label, value) in zip(st.columns(3), row, strict=False):
            column.metric(label, value)
    st.caption(tr("finance_margin_note"))
    over = frame[frame["budget_left"] < 0]
    if len(over):
        st.warning(
            tr("finance_over_budget", lines=", ".join(f"{r.client} {r.month}" for r in over.itertuples()))
        )


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The unallocated line named as such."""
    return frame.assign(
        client=[c if isinstance(c, str) else tr("finance_unallocated") for c in frame["client"]]
    )


def table(frame: pd.DataFrame, start: dt.date, end: dt.date) -> None:
    """Per client and month, with its CSV and Excel downloads (margin % in percent)."""
    months = finance.month_span(start, end)
    shown = _labelled(frame).assign(margin_pct=(frame["margin_pct"] * 100).round(1))
    datatable.table_with_downloads(
        shown,
        "finance",
        f"csdata-finance-{months[0]}_{months[-1]}",
        money=finance.MONEY,
        narrow=("month", "tickets", "handled_hours", "margin_pct"),
        gaps=("margin_pct", *(c for c in finance.MONEY if frame[c].isna().any())),
    )


def trend(frame: pd.DataFrame) -> None:
    """Revenue, the clients' cost, margin and the unallocated pay by month."""
    language = lang()
    sums = finance.by_month(frame)
    names = {c: column_label(c, language) for c in ("revenue", "cost", "margin")}
    names["unallocated"] = tr("finance_unallocated_total")
    title, axis = tr("finance_trend_title"), column_label("month", language)
    figure = charts.bars(sums, "month", names, "money", title, axis)
    figure.update_xaxes(type="category")  # "2026-03" is a month, not a day on a time axis
    st.plotly_chart(figure, width="stretch")


def budget(frame: pd.DataFrame) -> None:
    """Each client's cost against its budget over the period (the months it has a budget in)."""
    language = lang()
    budgeted = frame[frame["budget"].notna()]
    if budgeted.empty:
        st.info(tr("finance_no_budgets"))
        return
    sums = budgeted.groupby("client", sort=True)[["cost", "budget"]].sum().reset_index()
    names = {c: column_label(c, language) for c in ("cost", "budget")}
    st.plotly_chart(
        charts.bars(sums, "client", names, "money", tr("finance_budget_title"), "", horizontal=True),
        width="stretch",
    )
