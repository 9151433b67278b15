"""The organisation's records typed on a page: clients, departments, teams, pay grades, courses,
appraisal periods and the staff, added one at a time or corrected.

A page save is an import of one row, so a page and a file can never disagree: `add` is the
import's insert (`csdata.records.entry.save`, strict: nothing lands if anything is wrong) and
`edit` its `--update` correction (`ingest.import_file(..., update=True)`), which keeps the record's
values before and after with the reason given in `record_changes`. For a person, a change of team,
client, position, grade or status takes effect on the day given, exactly as `csdata import
employees FILE --update --effective DATE`: the open `employee_history` period is closed that day
and the next one opened (`ingest.sync_history`). Each save is one transaction with its audit-log
row naming `kind:id`; what the account may change is its scope's (`Scope.may_write`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from csdata.access.scope import EVERYTHING, Scope
from csdata.imports import ingest
from csdata.policy import History
from csdata.records import entry
from csdata.records.models import KINDS, MASTER_KINDS
from csdata.text.i18n import Problem

# The kinds the Organisation page keeps, in its order: the master data, then the staff.
ORG_KINDS = (*MASTER_KINDS, "employees")


def key_of(kind: str) -> str:
    """The column that names a record of `kind` (each of these kinds has a key of one column)."""
    (key,) = KINDS[kind].KEY
    return key


def current(wh, kind: str, record_id: str) -> dict[str, Any] | None:
    """A record's values as its import file gives them (dates as ISO text), or None."""
    return ingest.stored_record(wh, kind, record_id, History.load(wh))


def add(wh, actor: str, kind: str, values: dict, scope: Scope = EVERYTHING) -> ingest.Report:
    """A new record through the import's checks and insert. The report lists the rejects (nothing
    written); `imported` is 0 when a record with this key is present already."""
    _known(kind)
    return entry.save(wh, kind, values, actor, scope=scope)


def edit(
    wh,
    actor: str,
    kind: str,
    values: dict,
    reason: str | None,
    scope: Scope = EVERYTHING,
    effective: dt.date | None = None,
) -> ingest.Report:
    """Correct a present record to `values` (every column of its file; blank = none) through the
    import's `--update` path, with the reason kept in the trail; for a person, effective on
    `effective` (default today). Refuses (Problem, nothing written) without a reason, for a record
    that is not there, and when nothing would change; the report lists the rejects otherwise."""
    _known(kind)
    if not scope.may_write(kind):
        raise ingest.ImportError_("imp_kind_not_yours", kind=kind)
    why = (reason or "").strip()
    if not why:
        raise Problem("org_reason_required")
    record_id = values.get(key_of(kind))
    if not record_id or current(wh, kind, str(record_id)) is None:
        raise Problem("org_no_record", id=str(record_id or ""))
    row = entry.one_row(kind, values)
    options = dict(strict=True, scope=scope, update=True, reason=why)
    if kind == "employees":
        options["effective"] = effective or dt.date.today()
    # What the correction would do, found without writing: the rejects, or nothing to change.
    trial = ingest.import_file(wh, kind, row, "form", actor, dry_run=True, **options)
    if trial.rejects:
        return trial
    if not trial.updated:
        raise Problem("org_unchanged", id=str(record_id))
    return ingest.import_file(wh, kind, row, "form", actor, **options)


def _known(kind: str) -> None:
    if kind not in ORG_KINDS:
        raise Problem("hist_unknown_kind", kind=kind, kinds=", ".join(ORG_KINDS))
