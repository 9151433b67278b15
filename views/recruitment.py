"""Recruitment: open seats per client and team, the funnel by stage and by channel, time to fill
and the days each stage takes, how each channel's hires did afterwards, the requisitions; and
HR's forms to open a requisition, add a candidate, record a stage, hire and reject."""

from csdata.ui import dashboard, recruiting, signin

wh, user = signin.require("recruitment")
_, _, filters, frames = dashboard.start("recruitment", per_row=4)
recruiting.funnel(frames, filters)
recruiting.by_channel(frames, filters)
recruiting.stage_days(frames, filters)
recruiting.seats(frames)
recruiting.requisitions(frames)
recruiting.forms(wh, user)
