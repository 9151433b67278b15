"""Appraisals: indicators proposed from the period's data, reviewed and confirmed by HR, with the
grade and the performance pay that follows (pay shown only to roles that see pay); imported
appraisals are confirmed in bulk on the "To confirm" tab."""

import streamlit as st

from csdata.ui import core, forms, signin

wh, user = signin.require("appraisals")
st.title(core.tr("nav_appraisals"))
enter, to_confirm = st.tabs([core.tr("ap_tab_enter"), core.tr("ap_tab_confirm")])
with enter:
    forms.appraisal_form(wh, user)
with to_confirm:
    forms.appraisals_to_confirm(wh, user)
forms.period_status(wh, user)
