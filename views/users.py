"""Users: accounts, their roles and scope; add, change, disable, reset a password (admin only)."""

import streamlit as st

from csdata.access import auth
from csdata.ui import admin, core, datatable, signin

wh, me = signin.require("users")
st.title(core.tr("users_title"))
# The table sits above the forms but is filled after them, so a change just saved shows at once.
table = st.container()
add, edit = st.tabs([core.tr("users_add"), core.tr("users_edit")])
with add:
    admin.user_form(wh, me, None)
with edit:
    names = list(auth.list_users(wh)["username"])
    admin.user_form(wh, me, st.selectbox(core.tr("user_to_edit"), names, key="user_to_edit"))
with table:
    datatable.table_with_downloads(auth.list_users(wh), "users", "users")
