"""The Actions page: corrective actions that move until they close, and coaching sessions.

The list of the account's actions (a supervisor: their teams' people's) filtered by status, owner
and overdue, with its downloads; one action chosen shows its steps and a form for the next one
(`csdata.records.entry.action_step`: the moves it allows, a reopen with its reason). Coaching
sessions are recorded by HR and supervisors for the people of their scope and listed below.
Both forms save once per submission (`csdata.ui.saving.save_once`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from csdata.access.auth import User
from csdata.analytics import lookups
from csdata.records import entry
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import column_label, family_key, t
from csdata.ui.core import lang, problem_text, tr
from csdata.ui.datatable import table_with_downloads
from csdata.ui.forms import Fields, _person, _validate
from csdata.ui.saving import Saved, keys, last_saved, save_once

__all__ = ["actions_page", "coaching_table", "status_label"]


def status_label(status: str, language: str | None = None) -> str:
    return t(family_key("astatus_", status), language or lang())


def _statuses():
    language = lang()
    return lambda s: status_label(s, language)


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Statuses and kinds in the reader's language; days without a time."""
    out = frame.copy()
    if "status" in out:
        out["status"] = [status_label(s) for s in out["status"]]
    if "kind" in out:
        out["kind"] = [tr(family_key("choice_", k)) for k in out["kind"]]
    for column in ("due_on", "closed_on", "on_date", "held_on"):
        if column in out:
            out[column] = [None if pd.isna(v) else f"{v:%Y-%m-%d}" for v in out[column]]
    if "at_time" in out:
        out["at_time"] = [f"{v:%Y-%m-%d %H:%M}" for v in out["at_time"]]
    return out


def actions_page(wh: Warehouse, user: User) -> None:
    """The page: the actions tab, and the coaching tab for the accounts that coach."""
    if not user.scope.coaches:
        _actions(wh, user)
        return
    acts, coaching = st.tabs([tr("act_tab_actions"), tr("act_tab_coaching")])
    with acts:
        _actions(wh, user)
    with coaching:
        _coaching(wh, user)


# -- corrective actions --------------------------------------------------------------------------


def _actions(wh: Warehouse, user: User) -> None:
    scope = user.scope
    every = lookups.actions(wh, scope)
    if every.empty:
        st.info(tr("act_none"))
        return
    owners = every.dropna(subset=["owner_id"]).drop_duplicates("owner_id").sort_values("owner_id")
    names = dict(zip(owners["owner_id"], owners["owner_name"].fillna(""), strict=True))
    f1, f2, f3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    statuses = f1.multiselect(tr("act_filter_status"), entry.ACTION_STATUSES, default=["open", "in_progress"],
                              format_func=_statuses(), key="act_f_status")  # fmt: skip
    owner = f2.selectbox(tr("act_filter_owner"), list(names), index=None, placeholder=tr("act_all_owners"),
                         format_func=lambda o: f"{o} · {names.get(o, '')}", key="act_f_owner")  # fmt: skip
    overdue = f3.toggle(tr("act_filter_overdue"), key="act_f_overdue")
    frame = lookups.actions(wh, scope, tuple(statuses), owner, overdue)
    st.caption(tr("act_caption", shown=len(frame), n=len(every)))
    if not frame.empty:
        table_with_downloads(_readable(frame), "actions", "csdata-actions", narrow=("action_id", "status", "overdue"),
                             wide=("note",))  # fmt: skip
    options = list(frame["action_id"])
    chosen = st.session_state.get("act_choose")
    if chosen is not None and chosen not in options and chosen in set(every["action_id"]):
        options.insert(0, chosen)  # the action just moved out of the filtered list stays chosen
    label = dict(
        zip(every["action_id"], every["agent_id"] + " · " + every["agent_name"].fillna(""), strict=True)
    )
    action_id = st.selectbox(tr("act_choose"), options, index=None, placeholder=tr("choose"),
                             format_func=lambda a: f"{a} · {label.get(a, '')}", key="act_choose")  # fmt: skip
    last_saved("action", user)
    if action_id is None:
        return
    action = lookups.action(wh, action_id, scope)
    if action is None:
        return
    st.subheader(tr("act_steps_title", id=action_id))
    steps = lookups.action_steps(wh, action_id, scope)
    if steps.empty:
        st.caption(tr("act_no_steps"))
    else:
        shown = _readable(steps)
        language = lang()
        st.dataframe(
            shown.rename(columns=lambda c: column_label(c, language)), hide_index=True, width="stretch"
        )
    _step_form(wh, user, action)


def _step_form(wh: Warehouse, user: User, action: dict) -> None:
    """The next step of one action: the statuses it may move to (its own first: a new owner, due
    day or note only), the day, a note (a reopen's reason), a new owner and due day."""
    k = keys("action")
    now = action["status"]
    moves = (
        [now, *[s for s in entry.MOVES[now] if s != now]]
        if now in entry.MOVES[now]
        else list(entry.MOVES[now])
    )
    st.subheader(tr("act_move_title"))
    st.caption(
        tr("act_now", status=status_label(now), due=action["due_on"] or "–", owner=action["owner_id"] or "–")
    )
    if now in entry.CLOSED:
        st.info(tr("act_reopen_hint"))
    fields = Fields()
    left, right = st.columns(2)
    status = left.selectbox(tr("act_status"), moves, format_func=_statuses(), key=k("as_status"))
    on = right.date_input(tr("act_on"), value=dt.date.today(), max_value=dt.date.today(), key=k("as_on"))
    note = st.text_input(tr("act_note"), max_chars=500, key=k("as_note"))
    left, right = st.columns(2)
    owner = _person("act_new_owner", lookups.employees(wh), k("as_owner"), where=left)
    due = right.date_input(tr("act_new_due"), value=None, key=k("as_due"))
    fields.slot("action")
    if not st.button(tr("act_apply"), type="primary", key=k("as_apply")):
        return
    values = {
        "action_id": action["action_id"],
        "status": status,
        "on": on,
        "note": note,
        "owner": owner,
        "due": due,
    }

    def step() -> Saved:
        entry.action_step(wh, user.username, user.scope, action["action_id"], status, on, note, owner, due)
        return Saved(action["action_id"], tr("act_done", id=action["action_id"], status=status_label(status)))

    save_once(
        "action",
        values,
        step,
        lambda saved: saved,
        refused=lambda exc: fields.add("action", problem_text(exc)),
    )
    fields.show()


# -- coaching sessions ---------------------------------------------------------------------------


def coaching_table(frame: pd.DataFrame) -> None:
    """Coaching sessions with their downloads (nothing when there are none)."""
    if frame.empty:
        st.caption(tr("co_none"))
        return
    table_with_downloads(_readable(frame), "coaching", "csdata-coaching", wide=("topic", "note"))


def _coaching(wh: Warehouse, user: User) -> None:
    scope = user.scope
    k = keys("coaching")
    last_saved("coaching", user)
    people = lookups.employees(wh, scope=scope)
    fields = Fields()
    left, right = st.columns(2)
    person = _person("co_person", people, k("co_person"), where=left)
    fields.slot("employee_id")
    held_on = right.date_input(tr("co_held_on"), value=dt.date.today(), max_value=dt.date.today(),
                               key=k("co_held_on"))  # fmt: skip
    left, right = st.columns(2)
    coach = _person("co_coach", lookups.employees(wh), k("co_coach"), where=left)
    topic = right.text_input(tr("co_topic"), max_chars=200, key=k("co_topic"))
    left, right = st.columns(2)
    audits = lookups.audits_of(wh, person) if person else []
    audit_id = left.selectbox(
        tr("co_audit"), audits, index=None, placeholder=tr("none_chosen"), key=k("co_audit")
    )
    periods = lookups.appraised_periods(wh, person) if person else []
    period = right.selectbox(tr("co_period"), periods, index=None, placeholder=tr("none_chosen"),
                             key=k("co_period"))  # fmt: skip
    note = st.text_input(tr("co_note"), max_chars=500, key=k("co_note"))
    fields.slot("")
    if st.button(tr("co_save"), type="primary", key=k("co_save")):
        values = {"employee_id": person, "held_on": held_on, "coach_id": coach, "topic": (topic or "").strip() or None,
                  "audit_id": audit_id, "period": period, "note": (note or "").strip() or None}  # fmt: skip
        try:
            session = _validate(entry.CoachingSession, values)
        except ValidationError as exc:
            fields.add_validation(exc)
        else:
            save_once(
                "coaching", values, lambda: entry.save_coaching(wh, user.username, scope, session),
                lambda session_id: Saved(session_id, tr("co_saved", id=session_id)),
                refused=lambda exc: fields.add("employee_id", problem_text(exc)),
            )  # fmt: skip
        fields.show()
    st.subheader(tr("co_list_title"))
    coaching_table(lookups.coaching(wh, scope))
