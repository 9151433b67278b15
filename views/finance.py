"""Finance: what each client earns and costs per month, its margin, and its cost against its
budget (finance, exec, admin; never a client company's account). Each figure's rule is
`csdata.analytics.finance`'s; the prices and budgets are the contracts' on the Policy page.
"""

import streamlit as st

from csdata.ui import core, economics, signin

wh, user = signin.require("finance")
st.title(core.tr("nav_finance"))
st.caption(core.tr("finance_caption"))
start, end, clients = economics.filters(wh, user.scope)
frame = economics.economics(wh, user.scope, start, end, clients)
if frame.empty:
    st.info(core.tr("finance_nothing"))
    st.stop()
economics.summary(frame)
economics.table(frame, start, end)
left, right = st.columns(2)
with left:
    economics.trend(frame)
with right:
    economics.budget(frame)
