"""Training results: one employee's score, hours and attempt on a course, pass or fail shown
against the course's pass mark before saving."""

import streamlit as st

from csdata.ui import core, forms, signin

wh, user = signin.require("training")
st.title(core.tr("nav_training"))
forms.training_form(wh, user)
