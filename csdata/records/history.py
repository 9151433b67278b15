"""A record's versions: its creation and every correction, from the trail (`record_changes`,
migration 007) and the audit-log rows of the transactions that wrote it.

A trail row of a correction keeps the record's values before and after (JSON objects of the
columns `csdata.imports.ingest.stored_sql` names); the creation's values are those the first
correction (or its void) found, or the record's own while it has none. A void's trail row keeps
the whole record as it was (`csdata.records.corrections`): its version lists every value going.

Recognitions and appraisal proposals, which are entered on pages and never imported, keep the same
trail with their values after each change (a recognition's void keeps the record, marked voided).

A ticket created by a file import has no trail row of its creation: the import is that trail
(`ingest.IMPORT_TRAIL`, migration 020). The ticket carries the import's id (`tickets.import_id`),
whose `import_log` row says who imported which file when, and names the audit-log row of its
transaction; `versions` reads them as the ticket's creation, placed by its time among the trail's
rows, exactly as a trail row of the same import would read (`_imported`). A file of ten million
tickets then writes one row for its creation instead of ten million; the cost is this one join
when a ticket's history is shown. A void deletes the ticket, and with it that link: so a void
writes the creation's trail row from the import first (`csdata.records.corrections.void`), and
the trail alone tells the whole story of a ticket that is gone.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from csdata.imports import ingest
from csdata.policy import History
from csdata.records.entry import PROPOSAL_KIND
from csdata.records.models import KINDS
from csdata.store.sql import ident, literal
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
        "CAST(l.detail AS VARCHAR), i.id FROM record_changes r LEFT JOIN audit_log l ON l.id = r.audit_log_id "
        "LEFT JOIN import_log i ON i.audit_log_id = r.audit_log_id AND r.change = 'create' "
        "WHERE r.kind = ? AND r.record_id = ? ORDER BY r.at_time, r.id",
        [kind, record_id],
    )
    if current is not None and kind in ingest.IMPORT_TRAIL:
        created = _imported(wh, kind, record_id)
        if created is not None:  # in its place by time: after a void of an earlier ticket of that id
            rows.insert(sum(1 for r in rows if r[0] <= created[0]), created)
    if current is None and not rows:
        raise Problem("hist_unknown_record", kind=kind, id=record_id)
    # A void keeps the whole record as it was, as a correction keeps it before.
    first_before = next(
        (_object(b) for _, _, change, b, _, _, _, _ in rows if change in ("update", "void")), None
    )
    out = []
    for at, actor, change, before, after, reason, detail, import_id in rows:
        logged = _object(detail)
        if change == "create":
            values = _object(after) or (first_before if first_before is not None else current or {})
            changes = {c: [None, v] for c, v in values.items() if v is not None}
            if "record" in logged:
                why = t("hist_form", lang)
            elif import_id is not None and kind in ingest.IMPORT_TRAIL:
                why = t("hist_imported_as", lang, file=logged.get("file"), id=import_id)
            else:
                why = t("hist_imported", lang, file=logged.get("file"))
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


def _imported(wh, kind: str, record_id: str) -> tuple | None:
    """The creation of a stored record by the import whose id it carries, as a trail row of
    `versions` reads (at, actor, change, before, after, reason, audit-log detail, import id); None
    when no import created it, or its trail holds that creation already (a form's ticket)."""
    table = ingest.table_of(kind)
    found = wh.rows(
        "SELECT i.at_time, i.actor, 'create', NULL, NULL, NULL, CAST(l.detail AS VARCHAR), i.id "
        f"FROM {table} x JOIN import_log i ON i.id = x.import_id LEFT JOIN audit_log l ON l.id = i.audit_log_id "
        f"WHERE {ingest.record_id_sql(kind, lambda k: 'x.' + ident(k))} = ? AND NOT EXISTS (SELECT 1 FROM record_changes r "
        "WHERE r.kind = ? AND r.record_id = ? AND r.change = 'create' AND r.audit_log_id = i.audit_log_id)",
        [record_id, kind, record_id],
    )
    return found[0] if found else None


def import_creation_sql(kind: str, record_id_param: str = "?") -> str:
    """SQL writing the trail row of a stored record's creation by its import (`IMPORT_TRAIL`),
    with the import's time, actor and audit-log row, unless the trail holds it already: what a
    void writes before the record, and its link to the import, are deleted. Parameters: the
    record's id, three times."""
    table = ingest.table_of(kind)
    return (
        "INSERT INTO record_changes (at_time, actor, kind, record_id, change, audit_log_id) "
        f"SELECT i.at_time, i.actor, {literal(kind)}, {record_id_param}, 'create', i.audit_log_id "
        f"FROM {table} x JOIN import_log i ON i.id = x.import_id "
        f"WHERE {ingest.record_id_sql(kind, lambda k: 'x.' + ident(k))} = {record_id_param} AND NOT EXISTS ("
        f"SELECT 1 FROM record_changes r WHERE r.kind = {literal(kind)} AND r.record_id = {record_id_param} "
        "AND r.change = 'create' AND r.audit_log_id = i.audit_log_id)"
    )


def _difference(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {c: [old.get(c), new.get(c)] for c in dict.fromkeys([*old, *new]) if old.get(c) != new.get(c)}


def _object(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _moment(at: dt.datetime | None) -> str | None:
    return at.isoformat(sep=" ", timespec="seconds") if at is not None else None
