"""Imports: choose a kind, take its template, upload a file, map its columns if need be, preview
what would happen, commit, and read the history of imports."""

import streamlit as st

from csdata import ui
from csdata.ui import imports

wh, user = ui.require("imports")
st.title(ui.tr("nav_imports"))
kind = imports.choose_kind(user)
imports.template_downloads(kind)
upload = imports.upload()
options = imports.options()
if upload is not None:
    headings = imports.file_columns(wh, upload)
    if headings is not None:
        mapping = imports.mapping_section(wh, kind, upload, headings)
        imports.preview_and_commit(wh, user, kind, upload, options, mapping)
st.divider()
imports.history(wh, user)
