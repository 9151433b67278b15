"""Row models of every record kind that enters or leaves the warehouse.

The field order of each model *is* the canonical column order: import templates in
`sample_data/`, `csdata export` and the tests all take their columns from here, so a format is
defined once. A model holds every rule a row must meet: field types and bounds (pydantic
constraints), the header names in every language a file may use (`ALIASES`), the record's key (`KEY`), and
the rules that compare fields (`RULES`, as SQL over the typed columns). `csdata.imports.ingest` turns all
of it into one DuckDB statement for bulk checking, and forms run the same check on their one row,
so there is no second, hand-written list of rules.

An audit's criteria and an appraisal's indicators are the policy's (`csdata.policy.Scorecard`,
`AppraisalScheme`): their rows are built per set of criteria or indicators (`audit_model`,
`appraisal_model`, `model_for`), each one a score headed by its key or either of its names.
`AuditRow` and `AppraisalRow` are those of the default policy.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, create_model

from csdata.text.i18n import header_aliases, text_key

Score = Field(default=None, ge=0, le=100)
DURATION = {"duration": True}  # seconds, also read from h:mm:ss and Excel time values


class Rule(NamedTuple):
    """A rule between fields: `sql` must hold (NULL counts as holding) on the typed row;
    otherwise the row is rejected on `column` with the i18n message `key`, which may show the
    row's value of the field `against` (what the rejected value was compared with) as {against}."""

    column: str
    sql: str
    key: str
    against: str | None = None


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    KEY: ClassVar[tuple[str, ...]] = ()
    ALIASES: ClassVar[dict[str, tuple[str, ...]]] = {}
    RULES: ClassVar[tuple[Rule, ...]] = ()
    ITEMS: ClassVar[tuple[str, ...]] = ()  # the policy's criteria or indicators among the fields

    @classmethod
    def columns(cls) -> list[str]:
        return list(cls.model_fields)


class TicketRow(Row):
    ticket_id: str = Field(min_length=1)
    client: str = Field(min_length=1)
    channel: Literal["phone", "chat", "email"]
    type: Literal["consultation", "complaint", "suggestion"]
    agent_id: str | None = None
    # The queue (team) the ticket was offered to, answered or not; blank: the agent's team, else
    # the client's only team, else none ("unassigned"). See `csdata.imports.ingest.check`.
    team: str | None = None
    opened_at: dt.datetime
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    handle_seconds: float | None = Field(default=None, ge=0, json_schema_extra=DURATION)
    resolved: bool | None = None
    first_contact_resolved: bool | None = None
    csat: int | None = Field(default=None, ge=1, le=5)
    category: str | None = None
    department: str | None = None
    feedback_at: dt.datetime | None = None
    customer_accepted: bool | None = None
    reopened: bool | None = None
    callback_promised_at: dt.datetime | None = None
    callback_done_at: dt.datetime | None = None
    suggestion_adopted: bool | None = None
    reward_amount: Decimal | None = Field(default=None, ge=0)

    KEY = ("ticket_id",)
    RULES = (
        Rule(
            "first_response_at", "first_response_at >= opened_at", "rule_before_opened", against="opened_at"
        ),
        Rule("resolved_at", "resolved_at >= opened_at", "rule_before_opened", against="opened_at"),
        Rule("feedback_at", "feedback_at >= opened_at", "rule_before_opened", against="opened_at"),
        Rule("callback_done_at", "callback_done_at >= opened_at", "rule_before_opened", against="opened_at"),
    )


class _AuditHead(Row):
    """An audit's columns before its criteria; the criteria and the rest follow (`audit_model`)."""

    audit_id: str = Field(min_length=1)
    audited_at: dt.date
    agent_id: str = Field(min_length=1)
    auditor_id: str | None = None
    ticket_id: str | None = None
    client: str | None = None
    channel: Literal["phone", "chat", "email"] | None = None
    source: Literal["recording", "spot_check", "customer_feedback", "calibration"]

    KEY = ("audit_id",)


_AUDIT_TAIL = {
    "critical_error": (bool, False),
    "finding_category": (str | None, None),
    "comment": (str | None, None),
}
# The header names a file may use for a fixed column, in every language of the text catalogs.
_AuditHead.ALIASES = header_aliases("audits", (*_AuditHead.model_fields, *_AUDIT_TAIL))


def _labels(items) -> dict[str, tuple[str, ...]]:
    """A criterion's or indicator's names in both languages, as headings a file may use."""
    return {i.key: tuple(dict.fromkeys((i.label_en, i.label_zh))) for i in items}


@functools.cache
def _audit_model(criteria: tuple[tuple[str, tuple[str, ...]], ...]) -> type[Row]:
    keys = [k for k, _ in criteria]
    model = create_model(
        "AuditRow",
        __base__=_AuditHead,
        __module__=__name__,
        **{k: (float | None, Score) for k in keys},
        **_AUDIT_TAIL,
    )
    # A heading that names one of the fixed columns stays theirs, whatever a criterion is called.
    model.ALIASES = {**dict(criteria), **_AuditHead.ALIASES}
    scored = f"coalesce({', '.join(keys)}) IS NOT NULL" if keys else "FALSE"
    # A calibration audit is one auditor's score of a ticket several auditors score
    # (`csdata.analytics.calibration`): without the ticket or the auditor it belongs to no set.
    model.RULES = (
        Rule("critical_error", f"critical_error OR {scored}", "rule_nothing_scored"),
        Rule("ticket_id", "source <> 'calibration' OR ticket_id IS NOT NULL", "rule_calibration_ticket"),
        Rule("auditor_id", "source <> 'calibration' OR auditor_id IS NOT NULL", "rule_calibration_auditor"),
    )
    model.ITEMS = tuple(keys)
    return model


def audit_model(criteria) -> type[Row]:
    """The audit row for a scorecard's criteria (`csdata.policy.Item`s): one optional score 0–100
    per criterion between `source` and `critical_error`, headed by its key or either of its names;
    a row must score one of them or have a critical error. Built once per set of criteria."""
    return _audit_model(tuple(_labels(criteria).items()))


class _AppraisalHead(Row):
    """An appraisal's columns before its indicators; the indicators and the rest follow."""

    period: str = Field(min_length=1)
    employee_id: str = Field(min_length=1)

    KEY = ("period", "employee_id")


_AppraisalHead.ALIASES = header_aliases("appraisals", (*_AppraisalHead.model_fields, "reviewer", "comment"))


@functools.cache
def _appraisal_model(
    indicators: tuple[tuple[str, tuple[str, ...]], ...], optional: frozenset[str] = frozenset()
) -> type[Row]:
    keys = [k for k, _ in indicators]
    model = create_model(
        "AppraisalRow",
        __base__=_AppraisalHead,
        __module__=__name__,
        **{
            k: (float | None, Field(default=None, ge=0, le=100))
            if k in optional
            else (float, Field(ge=0, le=100))
            for k in keys
        },
        reviewer=(str | None, None),
        comment=(str | None, None),
    )
    model.ALIASES = {**dict(indicators), **_AppraisalHead.ALIASES}  # the fixed columns win, as above
    model.ITEMS = tuple(keys)
    return model


def appraisal_model(indicators, optional: frozenset[str] = frozenset()) -> type[Row]:
    """The appraisal row for a scheme's indicators: a score 0–100 for each (required unless named in
    `optional`), headed by its key or either of its names. Built once per set of indicators."""
    return _appraisal_model(tuple(_labels(indicators).items()), frozenset(optional))


def model_for(kind: str, policy) -> type[Row]:
    """The row model of `kind` under `policy` (a `csdata.policy.Policy`): audits and appraisals take
    their criteria and indicators from it, the other kinds are fixed."""
    if kind == "audits":
        return audit_model(policy.scorecard.criteria)
    if kind == "appraisals":
        return appraisal_model(policy.appraisal.indicators)
    return KINDS[kind]


class TrainingRow(Row):
    KEY = ("employee_id", "course", "attempt")

    employee_id: str = Field(min_length=1)
    course: str = Field(min_length=1)
    kind: Literal["onboarding", "in_service"]
    taken_on: dt.date
    score: float | None = Score
    hours: float | None = Field(default=None, ge=0, le=200)
    attempt: int = Field(default=1, ge=1)


class EmployeeRow(Row):
    employee_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    team: str | None = None
    client: str | None = None
    position: str = Field(min_length=1)
    grade: str | None = None
    hire_date: dt.date
    go_live_date: dt.date | None = None
    status: Literal["active", "left"] = "active"
    left_on: dt.date | None = None  # beyond the brief's list: headcount needs the leaving day

    KEY = ("employee_id",)
    RULES = (Rule("left_on", "left_on IS NULL OR status = 'left'", "rule_left_on_needs_left"),)


# -- master data: what the records refer to, imported first when a company is set up -------------


class ClientRow(Row):
    client: str = Field(min_length=1)
    name_zh: str | None = None
    industry: str | None = None
    active: bool = True

    KEY = ("client",)


class DepartmentRow(Row):
    department: str = Field(min_length=1)
    name_zh: str | None = None

    KEY = ("department",)


class TeamRow(Row):
    team: str = Field(min_length=1)
    client: str | None = None  # blank: a team of the company's own (QA, training), serving no client
    # The team's supervisor (工号), kept as given: the staff file comes after the teams.
    supervisor_id: str | None = None
    department: str = Field(min_length=1)

    KEY = ("team",)


class PayGradeRow(Row):
    grade: str = Field(min_length=1)
    base_pay: Decimal = Field(ge=0)  # monthly
    performance_pay_base: Decimal = Field(ge=0)  # monthly performance pay at coefficient 1.0

    KEY = ("grade",)


class CourseRow(Row):
    course: str = Field(min_length=1)
    kind: Literal["onboarding", "in_service"]
    pass_mark: float | None = Score  # blank: no exam
    hours: float | None = Field(default=None, ge=0, le=200)

    KEY = ("course",)


class PeriodRow(Row):
    period: str = Field(min_length=1)
    starts_on: dt.date
    ends_on: dt.date
    status: Literal["open", "closed"] = "open"

    KEY = ("period",)
    RULES = (Rule("ends_on", "ends_on >= starts_on", "rule_ends_before_starts", against="starts_on"),)


class BonusRow(Row):
    employee_id: str = Field(min_length=1)
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")  # YYYY-MM
    amount: Decimal = Field(ge=0)
    reason: str = Field(min_length=1)

    KEY = ("employee_id", "month", "amount", "reason")
    RULES = (Rule("month", r"regexp_full_match(month, '\d{4}-(0[1-9]|1[0-2])')", "rule_month_format"),)


class ActionRow(Row):
    """A corrective action as a file gives it (`csdata import actions`): the employee it is for is
    stored as the action's `agent_id`; a closed one (done or cancelled) names the day it closed."""

    action_id: str = Field(min_length=1)
    audit_id: str | None = None  # the audit whose finding opened it, if one did
    employee_id: str = Field(min_length=1)
    kind: Literal["coaching", "training", "script_change", "other"]
    owner_id: str | None = None
    opened_on: dt.date
    due_on: dt.date | None = None
    status: Literal["open", "in_progress", "done", "cancelled"] = "open"
    closed_on: dt.date | None = None
    note: str | None = None

    KEY = ("action_id",)
    RULES = (
        Rule("due_on", "due_on >= opened_on", "rule_due_before_opened", against="opened_on"),
        Rule("closed_on", "closed_on >= opened_on", "rule_closed_before_opened", against="opened_on"),
        Rule(
            "closed_on",
            "(closed_on IS NOT NULL) = (status IN ('done', 'cancelled'))",
            "rule_closed_on_status",
        ),
    )


class CoachingRow(Row):
    """A coaching session as a file gives it (`csdata import coaching`): a file without session ids
    gets ids made from each row's content (see `csdata.imports.ingest`), so importing it again adds
    nothing."""

    session_id: str | None = None
    employee_id: str = Field(min_length=1)
    held_on: dt.date
    coach_id: str = Field(min_length=1)
    topic: str = Field(min_length=1, max_length=200)
    audit_id: str | None = None  # the audit it was about, if one
    period: str | None = None  # the appraisal period it was about, if one
    note: str | None = Field(default=None, max_length=500)

    KEY = ("session_id",)


# -- recruitment (policy 三(一)): requisitions and the candidates applying against them ------------

# The channels a candidate comes through (`choice_<channel>` on screen).
RECRUIT_CHANNELS = ("job_site", "social_media", "campus", "referral", "agency", "other")
REQUISITION_STATUSES = ("open", "on_hold", "filled", "cancelled")


class RequisitionRow(Row):
    """A hiring plan (`csdata import requisitions`): `headcount` seats of `position` in `team`
    (of `client`), opened on a day and needed by another. `grade`, beyond the brief's columns, is
    the pay grade a hire starts on (blank: none yet)."""

    requisition_id: str = Field(min_length=1)
    position: str = Field(min_length=1)
    client: str | None = None
    team: str = Field(min_length=1)
    headcount: int = Field(ge=1, le=10_000)
    opened_on: dt.date
    needed_by: dt.date | None = None
    status: Literal["open", "on_hold", "filled", "cancelled"] = "open"
    requirements: str | None = Field(default=None, max_length=1000)
    grade: str | None = None

    KEY = ("requisition_id",)
    RULES = (
        Rule("needed_by", "needed_by >= opened_on", "recruit_rule_needed_before_opened", against="opened_on"),
    )


def _after(later: str, earlier: str) -> Rule:
    return Rule(later, f"{later} >= {earlier}", "recruit_rule_stage_order", against=earlier)


def _needs(column: str, sql: str, key: str) -> Rule:
    """`column` may be given only when `sql` holds (a blank earlier result does not)."""
    return Rule(column, f"{column} IS NULL OR coalesce({sql}, FALSE)", key)


class CandidateRow(Row):
    """A candidate (`csdata import candidates`) and each stage reached, with its day and result:
    screening, interview, written test (a score), background check (passed or not, and who
    checked), offer (accepted or declined), hired, or rejected at any stage with a reason. Only an
    id and a name are kept of the person (`name` and `checked_by` come after the brief's columns
    and may be left out). The rules: stage days in order; a stage only after the one before it was
    passed; a hire only with a passed background check, an accepted offer and the new employee's
    id; a rejection with its reason (a declined offer may give one too)."""

    candidate_id: str = Field(min_length=1)
    requisition_id: str = Field(min_length=1)
    channel: Literal["job_site", "social_media", "campus", "referral", "agency", "other"]
    applied_on: dt.date
    screened_on: dt.date | None = None
    screen_passed: bool | None = None
    interviewed_on: dt.date | None = None
    interview_passed: bool | None = None
    test_on: dt.date | None = None
    test_score: float | None = Score
    checked_on: dt.date | None = None
    check_passed: bool | None = None
    offered_on: dt.date | None = None
    offer_accepted: bool | None = None
    hired_on: dt.date | None = None
    employee_id: str | None = None
    rejected_on: dt.date | None = None
    reason: str | None = Field(default=None, max_length=500)
    name: str | None = Field(default=None, max_length=100)
    checked_by: str | None = None

    KEY = ("candidate_id",)
    RULES = (
        _after("screened_on", "applied_on"),
        _after("interviewed_on", "screened_on"),
        _after("test_on", "interviewed_on"),
        _after("checked_on", "test_on"),
        _after("offered_on", "checked_on"),
        _after("hired_on", "offered_on"),
        _after("rejected_on", "applied_on"),
        _needs("screen_passed", "screened_on IS NOT NULL", text_key("recruit_rule_result_needs_day")),
        _needs("interview_passed", "interviewed_on IS NOT NULL", text_key("recruit_rule_result_needs_day")),
        _needs("test_score", "test_on IS NOT NULL", text_key("recruit_rule_result_needs_day")),
        _needs("check_passed", "checked_on IS NOT NULL", text_key("recruit_rule_result_needs_day")),
        _needs("offer_accepted", "offered_on IS NOT NULL", text_key("recruit_rule_result_needs_day")),
        _needs("interviewed_on", "screen_passed", text_key("recruit_rule_needs_screen")),
        _needs("test_on", "interview_passed", text_key("recruit_rule_needs_interview")),
        _needs("checked_on", "test_score IS NOT NULL", text_key("recruit_rule_needs_test")),
        _needs("offered_on", "check_passed", text_key("recruit_rule_needs_check")),
        _needs("hired_on", "check_passed", text_key("recruit_hire_needs_check")),
        _needs("hired_on", "offer_accepted", text_key("recruit_rule_needs_acceptance")),
        Rule("employee_id", "(hired_on IS NULL) = (employee_id IS NULL)", "recruit_rule_hire_employee"),
        Rule("reason", "rejected_on IS NULL OR reason IS NOT NULL", "recruit_rule_rejection_reason"),
        Rule("rejected_on", "rejected_on IS NULL OR hired_on IS NULL", "recruit_rule_hired_or_rejected"),
    )


# Master-data kinds, in the order a new company imports them (before employees and records).
MASTER_KINDS = ("clients", "departments", "teams", "pay_grades", "courses", "periods")


def _default(kind: str) -> type[Row]:
    from csdata.policy import default_policy

    return model_for(kind, default_policy())


# The audit and appraisal rows of the default policy (a new warehouse's); the policy in force
# decides the real ones: see `model_for`.
AuditRow = _default("audits")
AppraisalRow = _default("appraisals")

# The record kinds, as named on the command line.
KINDS: dict[str, type[Row]] = {
    "tickets": TicketRow,
    "audits": AuditRow,
    "training": TrainingRow,
    "appraisals": AppraisalRow,
    "employees": EmployeeRow,
    "clients": ClientRow,
    "departments": DepartmentRow,
    "teams": TeamRow,
    "pay_grades": PayGradeRow,
    "courses": CourseRow,
    "periods": PeriodRow,
    "bonuses": BonusRow,
    "actions": ActionRow,
    "coaching": CoachingRow,
    "requisitions": RequisitionRow,
    "candidates": CandidateRow,
}

# Durations a ticket file may give instead of the times they lead to (see `csdata.imports.ingest`).
STAND_INS = {"tickets": ("first_response_seconds", "resolution_seconds")}

# The header names a file may use for a column, in every language of the text catalogs
# (`header_<kind>_<column>`); audits' and appraisals' scores take their criterion's or indicator's
# names from the policy (see `audit_model`).
for _kind in (
    "tickets", "training", "employees", "bonuses", "actions", "coaching", "requisitions", "candidates",
    *MASTER_KINDS,
):  # fmt: skip
    KINDS[_kind].ALIASES = header_aliases(_kind, (*KINDS[_kind].columns(), *STAND_INS.get(_kind, ())))
