"""Appraisals: indicators proposed from the period's data, reviewed and confirmed by HR, with the
grade and the performance pay that follows (pay shown only to roles that see pay)."""

import streamlit as st

from csdata import ui
from csdata.ui import entry

wh, user = ui.require("appraisals")
st.title(ui.tr("nav_appraisals"))
entry.appraisal_form(wh, user)
