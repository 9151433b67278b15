"""Actions: corrective actions moved until they close (done or cancelled), each step kept, and
coaching sessions recorded for the people of the account's teams."""

import streamlit as st

from csdata.ui import actions, core, signin

wh, user = signin.require("actions")
st.title(core.tr("nav_actions"))
actions.actions_page(wh, user)
