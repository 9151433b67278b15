"""Recognition (表彰, policy 六): an award HR gives a person, on a day, for a reason.

Recorded and voided here only, so the checks and the trail are the same whichever page asks:
an account that may (`Scope.recognizes`, within its clients and teams), an award and a reason
written out, a day neither before the person was hired nor more than `AHEAD_DAYS` ahead (an award
announced for the coming month may be entered now; a year typed wrong may not). Each write is one
transaction with its audit-log row (`recognitions:ID`) and a trail row in `record_changes`
(create, or void with the values before and after). A recognition is never deleted: voiding keeps
it, with who voided it, when and why, and it no longer counts as an award.
"""

from __future__ import annotations

import datetime as dt

from csdata.access.scope import Scope
from csdata.text.i18n import Problem, text_key

MAX_AWARD = 80
MAX_REASON = 500
AHEAD_DAYS = 31
_COLUMNS = (
    "id",
    "employee_id",
    "award",
    "awarded_on",
    "reason",
    "recorded_by",
    "voided_at",
    "voided_by",
    "void_reason",
)


def _text(value: str | None, missing: str, too_long: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise Problem(missing)
    if len(text) > limit:
        raise Problem(too_long, n=limit)
    return text


def _person_in_scope(wh, scope: Scope, employee_id: str) -> dt.date:
    """The person's hire date, once they are known and within what the account may write for."""
    if not scope.recognizes:
        raise Problem("recognition_not_allowed")
    found = wh.rows("SELECT client, team, hire_date FROM employees WHERE employee_id = ?", [employee_id])
    if not found or not scope.may_enter_for(found[0][0], found[0][1]):
        raise Problem("entry_agent_out_of_scope", value=employee_id)
    return found[0][2]


def _trail(w, actor: str, record_id: int, change: str, before, after, reason: str | None) -> None:
    w.execute(
        "INSERT INTO record_changes (actor, kind, record_id, change, before, after, reason, audit_log_id)"
        " VALUES (?, 'recognitions', ?, ?, ?, ?, ?, ?)",
        [actor, str(record_id), change, before, after, reason, w.log_id()],
    )


def _snapshot(w, record_id: int) -> str:
    """The recognition's values as a JSON object, for its trail."""
    return w.scalar(
        f"SELECT CAST(to_json(r) AS VARCHAR) FROM (SELECT {', '.join(_COLUMNS)} FROM recognitions"
        " WHERE id = ?) r",
        [record_id],
    )


def record(
    wh,
    actor: str,
    scope: Scope,
    employee_id: str,
    award: str | None,
    awarded_on: dt.date | None,
    reason: str | None,
    today: dt.date | None = None,
) -> int:
    """Record a recognition; its id. A `Problem` (and nothing written) for an account that may not,
    a person outside its scope, no award or reason, or a day before the hire or too far ahead."""
    hired = _person_in_scope(wh, scope, employee_id)
    award = _text(award, text_key("recognition_no_award"), text_key("recognition_award_long"), MAX_AWARD)
    reason = _text(reason, text_key("recognition_no_reason"), text_key("recognition_reason_long"), MAX_REASON)
    if awarded_on is None:
        raise Problem("recognition_no_day")
    today = today or dt.date.today()
    if awarded_on > today + dt.timedelta(days=AHEAD_DAYS):
        raise Problem("recognition_day_ahead", day=str(awarded_on), n=AHEAD_DAYS)
    if hired is not None and awarded_on < hired:
        raise Problem("recognition_before_hire", day=str(awarded_on), hired=str(hired))
    with wh.transaction(actor, "recognitions.record", "recognitions") as w:
        record_id = int(w.scalar("SELECT nextval('recognitions_seq')"))
        w.execute(
            "INSERT INTO recognitions (id, employee_id, award, awarded_on, reason, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [record_id, employee_id, award, awarded_on, reason, actor],
        )
        w.entity = f"recognitions:{record_id}"
        w.detail.update(employee_id=employee_id, award=award, awarded_on=str(awarded_on))
        _trail(w, actor, record_id, "create", None, _snapshot(w, record_id), reason)
    return record_id


def void(wh, actor: str, scope: Scope, record_id: int, reason: str | None) -> None:
    """Void a recognition entered in error, with why; it stays in the warehouse and its trail. A
    `Problem` for an account that may not, an unknown or already voided one, or no reason."""
    found = wh.rows("SELECT employee_id, voided_at FROM recognitions WHERE id = ?", [record_id])
    if not found:
        raise Problem("recognition_unknown", id=record_id)
    _person_in_scope(wh, scope, found[0][0])
    if found[0][1] is not None:
        raise Problem("recognition_already_void", id=record_id)
    reason = _text(
        reason, text_key("recognition_no_void_reason"), text_key("recognition_reason_long"), MAX_REASON
    )
    with wh.transaction(actor, "recognitions.void", f"recognitions:{record_id}") as w:
        before = _snapshot(w, record_id)
        w.execute(
            "UPDATE recognitions SET voided_at = current_localtimestamp(), voided_by = ?, void_reason = ?"
            " WHERE id = ? AND voided_at IS NULL",
            [actor, reason, record_id],
        )
        w.detail.update(employee_id=found[0][0], reason=reason)
        _trail(w, actor, record_id, "void", before, _snapshot(w, record_id), reason)
