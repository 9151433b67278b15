"""Data entry without a screen: the records forms save, the ticket workflow, appraisal proposals.

A form's record is one row in the canonical columns of `csdata.records.models`, saved through
`ingest.import_file(..., strict=True)`, so a form and an upload obey exactly the same rules
(types, bounds, cross-field rules, known clients and employees, duplicates) and land in one
transaction with their import-log and audit-log rows. What a file cannot say is checked here
first: that the record lies within the user's scope (`csdata.access.scope`: the kinds it may
write, the clients, teams and agents it may write for, the tickets it may touch).

The ticket workflow (route, feed back, accept or reopen, call back, adopt a suggestion) changes
one existing ticket per action; each action is one transaction with its audit-log row and refuses
an impossible step with a `Problem` whose key names the message in `csdata.text.i18n`. Feeding back
and the customer's answer write a complaint's rounds (`csdata.records.rounds`), every one of them kept,
and bring the ticket's summary columns in step in the same transaction.

A corrective action moves the same way (`action_step`: open, in progress, done or cancelled, a
closed one reopened only with its reason), each step kept in `action_steps`; coaching sessions
(`save_coaching`) are recorded by HR and supervisors for the people of their scope.

An appraisal is made in two steps: a supervisor proposes the teamwork score and a comment for an
agent of their teams (`propose_teamwork`, kept in `appraisal_proposals`, apart from the
appraisals, so that nothing counts it); HR reviews it beside the indicators proposed from the
data (`propose`), changes any of them only with a reason, and confirms (`save_appraisal`), which
marks the proposal used. Only confirmed appraisals count for grades, the People page and pay.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.policy import Policy, load_policy
from csdata.records import rounds
from csdata.records.models import KINDS
from csdata.text.i18n import Problem

# -- saving a form's record --------------------------------------------------------------------


def new_id(prefix: str) -> str:
    """An id for a record typed in a form: prefix, the moment, and a random tail of 8 hex digits
    (two users of several app servers saving in the same second share one chance in four
    billion, not one in 65,536, of one id: the second save would find its record present)."""
    return f"{prefix}{dt.datetime.now():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def one_row(kind: str, values: dict) -> pd.DataFrame:
    """A form's values as a one-row frame in the kind's canonical columns (blank = missing)."""
    model = KINDS[kind]
    # An audit's criteria and an appraisal's indicators are the policy's: the form's own keys.
    columns = [c for c in model.columns() if c not in model.ITEMS]
    columns += [k for k in values if k not in columns]
    row = {c: (None if values.get(c) in ("", None) else values.get(c)) for c in columns}
    return pd.DataFrame([row], columns=list(row), dtype=object)


def save(
    wh, kind: str, values: dict, actor: str, after_insert=None, scope: Scope = EVERYTHING, assign=None
) -> ingest.Report:
    """Save one record through the import checks (strict: nothing lands if anything is wrong),
    limited to the kinds, people, clients and teams of the user's scope as an import of theirs
    would be."""
    return ingest.import_file(
        wh,
        kind,
        one_row(kind, values),
        "form",
        actor,
        strict=True,
        after_insert=after_insert,
        assign=assign,
        scope=scope,
    )


def in_scope_agent(wh, scope: Scope, agent_id: str | None) -> bool:
    """Whether the scope may enter a record for this agent: an active agent of its clients and teams."""
    if agent_id is None or scope.unlimited:
        return True
    place = lookups.agent_place(wh, agent_id)
    return place is not None and scope.may_enter_for(*place)


def save_ticket(wh, actor: str, scope: Scope, values: dict) -> ingest.Report:
    """A new consultation, complaint or suggestion; the client, the agent and the team (queue) must
    be in scope (the team is checked with the import's rules: see `ingest.check`)."""
    if values.get("client") and values["client"] not in lookups.clients(wh, scope):
        raise Problem("entry_client_out_of_scope", value=values["client"])
    if not in_scope_agent(wh, scope, values.get("agent_id")):
        raise Problem("entry_agent_out_of_scope", value=values["agent_id"])
    values = {**values, "ticket_id": values.get("ticket_id") or new_id("F")}
    return save(wh, "tickets", values, actor, scope=scope)


# -- the ticket workflow -----------------------------------------------------------------------


def _ticket(wh, ticket_id: str, scope: Scope) -> dict:
    found = lookups.ticket(wh, ticket_id)
    if found is None:
        raise Problem("wf_no_ticket", ticket=ticket_id)
    if not scope.may_touch_ticket(found):
        raise Problem("wf_out_of_scope", ticket=ticket_id)
    return found


def _not_before(ticket: dict, at: dt.datetime, *after: str) -> None:
    for column in ("opened_at", *after):
        earlier = ticket.get(column)
        if earlier is not None and not pd.isna(earlier) and at < earlier:
            raise Problem("wf_time_before", column=column, at=f"{earlier:%Y-%m-%d %H:%M}")


def _step(wh, actor: str, action: str, ticket_id: str, scope: Scope, decide) -> None:
    """One workflow step as one transaction: the ticket is read inside it (under the warehouse's
    write lock), `decide(ticket)` returns the changes or refuses with a Problem, and the update
    and its audit-log row land together. Two users acting on one ticket at once follow each
    other: the second sees the first one's step and is refused if its own is no longer valid."""
    with wh.transaction(actor, f"ticket.{action}", ticket_id) as w:
        w.rolled_up(tickets=[ticket_id])
        ticket = _ticket(wh, ticket_id, scope)
        changes = decide(ticket)
        sets = ", ".join(f"{c} = ?" for c in changes)
        w.execute(f"UPDATE tickets SET {sets} WHERE ticket_id = ?", [*changes.values(), ticket_id])
        w.detail.update({k: (str(v) if v is not None else None) for k, v in changes.items()})
        # What the step found, so that it can be undone (`csdata.records.corrections.undo_step`).
        w.detail["before"] = {k: _plain(ticket.get(k)) for k in changes}


def _plain(value):
    """A ticket's value as the audit log keeps it: a yes/no as such, anything else as text."""
    if value is None:
        return None
    return bool(value) if isinstance(value, (bool, np.bool_)) else str(value)


def route(
    wh, actor: str, ticket_id: str, department: str, at: dt.datetime, scope: Scope = EVERYTHING
) -> None:
    """Pass a complaint or suggestion to a department."""

    def decide(ticket: dict) -> dict:
        if ticket["type"] not in ("complaint", "suggestion"):
            raise Problem("wf_route_type")
        if not (department or "").strip():
            raise Problem("wf_need_department")
        if ticket["customer_accepted"] is True:
            raise Problem("wf_closed")
        _not_before(ticket, at)
        return {"department": department.strip(), "routed_at": at}

    _step(wh, actor, "route", ticket_id, scope, decide)


def _round_step(wh, actor: str, action: str, ticket_id: str, scope: Scope, decide) -> None:
    """A step of a complaint's rounds as one transaction, like `_step`: the ticket and its rounds
    are read inside it, `decide(ticket, last)` (`last`: the latest round as a dict, or None)
    returns the round to write (`{"round": n, ...}`: a new round when n is past the last one, else
    the answer to round n) or refuses, and the ticket's summary follows the rounds (see
    `csdata.records.rounds`) before the audit-log row lands with them."""
    with wh.transaction(actor, f"ticket.{action}", ticket_id) as w:
        w.rolled_up(tickets=[ticket_id])
        ticket = _ticket(wh, ticket_id, scope)
        last = lookups.last_round(wh, ticket_id)
        change = decide(ticket, last)
        n = change.pop("round")
        if last is None or n > last["round"]:
            w.execute(
                "INSERT INTO complaint_rounds (ticket_id, round, feedback_at, recorded_by) VALUES (?, ?, ?, ?)",
                [ticket_id, n, change["feedback_at"], actor],
            )
        else:
            w.execute(
                "UPDATE complaint_rounds SET answer = ?, answered_at = ? WHERE ticket_id = ? AND round = ?",
                [change["answer"], change["answered_at"], ticket_id, n],
            )
        rounds.summarise(w, "SELECT ?", [ticket_id])
        answer = change.get("answer")
        w.detail.update({"round": n, **{k: str(v) for k, v in change.items()}})
        w.detail["customer_accepted"] = None if answer is None else str(answer == "accepted")


def feedback(wh, actor: str, ticket_id: str, at: dt.datetime, scope: Scope = EVERYTHING) -> None:
    """Record that the department's result was fed back to the customer: a new round (the first,
    or the next after a reopen), awaiting the customer's answer."""

    def decide(ticket: dict, last: dict | None) -> dict:
        if ticket["type"] != "complaint":
            raise Problem("wf_complaint_only")
        if ticket["routed_at"] is None and ticket["department"] is None:
            raise Problem("wf_feedback_before_route")
        if ticket["customer_accepted"] is True:
            raise Problem("wf_closed")
        if last is not None and last["answer"] is None:
            raise Problem("wf_awaiting_answer")
        # Not checked against the last answer's time: that is by default when it was recorded,
        # and a feedback may be entered afterwards with the time it really happened.
        _not_before(ticket, at, "routed_at", "feedback_at")
        return {"round": 1 if last is None else last["round"] + 1, "feedback_at": at}

    _round_step(wh, actor, "feedback", ticket_id, scope, decide)


def _answer(wh, actor: str, ticket_id: str, accepted: bool, scope: Scope, at: dt.datetime | None) -> None:
    def decide(ticket: dict, last: dict | None) -> dict:
        if ticket["type"] != "complaint":
            raise Problem("wf_complaint_only")
        if last is None:
            raise Problem("wf_answer_before_feedback")
        if last["answer"] is not None:
            raise Problem("wf_already_answered")
        if at is not None:
            _not_before(
                {"opened_at": ticket["opened_at"], "feedback_at": last["feedback_at"]}, at, "feedback_at"
            )
        answered_at = at or dt.datetime.now().replace(microsecond=0)
        return {
            "round": last["round"],
            "answer": "accepted" if accepted else "reopened",
            "answered_at": answered_at,
        }

    _round_step(wh, actor, "accept" if accepted else "reopen", ticket_id, scope, decide)


def accept(wh, actor: str, ticket_id: str, scope: Scope = EVERYTHING, at: dt.datetime | None = None) -> None:
    """The customer accepts the result fed back (at `at`; by default when this is recorded): the
    complaint is closed."""
    _answer(wh, actor, ticket_id, True, scope, at)


def reopen(wh, actor: str, ticket_id: str, scope: Scope = EVERYTHING, at: dt.datetime | None = None) -> None:
    """The customer does not accept (at `at`; by default when this is recorded): the complaint is
    open again and needs a new round of feedback."""
    _answer(wh, actor, ticket_id, False, scope, at)


def callback_done(wh, actor: str, ticket_id: str, at: dt.datetime, scope: Scope = EVERYTHING) -> None:
    """The promised callback was made."""

    def decide(ticket: dict) -> dict:
        if ticket["callback_promised_at"] is None:
            raise Problem("wf_no_callback")
        if ticket["callback_done_at"] is not None:
            raise Problem("wf_callback_done_already")
        _not_before(ticket, at)
        return {"callback_done_at": at}

    _step(wh, actor, "callback", ticket_id, scope, decide)


def adopt_suggestion(
    wh, actor: str, ticket_id: str, adopted: bool, reward: float | None = None, scope: Scope = EVERYTHING
) -> None:
    """Whether the department adopted a suggestion, and the customer's reward (adopted only)."""

    def decide(ticket: dict) -> dict:
        if ticket["type"] != "suggestion":
            raise Problem("wf_suggestion_only")
        if ticket["routed_at"] is None and ticket["department"] is None:
            raise Problem("wf_decide_before_route")
        if reward is not None and reward < 0:
            raise Problem("wf_reward_negative")
        if reward and not adopted:
            raise Problem("wf_reward_needs_adoption")
        amount = Decimal(str(round(reward, 2))) if adopted and reward else None
        return {"suggestion_adopted": adopted, "reward_amount": amount}

    _step(wh, actor, "suggestion", ticket_id, scope, decide)


# -- QA audit with its corrective action -------------------------------------------------------


class CorrectiveAction(BaseModel):
    """An action decided with an audit; written in the audit's own transaction."""

    kind: Literal["coaching", "training", "script_change", "other"]
    owner_id: str | None = None
    due_on: dt.date
    note: str | None = Field(default=None, max_length=500)


def save_audit(
    wh, actor: str, values: dict, action: CorrectiveAction | None = None, scope: Scope = EVERYTHING
) -> ingest.Report:
    """An audit through the import checks, and its corrective action in the same transaction.

    `values` holds the canonical audit columns plus one per criterion (None = not applicable).
    The action's owner must be a known employee, its due day not before the audit.
    """
    values = dict(values)
    assign = None
    if not values.get("audit_id"):  # numbered inside the transaction that saves it
        values["audit_id"] = "AU-new"

        def assign(w) -> dict:
            return {"audit_id": lookups.next_id(w, "audits", "audit_id", "AU", 6)}

    if action is not None:
        if action.owner_id and not lookups.employee_exists(wh, action.owner_id):
            raise Problem("entry_unknown_owner", value=action.owner_id)
        audited = values.get("audited_at")
        if isinstance(audited, dt.date) and action.due_on < audited:
            raise Problem("entry_due_before_audit")

    def add_action(w, report) -> None:
        if action is None:
            return
        action_id = lookups.next_id(w, "corrective_actions", "action_id", "CA", 5)
        audit_id = report.assigned.get("audit_id", values["audit_id"])
        w.execute(
            "INSERT INTO corrective_actions (action_id, audit_id, agent_id, kind, owner_id, opened_on, due_on,"
            " status, note) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
            [action_id, audit_id, values["agent_id"], action.kind, action.owner_id, _day(audited),
             action.due_on, action.note],
        )  # fmt: skip
        w.detail["corrective_action"] = action_id

    return save(wh, "audits", values, actor, after_insert=add_action, scope=scope, assign=assign)


# -- a corrective action's steps ---------------------------------------------------------------

ACTION_STATUSES = ("open", "in_progress", "done", "cancelled")
CLOSED = ("done", "cancelled")
# Status now -> the statuses a step may take it to. The same status again changes only its owner,
# its due day or adds a note. An action in progress does not go back to open; a closed one (done
# or cancelled) moves only by a reopen: back to open, with its reason as the step's note.
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("open", "in_progress", "done", "cancelled"),
    "in_progress": ("in_progress", "done", "cancelled"),
    "done": ("open",),
    "cancelled": ("open",),
}


def action_step(
    wh,
    actor: str,
    scope: Scope,
    action_id: str,
    status: str,
    on: dt.date,
    note: str | None = None,
    owner: str | None = None,
    due: dt.date | None = None,
) -> None:
    """Move a corrective action to `status` on day `on` with a note, and optionally a new owner and
    due day, as one transaction: the action is read inside it, the step is written to
    `action_steps`, the action's own row follows (closed_on: the day it was done or cancelled) and
    the audit-log row names the action with what it was before and is after. Refused with a
    `Problem`: an action outside the scope, a move `MOVES` does not allow, a reopen without a
    reason, a step that changes nothing, a day before the audit or the last step or after today,
    an unknown owner, a due day before the audit."""
    note = (note or "").strip() or None
    if not scope.acts:
        raise Problem("act_not_allowed")
    if status not in ACTION_STATUSES:
        raise Problem("act_bad_status", status=status)
    if owner and not lookups.employee_exists(wh, owner):
        raise Problem("entry_unknown_owner", value=owner)
    if on > dt.date.today():
        raise Problem("act_day_future")

    with wh.transaction(actor, "action.step", action_id) as w:
        current = lookups.action(wh, action_id, scope)
        if current is None:
            raise Problem("act_out_of_scope" if lookups.action_exists(wh, action_id) else "act_no_action",
                          id=action_id)  # fmt: skip
        before = current["status"]
        if status not in MOVES[before]:
            raise Problem("act_closed" if before in CLOSED else "act_no_back", id=action_id)
        reopen = before in CLOSED
        if reopen and note is None:
            raise Problem("act_reopen_reason")
        changes: dict = {}
        if status != before:
            changes["status"] = status
            closed_on = on if status in CLOSED else None
            if closed_on != current["closed_on"]:
                changes["closed_on"] = closed_on
        if owner and owner != current["owner_id"]:
            changes["owner_id"] = owner
        if due is not None and due != current["due_on"]:
            changes["due_on"] = due
        if not changes and note is None:
            raise Problem("act_nothing")
        audited, last = current.get("audited_at"), lookups.last_step_day(wh, action_id)
        for earlier in (audited, last):
            if earlier is not None and on < _day(earlier):
                raise Problem("act_day_before", day=f"{_day(earlier):%Y-%m-%d}")
        if "due_on" in changes and audited is not None and due < _day(audited):
            raise Problem("entry_due_before_audit")
        if changes:
            sets = ", ".join(f"{c} = ?" for c in changes)
            w.execute(
                f"UPDATE corrective_actions SET {sets} WHERE action_id = ?", [*changes.values(), action_id]
            )
        after = {**current, **changes}
        w.execute(
            "INSERT INTO action_steps (action_id, actor, status, on_date, note, owner_id, due_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [action_id, actor, after["status"], on, note, after["owner_id"], after["due_on"]],
        )
        shown = [c for c in ("status", "closed_on", "owner_id", "due_on") if c in changes] or ["status"]
        w.detail.update(
            {
                "before": {c: _str(current[c]) for c in shown},
                "after": {c: _str(after[c]) for c in shown},
                "on": on.isoformat(),
                "note": note,
                **({"reopen": True} if reopen else {}),
            }
        )


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _str(value) -> str | None:
    return None if value is None else str(_day(value))


# -- coaching sessions ---------------------------------------------------------------------------


class CoachingSession(BaseModel):
    """A coaching session held with one person, optionally about one audit or appraisal of theirs."""

    employee_id: str
    held_on: dt.date
    coach_id: str
    topic: str = Field(min_length=1, max_length=200)
    audit_id: str | None = None
    period: str | None = None
    note: str | None = Field(default=None, max_length=500)


def save_coaching(wh, actor: str, scope: Scope, session: CoachingSession) -> str:
    """Record a coaching session in one transaction with its audit-log row; its id. Refused: an
    account that does not coach, a person outside its clients and teams, an unknown coach, a day
    after today, an audit that is not the person's, a period the person was not appraised in."""
    if not scope.coaches:
        raise Problem("coach_not_allowed")
    place = wh.rows("SELECT client, team FROM employees WHERE employee_id = ?", [session.employee_id])
    if not place or not scope.may_enter_for(*place[0]):
        raise Problem("entry_agent_out_of_scope", value=session.employee_id)
    if not lookups.employee_exists(wh, session.coach_id):
        raise Problem("coach_unknown_coach", value=session.coach_id)
    if session.held_on > dt.date.today():
        raise Problem("act_day_future")
    if session.audit_id and lookups.audit_agent(wh, session.audit_id) != session.employee_id:
        raise Problem("coach_audit_not_theirs", id=session.audit_id)
    if session.period and not lookups.appraised_in(wh, session.period, session.employee_id):
        raise Problem("coach_no_appraisal", period=session.period)
    values = session.model_dump()
    with wh.transaction(actor, "coaching.add", session.employee_id) as w:
        session_id = lookups.next_id(w, "coaching_sessions", "session_id", "CS", 6)
        w.execute(
            "INSERT INTO coaching_sessions (session_id, employee_id, held_on, coach_id, topic, audit_id, period,"
            " note, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [session_id, *values.values(), actor],
        )
        w.detail.update({"session_id": session_id, **{k: _str(v) for k, v in values.items()}})
    return session_id


# -- training ------------------------------------------------------------------------------------


def pass_mark(wh, course: str, kind: str, policy: Policy) -> float | None:
    """The course's pass mark; else the policy's onboarding pass mark for onboarding; else none."""
    mark = lookups.course_pass_mark(wh, course)
    if mark is not None:
        return mark
    return policy.onboarding_pass_mark if kind == "onboarding" else None


def save_training(wh, actor: str, values: dict, scope: Scope = EVERYTHING) -> ingest.Report:
    """A training result; a blank attempt is the next one, numbered inside the saving transaction
    (two clerks entering the same person's retake at once get attempts n and n + 1)."""
    assign = None
    if values.get("attempt") in (None, ""):
        values = {**values, "attempt": 1}

        def assign(w) -> dict:
            return {"attempt": lookups.next_attempt(w, values["employee_id"], values["course"])}

    return save(wh, "training", values, actor, scope=scope, assign=assign)


# -- appraisals ----------------------------------------------------------------------------------

PROPOSED = ("satisfaction", "quality", "efficiency")


TEAMWORK = "teamwork"  # the indicator a supervisor proposes (see `propose_teamwork`)


@dataclass(frozen=True)
class Proposal:
    """Indicator values proposed for one employee and period: from the warehouse (None: no data)
    and, when the person's supervisor proposed it, teamwork with who proposed it and their comment."""

    satisfaction: float | None
    quality: float | None
    efficiency: float | None
    agent_aht: float | None = None
    team_median_aht: float | None = None
    teamwork: float | None = None
    teamwork_by: str | None = None
    teamwork_comment: str | None = None

    def values(self) -> dict[str, float | None]:
        """The proposed indicators: those from the data (None: no data), and teamwork when a
        supervisor proposed it."""
        found = {k: getattr(self, k) for k in PROPOSED}
        if self.teamwork is not None:
            found[TEAMWORK] = self.teamwork
        return found


def propose(wh, period: str, employee_id: str) -> Proposal:
    """Satisfaction = the agent's CSAT % × 100 over the period's tickets; quality = the agent's mean
    QA score; efficiency = 100 × the team's median AHT ÷ the agent's AHT, at most 100 (the team's
    median over its agents' AHT in the period); teamwork = what the supervisor proposed, if they
    did (`propose_teamwork`)."""
    bounds = lookups.period_bounds(wh, period)
    if bounds is None:
        raise Problem("entry_unknown_period", value=period)
    return dataclasses.replace(
        _from_data(wh, bounds, employee_id), **_supervisor_part(wh, period, employee_id)
    )


def _supervisor_part(wh, period: str, employee_id: str) -> dict:
    found = lookups.teamwork_proposal(wh, period, employee_id)
    if found is None:
        return {}
    return {"teamwork": float(found["teamwork"]), "teamwork_by": found["proposed_by"],
            "teamwork_comment": found["comment"]}  # fmt: skip


def _from_data(wh, bounds: tuple[dt.date, dt.date], employee_id: str) -> Proposal:
    filters = Filters(bounds[0], bounds[1])
    table = compiler.metric_table(wh, ["csat_pct", "qa_score", "aht"], filters, by="agent")
    table = table.set_index("key")
    if employee_id not in table.index:
        return Proposal(None, None, None)
    row = table.loc[employee_id]

    def value(x) -> float | None:
        return None if pd.isna(x) else float(x)

    csat, quality, aht = value(row["csat_pct"]), value(row["qa_score"]), value(row["aht"])
    team = lookups.employee_team(wh, employee_id)
    median = None
    if team is not None:
        mates = lookups.team_members(wh, team)
        ahts = table.loc[table.index.isin(mates), "aht"].dropna()
        median = float(ahts.median()) if len(ahts) else None
    efficiency = None
    if aht and median is not None:
        efficiency = min(100.0, 100.0 * median / aht)
    return Proposal(
        None if csat is None else csat * 100,
        quality,
        efficiency,
        aht,
        median,
    )


def changed_without_reason(proposal: Proposal, values: dict, reason: str | None) -> list[str]:
    """Proposed indicators the reviewer changed, when no reason is given (else []): those from the
    data, and teamwork when a supervisor proposed it."""
    if (reason or "").strip():
        return []
    changed = []
    for key, proposed in proposal.values().items():
        if (
            proposed is not None
            and values.get(key) is not None
            and round(values[key], 1) != round(proposed, 1)
        ):
            changed.append(key)
    return changed


@dataclass(frozen=True)
class Outcome:
    score: float
    grade: str
    coefficient: float
    performance_pay: float | None


def outcome(wh, policy: Policy, employee_id: str, values: dict[str, float]) -> Outcome:
    """The weighted score, its grade and the performance pay it brings (grade coefficient × the
    employee's pay grade's performance-pay base; None without a pay grade)."""
    score = policy.appraisal.score(values)
    band = policy.appraisal.band(score)
    base = lookups.performance_base(wh, employee_id)
    return Outcome(score, band.grade, band.coefficient, None if base is None else base * band.coefficient)


def save_appraisal(
    wh,
    actor: str,
    values: dict,
    proposal: Proposal | None = None,
    reason: str | None = None,
    scope: Scope = EVERYTHING,
) -> ingest.Report:
    """Confirm an appraisal: saved through the import checks, confirmed_by/at in the same transaction,
    and the supervisor's teamwork proposal (if any) marked used by it.

    A proposed value changed without a reason is refused (`entry_reason_required`). A supervisor's
    proposal the reviewer did not see (it came, or changed, after the form was drawn) is refused
    too (`appr_proposal_changed`): the reviewer looks again, and nothing is saved.
    """
    if proposal is not None and changed_without_reason(proposal, values, reason):
        raise Problem("entry_reason_required")
    values = dict(values)
    notes = []
    if proposal is not None:
        for key, proposed in proposal.values().items():
            # An indicator the scheme of the period no longer has is not in the form at all.
            if (
                proposed is not None
                and values.get(key) is not None
                and round(values[key], 1) != round(proposed, 1)
            ):
                notes.append(f"{key} {proposed:.1f}→{values[key]:g}")
    if notes:
        extra = f"[{'; '.join(notes)}: {reason.strip()}]"
        values["comment"] = f"{values.get('comment') or ''} {extra}".strip()

    seen = None if proposal is None else proposal.teamwork

    def confirm(w, report) -> None:
        key = [values["period"], values["employee_id"]]
        waiting = w.scalar(
            "SELECT teamwork FROM appraisal_proposals WHERE period = ? AND employee_id = ? AND used_at IS NULL",
            key,
        )
        if waiting is not None and (seen is None or round(waiting, 1) != round(seen, 1)):
            raise Problem("appr_proposal_changed", employee=values["employee_id"])
        w.execute(
            "UPDATE appraisals SET confirmed_by = ?, confirmed_at = current_localtimestamp() "
            "WHERE period = ? AND employee_id = ?",
            [actor, *key],
        )
        _use_proposals(w, actor, values["period"], [values["employee_id"]])
        w.detail.update(confirmed_by=actor, changed=notes or None)
        if waiting is not None:
            w.detail.update(teamwork_proposed=waiting, teamwork_proposed_by=proposal.teamwork_by)

    return save(wh, "appraisals", values, actor, after_insert=confirm, scope=scope)


def unconfirmed_appraisals(wh, period: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The appraisals of a period HR has not confirmed yet (imported ones), within the scope."""
    return wh.df(
        "SELECT a.employee_id, e.name, e.team, a.score, a.grade, a.reviewer, a.comment FROM appraisals a"
        " LEFT JOIN employees e USING (employee_id) WHERE a.period = ? AND a.confirmed_at IS NULL"
        " ORDER BY a.employee_id",
        [period],
    ).pipe(lambda f: f if scope.unlimited else f[f["employee_id"].isin(_in_scope(wh, scope))])


def _in_scope(wh, scope: Scope) -> list[str]:
    return list(lookups.employees(wh, scope=scope)["employee_id"])


def confirm_appraisals(
    wh, actor: str, period: str, employee_ids: list[str] | None = None, scope: Scope = EVERYTHING
) -> list[str]:
    """Confirm the unconfirmed appraisals of a period (all of them, or those of some employees) in
    one transaction, with one audit-log row naming them; returns the employee ids confirmed.

    An unknown period, a person with no unconfirmed appraisal in it, or a scope that may not write
    appraisals is refused and nothing is confirmed.
    """
    if not scope.may_write("appraisals"):
        raise Problem("appr_confirm_not_allowed")
    if lookups.period_bounds(wh, period) is None:
        raise Problem("entry_unknown_period", value=period)
    allowed = None if scope.unlimited else set(_in_scope(wh, scope))
    with wh.transaction(actor, "appraisals.confirm", entity=period) as w:
        if w.scalar("SELECT status FROM appraisal_periods WHERE period = ?", [period]) == "closed":
            raise Problem("appr_period_closed", period=period)
        pending = (
            w.scalar(
                "SELECT list(employee_id ORDER BY employee_id) FROM appraisals"
                " WHERE period = ? AND confirmed_at IS NULL",
                [period],
            )
            or []
        )
        if allowed is not None:
            pending = [e for e in pending if e in allowed]
        if employee_ids:
            missing = [e for e in employee_ids if e not in pending]
            if missing:
                raise Problem("appr_nothing_to_confirm", period=period, employees=", ".join(missing))
            pending = [e for e in pending if e in employee_ids]
        if not pending:
            raise Problem("appr_nothing_to_confirm", period=period, employees="–")
        w.execute(
            "UPDATE appraisals SET confirmed_by = ?, confirmed_at = current_localtimestamp()"
            " WHERE period = ? AND confirmed_at IS NULL AND list_contains(?, employee_id)",
            [actor, period, pending],
        )
        _use_proposals(w, actor, period, pending)
        w.detail.update(period=period, employees=pending)
    return pending


def _use_proposals(w, actor: str, period: str, employee_ids: list[str]) -> None:
    """Mark the supervisors' proposals of these people's confirmed appraisals used: they no longer
    change, and no longer wait for HR."""
    w.execute(
        "UPDATE appraisal_proposals SET used_by = ?, used_at = current_localtimestamp()"
        " WHERE period = ? AND used_at IS NULL AND list_contains(?, employee_id)",
        [actor, period, employee_ids],
    )


# -- a supervisor's teamwork proposal ------------------------------------------------------------

PROPOSAL_KIND = "appraisal_proposals"  # its record kind in the trail and the audit log
# What waits for HR about a person (`waiting_appraisals`): an imported appraisal not confirmed, a
# supervisor's proposal not used, or both.
WAITING = ("imported", "proposed", "both")


class _Unchanged(Exception):
    """The same proposal saved again: nothing to write (the transaction is rolled back, unlogged)."""


def propose_teamwork(
    wh,
    actor: str,
    scope: Scope,
    period: str,
    employee_id: str,
    teamwork: float | None,
    comment: str | None = None,
) -> bool:
    """A supervisor's teamwork score (0–100) and comment for an agent of their teams, for HR to
    review: one proposal per period and person, changed in place until HR confirms the person's
    appraisal. One transaction with its trail row (`record_changes`: created, or changed with the
    values before and after) and its audit-log row `appraisal_proposals:PERIOD/EMPLOYEE`.

    True when written; False when the same values were already proposed (a second click, another
    tab): nothing is written. Refused, with nothing written: an account that does not propose, a
    score outside 0–100, a comment over 500 characters, a person not an active agent of its teams,
    an unknown or closed period, an appraisal HR already confirmed.
    """
    if not scope.proposes:
        raise Problem("appr_propose_not_allowed")
    if teamwork is None or not 0 <= float(teamwork) <= 100:  # NaN fails both comparisons too
        raise Problem("appr_teamwork_range", value="–" if teamwork is None else f"{teamwork:g}")
    teamwork = round(float(teamwork), 1)
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > 500:
        raise Problem("appr_comment_too_long", limit=500)
    place = lookups.agent_place(wh, employee_id)
    if place is None or not scope.may_enter_for(*place):
        raise Problem("entry_agent_out_of_scope", value=employee_id)
    if lookups.period_bounds(wh, period) is None:
        raise Problem("entry_unknown_period", value=period)
    record_id = f"{period}/{employee_id}"
    key = [period, employee_id]
    after = {"teamwork": teamwork, "comment": comment}
    try:
        with wh.transaction(actor, "appraisal_proposals.save", entity=f"{PROPOSAL_KIND}:{record_id}") as w:
            if w.scalar("SELECT status FROM appraisal_periods WHERE period = ?", [period]) == "closed":
                raise Problem("appr_period_closed", period=period)
            if w.scalar(
                "SELECT count(*) FROM appraisals WHERE period = ? AND employee_id = ? AND confirmed_at IS NOT NULL",
                key,
            ):
                raise Problem("appr_proposal_confirmed", employee=employee_id, period=period)
            stored = w.rows(
                "SELECT teamwork, comment FROM appraisal_proposals WHERE period = ? AND employee_id = ?", key
            )
            current = {"teamwork": stored[0][0], "comment": stored[0][1]} if stored else None
            if current == after:
                raise _Unchanged
            if current is None:
                w.execute(
                    "INSERT INTO appraisal_proposals (period, employee_id, teamwork, comment, proposed_by)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [*key, teamwork, comment, actor],
                )
            else:
                w.execute(
                    "UPDATE appraisal_proposals SET teamwork = ?, comment = ?, proposed_by = ?,"
                    " proposed_at = current_localtimestamp() WHERE period = ? AND employee_id = ?",
                    [teamwork, comment, actor, *key],
                )
            w.execute(
                "INSERT INTO record_changes (actor, kind, record_id, change, before, after, audit_log_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [actor, PROPOSAL_KIND, record_id, "create" if current is None else "update",
                 None if current is None else json.dumps(current, ensure_ascii=False),
                 json.dumps(after, ensure_ascii=False), w.log_id()],
            )  # fmt: skip
            w.detail.update(period=period, employee_id=employee_id, before=current, after=after)
    except _Unchanged:
        return False
    return True


def waiting_appraisals(wh, period: str, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """What waits for HR in a period, within the scope: imported appraisals not confirmed yet, and
    people whose supervisor proposed teamwork that no confirmed appraisal has used yet; one row a
    person (employee_id, name, team, waiting: imported, proposed or both, the imported score and
    grade, the proposed teamwork, who proposed it, their comment)."""
    imported = unconfirmed_appraisals(wh, period, scope).rename(columns={"comment": "imported_comment"})
    proposed = lookups.teamwork_proposals(wh, period, scope, waiting_only=True)
    columns = ["employee_id", "name", "team", "waiting", "score", "grade", "teamwork", "proposed_by", "comment"]  # fmt: skip
    both = imported[["employee_id", "name", "team", "score", "grade"]].merge(
        proposed[["employee_id", "name", "team", "teamwork", "proposed_by", "comment"]],
        on="employee_id",
        how="outer",
        suffixes=("", "_p"),
    )
    if both.empty:
        return pd.DataFrame(columns=columns)
    for column in ("name", "team"):
        both[column] = both[column].fillna(both[f"{column}_p"])
    has_import = both["employee_id"].isin(imported["employee_id"])
    has_proposal = both["employee_id"].isin(proposed["employee_id"])
    both["waiting"] = [
        "both" if i and p else "imported" if i else "proposed"
        for i, p in zip(has_import, has_proposal, strict=True)
    ]
    return both[columns].sort_values("employee_id", ignore_index=True)


def set_period_status(
    wh, actor: str, period: str, status: str, reason: str | None = None, scope: Scope = EVERYTHING
) -> None:
    """Close a period (its appraisals are then locked: no save, import or confirmation into it) or
    reopen it, which needs a reason; either is one audit-log row (the reason in it)."""
    if not scope.may_write("periods"):
        raise Problem("appr_period_not_allowed")
    if status == "open" and not (reason or "").strip():
        raise Problem("appr_reopen_reason")
    with wh.transaction(actor, f"periods.{'close' if status == 'closed' else 'reopen'}", entity=period) as w:
        current = w.scalar("SELECT status FROM appraisal_periods WHERE period = ?", [period])
        if current is None:
            raise Problem("entry_unknown_period", value=period)
        if current == status:
            raise Problem(
                "appr_period_already_closed" if status == "closed" else "appr_period_already_open",
                period=period,
            )
        w.execute("UPDATE appraisal_periods SET status = ? WHERE period = ?", [status, period])
        w.detail.update(period=period, status=status, reason=(reason or "").strip() or None)


def policy_on(wh, day: dt.date) -> Policy:
    return load_policy(wh, day)[1]
