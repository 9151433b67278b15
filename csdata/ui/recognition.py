"""A person's recognitions (表彰) on the Agent page: the list, and for an account that may
(`Scope.recognizes`: HR, administrators) a small form to record one and one to void one entered
in error. The checks and the writes are `csdata.records.recognitions`'; a refusal is shown as
its message and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from csdata.access.auth import User
from csdata.analytics import lookups
from csdata.records import recognitions
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem
from csdata.ui.core import problem_text, tr
from csdata.ui.panels import table

_FLASH = "recognition_flash"


def recognitions_section(wh: Warehouse, user: User, employee_id: str) -> None:
    """The person's recognitions, and the forms for an account that records them."""
    scope = user.scope

    def k(field: str) -> str:  # a person's own fields: what is typed for one is not saved for another
        return f"rec_{field}_{employee_id}"

    given = lookups.recognitions(wh, employee_id, scope)
    if given.empty and not scope.recognizes:
        return
    st.subheader(tr("rec_title"))
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    if given.empty:
        st.caption(tr("rec_none"))
    else:
        table(given, "recognitions")
    if not scope.recognizes:
        return
    with st.expander(tr("rec_add"), expanded=False):
        with st.form(f"rec_form_{employee_id}", clear_on_submit=False):
            award = st.text_input(tr("rec_award"), max_chars=recognitions.MAX_AWARD, key=k("award"))
            day = st.date_input(tr("rec_awarded_on"), value=dt.date.today(), key=k("awarded_on"))
            reason = st.text_area(tr("rec_reason"), max_chars=recognitions.MAX_REASON, key=k("reason"))
            submitted = st.form_submit_button(tr("rec_save"), type="primary")
        if submitted:
            try:
                record_id = recognitions.record(wh, user.username, scope, employee_id, award, day, reason)
            except Problem as exc:
                st.error(problem_text(exc))
            else:
                st.session_state[_FLASH] = tr("rec_saved", id=record_id)
                for field in ("award", "awarded_on", "reason"):  # an empty form for the next one
                    st.session_state.pop(k(field), None)
                st.rerun()
    standing = given[given["voided_at"].isna()] if not given.empty else given
    if standing.empty:
        return
    with st.expander(tr("rec_void"), expanded=False):
        with st.form(f"rec_void_{employee_id}"):
            labels = {
                int(r.id): f"{r.award} ({r.awarded_on:%Y-%m-%d}) · #{int(r.id)}"
                for r in standing.itertuples()
            }
            chosen = st.selectbox(
                tr("rec_void_which"), list(labels), format_func=labels.get, key=k("void_id")
            )
            why = st.text_input(
                tr("rec_void_reason"), max_chars=recognitions.MAX_REASON, key=k("void_reason")
            )
            voided = st.form_submit_button(tr("rec_void_button"))
        if voided:
            try:
                recognitions.void(wh, user.username, scope, chosen, why)
            except Problem as exc:
                st.error(problem_text(exc))
            else:
                st.session_state[_FLASH] = tr("rec_voided", id=chosen)
                st.rerun()
