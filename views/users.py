"""Users: accounts, their roles and scope; add, change, disable, reset a password (admin only)."""

import streamlit as st

from csdata import auth, ui

wh, me = ui.require("users")
st.title(ui.tr("users_title"))
# The table sits above the forms but is filled after them, so a change just saved shows at once.
table = st.container()
add, edit = st.tabs([ui.tr("users_add"), ui.tr("users_edit")])
with add:
    ui.user_form(wh, me, None)
with edit:
    names = list(auth.list_users(wh)["username"])
    ui.user_form(wh, me, st.selectbox(ui.tr("user_to_edit"), names, key="user_to_edit"))
with table:
    ui.table_with_downloads(auth.list_users(wh), "users", "users")
