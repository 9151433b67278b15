"""Training results: one employee's score, hours and attempt on a course, pass or fail shown
against the course's pass mark before saving; correct or void a result with a reason, its history
beside it."""

import streamlit as st

from csdata.ui import core, fixes, forms, signin

wh, user = signin.require("training")
st.title(core.tr("nav_training"))
new, fix = st.tabs([core.tr("nav_training"), core.tr("fix_tab")])
with new:
    forms.training_form(wh, user)
with fix:
    fixes.correct_or_void(wh, user, "training")
