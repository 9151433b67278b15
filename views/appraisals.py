"""Appraisals: indicators proposed from the period's data, reviewed and confirmed by HR, with the
grade and the performance pay that follows (pay shown only to roles that see pay); imported
appraisals are confirmed in bulk on the "To confirm" tab; one of an open period is corrected or
voided with a reason on the "Correct or void" tab, its history beside it."""

import streamlit as st

from csdata.ui import core, fixes, forms, signin

wh, user = signin.require("appraisals")
st.title(core.tr("nav_appraisals"))
enter, to_confirm, fix = st.tabs([core.tr("ap_tab_enter"), core.tr("ap_tab_confirm"), core.tr("fix_tab")])
with enter:
    forms.appraisal_form(wh, user)
with to_confirm:
    forms.appraisals_to_confirm(wh, user)
with fix:
    fixes.correct_or_void(wh, user, "appraisals")
forms.period_status(wh, user)
