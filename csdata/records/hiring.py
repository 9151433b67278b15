"""HR's recruitment steps on a page: open a requisition, add a candidate, record a stage, hire,
reject.

Each step is the import on one row, so a page and a file obey the same rules
(`csdata.records.models.RequisitionRow`, `CandidateRow`): a new requisition or candidate is
`entry.save` (strict: nothing lands if anything is wrong), and a stage, a hire or a rejection is
a correction of the candidate (`csdata.records.corrections.correct`), which keeps the values before
and after in the record's trail with the step as its reason. A hire's employee is created by the
import in the same transaction (`csdata.imports.ingest`), so a hire and its employee land
together or not at all. A hire without a passed background check (the policy's 背景调查) is
refused before anything is tried, with its own message; the import's rule refuses it as well.
What the account may do is its scope's (`Scope.may_write`, and its clients for the records).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from csdata.access.scope import EVERYTHING, Scope
from csdata.imports import ingest
from csdata.records import corrections, entry
from csdata.text.i18n import Problem

# A stage recorded on a candidate: its day's column and its result's (a test's result is its score;
# an offer's is whether it was accepted, blank while the candidate has not answered).
STAGES: dict[str, tuple[str, str]] = {
    "screening": ("screened_on", "screen_passed"),
    "interview": ("interviewed_on", "interview_passed"),
    "test": ("test_on", "test_score"),
    "check": ("checked_on", "check_passed"),
    "offer": ("offered_on", "offer_accepted"),
}


def open_requisition(wh, actor: str, values: dict, scope: Scope = EVERYTHING) -> ingest.Report:
    """A new requisition (an id is made when none is given)."""
    row = {**values, "requisition_id": values.get("requisition_id") or entry.new_id("R")}
    return entry.save(wh, "requisitions", row, actor, scope=scope)


def add_candidate(wh, actor: str, values: dict, scope: Scope = EVERYTHING) -> ingest.Report:
    """A new candidate against a requisition (an id is made when none is given)."""
    row = {**values, "candidate_id": values.get("candidate_id") or entry.new_id("C")}
    return entry.save(wh, "candidates", row, actor, scope=scope)


def record_stage(
    wh,
    actor: str,
    candidate_id: str,
    stage: str,
    day: dt.date,
    result: Any,
    scope: Scope = EVERYTHING,
    checked_by: str | None = None,
) -> dict[str, Any]:
    """Record a stage's day and result (a background check: who checked); the candidate after."""
    if stage not in STAGES:
        raise Problem("recruit_unknown_stage", stage=stage)
    day_column, result_column = STAGES[stage]
    values: dict[str, Any] = {day_column: day.isoformat(), result_column: result}
    if stage == "check":
        values["checked_by"] = checked_by
    return corrections.correct(wh, actor, "candidates", candidate_id, values, f"stage: {stage}", scope)


def hire(
    wh, actor: str, candidate_id: str, day: dt.date, employee_id: str | None, scope: Scope = EVERYTHING
) -> dict[str, Any]:
    """Hire the candidate on `day` as `employee_id` (made when blank), creating the employee from
    the requisition in the same transaction; the candidate after. Refused without a passed
    background check."""
    stored = corrections.current(wh, "candidates", candidate_id, scope)
    if stored.get("check_passed") is not True:
        raise Problem("recruit_hire_needs_check")
    person = (employee_id or "").strip() or entry.new_id("E")
    values = {"hired_on": day.isoformat(), "employee_id": person}
    return corrections.correct(wh, actor, "candidates", candidate_id, values, "hire", scope)


def reject(
    wh, actor: str, candidate_id: str, day: dt.date, reason: str | None, scope: Scope = EVERYTHING
) -> dict[str, Any]:
    """Reject the candidate on `day` for `reason` (required); the candidate after."""
    why = (reason or "").strip()
    if not why:
        raise Problem("recruit_rule_rejection_reason")
    values = {"rejected_on": day.isoformat(), "reason": why}
    return corrections.correct(wh, actor, "candidates", candidate_id, values, why, scope)
