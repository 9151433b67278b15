"""Compliance: every open breach of the policy's rules in the account's scope, as of a day, with
its owner, and the steps that acknowledge or excuse one."""

import streamlit as st

from csdata.ui import breaches, core, signin

wh, user = signin.require("compliance")
st.title(core.tr("nav_compliance"))
breaches.compliance_page(wh, user)
