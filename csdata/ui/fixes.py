"""Correct or void a record on its own page, its history beside it; undo a ticket's last step.

One component for every kind (`correct_or_void(wh, user, kind)`): the Audits, Training,
Appraisals and Tickets pages each call it with their kind, so the choice of a record (a list of
the newest within the scope, or its id typed), the form pre-filled with its stored values, the
required reason, Save correction and Void (which asks first) look and behave the same everywhere.
The form's fields come from the kind's row model (`csdata.records.corrections.editable`): a choice
or a yes/no is a select box, anything else a text box holding the stored value as text, which the
import's checks read as they read a file's cell. Everything is decided in
`csdata.records.corrections`; this module only draws and reports.

`history_panel` shows a record's versions (`csdata.records.history.versions`): when, who, what
changed (before → after) and why. A submission this session already carried out (a double
click, a rerun) is not carried out again: it says what the first one did (`csdata.ui.saving`).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Literal

import pandas as pd
import streamlit as st

from csdata.access.auth import User
from csdata.imports import ingest
from csdata.policy import CHANNELS, History
from csdata.records import corrections, history
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import COLUMNS, Problem, column_label, family_key, literal, t, text_key
from csdata.ui import saving
from csdata.ui.core import lang, policy, problem_text, tr

_CONFIRM = "_fx_confirm"  # kind -> (record id, reason) of a void awaiting its confirmation
_VOIDS = "_fx_voids"  # kind -> how many records of the kind were voided (the choice's generation)

# One form per kind (its widgets' keys start `fx_<kind>_f`).
for _kind in corrections.KINDS:
    saving.register(f"fix_{_kind}", f"fx_{_kind}_f")


def _labels(wh: Warehouse) -> dict[str, str]:
    """Column -> its label in the reader's language: the policy's criteria and indicators too."""
    language = lang()
    today = policy(wh, dt.date.today())
    items = [*today.scorecard.criteria, *today.appraisal.indicators]
    return {i.key: i.label(language) for i in items}


# A ticket's fields that have no column heading: labelled as the ticket form and the follow-up
# label them (`f_`).
FORM_LABELLED = (
    "type", "first_response_at", "resolved_at", "handle_seconds", "resolved", "first_contact_resolved", "csat",
    "category", "callback_promised_at", "customer_accepted", "callback_done_at", "suggestion_adopted",
    "reward_amount",
)  # fmt: skip


def _label(column: str, labels: dict[str, str]) -> str:
    if column in COLUMNS:
        return column_label(column, lang())
    if column in FORM_LABELLED:
        return t(family_key("f_", column), lang())
    return labels.get(column, column)


def _shown(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t("yes" if value else "no", lang())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _options(annotation) -> list | None:
    """The choices of a field of this type (a yes/no, a Literal), None for free text."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return [None, *(_options(args[0]) or [])] if _options(args[0]) else None
    if annotation is bool:
        return [True, False]
    if typing.get_origin(annotation) is Literal:
        return list(typing.get_args(annotation))
    return None


def _field(column: str, annotation, value: Any, label: str, key: str) -> Any:
    options = _options(annotation)
    if options is not None:
        if value not in options:
            options = [value, *options]
        return st.selectbox(
            label,
            options,
            index=options.index(value),
            format_func=lambda v: (
                "–" if v is None else _shown(v) if isinstance(v, bool) else _choice(column, v)
            ),
            key=key,
        )
    text = st.text_input(label, value="" if value is None else _shown(value), key=key)
    return text.strip() or None


def _kind(kind: str) -> str:
    return t(family_key("imp_kind_", kind), lang())


def _choice(column: str, value: str) -> str:
    # A ticket's channel has its own words; a candidate's (job site, campus...) is a choice.
    return t(
        family_key("channel_" if column == "channel" and value in CHANNELS else "choice_", value), lang()
    )


def history_panel(wh: Warehouse, kind: str, record_id: str) -> None:
    """The record's versions, newest first: when, who, what (before → after), why."""
    st.markdown(f"**{tr('fix_history')}**")
    try:
        versions = history.versions(wh, kind, record_id, lang())
    except Problem as exc:
        st.info(problem_text(exc))
        return
    if not versions:
        st.caption(tr("fix_history_empty"))
        return
    labels = _labels(wh)
    for v in reversed(versions):
        with st.container(border=True):
            change = tr(family_key("hist_change_", v["change"]))
            st.markdown(f"**{change}** · {literal(v['at'])} · {literal(v['actor'])}")
            st.caption(literal(v["reason"] or ""))
            rows = [
                {
                    tr("hist_field"): _label(c, labels),
                    tr("hist_before"): _shown(before),
                    tr("hist_after"): _shown(after),
                }
                for c, (before, after) in v["changes"].items()
            ]
            if rows:
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def correct_or_void(wh: Warehouse, user: User, kind: str) -> None:
    """Choose a record of `kind` within the user's scope, correct or void it with a reason, and
    see its history beside it."""
    scope = user.scope
    st.caption(tr("fix_intro"))
    saving.last_saved(f"fix_{kind}", user)
    listed = corrections.choices(wh, kind, scope)
    pick, by_id = st.columns([3, 2])
    # After a void the choice is drawn afresh and empty under new keys (a deleted widget state
    # would keep showing the voided record's id in the browser).
    voids = st.session_state.get(_VOIDS, {}).get(kind, 0)
    suffix = "" if voids == 0 else f"~{voids}"
    picked = pick.selectbox(tr("fix_pick"), list(listed), format_func=listed.get, index=None,
                            placeholder=tr("choose"), key=f"fx_{kind}_pick{suffix}")  # fmt: skip
    typed = by_id.text_input(tr("fix_by_id"), max_chars=80, key=f"fx_{kind}_id{suffix}").strip()
    record_id = typed or picked
    if not listed and not record_id:
        st.info(tr("fix_none"))
        return
    if not record_id:
        return
    form, beside = st.columns([3, 2], gap="large")
    try:
        stored = corrections.current(wh, kind, record_id, scope)
    except Problem as exc:
        form.warning(problem_text(exc))
        # A record voided is in no table: its history is shown when it lay within the scope.
        if exc.key == "hist_unknown_record" and corrections.voided_in_scope(wh, kind, record_id, scope):
            with beside:
                history_panel(wh, kind, record_id)
        return
    with beside:
        history_panel(wh, kind, record_id)
    with form:
        _form(wh, user, kind, record_id, stored)


def _form(wh: Warehouse, user: User, kind: str, record_id: str, stored: dict) -> None:
    k = saving.keys(f"fix_{kind}")
    model = ingest.record_model(kind, History.load(wh))
    labels = _labels(wh)
    prefix = k(f"fx_{kind}_f_{record_id}")
    with st.form(key=f"{prefix}_form", border=True):
        values = {}
        columns = st.columns(2)
        for i, column in enumerate(corrections.editable(wh, kind)):
            with columns[i % 2]:
                annotation = model.model_fields[column].annotation
                values[column] = _field(
                    column, annotation, stored.get(column), _label(column, labels), f"{prefix}_{column}"
                )
        reason = st.text_input(tr("fix_reason"), max_chars=300, key=f"{prefix}_reason")
        buttons = st.container(horizontal=True)
        save = buttons.form_submit_button(tr("fix_save"), type="primary", icon=":material/save:")
        void = buttons.form_submit_button(tr("fix_void"), icon=":material/delete:")
    if save:
        _once(kind, ("correct", kind, record_id, values, reason),
              lambda: _correct(wh, user, kind, record_id, values, reason))  # fmt: skip
    if void:
        if not (reason or "").strip():
            st.error(tr("fix_reason_required"))
            return
        st.session_state.setdefault(_CONFIRM, {})[kind] = (record_id, reason)
    waiting = st.session_state.get(_CONFIRM, {}).get(kind)
    if waiting is not None and waiting[0] == record_id:
        st.warning(tr("fix_void_confirm", kind=_kind(kind), id=record_id))
        yes, no = st.columns(2)
        if yes.button(tr("fix_void_yes"), type="primary", key=f"{prefix}_void_yes"):
            st.session_state[_CONFIRM].pop(kind, None)
            _once(kind, ("void", kind, record_id, waiting[1]),
                  lambda: _void(wh, user, kind, record_id, waiting[1]))  # fmt: skip
        if no.button(tr("fix_cancel"), key=f"{prefix}_void_no"):
            st.session_state[_CONFIRM].pop(kind, None)
            st.rerun()


def _once(kind: str, submission: tuple, act) -> None:
    """Carry out a submission once (`saving.save_once`): the same one again says what the first did."""
    saving.save_once(
        f"fix_{kind}", submission, act, _said, refused=_refusal, already=text_key("fix_done_already")
    )


def _said(text: str) -> saving.Saved:
    return saving.Saved(text, text)


def _refusal(exc: Problem) -> None:
    st.error(problem_text(exc))


def _correct(wh: Warehouse, user: User, kind: str, record_id: str, values: dict, reason: str) -> str:
    corrections.correct(wh, user.username, kind, record_id, values, reason, user.scope)
    return tr("fix_corrected", kind=_kind(kind), id=record_id)


def _void(wh: Warehouse, user: User, kind: str, record_id: str, reason: str) -> str:
    corrections.void(wh, user.username, kind, record_id, reason, user.scope)
    voids = st.session_state.setdefault(_VOIDS, {})
    voids[kind] = voids.get(kind, 0) + 1
    return tr("fix_voided", kind=_kind(kind), id=record_id)


# -- undoing a ticket's last workflow step --------------------------------------------------------


def undo_last_step(wh: Warehouse, user: User, ticket_id: str) -> None:
    """The ticket's last workflow step, and a button to undo it with a reason."""
    step = corrections.last_step(wh, ticket_id)
    form = f"undo_{ticket_id}"
    saving.register(form, "fu_undo_")
    saving.last_saved(form, user)
    with st.expander(tr("undo_title"), icon=":material/undo:"):
        if step is None:
            st.caption(tr("undo_nothing", ticket=ticket_id))
            return
        name = t(family_key("fu_", corrections.STEP_ACTIONS[step["step"]]), lang())
        st.caption(tr("undo_last", step=name, at=f"{step['at']:%Y-%m-%d %H:%M}", actor=step["actor"]))
        reason = st.text_input(tr("fix_reason"), max_chars=300, key=f"fu_undo_reason_{step['id']}")
        if not st.button(tr("undo_button"), key=f"fu_undo_{step['id']}", icon=":material/undo:"):
            return

        def undo() -> str:
            corrections.undo_step(wh, user.username, ticket_id, reason, user.scope, expected=step["id"])
            return tr("undo_done", ticket=ticket_id, step=name)

        undone = ("undo", ticket_id, step["id"])
        saving.save_once(form, undone, undo, _said, refused=_refusal, already=text_key("fix_done_already"))
