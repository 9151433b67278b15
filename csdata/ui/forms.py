"""The data-entry forms: a new ticket and its follow-up, a QA audit, a training result, an appraisal.

Each form checks its own fields with the row model (pydantic) and then saves through
`csdata.records.entry`, which runs the import checks on the one row; every message is shown under the
field it is about, in the reader's language, and nothing is written unless everything holds.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from csdata.access.auth import User
from csdata.access.scope import Scope
from csdata.analytics import lookups
from csdata.imports.ingest import ImportError_, Report
from csdata.policy import CHANNELS
from csdata.records import entry
from csdata.records.master_data import ORG_KINDS
from csdata.records.models import TicketRow, TrainingRow, model_for
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    Problem,
    channel_label,
    family_key,
    fmt_money,
    literal,
    t,
    validation_messages,
)
from csdata.ui import fixes, saving
from csdata.ui.core import data_version, lang, policy, problem_text, tr
from csdata.ui.datatable import blank, download_buttons, readable, table_with_downloads
from csdata.ui.saving import Saved, keys, last_saved, save_once

__all__ = [
    "appraisal_form", "appraisals_to_confirm", "audit_form", "follow_up", "teamwork_form", "ticket_form",
    "training_form",
]  # fmt: skip

TICKET_TYPES = ("consultation", "complaint", "suggestion")
CALIBRATION = "calibration"  # the source of a calibration audit (`csdata.analytics.calibration`)
SOURCES = ("recording", "spot_check", "customer_feedback", CALIBRATION)
ACTION_KINDS = ("coaching", "training", "script_change", "other")
TRAINING_KINDS = ("onboarding", "in_service")
LINK_TARGETS = ("tickets", "agent")  # the pages a saved record links to
FOLLOW_ACTIONS = ("route", "feedback", "accept", "reopen", "decide", "callback")
ANSWERS = ("accepted", "reopened", "awaiting")  # a customer's answer to a round of feedback


def choice(value: str | None) -> str:
    """A stored choice (complaint, spot_check, …) in the reader's language."""
    if value is None:
        return tr("none_chosen")
    return tr(family_key("choice_", value))


# -- field messages ------------------------------------------------------------------------------


class Fields:
    """A place under each field for its messages, filled after the save was tried."""

    def __init__(self) -> None:
        self.slots: dict[str, object] = {}
        self.errors: dict[str, list[str]] = {}

    def slot(self, name: str) -> None:
        self.slots[name] = st.empty()

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def add_validation(self, exc: ValidationError) -> None:
        language = lang()
        for err, text in zip(exc.errors(), validation_messages(exc, language), strict=True):
            loc = err.get("loc") or ("",)
            name = str(loc[0])
            prefix = " › ".join(str(p) for p in loc) + ": "
            self.add(name, text[len(prefix) :] if text.startswith(prefix) else text)

    def add_report(self, report: Report) -> None:
        language = lang()
        for r in report.rejects:
            params = {"field": r.column, **r.params}
            self.add(r.column, t(r.key, language, **params))

    def show(self) -> bool:
        """Write the messages under their fields (others at the end); True when there were any."""
        for name, messages in self.errors.items():
            text = " · ".join(literal(m) for m in dict.fromkeys(messages))
            if name in self.slots:
                self.slots[name].error(text, icon=":material/error:")
            else:
                st.error(f"{literal(name)}: {text}" if name else text, icon=":material/error:")
        return bool(self.errors)


# The field a refusal of `csdata.records.entry` is about.
PROBLEM_FIELDS = {
    "entry_client_out_of_scope": "client",
    "entry_agent_out_of_scope": "agent_id",
    "entry_unknown_owner": "owner_id",
    "entry_due_before_audit": "due_on",
    "entry_reason_required": "reason",
    "appr_proposal_changed": "teamwork",
}


def _save(fields: Fields, save, key_field: str):
    """Run a save; its refusals go to the fields. The report when something was written, else None."""
    try:
        report = save()
    except Problem as exc:
        fields.add(PROBLEM_FIELDS.get(exc.key, key_field), problem_text(exc))
        return None
    except ImportError_ as exc:
        fields.add("", problem_text(exc))
        return None
    if report.rejects:
        fields.add_report(report)
        return None
    if not report.imported:
        fields.add(key_field, tr("entry_exists"))
        return None
    return report


# -- a save happens once (csdata.ui.saving) -----------------------------------------------------

# Each form's widget-key prefix, and the keys a save leaves as they were.
for _form, (_prefix, _keep) in {
    "ticket": ("tk_", ()),
    "audit": ("qa_", ()),
    "training": ("tr_", ()),
    "appraisal": ("ap_", ("ap_period",)),
    "action": ("as_", ()),  # a corrective action's step (csdata.ui.actions)
    "coaching": ("co_", ()),
    "teamwork": ("tw_", ("tw_period",)),  # a supervisor's teamwork proposal
    # the Organisation page's forms, to add and to correct a record of each kind (csdata.ui.organisation)
    **{f"org_add_{kind}": (f"oa_{kind}_", ()) for kind in ORG_KINDS},
    **{f"org_edit_{kind}": (f"oe_{kind}_", (f"oe_{kind}_choice",)) for kind in ORG_KINDS},
}.items():
    saving.register(_form, _prefix, _keep)


def _agent_link(agent: str | None, day: dt.date | None) -> tuple[str, dict] | None:
    """The agent page over the 90 days up to the record's day, where the record is listed."""
    if not agent or day is None:
        return None
    start = day - dt.timedelta(days=89)
    return "agent", {"agent": agent, "from": start.isoformat(), "to": day.isoformat()}


# Option labels are made with the language of this run: AppTest (and a rerun that races a
# language switch) may call a widget's format function after the run, outside its session.
def _person(label_key: str, people: pd.DataFrame, key: str, where=st, **callback):
    """A choice of one person from `people` (shown as 工号 · name), none chosen at first."""
    names = dict(zip(people["employee_id"], people["name"], strict=True))
    return where.selectbox(
        tr(label_key),
        list(people["employee_id"]),
        index=None,
        format_func=lambda eid: "–" if eid is None else f"{eid} · {names.get(eid, '')}",
        placeholder=tr("choose"),
        key=key,
        **callback,
    )


def _agent_client(agents: pd.DataFrame, agent_key: str, client_key: str) -> None:
    """The audit's client follows the agent chosen (the client the agent works for)."""
    agent = st.session_state.get(agent_key)
    client = agents.loc[agents["employee_id"] == agent, "client"]
    if not client.empty and isinstance(client.iloc[0], str):
        st.session_state[client_key] = client.iloc[0]


def _choices():
    language = lang()
    return lambda value: t(family_key("choice_", value), language)


def _follow_actions():
    language = lang()
    return lambda action: t(family_key("fu_", action), language)


def _channels():
    language = lang()
    return lambda c: channel_label(c, language)


def _at(day_time: dt.datetime | None) -> dt.datetime | None:
    return None if day_time is None else day_time.replace(microsecond=0)


def _validate(model, values: dict):
    """The row model's own check; a blank field is a missing one (so: "is required")."""
    return model.model_validate({k: v for k, v in values.items() if v is not None})


# -- tickets -------------------------------------------------------------------------------------


def ticket_form(wh: Warehouse, user: User) -> None:
    """A new consultation, complaint or suggestion; client, agent and team (queue) within the user's
    scope; a blank team is the agent's, else the client's only one."""
    scope = user.scope
    clients = lookups.clients(wh, scope)
    agents = lookups.agents(wh, scope)
    fields = Fields()
    k = keys("ticket")
    last_saved("ticket", user)
    with st.form("ticket_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            ticket_id = st.text_input(
                tr("f_ticket_id"), max_chars=40, placeholder=tr("auto_id"), key=k("tk_id")
            )
            fields.slot("ticket_id")
            client = st.selectbox(
                tr("client"), clients, index=None, placeholder=tr("choose"), key=k("tk_client")
            )
            fields.slot("client")
            channel = st.selectbox(tr("channel"), CHANNELS, format_func=_channels(), key=k("tk_channel"))
            fields.slot("channel")
            kind = st.selectbox(tr("f_type"), TICKET_TYPES, format_func=_choices(), key=k("tk_type"))
            fields.slot("type")
            agent = _person("f_agent", agents, k("tk_agent"))
            fields.slot("agent_id")
            team = st.selectbox(
                tr("f_queue"),
                lookups.teams(wh, scope),
                index=None,
                placeholder=tr("choose"),
                help=tr("f_queue_help"),
                key=k("tk_team"),
            )
            fields.slot("team")
        with c2:
            opened_at = st.datetime_input(tr("f_opened_at"), value="now", key=k("tk_opened"))
            fields.slot("opened_at")
            first_response_at = st.datetime_input(tr("f_first_response_at"), value=None, key=k("tk_first"))
            fields.slot("first_response_at")
            resolved_at = st.datetime_input(tr("f_resolved_at"), value=None, key=k("tk_resolved_at"))
            fields.slot("resolved_at")
            callback = st.datetime_input(tr("f_callback_promised_at"), value=None, key=k("tk_callback"))
            fields.slot("callback_promised_at")
        with c3:
            handle = st.number_input(
                tr("f_handle_seconds"), min_value=0.0, value=None, step=10.0, key=k("tk_handle")
            )
            fields.slot("handle_seconds")
            csat = st.selectbox(tr("f_csat"), [1, 2, 3, 4, 5], index=None, placeholder="–", key=k("tk_csat"))
            fields.slot("csat")
            category = st.text_input(tr("f_category"), max_chars=80, key=k("tk_category"))
            fields.slot("category")
            resolved = st.checkbox(tr("f_resolved"), key=k("tk_resolved"))
            fcr = st.checkbox(tr("f_fcr"), key=k("tk_fcr"))
        submitted = st.form_submit_button(tr("save"), type="primary", key=k("tk_save"))
    if not submitted:
        return
    values = {
        "ticket_id": ticket_id.strip() or None,
        "client": client,
        "channel": channel,
        "type": kind,
        "agent_id": agent,
        "team": team,
        "opened_at": _at(opened_at),
        "first_response_at": _at(first_response_at),
        "resolved_at": _at(resolved_at),
        "handle_seconds": handle,
        "resolved": resolved,
        "first_contact_resolved": fcr,
        "csat": csat,
        "category": category.strip() or None,
        "callback_promised_at": _at(callback),
    }
    try:
        _validate(TicketRow, {**values, "ticket_id": values["ticket_id"] or "new"})
    except ValidationError as exc:
        fields.add_validation(exc)
    if callback is not None and opened_at is not None and callback < opened_at:
        fields.add("callback_promised_at", tr("entry_before_opened"))
    if fields.show():
        return
    row = {**values, "ticket_id": values["ticket_id"] or entry.new_id("F")}
    ticket_id = row["ticket_id"]
    save_once(
        "ticket",
        values,
        lambda: _save(fields, lambda: entry.save_ticket(wh, user.username, scope, row), "ticket_id"),
        lambda _: Saved(
            ticket_id, tr("entry_ticket_saved", id=ticket_id), ("tickets", {"ticket": ticket_id})
        ),
    )
    fields.show()


FOLLOW_COLUMNS = (
    "ticket_id", "client", "type", "agent_id", "opened_at", "department", "feedback_at",
    "customer_accepted", "reopened", "callback_promised_at", "callback_done_at", "suggestion_adopted",
)  # fmt: skip


def _actions_for(ticket: dict) -> list[str]:
    out = []
    if ticket["type"] in ("complaint", "suggestion"):
        out.append("route")
    if ticket["type"] == "complaint":
        out += ["feedback", "accept", "reopen"]
    if ticket["type"] == "suggestion":
        out.append("decide")
    if ticket["callback_promised_at"] is not None:
        out.append("callback")
    return out


def _find_ticket(wh: Warehouse, scope) -> None:
    """The find box's answer: the ticket chosen, or a message that there is none of that id."""
    typed = (st.session_state.get("fu_find") or "").strip()
    if not typed:
        return
    found = lookups.ticket_in_scope(wh, typed, scope)
    if found is None:
        st.session_state["fu_not_found"] = typed
    else:
        st.session_state.pop("fu_not_found", None)
        st.session_state["fu_ticket"] = found


def _rounds(wh: Warehouse, ticket: dict, scope: Scope) -> None:
    """A complaint's rounds so far: each feedback, the customer's answer to it, and when."""
    frame = lookups.ticket_rounds(wh, ticket["ticket_id"], scope) if ticket["type"] == "complaint" else None
    if frame is None or frame.empty:
        return
    frame["answer"] = [
        tr(family_key("answer_", a) if isinstance(a, str) else "answer_awaiting") for a in frame["answer"]
    ]
    st.caption(tr("fu_rounds"))
    st.dataframe(frame.rename(columns=lambda c: tr(family_key("f_", c))), hide_index=True, width="stretch")


def follow_up(wh: Warehouse, user: User) -> None:
    """Any of the user's tickets by its id, and the lists of what is due (complaints awaiting
    feedback or the customer's answer, callbacks due today or overdue, suggestions to decide),
    oldest or newest first; one action at a time on the ticket chosen."""
    scope = user.scope
    language = lang()
    linked = st.query_params.get("ticket")  # a link from a saved ticket or from a colleague
    if linked and st.session_state.get("_fu_linked") != linked:
        st.session_state["_fu_linked"] = linked
        st.session_state["fu_find"] = linked
        _find_ticket(wh, scope)
    counts = lookups.follow_up_counts(wh, scope)
    f1, f3 = st.columns([3, 2], vertical_alignment="bottom")
    f1.text_input(tr("fu_find"), max_chars=40, placeholder=tr("fu_find_placeholder"), key="fu_find",
                  on_change=_find_ticket, args=(wh, scope))  # fmt: skip
    which = (
        st.segmented_control(
            tr("fu_list"),
            list(lookups.FOLLOW_LISTS),
            format_func=lambda k: f"{t(family_key('fu_list_', k), language)} ({counts[k]:,})",
            default="all",
            key="fu_list",
        )
        or "all"
    )
    newest = f3.toggle(tr("fu_newest_first"), key="fu_newest")
    if st.session_state.get("fu_not_found"):
        st.warning(tr("fu_not_found", id=st.session_state["fu_not_found"]))
    frame = lookups.follow_ups(wh, scope, which=which, newest_first=newest)
    st.caption(tr("fu_caption_list", shown=len(frame), n=counts[which]))
    chosen = st.session_state.get("fu_ticket")
    if frame.empty and chosen is None:
        st.info(tr("fu_none"))
        return
    if not frame.empty:
        shown = blank(readable(frame[list(FOLLOW_COLUMNS)]))  # times to the minute, blanks empty
        shown["type"] = shown["type"].map(choice)
        shown = shown.rename(columns=lambda c: tr(family_key("f_", c)))
        st.dataframe(shown, hide_index=True, width="stretch", height=260)
        download_buttons(shown, f"csdata-follow-ups-{which}", "dl_follow_ups")
    options = list(frame["ticket_id"])
    if chosen is not None and chosen not in options:  # found by its id, or outside this list
        options.insert(0, chosen)
    ticket_id = st.selectbox(tr("fu_ticket"), options, index=None, key="fu_ticket", placeholder=tr("choose"))
    if ticket_id is None:
        return
    ticket = lookups.ticket(wh, ticket_id, scope)
    if ticket is None:
        return
    _rounds(wh, ticket, scope)
    fixes.undo_last_step(wh, user, ticket_id)
    actions = _actions_for(ticket)
    action = st.radio(
        tr("fu_action"), actions, format_func=_follow_actions(), horizontal=True, key="fu_action"
    )
    fields = Fields()
    now = dt.datetime.now().replace(second=0, microsecond=0)
    inputs: dict = {}
    if action == "route":
        inputs["department"] = st.selectbox(
            tr("f_department"),
            lookups.departments(wh),
            index=None,
            accept_new_options=True,
            placeholder=tr("choose"),
            key="fu_department",
        )
    if action in ("route", "feedback", "callback"):
        inputs["at"] = st.datetime_input(tr("fu_when"), value=now, key=f"fu_at_{action}")
    if action == "decide":
        inputs["adopted"] = st.checkbox(tr("f_suggestion_adopted"), key="fu_adopted")
        inputs["reward"] = st.number_input(
            tr("f_reward_amount"), min_value=0.0, value=0.0, step=10.0, key="fu_reward"
        )
    fields.slot("action")
    if not st.button(tr("fu_apply"), type="primary", key="fu_apply"):
        return
    actor = user.username
    try:
        if action == "route":
            entry.route(wh, actor, ticket_id, inputs["department"] or "", _at(inputs["at"]), scope)
        elif action == "feedback":
            entry.feedback(wh, actor, ticket_id, _at(inputs["at"]), scope)
        elif action == "accept":
            entry.accept(wh, actor, ticket_id, scope)
        elif action == "reopen":
            entry.reopen(wh, actor, ticket_id, scope)
        elif action == "callback":
            entry.callback_done(wh, actor, ticket_id, _at(inputs["at"]), scope)
        elif action == "decide":
            entry.adopt_suggestion(wh, actor, ticket_id, inputs["adopted"], inputs["reward"] or None, scope)
    except Problem as exc:
        fields.add("action", problem_text(exc))
        fields.show()
        return
    st.success(tr("fu_done", id=ticket_id))


# -- QA audits -----------------------------------------------------------------------------------


def audit_form(wh: Warehouse, user: User) -> None:
    """A QA audit on the scorecard in force on its date, its score live (as it will be saved), and
    an optional corrective action."""
    language = lang()
    today = dt.date.today()
    agents = lookups.agents(wh, user.scope)
    qa_staff = lookups.employees(wh, ("qa",))
    owners = lookups.employees(wh, ("supervisor", "qa", "trainer", "manager"))
    fields = Fields()
    k = keys("audit")
    last_saved("audit", user)
    if k("qa_auditor") not in st.session_state and user.employee_id in set(qa_staff["employee_id"]):
        st.session_state[k("qa_auditor")] = user.employee_id  # the signed-in auditor

    _open_calibrations(wh, user, agents, k)
    c1, c2, c3 = st.columns(3)
    with c1:
        audit_id = st.text_input(tr("f_audit_id"), max_chars=40, placeholder=tr("auto_id"), key=k("qa_id"))
        fields.slot("audit_id")
        agent = _person(
            "f_agent",
            agents,
            k("qa_agent"),
            on_change=_agent_client,
            args=(agents, k("qa_agent"), k("qa_client")),
        )
        fields.slot("agent_id")
        audited_at = st.date_input(tr("f_audited_at"), value=today, key=k("qa_date"))
        fields.slot("audited_at")
    # The criteria and weights of the day audited: the import scores the record the same way.
    pol = policy(wh, audited_at or today)
    card = pol.scorecard
    with c2:
        source = st.selectbox(tr("f_source"), SOURCES, format_func=_choices(), key=k("qa_source"))
        fields.slot("source")
        if source == CALIBRATION:
            st.caption(tr("qa_calibration_hint"))
        auditor = _person("f_auditor", qa_staff, k("qa_auditor"))
        fields.slot("auditor_id")
        ticket_id = st.text_input(tr("f_ticket_id"), max_chars=40, key=k("qa_ticket"))
        fields.slot("ticket_id")
    with c3:
        client = st.selectbox(
            tr("client"),
            lookups.clients(wh, user.scope),
            index=None,
            placeholder=tr("choose"),
            key=k("qa_client"),
        )
        fields.slot("client")
        channel = st.selectbox(
            tr("channel"), CHANNELS, index=None, format_func=lambda c: channel_label(c, language),
            placeholder=tr("choose"), key=k("qa_channel"),
        )  # fmt: skip
        fields.slot("channel")

    st.subheader(tr("qa_scorecard"))
    st.caption(tr("qa_scorecard_caption", mark=f"{card.pass_mark:g}"))
    scores: dict[str, float | None] = {}
    missing: list[str] = []
    for criterion in card.criteria:
        a, b, c = st.columns([3, 2, 1], vertical_alignment="bottom")
        a.markdown(f"**{literal(criterion.label(language))}** · {tr('qa_weight', w=f'{criterion.weight:g}')}")
        na = c.checkbox(tr("qa_na"), key=k(f"qa_na_{criterion.key}"))
        value = b.number_input(
            literal(criterion.label(language)), min_value=0.0, max_value=100.0, format="%.1f", value=None, step=5.0,
            disabled=na, label_visibility="collapsed", placeholder="0–100", key=k(f"qa_score_{criterion.key}"),
        )  # fmt: skip
        fields.slot(criterion.key)
        scores[criterion.key] = None if na else value
        if not na and value is None:
            missing.append(criterion.key)
    critical_keys = [c.key for c in card.critical_errors]
    labels = {c.key: c.label(language) for c in card.critical_errors}
    critical = st.selectbox(
        tr("qa_critical"), critical_keys, index=None, format_func=lambda k: labels.get(k, k),
        placeholder=tr("qa_no_critical"), key=k("qa_critical"),
    )  # fmt: skip
    fields.slot("critical_error")

    live = card.score(scores, critical is not None)
    m1, m2 = st.columns(2)
    m1.metric(tr("qa_live_score"), "–" if live is None else f"{live:.1f}")
    if live is None:
        m2.metric(tr("qa_result"), "–")
    else:
        passed = live >= card.pass_mark
        m2.metric(
            tr("qa_result"),
            tr("qa_pass" if passed else "qa_fail"),
            f"{live - card.pass_mark:+.1f}",
            delta_color="normal",
            delta_arrow="off",
            help=tr("tr_pass_mark", mark=f"{card.pass_mark:g}"),
        )

    d1, d2 = st.columns(2)
    finding = d1.text_input(tr("f_finding_category"), max_chars=80, key=k("qa_finding"))
    with d1:
        fields.slot("finding_category")
    comment = d2.text_area(tr("f_comment"), max_chars=1000, height=80, key=k("qa_comment"))
    with d2:
        fields.slot("comment")

    # A calibration audit measures its auditor: it opens no corrective action for the agent.
    add_action = source != CALIBRATION and st.toggle(tr("qa_add_action"), key=k("qa_add_action"))
    action_values: dict = {}
    if add_action:
        e1, e2, e3 = st.columns(3)
        with e1:
            action_values["kind"] = st.selectbox(tr("f_action_kind"), ACTION_KINDS, format_func=_choices(),
                                                 key=k("qa_action_kind"))  # fmt: skip
            fields.slot("kind")
        with e2:
            action_values["owner_id"] = _person("f_owner", owners, k("qa_action_owner"))
            fields.slot("owner_id")
        with e3:
            action_values["due_on"] = st.date_input(
                tr("f_due_on"), value=today + dt.timedelta(days=14), key=k("qa_action_due")
            )
            fields.slot("due_on")
        action_values["note"] = st.text_input(tr("f_note"), max_chars=500, key=k("qa_action_note")) or None
        fields.slot("note")

    if not st.button(tr("save"), type="primary", key=k("qa_save")):
        return
    for key in missing:
        fields.add(key, tr("qa_score_or_na"))
    values = {
        "audit_id": audit_id.strip() or None,
        "audited_at": audited_at,
        "agent_id": agent,
        "auditor_id": auditor,
        "ticket_id": ticket_id.strip() or None,
        "client": client,
        "channel": channel,
        "source": source,
        **scores,
        "critical_error": critical is not None,
        "finding_category": finding.strip() or critical or None,
        "comment": comment.strip() or None,
    }
    try:
        _validate(model_for("audits", pol), {**values, "audit_id": values["audit_id"] or "new"})
    except ValidationError as exc:
        fields.add_validation(exc)
    action = None
    if add_action:
        try:
            action = _validate(entry.CorrectiveAction, action_values)
        except ValidationError as exc:
            fields.add_validation(exc)
    if fields.show():
        return
    submitted = {**values, "action": None if action is None else action.model_dump()}
    save_once(
        "audit",
        submitted,
        lambda: _save(
            fields, lambda: entry.save_audit(wh, user.username, values, action, user.scope), "audit_id"
        ),
        lambda report: _audit_saved(
            report.assigned.get("audit_id", values["audit_id"]), live, agent, audited_at
        ),
    )
    fields.show()


def _open_calibrations(wh: Warehouse, user: User, agents: pd.DataFrame, k) -> None:
    """The calibration sessions of the last 30 days, for another auditor to join: choosing one
    fills in the source, the ticket, its agent, client and channel."""
    sessions = lookups.open_calibrations(wh, user.scope)
    if sessions.empty:
        return
    rows = {r.ticket_id: r for r in sessions.itertuples()}
    language = lang()

    def label(ticket_id: str) -> str:  # an option's label is plain text, not markdown
        r = rows[ticket_id]
        return t(
            "qa_calibration_session", language, ticket=ticket_id, agent=r.agent_id,
            day=pd.Timestamp(r.audited_at).date().isoformat(), auditors=", ".join(r.auditors),
        )  # fmt: skip

    def join() -> None:
        r = rows.get(st.session_state.get(k("qa_calibration_pick")))
        if r is None:
            return
        st.session_state[k("qa_source")] = CALIBRATION
        st.session_state[k("qa_ticket")] = r.ticket_id
        if r.agent_id in set(agents["employee_id"]):
            st.session_state[k("qa_agent")] = r.agent_id
        for key, value in (("qa_client", r.client), ("qa_channel", r.channel)):
            if isinstance(value, str):
                st.session_state[k(key)] = value

    with st.expander(tr("qa_calibration_open", n=len(rows))):
        a, b = st.columns([4, 1], vertical_alignment="bottom")
        a.selectbox(
            tr("qa_calibration_pick"), list(rows), index=None, format_func=label, placeholder=tr("choose"),
            key=k("qa_calibration_pick"),
        )  # fmt: skip
        b.button(tr("qa_calibration_join"), on_click=join, key=k("qa_calibration_join"))


def _audit_saved(audit_id: str, score: float | None, agent: str, day: dt.date) -> Saved:
    shown = "–" if score is None else f"{score:.1f}"
    return Saved(audit_id, tr("qa_saved", id=audit_id, score=shown), _agent_link(agent, day))


# -- training ------------------------------------------------------------------------------------


def training_form(wh: Warehouse, user: User) -> None:
    """A training result; the attempt defaults to the next one, pass or fail from the pass mark."""
    people = lookups.employees(wh, scope=user.scope)
    courses = lookups.courses(wh)
    kinds = dict(zip(courses["course"], courses["kind"], strict=True))
    fields = Fields()
    k = keys("training")
    last_saved("training", user)
    c1, c2 = st.columns(2)
    with c1:
        employee = _person("f_employee", people, k("tr_employee"))
        fields.slot("employee_id")
        course = st.selectbox(
            tr("f_course"), list(courses["course"]), index=None, accept_new_options=True,
            placeholder=tr("tr_course_placeholder"), key=k("tr_course"),
        )  # fmt: skip
        fields.slot("course")
        known_kind = kinds.get(course)
        kind = st.selectbox(
            tr("f_kind"), TRAINING_KINDS, index=TRAINING_KINDS.index(known_kind) if known_kind else 1,
            format_func=_choices(), key=k(f"tr_kind_{course}"),
        )  # fmt: skip
        fields.slot("kind")
        taken_on = st.date_input(tr("f_taken_on"), value=dt.date.today(), key=k("tr_date"))
        fields.slot("taken_on")
    with c2:
        score = st.number_input(tr("f_score"), min_value=0.0, max_value=100.0, format="%.1f", value=None, step=1.0,
                                key=k("tr_score"))  # fmt: skip
        fields.slot("score")
        hours = st.number_input(tr("f_hours"), min_value=0.0, max_value=200.0, value=None, step=0.5,
                                key=k("tr_hours"))  # fmt: skip
        fields.slot("hours")
        next_try = lookups.next_attempt(wh, employee, course) if employee and course else 1
        attempt = st.number_input(tr("f_attempt"), min_value=1, value=next_try, step=1,
                                  key=k(f"tr_attempt_{employee}_{course}"))  # fmt: skip
        fields.slot("attempt")
        mark = entry.pass_mark(wh, course, kind, policy(wh, taken_on)) if course else None
        if mark is None:
            st.caption(tr("tr_no_pass_mark"))
        elif score is not None:
            passed = score >= mark
            verdict = tr("qa_pass" if passed else "qa_fail")
            st.markdown(
                f":{'green' if passed else 'red'}-badge[{verdict}] " + tr("tr_pass_mark", mark=f"{mark:g}")
            )
        else:
            st.caption(tr("tr_pass_mark", mark=f"{mark:g}"))
    if not st.button(tr("save"), type="primary", key=k("tr_save")):
        return
    values = {
        "employee_id": employee,
        "course": (course or "").strip() or None,
        "kind": kind,
        "taken_on": taken_on,
        "score": score,
        "hours": hours,
        # the proposed next attempt is numbered when saved, so two clerks at once cannot clash
        "attempt": None if int(attempt) == next_try else int(attempt),
    }
    try:
        _validate(TrainingRow, {**values, "attempt": values["attempt"] or next_try})
    except ValidationError as exc:
        fields.add_validation(exc)
    if fields.show():
        return
    # The attempt proposed moves on once saved: the same result a second time is the same submission.
    submitted = {k: v for k, v in values.items() if k != "attempt"}
    save_once(
        "training",
        submitted,
        lambda: _save(fields, lambda: entry.save_training(wh, user.username, values, user.scope), "attempt"),
        lambda report: _training_saved(employee, values["course"], report.assigned.get("attempt", values["attempt"]),
                                       taken_on),
    )  # fmt: skip
    fields.show()


def _training_saved(employee: str, course: str, attempt: int, day: dt.date) -> Saved:
    return Saved(
        f"{employee} · {course} · {attempt}",
        tr("tr_saved", employee=employee, course=course, attempt=attempt),
        _agent_link(employee, day),
    )


# -- appraisals ----------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _proposal(_wh: Warehouse, path: str, version: int, period: str, employee_id: str) -> entry.Proposal:
    return entry.propose(_wh, period, employee_id)


def appraisal_form(wh: Warehouse, user: User) -> None:
    """Proposed indicators from the data, edited with a reason; teamwork by the reviewer; the score,
    grade and (for those who see pay) the performance pay before confirming."""
    language = lang()
    periods = lookups.appraisal_periods(wh)
    if not periods:
        st.info(tr("ap_no_periods"))
        return
    agents = lookups.agents(wh, user.scope)
    fields = Fields()
    k = keys("appraisal")
    last_saved("appraisal", user)
    c1, c2 = st.columns(2)
    names = [p for p, _ in periods]
    period = c1.selectbox(tr("appraisal_period"), names, key="ap_period")
    ends_on = dict(periods)[period]
    employee = _person("f_employee", agents, k("ap_employee"), c2)
    with c2:
        fields.slot("employee_id")
    if employee is None:
        st.info(tr("ap_choose"))
        return
    existing = lookups.appraisal_of(wh, period, employee)
    if existing is not None:
        st.warning(
            tr("ap_exists", score=f"{existing['score']:.1f}", grade=existing["grade"] or "–",
               who=existing["confirmed_by"] or "–")
        )  # fmt: skip
    pol = policy(wh, ends_on)
    proposal = _proposal(wh, wh.address, data_version(wh), period, employee)
    values: dict[str, float | None] = {}
    st.subheader(tr("ap_indicators"))
    cols = st.columns(len(pol.appraisal.indicators))
    for col, item in zip(cols, pol.appraisal.indicators, strict=True):
        with col:
            proposed = proposal.values().get(item.key)
            values[item.key] = st.number_input(
                f"{literal(item.label(language))} ({item.weight:g}%)", min_value=0.0, max_value=100.0, format="%.1f",
                value=None if proposed is None else round(proposed, 1), step=1.0,
                key=k(f"ap_{item.key}_{period}_{employee}"),
            )  # fmt: skip
            if item.key == entry.TEAMWORK and proposal.teamwork is not None:
                st.caption(tr("ap_proposed_by", value=f"{proposal.teamwork:.1f}", who=proposal.teamwork_by))
            elif item.key in entry.PROPOSED:
                st.caption(
                    tr("ap_proposed", value="–" if proposed is None else f"{proposed:.1f}")
                    if proposed is not None
                    else tr("ap_no_data")
                )
            else:
                st.caption(tr("ap_by_reviewer"))
            fields.slot(item.key)
    help_line = tr(
        "ap_efficiency_help",
        agent="–" if proposal.agent_aht is None else f"{proposal.agent_aht:.0f}",
        team="–" if proposal.team_median_aht is None else f"{proposal.team_median_aht:.0f}",
    )
    st.caption(help_line)
    changed = [
        k for k, p in proposal.values().items()
        if p is not None and values.get(k) is not None and round(values[k], 1) != round(p, 1)
    ]  # fmt: skip
    reason = st.text_input(
        tr("ap_reason") + (" *" if changed else ""), max_chars=500, key=k(f"ap_reason_{period}_{employee}")
    )
    fields.slot("reason")
    r1, r2 = st.columns(2)
    reviewer = r1.text_input(
        tr("f_reviewer"), value=user.employee_id or user.username, max_chars=64, key=k("ap_reviewer")
    )
    comment = r2.text_input(
        tr("f_comment"),
        value=proposal.teamwork_comment or "",
        max_chars=500,
        key=k(f"ap_comment_{period}_{employee}"),
    )
    if proposal.teamwork_comment:
        r2.caption(tr("ap_supervisor_comment", who=proposal.teamwork_by))

    complete = all(values.get(i.key) is not None for i in pol.appraisal.indicators)
    m = st.columns(4 if user.scope.sees_pay else 3)
    if complete:
        result = entry.outcome(wh, pol, employee, values)  # type: ignore[arg-type]
        m[0].metric(tr("ap_score"), f"{result.score:.1f}")
        m[1].metric(tr("ap_grade"), result.grade)
        m[2].metric(tr("coefficient_label"), f"{result.coefficient:.2f}")
        if user.scope.sees_pay:
            m[3].metric(tr("performance_pay_label"), fmt_money(result.performance_pay))
    else:
        m[0].metric(tr("ap_score"), "–")
        st.caption(tr("ap_incomplete"))

    if not st.button(tr("ap_confirm"), type="primary", key=k("ap_confirm")):
        return
    row = {
        "period": period,
        "employee_id": employee,
        **values,
        "reviewer": reviewer.strip() or None,
        "comment": comment.strip() or None,
    }
    try:
        _validate(model_for("appraisals", pol), row)
    except ValidationError as exc:
        fields.add_validation(exc)
    if changed and not reason.strip():
        fields.add("reason", tr("entry_reason_required"))
    if fields.show():
        return

    def saved(_) -> Saved:
        grade = entry.outcome(wh, pol, employee, values).grade  # type: ignore[arg-type]
        return Saved(
            f"{employee} · {period}",
            tr("ap_saved", employee=employee, period=period, grade=grade),
            _agent_link(employee, ends_on),
        )

    save_once(
        "appraisal",
        row,
        lambda: _save(
            fields,
            lambda: entry.save_appraisal(wh, user.username, row, proposal, reason, user.scope),
            "employee_id",
        ),
        saved,
    )
    if fields.errors.get("employee_id") and existing is not None:
        fields.errors["employee_id"] = [tr("ap_already")]
    fields.show()


WAITING_FILTER = ("all", *entry.WAITING)  # what the "To confirm" list shows: everything, or one kind


def appraisals_to_confirm(wh: Warehouse, user: User) -> None:
    """What waits for HR in a period: imported appraisals not confirmed yet (confirmed here, all of
    them or some, in one go) and supervisors' teamwork proposals (reviewed and confirmed on the
    "Enter" tab); filtered by team and by what waits, and downloadable."""
    language = lang()
    periods = lookups.appraisal_periods(wh)
    if not periods:
        st.info(tr("ap_no_periods"))
        return
    c1, c2, c3 = st.columns(3)
    period = c1.selectbox(tr("appraisal_period"), [p for p, _ in periods], key="confirm_period")
    waiting = entry.waiting_appraisals(wh, period, user.scope)
    teams = c2.multiselect(tr("ap_filter_teams"), lookups.teams(wh, user.scope), key="confirm_teams")
    which = c3.selectbox(
        tr("ap_filter_waiting"), WAITING_FILTER, format_func=lambda w: t(family_key("ap_waiting_", w), language),
        key="confirm_which",
    )  # fmt: skip
    if teams:
        waiting = waiting[waiting["team"].isin(teams)]
    if which != "all":  # a person waiting for both is shown under either
        waiting = waiting[waiting["waiting"].isin((which, "both"))]
    if waiting.empty:
        st.info(tr("ap_nothing_waiting" if teams or which != "all" else "ap_confirm_none"))
        return
    shown = waiting.assign(waiting=[t(family_key("ap_waiting_", w), language) for w in waiting["waiting"]])
    table_with_downloads(
        readable(shown),
        "to_confirm",
        f"csdata-to-confirm-{period}",
        narrow=("score", "grade"),
        wide=("comment",),
        gaps=("score", "teamwork"),
    )
    if waiting["waiting"].isin(("proposed", "both")).any():
        st.caption(tr("ap_proposed_review"))
    pending = waiting.loc[waiting["waiting"].isin(("imported", "both")), "employee_id"]
    if pending.empty:
        return
    everyone = st.checkbox(tr("ap_confirm_all"), value=True, key="confirm_all")
    chosen = list(pending)
    if not everyone:
        chosen = st.multiselect(tr("ap_confirm_some"), chosen, key="confirm_some")
    if st.button(tr("ap_confirm_button"), disabled=not chosen, type="primary"):
        try:
            done = entry.confirm_appraisals(wh, user.username, period, chosen, user.scope)
        except Problem as exc:
            st.error(problem_text(exc))
        else:
            st.success(tr("ap_confirmed", count=len(done), period=period))


def teamwork_form(wh: Warehouse, user: User) -> None:
    """A supervisor's part of an appraisal: for an open period, a teamwork score (0–100) and a
    comment for an agent of their teams, proposed to HR; it can change until HR confirms the
    appraisal. Below, what they proposed in the period and whether HR has used it yet."""
    open_periods = wh.column(
        "SELECT period FROM appraisal_periods WHERE status = 'open' ORDER BY ends_on DESC"
    )
    if not open_periods:
        st.info(tr("tw_no_open_period"))
        return
    agents = lookups.agents(wh, user.scope)
    fields = Fields()
    k = keys("teamwork")
    last_saved("teamwork", user)
    c1, c2 = st.columns(2)
    period = c1.selectbox(tr("appraisal_period"), open_periods, key="tw_period")
    employee = _person("f_employee", agents, k("tw_employee"), c2)
    with c2:
        fields.slot("employee_id")
    if employee is not None:
        current = lookups.teamwork_proposal(wh, period, employee)
        if current is not None and current["used_at"] is not None and not pd.isna(current["used_at"]):
            st.info(tr("tw_used", who=current["used_by"]))
        t1, t2 = st.columns([1, 3])
        teamwork = t1.number_input(
            tr("tw_teamwork"), min_value=0.0, max_value=100.0, step=1.0, format="%.1f",
            value=None if current is None else float(current["teamwork"]), key=k(f"tw_teamwork_{period}_{employee}"),
        )  # fmt: skip
        with t1:
            fields.slot("teamwork")
        comment = t2.text_input(
            tr("f_comment"), value="" if current is None else current["comment"] or "", max_chars=500,
            key=k(f"tw_comment_{period}_{employee}"),
        )  # fmt: skip
        if st.button(tr("tw_save"), type="primary", key=k("tw_save")):
            _save_teamwork(wh, user, fields, period, employee, teamwork, comment)
        fields.show()
    else:
        st.info(tr("ap_choose"))
    proposed = lookups.teamwork_proposals(wh, period, user.scope)
    if not proposed.empty:
        st.subheader(tr("tw_proposed_heading", period=period))
        table_with_downloads(
            readable(proposed), "teamwork", f"csdata-teamwork-{period}", narrow=("teamwork",)
        )


def _save_teamwork(
    wh, user: User, fields: Fields, period: str, employee: str, teamwork, comment: str
) -> None:
    """Saves the proposal once; a refusal goes under its field, and nothing is written."""
    if teamwork is None:
        fields.add("teamwork", tr("tw_need_score"))
        return
    row = {"period": period, "employee_id": employee, "teamwork": teamwork, "comment": comment.strip()}

    def refused(exc: Problem) -> None:
        field = {"appr_teamwork_range": "teamwork", "appr_comment_too_long": "teamwork"}.get(
            exc.key, "employee_id"
        )
        fields.add(field, problem_text(exc))

    def saved(written: bool) -> Saved:
        if written:
            return Saved(f"{employee} · {period}", tr("tw_saved", employee=employee, period=period))
        return Saved(f"{employee} · {period}", tr("tw_unchanged", employee=employee), kind="info")

    save_once(
        "teamwork",
        row,
        lambda: entry.propose_teamwork(wh, user.username, user.scope, period, employee, teamwork, comment),
        saved,
        refused=refused,
    )


def period_status(wh: Warehouse, user: User) -> None:
    """Close a period (its appraisals locked) or reopen it with a reason: HR's, in the audit log."""
    periods = lookups.appraisal_periods(wh)
    if not periods or not user.scope.may_write("periods"):
        return
    st.subheader(tr("ap_period_section"))
    period = st.selectbox(tr("appraisal_period"), [p for p, _ in periods], key="status_period")
    status = wh.scalar("SELECT status FROM appraisal_periods WHERE period = ?", [period])
    try:
        if status == "closed":
            st.info(tr("ap_period_is_closed", period=period))
            reason = st.text_input(tr("ap_reopen_reason"), key="reopen_reason")
            if st.button(tr("ap_reopen_button")):
                entry.set_period_status(wh, user.username, period, "open", reason, user.scope)
                st.rerun()
        else:
            st.info(tr("ap_period_open", period=period))
            if st.button(tr("ap_close_button")):
                entry.set_period_status(wh, user.username, period, "closed", None, user.scope)
                st.rerun()
    except Problem as exc:
        st.error(problem_text(exc))
