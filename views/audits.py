"""QA audit: score a contact on the scorecard in force, see the weighted score and the verdict
live, and decide a corrective action saved together with the audit."""

import streamlit as st

from csdata.ui import core, forms, signin

wh, user = signin.require("audits")
st.title(core.tr("nav_audits"))
forms.audit_form(wh, user)
