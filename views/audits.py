"""QA audit: score a contact on the scorecard in force, see the weighted score and the verdict
live, and decide a corrective action saved together with the audit; correct or void an audit
with a reason, its history beside it."""

import streamlit as st

from csdata.ui import core, fixes, forms, signin

wh, user = signin.require("audits")
st.title(core.tr("nav_audits"))
new, fix = st.tabs([core.tr("nav_audits"), core.tr("fix_tab")])
with new:
    forms.audit_form(wh, user)
with fix:
    fixes.correct_or_void(wh, user, "audits")
