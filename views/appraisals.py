"""Appraisals in two steps: a supervisor proposes the teamwork score and a comment for the agents
of their teams ("Teamwork"); HR reviews the indicators proposed from the period's data and by the
supervisor, changes them only with a reason and confirms ("Enter"), with the grade and the
performance pay that follows (pay shown only to roles that see pay). "To confirm" lists what waits
for HR: imported appraisals (confirmed there in bulk) and supervisors' proposals; "Correct or
void" corrects or voids one of an open period with a reason, its history beside it. Each account
sees the tabs of its own step."""

import streamlit as st

from csdata.text.i18n import text_key
from csdata.ui import core, fixes, forms, signin

wh, user = signin.require("appraisals")
st.title(core.tr("nav_appraisals"))
steps = []
if user.scope.may_write("appraisals"):
    steps += [
        (text_key("ap_tab_enter"), forms.appraisal_form),
        (text_key("ap_tab_confirm"), forms.appraisals_to_confirm),
        (text_key("fix_tab"), lambda wh, user: fixes.correct_or_void(wh, user, "appraisals")),
    ]
if user.scope.proposes:
    steps.append((text_key("ap_tab_teamwork"), forms.teamwork_form))
for tab, draw in zip(st.tabs([core.tr(key) for key, _ in steps]), steps, strict=True):
    with tab:
        draw[1](wh, user)
forms.period_status(wh, user)
