"""Tickets: record a new consultation, complaint or suggestion, and follow up open ones
(route, feed back, customer accepted or reopened, callback made, suggestion decided; the last step
undone with a reason), and correct or void a ticket with a reason, its history beside it.

Supervisors work within their own teams; every save and every step is one audited transaction.
"""

import streamlit as st

from csdata.ui import core, fixes, forms, signin

wh, user = signin.require("tickets")
st.title(core.tr("nav_tickets"))
labels = [core.tr("tickets_new"), core.tr("tickets_follow_up"), core.tr("fix_tab")]
# A link to one ticket (from a saved ticket, or sent by a colleague) opens on its follow-up.
linked = st.query_params.get("ticket")
if linked and st.session_state.get("_tickets_linked") != linked:
    st.session_state["_tickets_linked"] = linked
    st.session_state["tickets_tab"] = labels[1]
new, follow, fix = st.tabs(labels, key="tickets_tab", on_change="rerun")
with new:
    forms.ticket_form(wh, user)
with follow:
    forms.follow_up(wh, user)
with fix:
    fixes.correct_or_void(wh, user, "tickets")
