"""QA audit: score a contact on the scorecard in force, see the weighted score and the verdict
live, and decide a corrective action saved together with the audit."""

import streamlit as st

from csdata import ui
from csdata.ui import entry

wh, user = ui.require("audits")
st.title(ui.tr("nav_audits"))
entry.audit_form(wh, user)
