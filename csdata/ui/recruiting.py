"""The Recruitment page's parts: the funnel, each channel's figures, the days each stage takes,
the open seats, the requisitions, and HR's forms.

The figures are the page's frames (`csdata.analytics.page_queries`, page `recruitment`), drawn with
the shared tables and downloads (`csdata.ui.panels`, `csdata.ui.datatable`). The forms save through
`csdata.records.hiring` (a requisition or candidate is the import on one row, a stage, hire
or rejection a correction of the candidate with its trail) and take their fields, messages and
the guard against a second click from the records forms (`csdata.ui.organisation`,
`csdata.ui.forms`, `csdata.ui.saving`). An account that may not write candidates (an executive)
sees the figures only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.auth import User
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.analytics.funnel import funnel as funnel_rows
from csdata.records import corrections, entry, hiring
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, column_label, family_key, t, text_key
from csdata.ui import charts, fixes, panels, saving
from csdata.ui.core import lang, problem_text, tr
from csdata.ui.datatable import readable, table_with_downloads
from csdata.ui.forms import Fields, _save
from csdata.ui.organisation import _fields
from csdata.ui.saving import Saved, keys, last_saved, save_once

__all__ = ["by_channel", "forms", "funnel", "requisitions", "seats", "stage_days"]

# The forms, each with its widgets' key prefix (`csdata.ui.saving`).
FORMS = {
    "recruit_requisition": "rq_",
    "recruit_candidate": "rc_",
    "recruit_stage": "rs_",
    "recruit_hire": "rh_",
    "recruit_reject": "rr_",
}
for _form, _prefix in FORMS.items():
    saving.register(_form, _prefix)
OFFER_ANSWERS = ("accepted", "declined", "awaiting")  # `recruit_answer_<answer>`
CANDIDATE_FIELDS = ("candidate_id", "requisition_id", "channel", "applied_on", "name")


# -- the figures ----------------------------------------------------------------------------------


def funnel(frames: dict[str, pd.DataFrame], filters: Filters) -> None:
    """The period's applicants stage by stage: a funnel chart, and each stage as a share of the
    one before and of the applicants (– where the stage before had nobody)."""
    st.subheader(tr("recruit_funnel_title"))
    # Drawn with nobody in it too: a period without applicants is a funnel of zeros.
    rows = funnel_rows(compiler.row_values(frames["funnel"])).rename(columns={"stage": "funnel_stage"})
    shown = readable(rows)
    st.plotly_chart(
        charts.funnel(list(shown["funnel_stage"]), list(rows["candidates"]), tr("recruit_funnel_chart")),
        key="recruit_funnel_chart",
    )
    panels.table(rows, "recruit_funnel", {"of_previous": "rate", "of_applied": "rate"}, filters=filters)


def by_channel(frames: dict[str, pd.DataFrame], filters: Filters) -> None:
    """Each channel's funnel and how its hires did afterwards."""
    st.subheader(tr("recruit_by_channel_title"))
    st.caption(tr("recruit_by_channel_note"))
    language = lang()
    frame = frames["by_channel"]
    frame = frame.assign(key=[t(family_key("choice_", c), language) for c in frame["key"]])
    panels.table(
        frame,
        "recruit_by_channel",
        panels.metric_units(frame),
        key_label="recruit_channel",
        filters=filters,
        intervals=("recruit_hire_rate", "recruit_qa_score"),
    )


def stage_days(frames: dict[str, pd.DataFrame], filters: Filters) -> None:
    """The days from each stage to the next, median and 90th percentile."""
    st.subheader(tr("recruit_stage_days_title"))
    frame = frames["stage_days"]
    if panels.empty(frame):
        return
    table_with_downloads(
        readable(frame), "recruit_stage_days", "csdata-stage-days", narrow=tuple(frame.columns)
    )


def seats(frames: dict[str, pd.DataFrame]) -> None:
    """The seats the open requisitions still have to fill, per client and team."""
    st.subheader(tr("recruit_seats_title"))
    frame = frames["seats"].rename(
        columns={"key": "client", "key2": "team", "recruit_open_seats": "open_seats"}
    )
    frame = frame[frame["open_seats"].fillna(0) > 0]
    if panels.empty(frame):
        return
    frame = frame.assign(open_seats=frame["open_seats"].astype(int))
    table_with_downloads(frame, "recruit_seats", "csdata-open-seats")


def requisitions(frames: dict[str, pd.DataFrame]) -> None:
    """The requisitions open now or opened in the period, filtered by status and position, with
    their downloads."""
    st.subheader(tr("recruit_requisitions_title"))
    frame = frames["requisitions"]
    if panels.empty(frame):
        return
    language = lang()
    left, right = st.columns(2)
    statuses = sorted(frame["requisition_status"].unique())
    chosen = left.multiselect(
        column_label("requisition_status", language),
        statuses,
        default=[s for s in statuses if s == "open"] or statuses,
        format_func=_words(lambda v, language: t(family_key("choice_", v), language)),
        placeholder=tr("choose"),
        key=f"recruit_status_filter_{language}",  # drawn afresh in the other language after a switch
    )
    positions = sorted(frame["position"].unique())
    picked = right.multiselect(
        column_label("position", language), positions, placeholder=tr("choose"), key="recruit_position_filter"
    )
    shown = frame[frame["requisition_status"].isin(chosen)]
    if picked:
        shown = shown[shown["position"].isin(picked)]
    table_with_downloads(readable(shown), "recruit_requisitions", "csdata-requisitions", gaps=("days_open",))


# -- the forms ------------------------------------------------------------------------------------


def forms(wh: Warehouse, user: User) -> None:
    """HR's steps, one tab each, for an account that may write candidates; else a note."""
    scope = user.scope
    if not scope.may_write("candidates"):
        st.info(tr("recruit_read_only"), icon=":material/visibility:")
        return
    st.subheader(tr("recruit_forms_title"))
    names = (
        text_key("recruit_tab_requisition"), text_key("recruit_tab_candidate"), text_key("recruit_tab_stage"),
        text_key("recruit_tab_hire"), text_key("recruit_tab_reject"), text_key("fix_tab"),
    )  # fmt: skip
    tabs = st.tabs([tr(n) for n in names])
    with tabs[0]:
        _requisition_form(wh, user)
    with tabs[1]:
        _candidate_form(wh, user)
    candidates = corrections.choices(wh, "candidates", scope)
    for tab, step in zip(tabs[2:5], (_stage_form, _hire_form, _reject_form), strict=True):
        with tab:
            if candidates:
                step(wh, user, candidates)
            else:
                st.info(tr("recruit_no_candidates"))
    with tabs[5]:
        kind = st.radio(
            tr("recruit_fix_kind"), ("candidates", "requisitions"), horizontal=True,
            format_func=_words(lambda v, language: t(family_key("imp_kind_", v), language)), key="recruit_fix_kind",
        )  # fmt: skip
        fixes.correct_or_void(wh, user, kind)


def _words(word):
    """`word(value, language)` in the language of this run (a widget may format its options
    after the run, when the session's language is not known)."""
    language = lang()
    return lambda value: word(value, language)


def _passed():
    language = lang()
    return lambda passed: t("recruit_passed" if passed else "recruit_failed", language)


def _references(wh: Warehouse, user: User) -> dict[str, list[str]]:
    open_ones = lookups.records(wh, "requisitions", user.scope)
    return {
        "client": lookups.clients(wh, user.scope),
        "team": lookups.teams(wh, user.scope),
        "grade": list(lookups.records(wh, "pay_grades", user.scope)["grade"]),
        "requisition_id": list(open_ones.loc[open_ones["status"] == "open", "requisition_id"]),
    }


def _new_record(wh: Warehouse, user: User, form: str, kind: str, only: tuple[str, ...] | None, add) -> None:
    """A new requisition or candidate from its row model's fields, saved by `add`; an id is made
    when none is typed."""
    k = keys(form)
    last_saved(form, user)
    fields = Fields()
    prefix = FORMS[form]
    refs = {
        f: names
        for f, names in _references(wh, user).items()
        if kind == "candidates" or f != "requisition_id"
    }
    values = _fields(kind, refs, {}, lambda name: k(prefix + name), fields, only=only)
    if not st.button(tr("save"), type="primary", key=k(prefix + "save")):
        return
    key = "requisition_id" if kind == "requisitions" else "candidate_id"
    row = {**values, key: values.get(key) or entry.new_id("R" if kind == "requisitions" else "C")}
    save_once(
        form,
        values,
        lambda: _save(fields, lambda: add(wh, user.username, row, user.scope), key),
        lambda _: Saved(row[key], tr(family_key("recruit_saved_", kind), id=row[key])),
    )
    fields.show()


def _requisition_form(wh: Warehouse, user: User) -> None:
    _new_record(wh, user, "recruit_requisition", "requisitions", None, hiring.open_requisition)


def _candidate_form(wh: Warehouse, user: User) -> None:
    _new_record(wh, user, "recruit_candidate", "candidates", CANDIDATE_FIELDS, hiring.add_candidate)


def _candidate(candidates: dict[str, str], key: str) -> str | None:
    return st.selectbox(
        tr("recruit_f_candidate"), list(candidates), index=None, format_func=lambda c: candidates[c],
        placeholder=tr("choose"), key=key,
    )  # fmt: skip


def _step(fields: Fields, do):
    """Run a step; a refusal goes under the form. The candidate after, or None."""
    try:
        return do()
    except Problem as exc:
        fields.add("", problem_text(exc))
        return None


def _save_step(form: str, fields: Fields, candidate: str | None, values: dict, do, saved) -> None:
    """What a step's button does: with a candidate chosen, the step once for these values
    (`save_once`, so a second click or a rerun does not repeat it), a refusal under the form."""
    if candidate is None:
        fields.add("", tr("recruit_choose_candidate"))
    else:
        save_once(form, values, lambda: _step(fields, do), saved)
    fields.show()


def _stage_form(wh: Warehouse, user: User, candidates: dict[str, str]) -> None:
    form = "recruit_stage"
    k = keys(form)
    last_saved(form, user)
    fields = Fields()
    left, right = st.columns(2)
    with left:
        candidate = _candidate(candidates, k("rs_candidate"))
        stage = st.selectbox(
            tr("recruit_f_stage"), list(hiring.STAGES),
            format_func=_words(lambda v, language: t(family_key("recruit_stage_", v), language)), key=k("rs_stage"),
        )  # fmt: skip
        day = st.date_input(tr("recruit_f_day"), value=dt.date.today(), key=k("rs_day"))
    checked_by = None
    with right:
        if stage == "test":
            result = st.number_input(
                tr("recruit_f_score"), 0.0, 100.0, value=None, step=1.0, key=k("rs_score")
            )
        elif stage == "offer":
            answer = st.radio(
                tr("recruit_f_answer"), OFFER_ANSWERS, index=2, horizontal=True,
                format_func=_words(lambda v, language: t(family_key("recruit_answer_", v), language)), key=k("rs_answer"),
            )  # fmt: skip
            result = {"accepted": True, "declined": False}.get(answer)
        else:
            passed = st.radio(
                tr("recruit_f_result"), (True, False), horizontal=True,
                format_func=_passed(), key=k("rs_passed"),
            )  # fmt: skip
            result = passed
        if stage == "check":
            checked_by = st.text_input(
                tr("recruit_f_checked_by"), max_chars=100, key=k("rs_checked_by")
            ).strip()
    if not st.button(tr("save"), type="primary", key=k("rs_save")):
        return
    _save_step(
        form,
        fields,
        candidate,
        {"candidate": candidate, "stage": stage, "day": day, "result": result, "checked_by": checked_by},
        lambda: hiring.record_stage(
            wh, user.username, candidate, stage, day, result, user.scope, checked_by or None
        ),
        lambda _: Saved(
            f"{candidate} · {stage}",
            tr("recruit_saved_stage", id=candidate, stage=tr(family_key("recruit_stage_", stage))),
        ),
    )


def _hire_form(wh: Warehouse, user: User, candidates: dict[str, str]) -> None:
    form = "recruit_hire"
    k = keys(form)
    last_saved(form, user)
    fields = Fields()
    left, right = st.columns(2)
    with left:
        candidate = _candidate(candidates, k("rh_candidate"))
        day = st.date_input(tr("recruit_f_hired_on"), value=dt.date.today(), key=k("rh_day"))
    with right:
        employee = st.text_input(
            tr("recruit_f_employee_id"), max_chars=50, placeholder=tr("auto_id"), key=k("rh_employee")
        ).strip()
        st.caption(tr("recruit_hire_note"))
    if not st.button(tr("recruit_hire"), type="primary", key=k("rh_save")):
        return
    _save_step(
        form,
        fields,
        candidate,
        {"candidate": candidate, "day": day, "employee": employee},
        lambda: hiring.hire(wh, user.username, candidate, day, employee or None, user.scope),
        lambda after: Saved(
            after["employee_id"], tr("recruit_saved_hire", id=candidate, employee=after["employee_id"])
        ),
    )


def _reject_form(wh: Warehouse, user: User, candidates: dict[str, str]) -> None:
    form = "recruit_reject"
    k = keys(form)
    last_saved(form, user)
    fields = Fields()
    left, right = st.columns(2)
    with left:
        candidate = _candidate(candidates, k("rr_candidate"))
        day = st.date_input(tr("recruit_f_day"), value=dt.date.today(), key=k("rr_day"))
    with right:
        reason = st.text_area(tr("recruit_f_reason"), max_chars=500, key=k("rr_reason"))
    if not st.button(tr("recruit_reject"), type="primary", key=k("rr_save")):
        return
    _save_step(
        form,
        fields,
        candidate,
        {"candidate": candidate, "day": day, "reason": reason},
        lambda: hiring.reject(wh, user.username, candidate, day, reason, user.scope),
        lambda _: Saved(candidate, tr("recruit_saved_reject", id=candidate)),
    )
