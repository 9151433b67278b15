"""Row models of every record kind that enters or leaves the warehouse.

The field order of each model *is* the canonical column order: import templates in
`sample_data/`, `csdata export` and the tests all take their columns from here, so a format is
defined once. A model holds every rule a row must meet: field types and bounds (pydantic
constraints), the header names in every language a file may use (`ALIASES`), the record's key (`KEY`), and
the rules that compare fields (`RULES`, as SQL over the typed columns). `csdata.imports.ingest` turns all
of it into one DuckDB statement for bulk checking, and forms run the same check on their one row,
so there is no second, hand-written list of rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from csdata.text.i18n import header_aliases

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


class AuditRow(Row):
    audit_id: str = Field(min_length=1)
    audited_at: dt.date
    agent_id: str = Field(min_length=1)
    auditor_id: str | None = None
    ticket_id: str | None = None
    client: str | None = None
    channel: Literal["phone", "chat", "email"] | None = None
    source: Literal["recording", "spot_check", "customer_feedback"]
    attitude: float | None = Score
    responsiveness: float | None = Score
    accuracy: float | None = Score
    communication: float | None = Score
    compliance: float | None = Score
    critical_error: bool = False
    finding_category: str | None = None
    comment: str | None = None

    KEY = ("audit_id",)
    RULES = (
        Rule(
            "critical_error",
            "critical_error OR coalesce(attitude, responsiveness, accuracy, communication, compliance) IS NOT NULL",
            "rule_nothing_scored",
        ),
    )


AUDIT_CRITERIA = ("attitude", "responsiveness", "accuracy", "communication", "compliance")


class TrainingRow(Row):
    KEY = ("employee_id", "course", "attempt")

    employee_id: str = Field(min_length=1)
    course: str = Field(min_length=1)
    kind: Literal["onboarding", "in_service"]
    taken_on: dt.date
    score: float | None = Score
    hours: float | None = Field(default=None, ge=0, le=200)
    attempt: int = Field(default=1, ge=1)


class AppraisalRow(Row):
    KEY = ("period", "employee_id")

    period: str = Field(min_length=1)
    employee_id: str = Field(min_length=1)
    satisfaction: float = Field(ge=0, le=100)
    quality: float = Field(ge=0, le=100)
    efficiency: float = Field(ge=0, le=100)
    teamwork: float = Field(ge=0, le=100)
    reviewer: str | None = None
    comment: str | None = None


APPRAISAL_INDICATORS = ("satisfaction", "quality", "efficiency", "teamwork")


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


# The record kinds, as named on the command line.
KINDS: dict[str, type[Row]] = {
    "tickets": TicketRow,
    "audits": AuditRow,
    "training": TrainingRow,
    "appraisals": AppraisalRow,
    "employees": EmployeeRow,
}

# Durations a ticket file may give instead of the times they lead to (see `csdata.imports.ingest`).
STAND_INS = {"tickets": ("first_response_seconds", "resolution_seconds")}

# The header names a file may use for a column, in every language of the text catalogs
# (`header_<kind>_<column>`).
for _kind, _model in KINDS.items():
    _model.ALIASES = header_aliases(_kind, (*_model.columns(), *STAND_INS.get(_kind, ())))
