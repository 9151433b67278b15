"""Training results: one employee's score, hours and attempt on a course, pass or fail shown
against the course's pass mark before saving."""

import streamlit as st

from csdata import ui
from csdata.ui import entry

wh, user = ui.require("training")
st.title(ui.tr("nav_training"))
entry.training_form(wh, user)
