"""The frame and router: page setup, the language switch, and the pages this user may open.

Nothing here queries or draws a page: each page is a thin script in `views/`.
The folder is not called `pages/` on purpose: Streamlit treats a `pages/` folder beside the entry
point as a legacy multipage app, and the first request to a fresh server could then run a page
script without this frame.
"""

import streamlit as st

from csdata import ui

st.set_page_config(page_title="csdata", page_icon="📞", layout="wide")
ui.language_switch()

pages = [
    st.Page("views/overview.py", title=ui.tr("nav_overview"), icon="📊", url_path="overview", default=True),
]
st.navigation(pages).run()
