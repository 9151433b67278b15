"""Placeholder while the page is being built: it checks access and says so."""

import streamlit as st

from csdata import ui

wh, user = ui.require("training")
st.title(ui.tr("nav_training"))
st.info(ui.tr("coming_soon"))
