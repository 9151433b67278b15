"""A record's versions: its creation and every correction, from the trail (`record_changes`,
migration 007) and the audit-log rows of the transactions that wrote it.

A trail row of a correction keeps the record's values before and after (JSON objects of the
columns `csdata.imports.ingest.stored_sql` names); the creation's values are those the first
correction (or its void) found, or the record's own while it has none. A void's trail row keeps
the whole record as it was (`csdata.records.corrections`): its version lists every value going.

Recognitions and appraisal proposals, which are entered on pages and never imported, keep the same
trail with their values after each change (a recognition's void keeps the record, marked voided).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from csdata.imports import ingest
from csdata.policy import History
from csdata.records.entry import PROPOSAL_KIND
from csdata.records.models import KINDS
from csdata.text.i18n import Problem, t

# The kinds with a trail: the import's record kinds, and those only entered on pages.
TRAIL_KINDS = (*KINDS, "recognitions", PROPOSAL_KIND)


def versions(wh, kind: str, record_id: str, lang: str = "en") -> list[dict[str, Any]]:
    """The record's versions, oldest first: each `at`, `actor`, `change` (create, update, void),
    `changes` ({column: [before, after]}) and `reason` (the one given, else what wrote it).
    Problem when the kind is unknown or there is no such record, stored or in the trail."""
    if kind not in TRAIL_KINDS:
        raise Problem("hist_unknown_kind", kind=kind, kinds=", ".join(TRAIL_KINDS))
    current = ingest.stored_record(wh, kind, record_id, History.load(wh)) if kind in KINDS else None
    rows = wh.rows(
        "SELECT r.at_time, r.actor, r.change, CAST(r.before AS VARCHAR), CAST(r.after AS VARCHAR), r.reason, "
        "CAST(l.detail AS VARCHAR) FROM record_changes r LEFT JOIN audit_log l ON l.id = r.audit_log_id "
        "WHERE r.kind = ? AND r.record_id = ? ORDER BY r.id",
        [kind, record_id],
    )
    if current is None and not rows:
        raise Problem("hist_unknown_record", kind=kind, id=record_id)
    # A void keeps the whole record as it was, as a correction keeps it before.
    first_before = next(
        (_object(b) for _, _, change, b, _, _, _ in rows if change in ("update", "void")), None
    )
    out = []
    for at, actor, change, before, after, reason, detail in rows:
        logged = _object(detail)
        if change == "create":
            values = _object(after) or (first_before if first_before is not None else current or {})
            changes = {c: [None, v] for c, v in values.items() if v is not None}
            why = (
                t("hist_form", lang)
                if "record" in logged
                else t("hist_imported", lang, file=logged.get("file"))
            )
        elif change == "void" and after is None:
            changes = {c: [v, None] for c, v in _object(before).items() if v not in (None, [])}
            why = reason
        else:
            changes = _difference(_object(before), _object(after))
            why = (
                t("hist_reimport", lang, file=logged["file"]) if logged.get("file") else t("hist_form", lang)
            )
        out.append(
            {"at": _moment(at), "actor": actor, "change": change, "changes": changes, "reason": reason or why}
        )
    return out


def _difference(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {c: [old.get(c), new.get(c)] for c in dict.fromkeys([*old, *new]) if old.get(c) != new.get(c)}


def _object(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _moment(at: dt.datetime | None) -> str | None:
    return at.isoformat(sep=" ", timespec="seconds") if at is not None else None
