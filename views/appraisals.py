"""Appraisals: indicators proposed from the period's data, reviewed and confirmed by HR, with the
grade and the performance pay that follows (pay shown only to roles that see pay)."""

import streamlit as st

from csdata.ui import core, forms, signin

wh, user = signin.require("appraisals")
st.title(core.tr("nav_appraisals"))
forms.appraisal_form(wh, user)
