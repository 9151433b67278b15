"""Organisation: the clients, departments, teams, pay grades, courses, appraisal periods and staff,
listed, added and changed one at a time with the import's checks (admin all; HR its own part)."""

import streamlit as st

from csdata.ui import core, organisation, signin

wh, me = signin.require("organisation")
st.title(core.tr("org_title"))
st.caption(core.tr("org_caption"))
organisation.organisation_page(wh, me)
