"""Policy: targets, service-level thresholds, QA scorecard, appraisal scheme, pay coefficients and
client contracts; validated and saved as a dated version (admin only)."""

import streamlit as st

from csdata import ui
from csdata.ui import policy_form

wh, me = ui.require("policy")
st.title(ui.tr("policy_title"))
st.caption(ui.tr("policy_caption"))
policy_form.policy_editor(wh, me)
