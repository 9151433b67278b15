"""Audit log: every write and sign-in, with who, when and what. Read-only: the app has no way to
change or delete it."""

import datetime as dt

import streamlit as st

from csdata.analytics import lookups
from csdata.ui import core, datatable, signin

wh, user = signin.require("audit_log")
st.title(core.tr("audit_log_title"))
st.caption(core.tr("audit_log_caption"))
c1, c2, c3 = st.columns([2, 1, 1])
today = dt.date.today()
period = c1.date_input(core.tr("period"), value=(today - dt.timedelta(days=30), today), key="log_period")
actor = c2.text_input(core.tr("log_actor"), max_chars=64, key="log_actor")
action = c3.text_input(core.tr("log_action"), max_chars=64, key="log_action")
if not isinstance(period, tuple) or len(period) != 2:
    st.info(core.tr("period_needs_two_dates"))
    st.stop()
datatable.audit_log_table(lookups.audit_log(wh, period[0], period[1], actor, action), period[0], period[1])
