"""The frame and router: page setup, the language switch, sign-in, the session cookie's writer,
and the pages this user may open.

Nothing here queries or draws a page: each page is a thin script in `views/` that checks access
again before drawing. The folder is not called `pages/` on purpose: Streamlit treats a `pages/`
folder beside the entry point as a legacy multipage app, and the first request to a fresh
server could then run a page script without this frame.
"""

import streamlit as st

from csdata.ui import cookie, core, saving, signin

st.set_page_config(page_title="csdata", page_icon="📞", layout="wide")
saving.begin_run()  # the token its forms' saves are claimed under
core.language_switch()
user = signin.current_user(core.warehouse())
if user is not None:
    signin.user_box(user)
cookie.render_writer()  # a queued write of the session cookie (after sign-in or sign-out), hidden
# Signed out, the navigation is hidden: every address leads to the sign-in form (see signin.navigation_pages).
st.navigation(signin.navigation_pages(user), position="sidebar" if user else "hidden", expanded=True).run()
