"""Imports: choose a kind, take its template, upload a file, map its columns if need be, preview
what would happen, commit, and read the history of imports."""

import streamlit as st

from csdata.ui import core, importer, signin

wh, user = signin.require("imports")
st.title(core.tr("nav_imports"))
kind = importer.choose_kind(user)
importer.template_downloads(wh, kind)
upload = importer.upload()
options = importer.options()
if upload is not None:
    headings = importer.file_columns(wh, upload)
    if headings is not None:
        mapping = importer.mapping_section(wh, kind, upload, headings)
        importer.preview_and_commit(wh, user, kind, upload, options, mapping)
st.divider()
importer.history(wh, user)
