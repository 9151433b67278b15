"""Overview: headline KPIs against target, their weekly trend, and each client against its contract."""

import streamlit as st

from csdata import ui
from csdata.metrics import HEADLINE

wh, user = ui.require("overview")
scope = user.scope
st.title(ui.tr("overview_title"))
filters = ui.filter_bar(wh, scope)
previous = filters.previous()
st.caption(
    ui.tr(
        "overview_caption",
        start=filters.start,
        end=filters.end,
        scope=ui.scope_label(wh, filters, scope),
        prev_start=previous.start,
        prev_end=previous.end,
    )
)
ui.kpi_cards(wh, HEADLINE, filters, scope)
ui.trend_chart(wh, filters, scope)
st.subheader(ui.tr("by_client_title"))
st.caption(ui.tr("by_client_caption"))
ui.client_table(wh, HEADLINE, filters, scope)
