"""Policy: targets, service-level thresholds, QA scorecard, appraisal scheme, pay coefficients and
client contracts; validated and saved as a dated version (admin only)."""

import streamlit as st

from csdata.ui import core, policy_editor, signin

wh, me = signin.require("policy")
st.title(core.tr("policy_title"))
st.caption(core.tr("policy_caption"))
policy_editor.policy_editor(wh, me)
