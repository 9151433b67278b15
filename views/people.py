"""People: onboarding results and who went live without passing, in-service training hours per
head against the policy, and appraisal grades with the best and those below standard."""

import streamlit as st

from csdata.ui import core, dashboard, sections

wh, scope, filters, frames = dashboard.start("people", per_row=4)

st.subheader(core.tr("training_by_team_title"))
sections.training_by_team(wh, frames["by_team"], filters)

st.subheader(core.tr("go_live_title"))
sections.go_live(frames["go_live"], filters)

st.subheader(core.tr("grades_title"))
sections.grades(wh, frames["grades"], filters)

sections.appraised(frames["appraised"], filters)
