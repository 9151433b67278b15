"""The Imports page's pieces: choose a kind, take its template, upload a file, map its columns,
preview what an import would do (a dry run), commit it, and read the import history.

The upload is read once (`Upload.read`, kept in session state): its headings, the preview, the
commit and the rows to fix all use that read. The preview is `ingest.import_file(...,
dry_run=True)`, kept in session state under a key made of the file's sha256, the options, the
mapping, the user and the warehouse's data version, so a rerun (a click elsewhere, the language
switch) does not check the file again, while any write to the warehouse makes the next preview
fresh. Commit always runs the real import, in its own transaction. Reports keep reason keys, not
text, so the page shows them in the language of the moment. No exception of the import reaches
the user: a file that cannot be used gives one message, anything unexpected a plain "nothing was
written".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import math
import tomllib
from pathlib import Path

import pandas as pd
import streamlit as st

from csdata.access.auth import User
from csdata.analytics import exports, lookups
from csdata.imports import ingest
from csdata.policy import History
from csdata.records.models import KINDS, model_for
from csdata.text.i18n import family_key, t
from csdata.ui.core import data_version, lang, policy, problem_text, tr
from csdata.ui.datatable import XLSX_MIME, download_buttons, table_with_downloads

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[2] / "sample_data"
FILE_TYPES = ["csv", "tsv", "txt", "xlsx"]
# The columns of the rejected rows' table (`csdata.imports.ingest.rejects_frame`).
REJECT_COLUMNS = ("row", "column", "value", "reason")
HISTORY_COLUMNS = (
    "at_time",
    "actor",
    "kind",
    "file_name",
    "rows",
    "imported",
    "updated",
    "duplicates",
    "rejected",
    "sha256",
)


# -- kind and template ---------------------------------------------------------------------------


def choose_kind(user: User) -> str:
    """The record kinds this role may import, by their translated names."""
    language = lang()
    if st.session_state.get("_imp_kind_lang") != language and "imp_kind" in st.session_state:
        # Assigned afresh, the choice is drawn again with its label in the new language (the
        # browser would otherwise keep showing the old one).
        st.session_state["imp_kind"] = st.session_state["imp_kind"]
    st.session_state["_imp_kind_lang"] = language
    return st.selectbox(
        tr("imp_kind"),
        list(user.scope.writes),
        format_func=lambda k: t(family_key("imp_kind_", k), language),
        key="imp_kind",
    )


def template_csv(kind: str, items: tuple[str, ...]) -> bytes | None:
    """The example file of a kind in the columns of the policy in force, whose criteria or
    indicators are `items` (the shipped file as it is when they are the default policy's). A
    criterion or indicator the shipped examples lack is given each row's mean of the others; one
    the policy dropped is left out."""
    path = TEMPLATES / f"{kind}.csv"
    if not path.exists():
        return None
    data = path.read_bytes()
    model = KINDS[kind]
    if not model.ITEMS:
        return data
    columns = [c for c in model.columns() if c not in model.ITEMS]
    at = columns.index(_AFTER[kind]) + 1
    columns[at:at] = items
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if list(frame.columns) == columns:
        return data
    shipped = frame[[c for c in model.ITEMS]].apply(pd.to_numeric, errors="coerce")
    mean = shipped.mean(axis=1).round(1).map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    for item in items:
        if item not in frame.columns:
            frame[item] = mean
    return frame[columns].to_csv(index=False).encode("utf-8-sig")


_AFTER = {"audits": "source", "appraisals": "employee_id"}  # the column the items follow


@st.cache_data(show_spinner=False)
def _template(kind: str, items: tuple[str, ...]) -> tuple[bytes, bytes] | None:
    """The example file of a kind as CSV and as an Excel workbook."""
    data = template_csv(kind, items)
    if data is None:
        return None
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"ticket_id": str})
    return data, exports.to_bytes(frame, "xlsx")


def template_downloads(wh, kind: str, key: str = "imp_template") -> None:
    """The template in the columns of the policy in force today (its criteria or indicators);
    `key` starts its buttons' keys (a page with several templates gives each its own)."""
    items = tuple(model_for(kind, policy(wh, dt.date.today())).ITEMS)
    files = _template(kind, items)
    if files is None:
        return
    csv_bytes, xlsx_bytes = files
    st.caption(tr("imp_template_caption"))
    row = st.container(horizontal=True)
    row.download_button(
        tr("imp_template_csv"),
        csv_bytes,
        file_name=f"{kind}-template.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        tr("imp_template_xlsx"),
        xlsx_bytes,
        file_name=f"{kind}-template.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


# -- upload and options ------------------------------------------------------------------------


class Upload:
    """The uploaded file: name, bytes, sha256 (worked out once per upload), upload id, and the file
    as an import reads it (`read`, once per upload)."""

    def __init__(self, file) -> None:
        self.name = file.name
        self.file_id = file.file_id
        self.data = file.getvalue()
        known = st.session_state.get("imp_sha")
        if known and known[0] == self.file_id:
            self.sha = known[1]
        else:
            self.sha = hashlib.sha256(self.data).hexdigest()
            st.session_state["imp_sha"] = (self.file_id, self.sha)

    def read(self) -> ingest.FileData:
        """The file read as an import reads it: the first time only, then from session state, so
        the headings, the preview, the commit and the rejected rows share one read. ImportError_
        when it cannot be read (the same one again, without reading the file again)."""
        known = st.session_state.get("imp_read")
        if not (known and known[0] == self.sha and known[1] == self.name):
            try:
                found: ingest.FileData | ingest.ImportError_ = ingest.read_file(self.data, self.name)
            except ingest.ImportError_ as exc:
                found = exc
            known = (self.sha, self.name, found)
            st.session_state["imp_read"] = known
        if isinstance(known[2], ingest.ImportError_):
            raise known[2]
        return known[2]

    def estimated_rows(self) -> int:
        """Rows, roughly: lines of a text file, rows with a value of a workbook."""
        return self.read().rows


def upload() -> Upload | None:
    file = st.file_uploader(tr("imp_upload"), type=FILE_TYPES, key="imp_file")
    return None if file is None else Upload(file)


def options() -> dict[str, bool]:
    c1, c2, c3, c4 = st.columns(4)
    return {
        "strict": c1.checkbox(tr("imp_strict"), key="imp_strict", help=tr("imp_strict_help")),
        "create_missing": c2.checkbox(
            tr("imp_create_missing"), key="imp_create_missing", help=tr("imp_create_missing_help")
        ),
        "day_first": c3.checkbox(tr("imp_day_first"), key="imp_day_first", help=tr("imp_day_first_help")),
        "update": c4.checkbox(tr("imp_update"), key="imp_update", help=tr("imp_update_help")),
    }


# -- column mapping --------------------------------------------------------------------------------


def file_columns(wh, up: Upload) -> list[str] | None:
    """The file's headings (once per file); None, with the one message, when it cannot be read."""
    known = st.session_state.get("imp_columns")
    if not (known and known[0] == up.sha and known[1] == up.name):
        try:
            found: list[str] | ingest.ImportError_ | None = ingest.file_columns(wh, up.read(), up.name)
        except ingest.ImportError_ as exc:
            found = exc
        except Exception:
            log.exception("reading the headings of %s failed", up.name)
            found = None
        known = (up.sha, up.name, found)
        st.session_state["imp_columns"] = known
    found = known[2]
    if isinstance(found, list):
        return found
    show_failure(found)
    return None


def show_failure(exc: ingest.ImportError_ | None) -> None:
    if exc is None:
        st.error(tr("imp_failed"))
        return
    st.error(tr("imp_cannot_use", reason=problem_text(exc)))
    if exc.key == "imp_missing_columns":
        st.info(tr("imp_mapping_needed"))


def _saved_mapping(kind: str) -> ingest.Mapping | None:
    saved = st.file_uploader(tr("imp_mapping_upload"), type=["toml"], key="imp_mapping_file")
    if saved is None:
        return None
    try:
        mapping = ingest.Mapping.model_validate(tomllib.loads(saved.getvalue().decode("utf-8-sig")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        st.error(tr("imp_bad_mapping", detail=detail))
        return None
    if mapping.kind is not None and mapping.kind != kind:
        st.warning(
            tr(
                "imp_mapping_other_kind",
                kind=tr(family_key("imp_kind_", mapping.kind)),
                chosen=tr(family_key("imp_kind_", kind)),
            )
        )
        return None
    st.caption(tr("imp_mapping_loaded", name=saved.name))
    return mapping


def _mapping_frame(canonical: dict[str, bool], base: ingest.Mapping) -> pd.DataFrame:
    rows = []
    for column, required in canonical.items():
        parts = base.combine.get(column, [])
        rows.append(
            {
                "column": column,
                "required": required,
                "file_column": parts[0] if parts else base.columns.get(column),
                "time_column": parts[1] if len(parts) > 1 else None,
                "constant": base.constants.get(column),
            }
        )
    return pd.DataFrame(rows, columns=["column", "required", "file_column", "time_column", "constant"])


def _cell(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _mapping_from(edited: pd.DataFrame, kind: str, values: dict) -> ingest.Mapping:
    columns: dict[str, str] = {}
    combine: dict[str, list[str]] = {}
    constants: dict[str, str] = {}
    for row in edited.to_dict("records"):
        name = row["column"]
        first, time, constant = _cell(row["file_column"]), _cell(row["time_column"]), _cell(row["constant"])
        if constant is not None:
            constants[name] = constant
        elif first is not None and time is not None:
            combine[name] = [first, time]
        elif first is not None or time is not None:
            columns[name] = first or time
    return ingest.Mapping(kind=kind, columns=columns, combine=combine, constants=constants, values=values)


def mapping_section(wh, kind: str, up: Upload, headings: list[str]) -> ingest.Mapping | None:
    """The mapping editor, filled from a saved mapping or the automatic one; returns the mapping
    to use, or None when it is the automatic one (so the import maps by header as the CLI does)."""
    # The columns an import accepts: the criteria or indicators of every version in use.
    versions = History.load(wh)
    canonical = ingest.canonical_columns(kind, versions)
    auto, _, _ = ingest.auto_mapping(kind, headings, versions)
    missing = [c for c, required in canonical.items() if required and c not in auto.columns]
    expanded = bool(missing) or st.session_state.get("imp_mapping_file") is not None
    with st.expander(tr("imp_mapping"), expanded=expanded, icon=":material/table_chart:"):
        st.caption(tr("imp_mapping_caption"))
        loaded = _saved_mapping(kind)
        base = loaded or auto
        tag = hashlib.sha256(base.model_dump_json().encode()).hexdigest()[:8] if loaded else "auto"
        files = st.column_config.SelectboxColumn(tr("imp_map_file_column"), options=headings)
        edited = st.data_editor(
            _mapping_frame(canonical, base),
            key=f"imp_map_{kind}_{up.sha[:12]}_{tag}",
            num_rows="fixed",
            hide_index=True,
            width="stretch",
            disabled=["column", "required"],
            column_config={
                "column": st.column_config.TextColumn(tr("imp_map_column")),
                "required": st.column_config.CheckboxColumn(tr("imp_map_required")),
                "file_column": files,
                "time_column": st.column_config.SelectboxColumn(tr("imp_map_time_column"), options=headings),
                "constant": st.column_config.TextColumn(tr("imp_map_constant")),
            },
        )
        mapping = _mapping_from(edited, kind, base.values)
        st.download_button(
            tr("imp_mapping_download"),
            mapping.to_toml(),
            file_name=f"{kind}-mapping.toml",
            mime="application/toml",
            key="imp_mapping_download",
            icon=":material/download:",
            on_click="ignore",
        )
    if mapping.columns == auto.columns and not (mapping.combine or mapping.constants or mapping.values):
        return None
    return mapping


# -- preview and commit ----------------------------------------------------------------------------


def _run(wh, user: User, kind: str, up: Upload, opts: dict, mapping, *, dry_run: bool):
    """One import (or dry run) with a progress bar for large files: (report, None) or (None, error)."""
    bar = st.progress(0.0, text=tr("imp_step_read")) if up.estimated_rows() > ingest.PROGRESS_ROWS else None

    def say(fraction: float, step: str) -> None:
        key = f"imp_step_{step}"
        text = tr(key) if key in _STEPS else step
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

    try:
        report = ingest.import_file(
            wh,
            kind,
            up.read(),
            up.name,
            user.username,
            mapping=mapping,
            dry_run=dry_run,
            progress=say if bar is not None else None,
            scope=user.scope,
            **opts,
        )
    except ingest.ImportError_ as exc:
        return None, exc
    except Exception:
        log.exception("import of %s failed", up.name)
        return None, None
    finally:
        if bar is not None:
            bar.empty()
    return report, None


_STEPS = {"imp_step_read", "imp_step_check", "imp_step_write", "imp_step_done"}


def _rejected_rows(wh, up: Upload, report: ingest.Report) -> pd.DataFrame | None:
    if not report.rejects:
        return None
    try:
        return ingest.file_rows(wh, up.read(), up.name, sorted({r.row for r in report.rejects}))
    except Exception:  # the list of problems still stands without the rows themselves
        log.exception("reading the rejected rows of %s failed", up.name)
        return None


def _commit_clicked() -> None:
    st.session_state["imp_go"] = True


def preview_and_commit(wh, user: User, kind: str, up: Upload, opts: dict, mapping) -> None:
    """The dry run (cached), its report, and the Commit button; after a commit, its result."""
    mapping_json = mapping.model_dump_json() if mapping is not None else None
    choice = json.dumps([up.sha, up.name, kind, opts, mapping_json, user.username], sort_keys=True)
    upload_key = (up.file_id, choice)
    go = st.session_state.pop("imp_go", False)

    done = st.session_state.get("imp_done")
    if done is not None and done["upload"] != upload_key:
        done = None
        st.session_state.pop("imp_done", None)

    if done is None:
        key = hashlib.sha256(f"{choice}|{data_version(wh)}".encode()).hexdigest()
        cached = st.session_state.get("imp_preview")
        if cached is None or cached["key"] != key:
            report, error = _run(wh, user, kind, up, opts, mapping, dry_run=True)
            rows = _rejected_rows(wh, up, report) if report is not None else None
            cached = {"key": key, "report": report, "error": error, "rows": rows}
            st.session_state["imp_preview"] = cached
        if cached["report"] is None:
            show_failure(cached["error"])
            return
        preview: ingest.Report = cached["report"]
        if go and _can_commit(preview, opts):
            report, error = _run(wh, user, kind, up, opts, mapping, dry_run=False)
            if report is None:
                show_failure(error)
                return
            done = {"upload": upload_key, "report": report, "rows": _rejected_rows(wh, up, report)}
            st.session_state["imp_done"] = done
            st.session_state.pop("imp_preview", None)
        else:
            st.subheader(tr("imp_preview"))
            st.caption(tr("imp_preview_caption", file=up.name))
            show_report(preview, cached["rows"], committed=False)
            _commit_button(preview, opts)
            return

    report = done["report"]
    if report.committed:
        st.success(
            tr(
                "imp_done",
                imported=f"{report.imported:,}",
                file=report.file,
                duplicates=f"{report.duplicates:,}",
                rejected=f"{report.rejected:,}",
            )
        )
    else:
        st.warning(tr("imp_not_committed"))
    show_report(report, done["rows"], committed=report.committed)


def _to_import(report: ingest.Report) -> int:
    """The rows a commit would write: new ones and, with "Update changed rows", changed ones."""
    return max(report.rows - report.rejected - report.duplicates, 0)


def _can_commit(report: ingest.Report, opts: dict) -> bool:
    return _to_import(report) > 0 and not (opts["strict"] and report.rejected)


def _commit_button(report: ingest.Report, opts: dict) -> None:
    n = _to_import(report)
    if opts["strict"] and report.rejected:
        st.warning(tr("imp_strict_blocked", n=f"{report.rejected:,}"))
    elif n == 0:
        st.info(tr("imp_nothing_new"))
    st.button(
        tr("imp_commit", n=f"{n:,}"),
        type="primary",
        key="imp_commit",
        icon=":material/upload:",
        disabled=not _can_commit(report, opts),
        on_click=_commit_clicked,
    )


def show_report(report: ingest.Report, rows: pd.DataFrame | None, committed: bool) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("imp_m_rows"), f"{report.rows:,}")
    if committed:
        c2.metric(tr("imp_m_imported"), f"{report.imported:,}")
    else:
        c2.metric(tr("imp_m_new"), f"{_to_import(report) - report.updated:,}")
    c3.metric(tr("imp_m_present"), f"{report.duplicates:,}")
    c4.metric(tr("imp_m_rejected"), f"{report.rejected:,}")
    if report.updated:
        st.caption(tr("imp_updated_rows", n=f"{report.updated:,}"))
    if report.dropped:
        st.info(tr("imp_dropped", columns=", ".join(report.dropped)), icon=":material/shield:")
    if report.ignored:
        st.caption(tr("imp_ignored", columns=", ".join(report.ignored)))
    for table, values in report.created.items():
        st.caption(tr("imp_created", table=table, values=", ".join(values)))
    if report.rejects:
        show_rejects(report, rows)


def show_rejects(report: ingest.Report, rows: pd.DataFrame | None) -> None:
    language = lang()
    st.subheader(tr("imp_rejects"))
    if report.rejected > len({r.row for r in report.rejects}):
        st.caption(tr("imp_rejects_more", shown=f"{len(report.rejects):,}", rejected=f"{report.rejected:,}"))
    frame = ingest.rejects_frame(report, language)
    frame = frame.rename(columns={c: tr(family_key("imp_col_", c)) for c in frame.columns})
    stem = Path(report.file).stem or "import"
    table_with_downloads(frame, "imp_rejects", f"{stem}-rejects")
    if rows is None or rows.empty:
        return
    # The rows as they are in the file, plus why: fix them and upload that file again.
    reasons: dict[int, list[str]] = {}
    for r in report.rejects:
        reasons.setdefault(r.row, []).append(f"{r.column}: {r.reason(language)}")
    fix = rows.drop(columns=[c for c in report.dropped if c in rows.columns])
    fix.insert(
        len(fix.columns), tr("imp_col_reason"), [" · ".join(reasons.get(int(n), [])) for n in fix["_row"]]
    )
    fix = fix.rename(columns={"_row": tr("imp_col_row")})
    st.caption(tr("imp_fix_caption"))
    download_buttons(fix, f"{stem}-to-fix", "imp_fix", ("imp_fix_csv", "imp_fix_xlsx"))


# -- history ---------------------------------------------------------------------------------------


def history(wh, user: User) -> None:
    """Imported files, newest first, as the user's scope shows them: an administrator all, others
    the kinds their role imports, a supervisor only their own."""
    st.subheader(tr("imp_history"))
    frame = lookups.import_log(wh, user.scope, user.username)
    if frame.empty:
        st.caption(tr("imp_history_empty"))
        return
    language = lang()
    frame = frame[list(HISTORY_COLUMNS)].copy()
    frame["kind"] = frame["kind"].map(
        lambda k: t(family_key("imp_kind_", k), language) if k in ingest.KINDS else k
    )
    frame = frame.rename(columns={c: tr(family_key("imp_h_", c)) for c in HISTORY_COLUMNS})
    table_with_downloads(frame, "imp_history", "import-history")
