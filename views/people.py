"""People: onboarding results and who went live without passing, in-service training hours per
head against the policy, and appraisal grades with the best and those below standard."""

import streamlit as st

from csdata import ui
from csdata.ui import dashboard as dash

wh, scope, filters, frames = dash.start("people", per_row=4)

st.subheader(ui.tr("training_by_team_title"))
dash.training_by_team(wh, frames["by_team"], filters)

st.subheader(ui.tr("go_live_title"))
dash.go_live(frames["go_live"], filters)

st.subheader(ui.tr("grades_title"))
dash.grades(wh, frames["grades"], filters)

dash.appraised(frames["appraised"], filters)
