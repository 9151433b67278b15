"""Correcting and voiding one record, and undoing a ticket's last workflow step, by the role
that owns it, always with a reason.

- `correct` runs the import's correction path (`ingest.import_file(..., update=True)`) on one
  row: the record's stored values with the corrected ones laid over them. So the checks, the
  re-scoring under the policy in force on the record's own date and the trail row
  (`record_changes`: before, after, reason) are the import's own, not a copy of them. A dry run
  first says whether anything would change and what a check refuses, so a refused or empty
  correction writes nothing at all.
- `void` takes the record out of the warehouse: its row and its derived rows (an audit's
  criterion scores, an appraisal's indicator scores, a complaint's rounds) are deleted, and the
  whole record as it was, those included, is kept in its trail row (`record_changes`, change
  `void`). `csdata history` and the pages show it from there. A ticket a file import created has
  no trail row of its creation (the import is its trail: `csdata.records.history`); its void
  writes that row from the import first, since deleting the ticket deletes its link to the import.

  Why delete rather than mark voided: every metric source, look-up, listing, export and the pay
  table read the record tables directly. A `voided` flag would have to be filtered in each of
  them, now and in every query written later, and one forgotten filter counts a voided audit in
  a QA score or pays a voided appraisal. Deleting the row leaves nothing else in the code to know
  about voids, so no query can forget; the trail keeps what was there, by whom and why.

  What points at the record is settled in the same transaction. An audit's corrective actions
  still open or in progress are cancelled, each with a step whose note is the void's reason (a
  QA lead voiding a mistaken audit expects the coaching it asked for to stop, and the action's
  owner sees why on the action itself); actions already done or cancelled stay as they are, as do
  coaching sessions: they happened. An audit that names a voided ticket keeps its own record.
- `undo_step` takes back a ticket's last workflow step (route, feedback, accept, reopen,
  callback, suggestion decided), found in the audit log, and puts the ticket (and its rounds)
  back as they were before it: undoing an accept or a reopen returns the round to awaiting the
  customer's answer, undoing a feedback removes its round. Its trail row keeps the ticket before
  and after.

Ownership is the scope's (`csdata.access.scope`): QA its audits, HR training results and
appraisals (while their period is open), supervisors the tickets of their teams, an
administrator everything. Each write is one transaction with its audit-log row naming `kind:id`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics.compiler import _Params
from csdata.imports import ingest
from csdata.policy import History
from csdata.records import entry, rounds
from csdata.records import history as trail
from csdata.store.sql import ident
from csdata.text.i18n import Phrase, Problem

# The record kinds corrected and voided here (people and master data are kept elsewhere).
KINDS = ("tickets", "audits", "training", "appraisals", "requisitions", "candidates")
# A ticket's columns that its workflow steps write: a correction keeps them as they are (a step
# is taken back with `undo_step`, so the rounds and the summary stay in step).
WORKFLOW_COLUMNS = (
    "department", "feedback_at", "customer_accepted", "reopened", "callback_done_at",
    "suggestion_adopted", "reward_amount",
)  # fmt: skip
# The workflow steps `undo_step` takes back (their audit-log actions are `ticket.<step>`), each
# with the follow-up action that takes it (`csdata.ui.forms.FOLLOW_ACTIONS`).
STEP_ACTIONS = {
    "route": "route", "feedback": "feedback", "accept": "accept", "reopen": "reopen",
    "callback": "callback", "suggestion": "decide",
}  # fmt: skip
STEPS = tuple(STEP_ACTIONS)
# How a record is listed to be chosen: the column it is newest by, and its label.
_LISTED = {
    "tickets": ("x.opened_at", "x.ticket_id, strftime(x.opened_at, '%Y-%m-%d %H:%M'), x.type, x.client"),
    "audits": ("x.audited_at", "x.audit_id, CAST(x.audited_at AS VARCHAR), x.agent_id, CAST(round(x.score, 1) AS VARCHAR)"),
    "training": ("x.taken_on", "x.employee_id, x.course, CAST(x.taken_on AS VARCHAR), CAST(x.score AS VARCHAR)"),
    "appraisals": ("x.period", "x.period, x.employee_id, CAST(round(x.score, 1) AS VARCHAR), x.grade"),
    "requisitions": ("x.opened_on", "x.requisition_id, x.position, x.team, x.status"),
    "candidates": ("x.applied_on", "x.candidate_id, x.name, x.requisition_id, CAST(x.applied_on AS VARCHAR)"),
}  # fmt: skip


class _Rejects:
    """A refused correction's reasons, read in the reader's language (a `Phrase` part)."""

    def __init__(self, report: ingest.Report) -> None:
        self.report = report

    def label(self, lang: str) -> str:
        return "; ".join(f"{r.column}: {r.reason(lang)}" for r in self.report.rejects)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise Problem("fix_reason_required")
    return text


def _where_id(kind: str, alias: str = "x") -> str:
    return ingest.record_id_sql(kind, lambda k: f"{alias}.{ident(ingest._stored(kind, k))}")


def in_scope(wh, kind: str, record_id: str, scope: Scope) -> bool:
    """Whether the record exists and lies within the scope (its client and team, or its person's)."""
    params = _Params({"id": record_id})
    return bool(
        wh.scalar(
            f"SELECT count(*) FROM {ingest._TABLES[kind]} x WHERE {_where_id(kind)} = $id "
            f"AND {scope.where(kind, params, 'x')}",
            params.values,
        )
    )


def choices(wh, kind: str, scope: Scope, limit: int = 500) -> dict[str, str]:
    """The newest records of `kind` within the scope (at most `limit`) that may be corrected (an
    appraisal: of an open period): id -> a short label."""
    newest, label = _LISTED[kind]
    params = _Params({"limit": limit})
    # An appraisal of a closed period is locked: it is not offered.
    open_only = (
        " AND x.period IN (SELECT period FROM appraisal_periods WHERE status = 'open')"
        if kind == "appraisals"
        else ""
    )
    rows = wh.rows(
        f"SELECT {_where_id(kind)}, concat_ws(' · ', {label}) FROM {ingest._TABLES[kind]} x "
        f"WHERE {scope.where(kind, params, 'x')}{open_only} ORDER BY {newest} DESC, 1 LIMIT $limit",
        params.values,
    )
    return dict(rows)


def voided_in_scope(wh, kind: str, record_id: str, scope: Scope) -> bool:
    """Whether the record was voided (it is in no table any more) and, as its trail keeps it, lay
    within the scope: whether this scope may read its history."""
    if kind not in KINDS or not scope.may_write(kind):
        return False
    kept = wh.scalar(
        "SELECT CAST(before AS VARCHAR) FROM record_changes WHERE kind = ? AND record_id = ? AND change = 'void' "
        "ORDER BY id DESC LIMIT 1",
        [kind, record_id],
    )
    if kept is None or ingest.stored_record(wh, kind, record_id, History.load(wh)) is not None:
        return False
    values = json.loads(kept)
    kept_columns = ("client", "team", "agent_id", "employee_id", "audit_id", "requisition_id")
    params = _Params({c: values.get(c) for c in kept_columns})
    row = "SELECT " + ", ".join(f"${c} AS {c}" for c in kept_columns)
    return bool(
        wh.scalar(f"SELECT count(*) FROM ({row}) x WHERE {scope.where(kind, params, 'x')}", params.values)
    )


def current(wh, kind: str, record_id: str, scope: Scope = EVERYTHING) -> dict[str, Any]:
    """The record's stored values (as its trail keeps them), when this scope may correct or void
    it; else a `Problem` saying why not: an unknown kind, a kind the scope does not own, no such
    record, one outside the scope, an appraisal of a closed period."""
    if kind not in KINDS:
        raise Problem("fix_unknown_kind", kind=kind, kinds=", ".join(KINDS))
    if not scope.may_write(kind):
        raise Problem("fix_not_yours", kind=kind)
    values = ingest.stored_record(wh, kind, record_id, History.load(wh))
    if values is None:
        raise Problem("hist_unknown_record", kind=kind, id=record_id)
    if not in_scope(wh, kind, record_id, scope):
        raise Problem("fix_out_of_scope", kind=kind, id=record_id)
    if kind == "appraisals" and _period_closed(wh, values["period"]):
        raise Problem("appr_period_closed", period=values["period"])
    return values


def _period_closed(wh, period: str) -> bool:
    return wh.scalar("SELECT status FROM appraisal_periods WHERE period = ?", [period]) == "closed"


def editable(wh, kind: str) -> list[str]:
    """The columns a correction may change: the kind's fields (an audit's criteria and an
    appraisal's indicators among them) but its key and, for a ticket, its workflow columns."""
    model = ingest.record_model(kind, History.load(wh))
    locked = set(model.KEY) | (set(WORKFLOW_COLUMNS) if kind == "tickets" else set())
    return [c for c in model.columns() if c not in locked]


def correct(
    wh,
    actor: str,
    kind: str,
    record_id: str,
    values: dict[str, Any],
    reason: str | None,
    scope: Scope = EVERYTHING,
) -> dict[str, Any]:
    """Correct the record to `values` (columns not given keep their stored value) through the
    import's `--update` path; the record as it is afterwards. Refused with a `Problem` (nothing
    written): no reason, a record the scope may not correct (see `current`), a value a check
    refuses, nothing changed."""
    reason = _reason(reason)
    stored = current(wh, kind, record_id, scope)
    allowed = editable(wh, kind)
    row = {c: stored.get(c) for c in ingest.record_model(kind, History.load(wh)).columns()}
    row.update({c: v for c, v in values.items() if c in allowed})
    frame = entry.one_row(kind, row)

    def run(dry_run: bool, assign=None) -> ingest.Report:
        return ingest.import_file(
            wh, kind, frame, "form", actor, strict=True, update=True, reason=reason, scope=scope,
            dry_run=dry_run, assign=assign,
        )  # fmt: skip

    trial = run(True)
    if trial.rejects:
        raise Problem("fix_rejected", reasons=Phrase(_Rejects(trial)))
    if not trial.updated:
        raise Problem("fix_nothing_changed", kind=kind, id=record_id)

    def still_there(w) -> dict:
        # Inside the correcting transaction: a record voided since the dry run is not re-created.
        if not w.scalar(
            f"SELECT count(*) FROM {ingest._TABLES[kind]} x WHERE {_where_id(kind)} = ?", [record_id]
        ):
            raise Problem("hist_unknown_record", kind=kind, id=record_id)
        w.detail.update(correction=True, reason=reason)
        return {}

    report = run(False, still_there)
    if report.rejects:  # a rule that another user's write broke meanwhile
        raise Problem("fix_rejected", reasons=Phrase(_Rejects(report)))
    return ingest.stored_record(wh, kind, record_id, History.load(wh)) or {}


def void(wh, actor: str, kind: str, record_id: str, reason: str | None, scope: Scope = EVERYTHING) -> dict:
    """Take the record out of every metric and listing (see the module's notes) in one
    transaction: its trail keeps it whole (`record_changes`, change `void`: the values before,
    criteria or indicators and a complaint's rounds among them, and the reason). Returns what the
    trail kept, with `cancelled_actions` for an audit. Refused like `correct`."""
    reason = _reason(reason)
    current(wh, kind, record_id, scope)
    if kind == "requisitions" and wh.scalar(
        "SELECT count(*) FROM candidates WHERE requisition_id = ?", [record_id]
    ):
        # its candidates name it: they are voided first (a hire's employee stays, as hired)
        raise Problem("recruit_requisition_has_candidates", id=record_id)
    history = History.load(wh)
    table = ingest._TABLES[kind]
    model = ingest.record_model(kind, history)
    with wh.transaction(actor, f"{kind}.void", f"{kind}:{record_id}") as w:
        before = ingest.stored_record(wh, kind, record_id, history)
        if before is None:  # voided meanwhile by someone else
            raise Problem("hist_unknown_record", kind=kind, id=record_id)
        keys = [ingest._stored(kind, k) for k in model.KEY]
        key_values = wh.rows(f"SELECT {', '.join(ident(k) for k in keys)} FROM {table} x WHERE {_where_id(kind)} = ?",
                             [record_id])[0]  # fmt: skip
        match = " AND ".join(f"{ident(k)} = ?" for k in keys)
        cancelled: list[str] = []
        if kind in ingest.IMPORT_TRAIL:  # the creation's trail row, before its link to the import goes
            w.execute(trail.import_creation_sql(kind), [record_id] * 3)
        if kind == "tickets":
            w.rolled_up(tickets=[record_id])
            before["rounds"] = _rounds(wh, record_id)
            w.execute("DELETE FROM complaint_rounds WHERE ticket_id = ?", [record_id])
        elif kind == "audits":
            cancelled = _cancel_actions(wh, w, actor, record_id, reason)
            w.execute("DELETE FROM audit_scores WHERE audit_id = ?", [record_id])
        elif kind == "appraisals":
            w.execute(f"DELETE FROM appraisal_scores WHERE {match}", list(key_values))
        w.execute(f"DELETE FROM {table} WHERE {match}", list(key_values))
        w.execute(
            "INSERT INTO record_changes (actor, kind, record_id, change, before, reason, audit_log_id)"
            " VALUES (?, ?, ?, 'void', ?, ?, ?)",
            [actor, kind, record_id, json.dumps(before, default=str, ensure_ascii=False), reason, w.log_id()],
        )
        w.detail.update(record=record_id, reason=reason, before=before)
        if cancelled:
            w.detail["cancelled_actions"] = cancelled
    return {**before, **({"cancelled_actions": cancelled} if kind == "audits" else {})}


def _rounds(wh, ticket_id: str) -> list[dict]:
    names = ("round", "feedback_at", "answer", "answered_at", "recorded_by")
    rows = wh.rows(
        f"SELECT {', '.join(names)} FROM complaint_rounds WHERE ticket_id = ? ORDER BY round", [ticket_id]
    )
    return [
        {n: (str(v) if isinstance(v, dt.datetime) else v) for n, v in zip(names, r, strict=True)}
        for r in rows
    ]


def _cancel_actions(wh, w, actor: str, audit_id: str, reason: str) -> list[str]:
    """Cancel the audit's corrective actions still open or in progress, each with its step."""
    today = dt.date.today()
    ids = wh.column(
        "SELECT action_id FROM corrective_actions WHERE audit_id = ? AND status IN ('open', 'in_progress')"
        " ORDER BY action_id",
        [audit_id],
    )
    for action_id in ids:
        w.execute(
            "UPDATE corrective_actions SET status = 'cancelled', closed_on = ? WHERE action_id = ?",
            [today, action_id],
        )
        w.execute(
            "INSERT INTO action_steps (action_id, actor, status, on_date, note, owner_id, due_on)"
            " SELECT action_id, ?, 'cancelled', ?, ?, owner_id, due_on FROM corrective_actions WHERE action_id = ?",
            [actor, today, reason, action_id],
        )
    return ids


# -- undoing a ticket's last workflow step -------------------------------------------------------


def last_step(wh, ticket_id: str) -> dict | None:
    """The ticket's last workflow step not undone yet, from the audit log: `id`, `step`, `at`,
    `actor` and `detail`; None when there is none (a ticket imported with its state has none)."""
    rows = wh.rows(
        "SELECT id, action, at_time, actor, CAST(detail AS VARCHAR) FROM audit_log s WHERE entity IN ($id, $entity) "
        "AND list_contains($steps, action) AND NOT EXISTS (SELECT 1 FROM audit_log u WHERE u.action = 'ticket.undo' "
        "AND u.entity = $entity AND json_extract_string(u.detail, '$.undone') = CAST(s.id AS VARCHAR)) "
        "ORDER BY id DESC LIMIT 1",
        {"id": ticket_id, "entity": f"tickets:{ticket_id}", "steps": [f"ticket.{s}" for s in STEPS]},
    )
    if not rows:
        return None
    log_id, action, at, who, detail = rows[0]
    return {
        "id": log_id,
        "step": action.partition(".")[2],
        "at": at,
        "actor": who,
        "detail": json.loads(detail or "{}"),
    }


def undo_step(
    wh, actor: str, ticket_id: str, reason: str | None, scope: Scope = EVERYTHING, expected: int | None = None
) -> str:
    """Take back the ticket's last workflow step (see `last_step`) in one transaction; the step
    undone. Undoing an accept or a reopen puts the round back to awaiting the customer's answer;
    a feedback removes its round; a route, callback or suggestion decision puts back the values
    the step found (its audit-log row keeps them; none for a step logged before they were kept).
    Refused with a `Problem`: no reason, a ticket unknown or outside the scope, no step to undo,
    a ticket changed since that step in a way the undo cannot follow, a last step other than the
    `expected` one (the audit-log id of the step a page showed: a second click undoes nothing)."""
    reason = _reason(reason)
    history = History.load(wh)
    with wh.transaction(actor, "ticket.undo", f"tickets:{ticket_id}") as w:
        w.rolled_up(tickets=[ticket_id])
        entry._ticket(wh, ticket_id, scope)
        step = last_step(wh, ticket_id)
        if step is None:
            raise Problem("undo_nothing", ticket=ticket_id)
        if expected is not None and step["id"] != expected:
            raise Problem("undo_changed_since", ticket=ticket_id)
        name, detail = step["step"], step["detail"]
        before = ingest.stored_record(wh, "tickets", ticket_id, history)
        last = entry.lookups.last_round(wh, ticket_id)
        if name in ("feedback", "accept", "reopen"):
            n = int(detail.get("round", 0))
            answered = name != "feedback"
            if last is None or last["round"] != n or (last["answer"] is None) == answered:
                raise Problem("undo_changed_since", ticket=ticket_id)
            if answered:
                w.execute(
                    "UPDATE complaint_rounds SET answer = NULL, answered_at = NULL WHERE ticket_id = ? AND round = ?",
                    [ticket_id, n],
                )
            else:
                w.execute("DELETE FROM complaint_rounds WHERE ticket_id = ? AND round = ?", [ticket_id, n])
            if wh.scalar("SELECT count(*) FROM complaint_rounds WHERE ticket_id = ?", [ticket_id]):
                rounds.summarise(w, "SELECT ?", [ticket_id])
            else:
                w.execute(
                    "UPDATE tickets SET feedback_at = NULL, customer_accepted = NULL, reopened = NULL WHERE ticket_id = ?",
                    [ticket_id],
                )
        else:
            columns = {
                "route": ("department", "routed_at"),
                "callback": ("callback_done_at",),
                "suggestion": ("suggestion_adopted", "reward_amount"),
            }[name]
            found = detail.get("before", {})
            w.execute(
                f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} WHERE ticket_id = ?",
                [*(found.get(c) for c in columns), ticket_id],
            )
        after = ingest.stored_record(wh, "tickets", ticket_id, history)
        w.execute(
            "INSERT INTO record_changes (actor, kind, record_id, change, before, after, reason, audit_log_id)"
            " VALUES (?, 'tickets', ?, 'update', ?, ?, ?, ?)",
            [
                actor,
                ticket_id,
                json.dumps(before, default=str),
                json.dumps(after, default=str),
                reason,
                w.log_id(),
            ],
        )
        w.detail.update(record=ticket_id, undone=step["id"], step=name, reason=reason)
        w.detail["before"] = {c: v for c, v in (before or {}).items() if (after or {}).get(c) != v}
        w.detail["after"] = {c: (after or {}).get(c) for c in w.detail["before"]}
    return name
