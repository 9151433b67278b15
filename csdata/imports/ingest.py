"""Files and form rows -> checked records -> one transaction.

The pipeline, in order:

1. **Read** (`read_file`, once per file): bytes as they come from real offices. Text is decoded
   (UTF-8, UTF-8 with BOM, UTF-16 with or without BOM, GB18030/GBK) in Python, because DuckDB
   reads only UTF-8; the delimiter (comma, semicolon, tab) is sniffed; the rows are then parsed
   by DuckDB's own CSV reader, once the mapping is known (`Table.load`): the columns of dates,
   times and numbers typed by the reader itself when every cell of them reads so (ISO dates and
   times with seconds, plain numbers: `_typed_reads`), else everything as text. XLSX goes
   through openpyxl, Excel dates and times becoming ISO text, once its archive has shown it keeps
   within the size and row limits (`check_workbook`). Either way the result is a table of cells
   plus the row number a user sees in their editor. A UTF-8 file given by its path is read where
   it lies, on every core, the row numbers following the order DuckDB keeps (`Table`).
2. **Map** (`Mapping`): file columns -> canonical columns. By default by header name (English,
   the header names of `csdata.records.models` in every language of the text catalogs, the
   policy's own criterion labels); a saved mapping can also join a date and a time column (blank
   when either is), give constants for missing columns, and translate values. Columns that look like a customer's personal data are
   dropped, and the report says so.
3. **Check** (`check`): one SQL statement types every cell and applies every rule of the row
   model (required, choices, bounds, durations, cross-field rules) and the references to the
   warehouse (known clients and employees), producing typed rows and a list of rejects with row,
   column and reason. The rules come from the pydantic models, so forms and imports agree.
   The typed table keeps no copy of the text: the checks first find the rejected rows from
   whether each cell was given, and only those rows' text is read back (from the file, when the
   reader typed it) for their messages. A file of millions of valid rows thus costs one typed
   read and one pass, and a table of the size of its values, not of its text twice over.
4. **Commit** (`commit`): valid rows that are not already in the warehouse (by the record's key;
   files without ids get a stable hash of the row) land together with their derived rows
   (criterion scores, the audit or appraisal score under the policy version in force on the
   record's own date, and that version), the import log and the audit log, in one transaction.
   Which criteria and indicators a file may carry is the policy's too (`record_model`).
   `strict` lands nothing if anything was rejected. With `update`, rows whose record is present
   but whose values differ correct it in the same transaction (`_find_changed`, `_update`), and
   every record created or corrected gets a row in its trail (`record_changes`: before, after),
   except a ticket a file creates: its trail of creation is the import (`IMPORT_TRAIL`).

Everything happens in SQL over the whole file at once; Python touches only the bytes and the
(at most a few hundred) lines of the report. Steps 1-3 run in DuckDB, in the import's stage
(`csdata.store.stage`): the warehouse's own connection for a DuckDB file, an in-memory copy
of what the checks read for a PostgreSQL warehouse, whose transaction then receives the checked
rows by COPY; step 4's statements are the same on both engines.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import posixpath
import re
import tempfile
import tomllib
import types
import typing
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import pandas as pd
from pydantic import BaseModel, Field

from csdata.access.scope import Scope
from csdata.policy import History, Policy
from csdata.records import rounds
from csdata.records.models import KINDS, Row, appraisal_model, audit_model, model_for
from csdata.settings import Settings, SettingsError
from csdata.store.sql import ident, literal
from csdata.store.stage import adopt, bring, stage
from csdata.text.i18n import Problem, family_key, t, text_key, words

MAX_REJECTS_LISTED = 1000
PROGRESS_ROWS = 10_000

# The words below are in the text catalogs, each language's own (`import_*` keys).

# Header cells that name a customer's personal data: never stored (design rule 9).
PERSONAL = words("import_personal")
# Exports qualify such a column (CustomerEmail, Booking Contact Name, 客户手机号): a heading that
# ends with one of these is personal data too.
PERSONAL_ENDINGS = words("import_personal_endings")

# Words offices use for the choices of the models (`import_choice_<choice>`).
CHOICES = (
    "phone", "chat", "email", "consultation", "complaint", "suggestion", "recording", "spot_check",
    "customer_feedback", "calibration", "onboarding", "in_service", "left", "active", "open", "closed",
    "in_progress", "done", "cancelled", "coaching", "training", "script_change", "other",
    "job_site", "social_media", "campus", "referral", "agency", "on_hold", "filled",
)  # fmt: skip
CHOICE_WORDS: dict[str, str] = {
    word: choice
    for choice in CHOICES
    for word in words(family_key("import_choice_", choice))
    if word != choice
}
TRUE_WORDS = words("import_true_words")
FALSE_WORDS = words("import_false_words")

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
DAY_FIRST_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
TIME_SUFFIXES = [" %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M", " %H:%M:%S.%f", "T%H:%M:%S.%f"]


class ImportError_(Problem):
    """The file as a whole cannot be used; nothing was written. `key` names the message."""


def settings() -> Settings:
    """The `CSDATA_*` settings an import obeys; ImportError_ when one of them cannot be used."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        name, _, detail = str(exc).partition(": ")
        raise ImportError_("imp_bad_setting", name=name, detail=detail) from None


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a record's date may fall on (`CSDATA_EARLIEST_DATE`,
    `CSDATA_FUTURE_DAYS`): a typed 2206 for 2026 is rejected, not stored to move every dashboard."""
    chosen = settings()
    return chosen.earliest_date, (today or dt.date.today()) + dt.timedelta(days=chosen.future_days)


@dataclass
class Reject:
    row: int
    column: str
    key: str
    value: str | None = None
    params: dict = field(default_factory=dict)

    def reason(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass
class Report:
    kind: str
    file: str
    rows: int = 0
    imported: int = 0
    updated: int = 0  # rows already present whose values changed, corrected (`update`)
    duplicates: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # personal-data columns not stored
    ignored: list[str] = field(default_factory=list)  # other columns not used
    created: dict[str, list[str]] = field(default_factory=dict)  # references made by create-missing
    assigned: dict[str, Any] = field(default_factory=dict)  # values given inside the transaction
    committed: bool = False

    def as_json(self, lang: str = "en") -> dict:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejects": [{"line": r.row, "column": r.column, "reason": r.reason(lang)} for r in self.rejects],
        }


# -- 1. reading --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text from the encodings offices save in; ImportError_ when none fits."""
    text, utf8 = _decode(data)
    return text if utf8 is None else utf8.decode("utf-8")


def _decode(data: bytes) -> tuple[str, bytes | None]:
    """The text, or (when the file is UTF-8 already) "" and its UTF-8 bytes: DuckDB reads those as
    they are, and a second copy of a big file as text would only double the memory it takes."""
    if data.startswith(b"\xef\xbb\xbf"):
        if not _is_utf8(data, 3):
            raise ImportError_("imp_cannot_decode")
        return "", data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), None
    head = data[:4000]
    if head and head.count(b"\x00") > len(head) // 4:  # UTF-16 without a byte-order mark
        even_nuls = head[0::2].count(b"\x00")
        return _strict(data, "utf-16-be" if even_nuls > len(head) // 4 else "utf-16-le"), None
    if _is_utf8(data):
        return "", data
    # UTF-16 without a byte-order mark whose text is mostly Chinese has few NULs, but those it
    # has (beside ASCII digits, delimiters, line breaks) nearly all fall on one side of each pair.
    nuls, even_nuls = head.count(b"\x00"), head[0::2].count(b"\x00")
    if nuls and len(data) % 2 == 0 and max(even_nuls, nuls - even_nuls) >= 0.9 * nuls:
        try:
            return data.decode("utf-16-be" if even_nuls > nuls - even_nuls else "utf-16-le"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("gb18030"), None
    except UnicodeDecodeError:
        raise ImportError_("imp_cannot_decode") from None


def _is_utf8(data: bytes, start: int = 0) -> bool:
    """Whether `data[start:]` is valid UTF-8, checked a piece at a time, each piece ending before
    a character's first byte (no copy of the whole as text: decoding ASCII pieces is a scan)."""
    view, step, at = memoryview(data), 1 << 24, start
    try:
        while at < len(data):
            end = min(at + step, len(data))
            for _ in range(3):  # a character is at most four bytes: back to its first one
                if end < len(data) and data[end] & 0xC0 == 0x80:
                    end -= 1
            codecs.utf_8_decode(view[at:end], "strict", True)
            at = end
    except UnicodeDecodeError:
        return False
    return True


def _blank(utf8: bytes) -> bool:
    """Whether UTF-8 bytes hold only white space (as `str.isspace` has it, or nothing), without
    decoding more of a big file than its first characters that are not ASCII white space."""
    found = re.search(rb"[^ \t\n\r\x0b\x0c\x1c-\x1f]", utf8)
    if found is None:
        return True
    near = utf8[found.start() : found.start() + 65536].decode("utf-8", errors="ignore")
    if near and not near.isspace():
        return False
    return utf8.decode("utf-8").isspace()  # (rare: other white space, such as U+3000, first)


def _head(utf8: bytes) -> str:
    """The beginning of a UTF-8 file as text: its first 51 lines and at least its first MiB (cut
    at a line end), what `sniff_delimiter` and the heading's reader look at; the whole file when
    it is shorter."""
    at = -1
    for _ in range(51):
        at = utf8.find(b"\n", at + 1)
        if at < 0:
            return utf8.decode("utf-8")
    if at < 1 << 20:
        at = utf8.find(b"\n", 1 << 20)
    return utf8.decode("utf-8") if at < 0 else utf8[: at + 1].decode("utf-8")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportError_("imp_cannot_decode") from None


def sniff_delimiter(text: str) -> str:
    # The first 50 lines; split only the head of a big file when it holds them all.
    lines = text[:65536].splitlines()
    if len(lines) <= 50 and len(text) > 65536:
        lines = text.splitlines()
    sample = "\n".join(lines[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(",;\t", key=first.count)


def _is_xlsx(data: bytes, name: str) -> bool:
    return data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        # Excel keeps a date as a moment at midnight: a date it is, so that a mapping may join it
        # with a time column ("2026-03-02" + "09:15"), and a date field reads it as such.
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


# An XLSX is a zip archive: a few hundred KB can expand to gigabytes of sheet XML, and openpyxl
# walks every row element a sheet holds, empty or not (2 M empty rows take half a minute). So the
# archive is measured before openpyxl opens it (`check_workbook`), and reading stops after the last
# row holding a value.

MB = 1024 * 1024
_CHUNK = MB
_LONGEST_TAG = 4 * MB  # no element of a sheet (a 32,767-character cell at most) comes near it


def check_workbook(data: bytes) -> int:
    """The number of the first sheet's last row with a value, once the workbook is known to keep
    within `CSDATA_XLSX_MAX_MB` and `CSDATA_XLSX_MAX_ROWS`; ImportError_ otherwise, before
    openpyxl reads anything.

    Size: the uncompressed sizes the archive declares for its parts, and the sheet's real size
    while it is decompressed in chunks (zipfile never returns more than a part declares, and a
    part that holds more fails its CRC check: damaged).
    Rows: counted up to the last row holding a value (`<v>` or `<is>`), as openpyxl numbers them
    (`r`, else one more than the row before); the `<dimension>` a sheet claims is not used. Empty
    rows after it cost one pass over the bytes and are not read, so the row after it must be
    numbered higher (as Excel always writes it) or openpyxl would not stop there.
    """
    limits = settings()
    max_bytes, max_rows = limits.xlsx_max_mb * MB, limits.xlsx_max_rows

    def too_big(size: int) -> ImportError_:
        return ImportError_("imp_xlsx_too_big", size=math.ceil(size / MB * 10) / 10, limit=limits.xlsx_max_mb)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(i.file_size for i in archive.infolist())
            if declared > max_bytes:
                raise too_big(declared)
            sheet = _first_sheet(archive)
            others = declared - archive.getinfo(sheet).file_size
            rows = _RowScan()
            with archive.open(sheet) as stream:
                read, tail = 0, b""
                while chunk := stream.read(_CHUNK):
                    read += len(chunk)
                    if others + read > max_bytes:
                        raise too_big(others + read)
                    buf = tail + chunk
                    cut = max(buf.rfind(b"<"), 0)  # no element holds a "<": none is cut in two
                    if cut == 0 and len(buf) > _LONGEST_TAG:
                        raise ImportError_("imp_bad_xlsx")
                    rows.feed(buf[:cut])
                    tail = buf[cut:]
                    if rows.rows > max_rows:
                        raise ImportError_("imp_xlsx_too_many_rows", rows=rows.rows, limit=max_rows)
                rows.feed(tail)
    except ImportError_:
        raise
    except Exception:  # not a zip, a damaged or encrypted part, no sheet: openpyxl would fail too
        raise ImportError_("imp_bad_xlsx") from None
    if rows.rows > max_rows:
        raise ImportError_("imp_xlsx_too_many_rows", rows=rows.rows, limit=max_rows)
    if rows.disordered:
        raise ImportError_("imp_bad_xlsx")
    return rows.last


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first worksheet, found as openpyxl finds it (the package's
    relationships name the workbook, the workbook's its sheets)."""
    book = _target(archive, "", "_rels/.rels", "/officeDocument")[0]
    folder, name = posixpath.split(book)
    sheets = dict(_target(archive, folder, f"{folder}/_rels/{name}.rels", "/worksheet", ids=True))
    for element in ElementTree.fromstring(archive.read(book)).iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            if rid in sheets and sheets[rid] in archive.NameToInfo:
                return sheets[rid]
    raise KeyError("no worksheet")


def _target(archive: zipfile.ZipFile, folder: str, rels: str, kind: str, ids: bool = False) -> list:
    """The parts a relationships part points to with a type ending in `kind`: their paths, or
    (id, path) pairs with `ids`."""
    found = []
    for element in ElementTree.fromstring(archive.read(rels)):
        if element.get("Type", "").endswith(kind):
            target = element.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found.append((element.get("Id"), path) if ids else path)
    if not found:
        raise KeyError(kind)
    return found


class _RowScan:
    """The rows of a sheet's XML, fed in pieces that end before a "<": how many row elements up
    to the last one holding a value (`elements`), its number (`last`), and whether the row after
    it is numbered lower (`disordered`). Only searches over each piece, never a Python step per
    row: millions of empty rows pass in a second."""

    def __init__(self) -> None:
        self.elements = self.last = 0
        self.disordered = False
        self._seen = 0  # row elements so far
        self._number = 0  # the number of the last row element so far
        self._check_next = False  # whether the next row element is the one after `last`
        self._tag = b""

    @property
    def rows(self) -> int:
        """The rows openpyxl walks up to the last one with a value: gaps between numbers count."""
        return max(self.last, self.elements)

    def feed(self, part: bytes) -> None:
        if not self._tag:
            found = re.search(rb"<((?:[\w.-]+:)?)row[\s/>]", part)
            if found is None:
                return
            prefix = found.group(1)
            self._tag, self._breaks = b"<" + prefix + b"row", b"<" + prefix + b"rowBreaks"
            self._values = (b"<" + prefix + b"v>", b"<" + prefix + b"is>")
            self._numbered = re.compile(
                rb"(?s:.*)<" + re.escape(prefix) + rb"row\b[^>]*?\sr\s*=\s*[\"'](\d+)"
            )
        before = self._number
        value = max(part.rfind(v) for v in self._values)
        if value >= 0:  # a value lies in the row that starts last before it (maybe in an earlier piece)
            self.elements = self._seen + self._count(part, 0, value)
            self.last = self._number_at(part, value, before)
            self._check_next, self.disordered = True, False
        if self._check_next:
            after = self._find_row(part, max(value, 0))
            if after >= 0:
                self._check_next = False
                self.disordered = self._number_at(part, part.find(b">", after) + 1, before) <= self.last
        self._seen += self._count(part, 0, len(part))
        self._number = self._number_at(part, len(part), before)

    def _count(self, part: bytes, begin: int, end: int) -> int:
        return part.count(self._tag, begin, end) - part.count(self._breaks, begin, end)

    def _find_row(self, part: bytes, begin: int) -> int:
        at = part.find(self._tag, begin)
        while at >= 0 and part.startswith(self._breaks, at):
            at = part.find(self._tag, at + 1)
        return at

    def _number_at(self, part: bytes, end: int, before: int) -> int:
        """The number of the last row element whose tag ends by `end` in `part` (`before`, the
        number of the last row element of earlier pieces, when none does)."""
        numbered = self._numbered.match(part, 0, end)
        if numbered is None:
            return before + self._count(part, 0, end)
        return int(numbered.group(1)) + self._count(part, numbered.end(), end)


def read_xlsx(data: bytes) -> pd.DataFrame:
    """The first sheet's rows as text cells (column `_row` first), within the limits
    `check_workbook` enforces before openpyxl is called."""
    from openpyxl import load_workbook

    last = check_workbook(data)
    if last == 0:
        raise ImportError_("imp_empty")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportError_("imp_bad_xlsx") from None
    header: list[str | None] | None = None
    body = []
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the sheet's <dimension> is a claim: rows are as wide as they are
        for number, row in enumerate(sheet.iter_rows(max_row=last, values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if not any(cells):
                continue
            if header is None:
                header = cells
            else:
                body.append([number, *cells])
    except Exception:
        raise ImportError_("imp_bad_xlsx") from None
    finally:
        book.close()
    if header is None:
        raise ImportError_("imp_empty")
    width = max([len(header), *(len(r) - 1 for r in body)])
    columns = [c or f"column{i + 1}" for i, c in enumerate(header + [None] * (width - len(header)))]
    body = [r + [None] * (width + 1 - len(r)) for r in body]
    return pd.DataFrame(body, columns=["_row", *columns], dtype=object)


@dataclass(eq=False)
class FileData:
    """A file read once (`read_file`), so that its headings, a preview, the import and its
    rejected rows do not read it again: a workbook's first sheet as text cells (`frame`, column
    `_row` first), or a text file's decoded text (`text`), or its own bytes when they are UTF-8
    already (`utf8`, `text` then left empty). `path`: where those UTF-8 bytes lie on disk as they
    are (a file given by its path), for DuckDB to read there rather than from a copy."""

    name: str
    sha256: str
    frame: pd.DataFrame | None = None
    text: str = ""
    utf8: bytes | None = None
    path: Path | None = None
    stamp: tuple[int, int] | None = None  # the size and modification time `path` had then

    @property
    def rows(self) -> int:
        """Rows, roughly: a workbook's rows with a value, a text file's lines."""
        if self.frame is not None:
            return len(self.frame)
        return self.utf8.count(b"\n") if self.utf8 is not None else self.text.count("\n")


def read_file(data: bytes, name: str, path: Path | None = None) -> FileData:
    """Step 1 for a file's bytes (read from `path`, when given); ImportError_ when they cannot
    be read."""
    sha = hashlib.sha256(data).hexdigest()
    if _is_xlsx(data, name):
        return FileData(name, sha, frame=read_xlsx(data))
    text, utf8 = _decode(data)
    if utf8 is None or path is None or not path.is_file():  # (a pipe, say: read once, copied)
        return FileData(name, sha, text=text, utf8=utf8)
    # DuckDB reads UTF-8 as it is (a byte-order mark skipped): a file on disk needs no copy
    return FileData(name, sha, text=text, utf8=utf8, path=path, stamp=_stamp(path, len(data), name))


def _stamp(path: Path, size: int, name: str) -> tuple[int, int]:
    """The size and modification time of the file at `path`, whose bytes read were `size` long;
    ImportError_ when it is no longer that long (still being written)."""
    try:
        found = path.stat()
    except OSError:
        found = None
    if found is None or found.st_size != size:
        raise ImportError_("imp_file_changed", name=name)
    return found.st_size, found.st_mtime_ns


class Table:
    """A file's rows in a DuckDB temp table `_raw` of an import's stage `wh`
    (`csdata.store.stage`; column `_row`: the row number the user sees,
    the header being row 1). `data` is a file's bytes, the file as `read_file` read it, or a
    DataFrame of rows (a form's row, say) whose cells are turned into text like a file's.

    The cells are text, except with `lazy` for a text file: then only its headings are read
    (`columns`), and `load(types)` reads its rows once the mapping has said which columns hold
    dates, times and numbers, those columns already typed by DuckDB's reader when every cell of
    them reads so (`typed`; else all of them as text, as without `lazy`). The text of any rows
    is then read again from the file (`text_rows`). DuckDB reads a UTF-8 file given by its path
    where it lies (`read_file(..., path)`; `unchanged` says whether it still is as it was read),
    any other text from a copy in UTF-8 that `close` removes."""

    def __init__(self, wh, data: bytes | FileData | pd.DataFrame, name: str, *, lazy: bool = False) -> None:
        self.wh = wh
        self.name = name
        self.typed: dict[str, str] = {}  # file column -> the type `_raw` holds it in
        self.text_rows = "_raw"  # SQL of the rows as text cells
        self._path: str | None = None  # the file DuckDB reads
        # a file read in place: its size and time then; None: `_path` is a copy (`close` removes it)
        self._stamp: tuple[int, int] | None = None
        self._loaded = False
        cur = wh.cursor()
        cur.execute("DROP TABLE IF EXISTS _raw")
        self.sha256: str | None = None  # a file's, as `read_file` found it (None for a frame)
        try:
            if isinstance(data, pd.DataFrame):
                frame = data.map(_cell_text).astype(object)
                frame.insert(0, "_row", range(2, len(frame) + 2))
                self._from_frame(cur, frame)
            else:
                read = data if isinstance(data, FileData) else read_file(data, name)
                self.sha256 = read.sha256
                if read.frame is not None:
                    self._from_frame(cur, read.frame)
                else:
                    self._stamp = read.stamp
                    self._read_text(cur, read.text, read.utf8, lazy, read.path)
            if self._loaded:
                self.columns = [
                    c for c in wh.column("SELECT name FROM pragma_table_info('_raw')") if c != "_row"
                ]
            if not self.columns:
                raise ImportError_("imp_empty")
        except BaseException:
            self.close()
            raise

    def _from_frame(self, cur, frame: pd.DataFrame) -> None:
        cur.register("_frame", frame)
        try:
            cur.execute("CREATE TEMP TABLE _raw AS SELECT * FROM _frame")
        finally:
            cur.unregister("_frame")
        self._loaded = True

    def _read_text(self, cur, text: str, utf8: bytes | None, lazy: bool, path: Path | None) -> None:
        if utf8 is not None:  # the file's bytes are UTF-8: only its beginning is needed as text
            if _blank(utf8):
                raise ImportError_("imp_empty")
            text = _head(utf8)
        elif not text or text.isspace():
            raise ImportError_("imp_empty")
        self._delimiter = delimiter = sniff_delimiter(text)
        self._head = text
        # DuckDB reads files: hand it the text as UTF-8 (the file's own bytes when they are: the
        # file itself when it lies on disk, else a copy of them made here).
        if path is not None:
            self._path = str(path)
        else:
            fd, self._path = tempfile.mkstemp(suffix=".csv")
            with os.fdopen(fd, "wb") as out:
                out.write(text.encode("utf-8") if utf8 is None else utf8)
        if lazy and not self._headless(text, delimiter):
            try:
                found = cur.execute(f"DESCRIBE SELECT * FROM {self._reading()}").fetchall()
                self.columns = [r[0] for r in found]
                self.text_rows = f"(SELECT row_number() OVER () + 1 AS _row, * FROM {self._reading()})"
                return
            except Exception:  # read it whole, which says why it cannot be
                pass
        self.load({})

    def _reading(self, types: dict[str, str] | None = None, parallel: bool = False) -> str:
        """`read_csv` of the file: every cell as text, or with `types` (file column -> type) the
        columns given so typed (dates and times in ISO form only), and every other one text; with
        `parallel`, by DuckDB's reader on every core (see `_create_raw`)."""
        common = (
            f"{literal(self._path)}, delim = {literal(self._delimiter)}, quote = '\"', escape = '\"', "
            "header = true, null_padding = true, strict_mode = false, compression = 'none', "
            f"parallel = {str(parallel).lower()}"
        )
        if not types:
            return f"read_csv({common}, all_varchar = true, sample_size = -1)"
        columns = ", ".join(f"{literal(c)}: {literal(types.get(c, 'VARCHAR'))}" for c in self.columns)
        return (
            f"read_csv({common}, columns = {{{columns}}}, "
            "timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d')"
        )

    def _create_raw(self, cur, types: dict[str, str] | None) -> None:
        """`_raw` from the file read with `types`, its column `_row` numbered in the file's order.

        DuckDB's parallel reader keeps a file's order in the table it makes (its `rowid`; the
        default `preserve_insertion_order`), so the rows are numbered from that, on both cores.
        With null_padding it refuses a line break inside a quoted cell (a comment typed with
        Alt+Enter in Excel) and says so: then the file is read again by the serial reader."""
        try:
            cur.execute(f"CREATE TEMP TABLE _raw AS SELECT * FROM {self._reading(types, parallel=True)}")
        except Exception as exc:
            cur.execute("DROP TABLE IF EXISTS _raw")
            if "parallel" not in str(exc):  # a cell or line no reader takes
                raise
            cur.execute(f"CREATE TEMP TABLE _raw AS SELECT * FROM {self._reading(types)}")
        cur.execute("ALTER TABLE _raw ADD COLUMN _row BIGINT")
        cur.execute("UPDATE _raw SET _row = rowid + 2")

    def load(self, types: dict[str, str]) -> None:
        """Read a lazy table's rows into `_raw`: the columns of `types` typed so when every cell
        of them reads as such, else (or without `types`) all of them as text."""
        if self._loaded:
            return
        cur = self.wh.cursor()
        if types:
            try:
                self._create_raw(cur, types)
                self.typed, self._loaded = dict(types), True
                return
            except Exception:  # a cell that does not read so (or a file DuckDB cannot read): as text
                cur.execute("DROP TABLE IF EXISTS _raw")
        try:
            self._create_raw(cur, None)
        except Exception as exc:  # duckdb's parser errors name the line; keep that part
            detail = str(exc).splitlines()[0].replace(self._path or "", self.name)[:200]
            raise ImportError_("imp_unreadable", detail=detail) from None
        self.text_rows, self._loaded = "_raw", True
        self._drop_trailing(cur, self._head, self._delimiter)

    @property
    def rows(self) -> int:
        """The rows of the file (those of a lazy table once loaded)."""
        return self.wh.scalar("SELECT count(*) FROM _raw")

    def unchanged(self) -> None:
        """ImportError_ when a file read in place has changed on disk since its bytes were read
        and checked (an export still writing it): DuckDB's rows might not be those bytes."""
        if self._stamp is None or self._path is None:
            return
        if _stamp(Path(self._path), self._stamp[0], self.name) != self._stamp:
            raise ImportError_("imp_file_changed", name=self.name)

    def close(self) -> None:
        """Remove the copy DuckDB read the text from, if one was made (the rows in `_raw` stay
        until dropped)."""
        if self._path is not None and self._stamp is None:
            Path(self._path).unlink(missing_ok=True)
        self._path = None

    @staticmethod
    def _headless(text: str, delimiter: str) -> bool:
        """Whether a heading of the file is blank (see `_drop_trailing`)."""
        try:
            header = next(csv.reader(io.StringIO(text[: 1 << 20], newline=""), delimiter=delimiter), [])
        except csv.Error:
            return True
        return any(not h.strip("\ufeff ") for h in header)

    @staticmethod
    def _drop_trailing(cur, text: str, delimiter: str) -> None:
        """Lines that end with a delimiter (as some telephony exports write every line) make a
        column with no heading and no value: no column of the file, so it is dropped."""
        try:  # newline="" lets the reader take CR, LF and CRLF line ends alike
            header = next(csv.reader(io.StringIO(text[: 1 << 20], newline=""), delimiter=delimiter), [])
        except csv.Error:  # not a table the reader understands: nothing to drop, DuckDB will say why
            return
        names = [n for (n,) in cur.execute("SELECT name FROM pragma_table_info('_raw')").fetchall()]
        for name, heading in zip([n for n in names if n != "_row"], header, strict=False):
            empty = f"SELECT count({ident(name)}) = 0 FROM _raw"
            if not heading.strip("\ufeff ") and cur.execute(empty).fetchone()[0]:
                cur.execute(f"ALTER TABLE _raw DROP COLUMN {ident(name)}")


# -- 2. mapping --------------------------------------------------------------------------------


def _norm(header: str) -> str:
    return "".join(ch for ch in str(header).strip().lower() if ch not in " _-/()（）:：\ufeff")


class Mapping(BaseModel):
    """How a file's columns become canonical columns (saved as TOML, reused with --mapping).

    - `columns`: canonical column -> file column
    - `combine`: canonical column -> [date column, time column], joined with a space; blank
      when any of them is blank
    - `constants`: canonical column -> value for every row (e.g. the channel, the client)
    - `values`: canonical column -> {file value: canonical value}
    """

    kind: (
        Literal[
            "tickets", "audits", "training", "appraisals", "employees",
            "clients", "departments", "teams", "pay_grades", "courses", "periods", "bonuses",
            "actions", "coaching", "requisitions", "candidates",
        ]
        | None
    ) = None  # fmt: skip
    columns: dict[str, str] = Field(default_factory=dict)
    combine: dict[str, list[str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        try:
            return cls.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise ImportError_("imp_bad_mapping", detail=str(exc).splitlines()[0][:200]) from None

    def to_toml(self) -> str:
        def q(v: str) -> str:
            return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

        lines = [f"kind = {q(self.kind)}", ""] if self.kind else []
        for section in ("columns", "constants"):
            items = getattr(self, section)
            if items:
                lines += [f"[{section}]", *(f"{k} = {q(v)}" for k, v in items.items()), ""]
        if self.combine:
            lines += [
                "[combine]",
                *(f"{k} = [{', '.join(q(c) for c in v)}]" for k, v in self.combine.items()),
                "",
            ]
        for column, table in self.values.items():
            lines += [f"[values.{column}]", *(f"{q(k)} = {q(v)}" for k, v in table.items()), ""]
        return "\n".join(lines)


def record_model(kind: str, policy: Policy | History) -> type[Row]:
    """The row model a file of `kind` is checked with. Under a `History`, an audit file may carry
    the criteria of every version (each row is scored under the version in force on its date, and
    a score for a criterion that version lacks is rejected: see `check`), and an appraisal file the
    indicators of every version, those not in every version optional (required by a row's own
    version: see `check`)."""
    if not isinstance(policy, History):
        return model_for(kind, policy)
    if kind == "audits":
        return audit_model(policy.items(kind))
    if kind == "appraisals":
        items = policy.items(kind)
        everywhere = set.intersection(
            *({i.key for i in p.appraisal.indicators} for p in policy.in_use_policies())
        )
        return appraisal_model(items, frozenset(i.key for i in items if i.key not in everywhere))
    return KINDS[kind]


def header_names(kind: str, policy: Policy | History) -> dict[str, str]:
    """Normalised header -> canonical column, for automatic mapping: a column's name, its Chinese
    names, and a criterion's or indicator's key or either of its names."""
    model = record_model(kind, policy)
    names: dict[str, str] = {}
    for column in [*model.columns(), *model.ALIASES]:
        names[_norm(column)] = column
        for alias in model.ALIASES.get(column, ()):
            names[_norm(alias)] = column
    return names


def auto_mapping(
    kind: str, file_columns: list[str], policy: Policy | History
) -> tuple[Mapping, list[str], list[str]]:
    """Map by header names; returns the mapping, the personal-data columns and the unused ones."""
    names = header_names(kind, policy)
    personal = {_norm(p) for p in PERSONAL}
    endings = tuple(_norm(p) for p in PERSONAL_ENDINGS)
    columns: dict[str, str] = {}
    dropped, ignored = [], []
    for col in file_columns:
        key = _norm(col)
        canonical = names.get(key)
        if canonical and canonical not in columns:
            columns[canonical] = col
        elif key in personal or key.endswith(endings):
            dropped.append(col)
        else:
            ignored.append(col)
    return Mapping(kind=kind, columns=columns), dropped, ignored


# -- 3. checking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # text, choice, bool, int, number, date, datetime
    required: bool
    choices: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    duration: bool = False
    default: object = None  # the model's default, used when the cell is blank


def _fields(model: type[Row]) -> list[_Field]:
    """The model's fields as the checker sees them."""
    out = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        choices: tuple[str, ...] = ()
        if typing.get_origin(annotation) is Literal:
            kind_, choices = "choice", tuple(typing.get_args(annotation))
        else:
            kind_ = {bool: "bool", int: "int", float: "number", Decimal: "number", dt.datetime: "datetime",
                     dt.date: "date"}.get(annotation, "text")  # fmt: skip
        ge = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        le = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        if annotation is Decimal and le is None:  # stored as DECIMAL(12, 2)
            le = 9_999_999_999.99
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        default = None if info.is_required() else info.default
        out.append(
            _Field(name, kind_, info.is_required(), choices, ge, le, bool(extra.get("duration")), default)
        )
    return out


def _cell_sql(column: str) -> str:
    """A text cell without the spaces around it (those `trim` removes: the Unicode space
    separators), NULL when blank. `trim` makes a new string of every cell, a good part of the
    cost of typing a big file; a cell of ASCII characters only (as many bytes as characters) that
    neither starts nor ends with a space has nothing to trim and is taken as it is."""
    return (
        f"(CASE WHEN strlen({column}) = length({column}) AND NOT prefix({column}, ' ')"
        f" AND NOT suffix({column}, ' ') THEN nullif({column}, '') ELSE nullif(trim({column}), '') END)"
    )


def _source_sql(mapping: Mapping, field_name: str) -> str | None:
    """The text expression of one canonical column over `_raw`, or None when the file lacks it."""
    if field_name in mapping.constants:
        expr = literal(mapping.constants[field_name])
    elif field_name in mapping.combine:
        # A blank part makes the whole value blank: a date whose time is blank (a call nobody
        # answered) is no moment at all, never that day's midnight. `||` gives NULL if any part
        # is NULL, and `nullif` turns each blank part into NULL.
        parts = [_cell_sql(ident(c)) for c in mapping.combine[field_name]]
        expr = "(" + " || ' ' || ".join(parts) + ")"
    elif field_name in mapping.columns:
        expr = _cell_sql(ident(mapping.columns[field_name]))
    else:
        return None
    table = mapping.values.get(field_name)
    if table:
        # A word translated to a blank is blank (unknown), as a blank cell is.
        cases = " ".join(
            f"WHEN {literal(k)} THEN {literal(v.strip()) if v.strip() else 'NULL'}" for k, v in table.items()
        )
        expr = f"(CASE {expr} {cases} ELSE {expr} END)"
    return expr


# 2026-03-02, 2026-03-02 09:00 or 2026-03-02 09:00:05: what `DATE_FORMATS` and `TIME_SUFFIXES`
# read as '%Y-%m-%d', '%Y-%m-%d %H:%M' and '%Y-%m-%d %H:%M:%S', and a cast reads the same.
_ISO_TIME = "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?"


def _typed_sql(f: _Field, text: str, day_first: bool) -> str:
    """SQL turning the text `text` into the field's type; NULL when it cannot."""
    if f.kind == "choice":
        words = {**{c: c for c in f.choices}, **{k: v for k, v in CHOICE_WORDS.items() if v in f.choices}}
        cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in words.items())
        return f"(CASE lower({text}) {cases} END)"
    if f.kind == "bool":
        trues = ", ".join(literal(w) for w in TRUE_WORDS)
        falses = ", ".join(literal(w) for w in FALSE_WORDS)
        return f"(CASE WHEN lower({text}) IN ({trues}) THEN TRUE WHEN lower({text}) IN ({falses}) THEN FALSE END)"
    if f.kind in ("int", "number"):
        parsed = f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)"
        number = f"(CASE WHEN isfinite({parsed}) THEN {parsed} END)"
        if f.duration:
            clock = (
                f"(CASE WHEN {text} SIMILAR TO '[0-9]+:[0-9]{{1,2}}(:[0-9]{{1,2}}(\\.[0-9]+)?)?' THEN "
                f"list_reduce(list_transform(string_split({text}, ':'), lambda x: TRY_CAST(x AS DOUBLE)), "
                "lambda a, b: a * 60 + b) END)"
            )
            number = f"coalesce({number}, {clock})"
        if f.kind == "int":
            return f"(CASE WHEN {number} = round({number}) THEN TRY_CAST({number} AS BIGINT) END)"
        return number
    if f.kind in ("date", "datetime"):
        dates = DAY_FIRST_FORMATS + DATE_FORMATS if day_first else DATE_FORMATS
        formats = dates + [d + s for d in dates for s in TIME_SUFFIXES]
        listed = f"try_strptime({text}, [{', '.join(literal(x) for x in formats)}])"
        # The usual ISO text straight to a timestamp: trying the list of formats one by one costs
        # some fifteen times more (3.4 s against 0.22 s a million cells), for the same value.
        parsed = f"(CASE WHEN regexp_full_match({text}, '{_ISO_TIME}') THEN TRY_CAST({text} AS TIMESTAMP) ELSE {listed} END)"
        return f"CAST({parsed} AS DATE)" if f.kind == "date" else parsed
    return text


def _read_sql(f: _Field, column: str) -> str:
    """`_typed_sql` of a cell DuckDB's reader typed already (`_typed_reads`): the same value."""
    if f.kind not in ("int", "number"):
        return column
    number = f"(CASE WHEN isfinite({column}) THEN {column} END)"
    return (
        number
        if f.kind == "number"
        else f"(CASE WHEN {number} = round({number}) THEN TRY_CAST({number} AS BIGINT) END)"
    )


# The types DuckDB's reader gives a field's column (`_typed_reads`): for the cells it reads at all,
# the value `_typed_sql` gives their text (checked against it cell for cell: see tests).
_READ_TYPES = {"datetime": "TIMESTAMP", "date": "DATE", "number": "DOUBLE", "int": "DOUBLE"}


def _typed_reads(
    kind: str, mapping: Mapping, history: History, day_first: bool
) -> dict[str, tuple[str, str]]:
    """Field -> (file column, type) for the fields whose column DuckDB's reader may type as the
    file is read (`Table.load`), instead of the checks typing its text: dates, times and numbers
    taken from one column each as they are. A file read day first, a ticket file whose ids are
    made from its text (`_row_hash_sql`) and a value made from other cells' text (`_FILLED`) keep
    every cell text."""
    if day_first or (kind == "tickets" and _source_sql(mapping, "ticket_id") is None):
        return {}
    filled = {n for sql in _FILLED.get(kind, {}).values() for n in re.findall(r"{(\w+)}", sql)}
    uses: dict[str, int] = {}
    for column in [*mapping.columns.values(), *(c for cols in mapping.combine.values() for c in cols)]:
        uses[column] = uses.get(column, 0) + 1
    out = {}
    for f in _fields(record_model(kind, history)):
        column = mapping.columns.get(f.name)
        if (
            column is None
            or f.kind not in _READ_TYPES
            or f.name in mapping.constants
            or f.name in mapping.combine
            or mapping.values.get(f.name)
            or f.name in filled
            or uses[column] > 1
        ):
            continue
        out[f.name] = (column, _READ_TYPES[f.kind])
    return out


_TYPE_PROBLEM = {
    "choice": "imp_choice",
    "bool": "imp_bool",
    "int": "imp_int",
    "number": "imp_number",
    "date": "imp_date",
    "datetime": "imp_datetime",
}
# A date written day first (31-12-2026) when the import does not read dates so.
_DAY_FIRST_PROBLEM = {"date": "imp_date_day_first", "datetime": "imp_datetime_day_first"}


@dataclass
class Checked:
    kind: str
    fields: list[str]
    rejects: list[Reject]
    rejected_rows: int
    rows: int
    sourced: list[str] = field(default_factory=list)  # the fields the file gives (not left blank)
    texts: list[str] = field(default_factory=list)  # the columns of `_typed` only the checks read


def _references(kind: str) -> list[tuple[str, str, str]]:
    """(column, table, key column) each value must exist in."""
    clients = ("client", "clients", "name")
    people = {
        "tickets": [clients, ("agent_id", "employees", "employee_id"), ("team", "teams", "name")],
        "audits": [
            clients,
            ("agent_id", "employees", "employee_id"),
            ("auditor_id", "employees", "employee_id"),
        ],
        "training": [("employee_id", "employees", "employee_id")],
        "bonuses": [("employee_id", "employees", "employee_id")],
        "actions": [
            ("audit_id", "audits", "audit_id"),
            ("employee_id", "employees", "employee_id"),
            ("owner_id", "employees", "employee_id"),
        ],
        "coaching": [
            ("audit_id", "audits", "audit_id"),
            ("employee_id", "employees", "employee_id"),
            ("coach_id", "employees", "employee_id"),
            ("period", "appraisal_periods", "period"),
        ],
        "appraisals": [
            ("employee_id", "employees", "employee_id"),
            ("period", "appraisal_periods", "period"),
        ],
        "employees": [
            clients,
            ("department", "departments", "name"),
            ("team", "teams", "name"),
            ("grade", "pay_grades", "grade"),
        ],
        "teams": [clients, ("department", "departments", "name")],
        "requisitions": [clients, ("team", "teams", "name"), ("grade", "pay_grades", "grade")],
        "candidates": [("requisition_id", "requisitions", "requisition_id")],
    }
    return people.get(kind, [])


# The tables an import's checks read whole, copied into a PostgreSQL warehouse's stage
# (`csdata.store.stage`): the master data, small beside the facts.
STAGED = (
    "clients", "departments", "teams", "employees", "pay_grades", "appraisal_periods", "requisitions",
    "candidates",
)  # fmt: skip
# Of the large tables, the rows the checks read: (table, column, the file's values of it).
_SLICES = {
    "tickets": [("tickets", "ticket_id", "SELECT DISTINCT ticket_id_v FROM _typed")],
    "audits": [("audits", "ticket_id", "SELECT DISTINCT ticket_id_v FROM _typed")],
    "actions": [("audits", "audit_id", "SELECT DISTINCT audit_id_v FROM _typed")],
    "coaching": [("audits", "audit_id", "SELECT DISTINCT audit_id_v FROM _typed")],
}


# Referenced tables whose missing entry a reject names with how to create it (`imp_ref_missing_*`):
# the master data a company sets up by import (see `csdata.records.models.MASTER_KINDS`).
MISSING = ("clients", "departments", "pay_grades", "appraisal_periods")


def _missing_key(table: str) -> str:
    """The reason a row naming an entry `table` lacks is rejected with."""
    return family_key("imp_ref_missing_", table) if table in MISSING else text_key("imp_unknown_ref")


# Record kind -> the column naming the person a row is about (what a supervisor's scope limits).
_PERSON = {
    "tickets": "agent_id",
    "audits": "agent_id",
    "training": "employee_id",
    "appraisals": "employee_id",
    "employees": "employee_id",
    "bonuses": "employee_id",
    "actions": "employee_id",
    "coaching": "employee_id",
}


def check(
    wh,
    kind: str,
    mapping: Mapping,
    history: History,
    *,
    day_first: bool = False,
    create_missing: bool = False,
    allowed_agents: list[str] | None = None,
    allowed_clients: list[str] | None = None,
    allowed_teams: list[str] | None = None,
    window: tuple[dt.date, dt.date] | None = None,
    typed: dict[str, str] | None = None,
    text_rows: str = "_raw",
) -> Checked:
    """Type and check `_raw` into the temp table `_typed` (`<col>_v` typed, `_ok`; `_has_<col>`,
    whether the cell was given, and for rejected rows `<col>`, the text, when typing changes it)
    and `_rejects` (row, column, reason key, value, params).

    `allowed_agents` / `allowed_clients`, when given, limit the rows to those people and clients
    (a supervisor's own teams): a row naming anyone or any client else is rejected;
    `allowed_teams` limits a ticket's team (queue) likewise, and a ticket whose team is blank and
    cannot be told from its agent or client is rejected then, since it would land outside every
    one of those teams. A blank column of `_FILLED` takes its value from the warehouse. Every date
    and time must fall within `window` (first day, last day; by default `date_window()`).

    `typed` names the columns `_raw` holds typed already (`Table.load`: those `_typed_reads`
    asked for, when every cell read so), and `text_rows` is where the rows' text is read from."""
    first_day, last_day = window or date_window()
    model = record_model(kind, history)
    fields = _fields(model)
    sources = {f.name: _source_sql(mapping, f.name) for f in fields}
    if kind == "tickets" and sources["ticket_id"] is None:
        # No ids in the file: a stable hash of the row's content, so importing again adds nothing.
        # A column the file lacks and that came after the first format (the team) is left out,
        # so a file imported before it still hashes to the ids it was given then.
        hashed = [
            f.name for f in fields if f.name not in ("ticket_id", "team") or sources[f.name] is not None
        ]
        hashed += [s for s, _ in _ALTERNATES["tickets"].values() if _source_sql(mapping, s) is not None]
        sources["ticket_id"] = _row_hash_sql(mapping, hashed)
    alternates = {
        name: (_source_sql(mapping, seconds), base)
        for name, (seconds, base) in _ALTERNATES.get(kind, {}).items()
        if sources.get(name) is None and _source_sql(mapping, seconds) is not None
    }
    missing = [f.name for f in fields if f.required and sources[f.name] is None]
    if missing:
        raise ImportError_("imp_missing_columns", columns=", ".join(missing))

    by_name = {f.name: f for f in fields}
    qualified = {n: "_text." + ident(n) for n in by_name}
    # The fields whose column `_raw` holds typed: their value is the reader's, their text only
    # what the checks' messages read back.
    reads = {
        name: column
        for name, (column, sql_type) in _typed_reads(kind, mapping, history, day_first).items()
        if (typed or {}).get(column) == sql_type
    }

    def typed_sql(f: _Field, column: str) -> str:
        return _typed_sql(f, column, day_first) if f.name not in reads else _read_sql(f, column)

    text_cols = [
        f"{ident(reads[f.name]) if f.name in reads else sources[f.name] or 'CAST(NULL AS VARCHAR)'} AS {ident(f.name)}"
        for f in fields
    ]
    typed_cols = []
    text: dict[str, str] = {}  # the column of `_typed` a field's text is read from
    for f in fields:
        typed = typed_sql(f, ident(f.name))
        if f.name in alternates:
            base = alternates[f.name][1]
            seconds = _typed_sql(_Field("_", "number", False, duration=True), ident("_alt_" + f.name), False)
            start = typed_sql(by_name[base], ident(base))
            typed = f"{start} + to_microseconds(CAST(round({seconds} * 1e6) AS BIGINT))"
        if f.name in _FILLED.get(kind, {}):
            typed = _FILLED[kind][f.name].format(**qualified)
        if f.default is not None:
            default = str(f.default).upper() if isinstance(f.default, bool) else literal(f.default)
            typed = (
                f"(CASE WHEN {ident(f.name)} IS NULL THEN CAST({default} AS {_sql_type(f)}) ELSE {typed} END)"
            )
        typed_cols.append(f"{typed} AS {ident(f.name + '_v')}")
        # Where typing leaves the text as it is (ids, names, comments), the typed column is the
        # text: a second copy would only make the largest table of an import larger.
        text[f.name] = (
            ident(f.name + "_v") if typed == ident(f.name) and f.name not in reads else ident(f.name)
        )
    kept_text = [name for name, column in text.items() if column == ident(name)]
    cur = wh.cursor()
    for table in ("_typed", "_rejects", "_suspects"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    # Text first, then types over the text (a typed column may read another column's text). Of
    # the text only whether each cell was given is kept (`_has_<field>`, for the checks' conditions):
    # copies of millions of cells would double the largest table of an import, and most files
    # have no rejected row whose message needs them (see below).
    alt_cols = "".join(f", {expr} AS {ident('_alt_' + name)}" for name, (expr, _) in alternates.items())
    inner = f"SELECT _row, {', '.join(text_cols)}{alt_cols} FROM _raw"
    given = [f"{ident(name)} IS NOT NULL AS {ident('_has_' + name)}" for name in kept_text]
    cur.execute(
        f"CREATE TEMP TABLE _typed AS SELECT _row, {''.join(c + ', ' for c in given)}"
        f"{', '.join(typed_cols)}, TRUE AS _ok FROM ({inner}) _text "
        + " ".join(j.format(**qualified) for j in _LOOKUPS.get(kind, []))
    )
    if text_rows != "_raw":  # the rows' text comes from elsewhere: the file's table is read no more
        cur.execute("DROP TABLE _raw")
    for table, column, keys in _SLICES.get(kind, []):  # (a stage's copies of stored rows the checks read)
        bring(wh, table, column, keys)

    def problems_over(text: dict[str, str]) -> str:
        """The union of every check's rejects, the file's text cells read from `text`."""
        problems: list[str] = []
        for f in fields:
            raw, val = text[f.name], ident(f.name + "_v")
            if f.required:
                problems.append(_problem(f.name, f"{val} IS NULL AND {raw} IS NULL", "imp_required", raw))
            if f.kind in _TYPE_PROBLEM:
                params = {"choices": ", ".join(f.choices)} if f.kind == "choice" else {}
                bad = f"{raw} IS NOT NULL AND {val} IS NULL"
                key = _TYPE_PROBLEM[f.kind]
                if f.kind in ("date", "datetime") and not day_first:
                    # 01-06-2023 is never guessed at; the reason says how it would be read.
                    readable = f"{_typed_sql(f, raw, True)} IS NOT NULL"
                    problems.append(
                        _problem(f.name, f"{bad} AND {readable}", _DAY_FIRST_PROBLEM[f.kind], raw)
                    )
                    bad = f"{bad} AND NOT {readable}"
                problems.append(_problem(f.name, bad, key, raw, params))
            if f.ge is not None:
                problems.append(_problem(f.name, f"{val} < {f.ge}", "imp_at_least", raw, {"n": _num(f.ge)}))
            if f.le is not None:
                problems.append(_problem(f.name, f"{val} > {f.le}", "imp_at_most", raw, {"n": _num(f.le)}))
            if f.kind in ("date", "datetime"):
                outside = f"CAST({val} AS DATE) NOT BETWEEN DATE '{first_day}' AND DATE '{last_day}'"
                span = {"first": str(first_day), "last": str(last_day)}
                problems.append(_problem(f.name, outside, "imp_date_window", raw, span))
        for rule in model.RULES:
            condition = rule.sql
            for f in fields:
                condition = _replace_word(condition, f.name, ident(f.name + "_v"))
            # The value the rejected one was compared with, as the file gives it.
            against = {"against": text[rule.against]} if rule.against else None
            problems.append(
                _problem(
                    rule.column,
                    f"NOT coalesce({condition}, TRUE)",
                    rule.key,
                    text[rule.column],
                    {"field": rule.column},
                    against,
                )
            )
        problems += _item_problems(kind, history, model, text)
        keys = [ident(k + "_v") for k in model.KEY]
        problems.append(
            f"SELECT _row, {literal(model.KEY[0])} AS col, 'imp_duplicate_in_file' AS key, "
            f"CAST({keys[0]} AS VARCHAR) AS value, NULL AS params FROM ("
            f"SELECT _row, {', '.join(keys)}, row_number() OVER (PARTITION BY {', '.join(keys)} ORDER BY _row) AS n "
            f"FROM _typed WHERE {' AND '.join(k + ' IS NOT NULL' for k in keys)}) WHERE n > 1"
        )
        if kind == "tickets":
            # Ticket ids are one namespace: another client's ticket 1 is not this one, and a row
            # taken for it would be skipped as already present (or, re-keyed, stored over it).
            other = (
                'EXISTS (SELECT 1 FROM tickets x WHERE x.ticket_id = "ticket_id_v"'
                ' AND x.client IS DISTINCT FROM "client_v")'
            )
            problems.append(_problem("ticket_id", other, "imp_id_other_client", '"ticket_id_v"'))
        if kind == "audits":
            problems += _calibration_problems(text)
        if kind == "requisitions":
            team, team_v, client_v = text["team"], ident("team_v"), ident("client_v")
            other = f"{team_v} IN (SELECT name FROM teams WHERE client IS DISTINCT FROM {client_v})"
            problems.append(_problem("team", other, "recruit_team_other_client", team))
        if kind == "candidates":
            problems += _candidate_problems(text, allowed_clients)
        if kind in ("actions", "coaching"):
            # An action opened by an audit's finding, or coaching about an audit, is for the person
            # that audit was about.
            other = (
                '"audit_id_v" IS NOT NULL AND EXISTS (SELECT 1 FROM audits x WHERE x.audit_id = "audit_id_v"'
                ' AND x.agent_id IS DISTINCT FROM "employee_id_v")'
            )
            agent = {"agent": '(SELECT x.agent_id FROM audits x WHERE x.audit_id = "audit_id_v")'}
            problems.append(
                _problem("employee_id", other, "imp_audit_not_theirs", text["employee_id"], {}, agent)
            )
        if kind == "appraisals":
            # A closed period's appraisals are locked: HR reopens the period (with a reason) first.
            period = ident("period_v")
            closed = f"{period} IN (SELECT period FROM appraisal_periods WHERE status = 'closed')"
            problems.append(_problem("period", closed, "imp_period_closed", period, {}, {"value": period}))
        if not create_missing:
            for column, table, key in _references(kind):
                if sources.get(column) is None:
                    continue
                val = ident(column + "_v")
                unknown = f"{val} IS NOT NULL AND {val} NOT IN (SELECT {key} FROM {table})"
                problems.append(_problem(column, unknown, _missing_key(table), val, {}, {"value": val}))
        if kind == "tickets":
            team, team_v, client_v = text["team"], ident("team_v"), ident("client_v")
            other = f"{team} IS NOT NULL AND {team_v} IN (SELECT name FROM teams WHERE client <> {client_v})"
            problems.append(_problem("team", other, "imp_team_other_client", team))
            if allowed_teams is not None:
                # Only a team given can be another's: one told from an agent or client in scope is in it.
                listed = "CAST([" + ", ".join(literal(a) for a in allowed_teams) + "] AS VARCHAR[])"
                outside = f"{team} IS NOT NULL AND NOT list_contains({listed}, {team_v})"
                problems.append(_problem("team", outside, "imp_team_out_of_scope", team))
                problems.append(_problem("team", f"{team_v} IS NULL", "imp_team_needed", team))
        for column, allowed, key in (
            (_PERSON.get(kind), allowed_agents, text_key("imp_agent_out_of_scope")),
            ("client", allowed_clients, text_key("imp_client_out_of_scope")),
        ):
            if allowed is None or column not in by_name:
                continue
            val = ident(column + "_v")
            listed = "CAST([" + ", ".join(literal(a) for a in allowed) + "] AS VARCHAR[])"
            problems.append(
                _problem(column, f"{val} IS NOT NULL AND NOT list_contains({listed}, {val})", key, val)
            )
        return " UNION ALL ".join(problems)

    # First which rows are rejected, each text cell standing for whether it was given ('' or
    # NULL): no condition reads more of a cell than that. Only when some are does the text of
    # those rows come back from `_raw` into `_typed`, so that their messages name the values as
    # the file gives them; the checks run again over it, each reading the same rows as before
    # (those about other rows too: duplicates in the file), and keep the rejected rows' rejects.
    given_text = {
        name: f"(CASE WHEN {ident('_has_' + name)} THEN '' END)" if name in kept_text else column
        for name, column in text.items()
    }
    cur.execute(f"CREATE TEMP TABLE _rejects AS {problems_over(given_text)}")
    dropped = [ident("_has_" + name) for name in kept_text]
    if kept_text and wh.scalar("SELECT count(*) > 0 FROM (SELECT 1 FROM _rejects LIMIT 1)"):
        cur.execute("CREATE TEMP TABLE _suspects AS SELECT DISTINCT _row FROM _rejects")
        for name in kept_text:
            cur.execute(f"ALTER TABLE _typed ADD COLUMN {ident(name)} VARCHAR")
        sets = ", ".join(f"{ident(name)} = s.{ident(name)}" for name in kept_text)
        cells = ", ".join(
            f"{sources[name] or 'CAST(NULL AS VARCHAR)'} AS {ident(name)}" for name in kept_text
        )
        cur.execute(
            f"UPDATE _typed SET {sets} FROM (SELECT _row, {cells} FROM {text_rows} "
            "WHERE _row IN (SELECT _row FROM _suspects)) s WHERE _typed._row = s._row"
        )
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE _rejects AS SELECT * FROM ({problems_over(text)}) "
            "WHERE _row IN (SELECT _row FROM _suspects)"
        )
        cur.execute("DROP TABLE _suspects")
        dropped += [ident(name) for name in kept_text]
    # Every row starts valid; only the rejected ones are touched.
    cur.execute("UPDATE _typed SET _ok = FALSE WHERE _row IN (SELECT _row FROM _rejects)")
    listed = wh.rows(
        f"SELECT _row, col, key, value, params FROM _rejects ORDER BY _row, col LIMIT {MAX_REJECTS_LISTED}"
    )
    return Checked(
        kind,
        [f.name for f in fields],
        [Reject(r, c, k, v, _params(p)) for r, c, k, v, p in listed],
        wh.scalar("SELECT count(DISTINCT _row) FROM _rejects"),
        wh.scalar("SELECT count(*) FROM _typed"),
        [f.name for f in fields if sources[f.name] is not None or f.name in alternates],
        dropped,
    )


def _candidate_problems(text: dict[str, str], allowed_clients: list[str] | None) -> list[str]:
    """A hire names one person, taken by no other candidate (in the file or stored), and a
    scope limited to some clients records candidates only for their requisitions."""
    employee, candidate = ident("employee_id_v"), ident("candidate_id_v")
    taken = (
        f"{employee} IS NOT NULL AND (EXISTS (SELECT 1 FROM candidates x WHERE x.employee_id = {employee}"
        f" AND x.candidate_id <> {candidate}) OR EXISTS (SELECT 1 FROM _typed y"
        f" WHERE y.employee_id_v = _typed.employee_id_v AND y._row <> _typed._row))"
    )
    problems = [_problem("employee_id", taken, "recruit_employee_taken", text["employee_id"])]
    if allowed_clients is not None:
        listed = "CAST([" + ", ".join(literal(a) for a in allowed_clients) + "] AS VARCHAR[])"
        client = f"(SELECT q.client FROM requisitions q WHERE q.requisition_id = {ident('requisition_id_v')})"
        outside = f"NOT list_contains({listed}, {client})"
        problems.append(
            _problem("requisition_id", outside, "imp_client_out_of_scope", text["requisition_id"])
        )
    return problems


def _calibration_problems(text: dict[str, str]) -> list[str]:
    """One auditor scores a calibration set (the calibration audits of one ticket) once: a second
    calibration audit by the same auditor on the same ticket, in the file or already stored under
    another id, is refused, or the auditor's deviation from the others would count them twice."""
    ticket, auditor, audit = ident("ticket_id_v"), ident("auditor_id_v"), ident("audit_id_v")
    mine = f"{ident('source_v')} = 'calibration' AND {ticket} IS NOT NULL AND {auditor} IS NOT NULL"
    stored = (
        f"{mine} AND EXISTS (SELECT 1 FROM audits x WHERE x.source = 'calibration'"
        f" AND x.ticket_id = {ticket} AND x.auditor_id = {auditor} AND x.audit_id <> {audit})"
    )
    row_params = {"ticket": ticket, "auditor": auditor}
    in_file = (
        f"_row IN (SELECT _row FROM (SELECT _row, row_number() OVER (PARTITION BY {ticket}, {auditor}"
        f" ORDER BY _row) AS n FROM _typed WHERE {mine}) WHERE n > 1)"
    )
    return [
        _problem("auditor_id", stored, "imp_calibration_twice", text["auditor_id"], {}, row_params),
        _problem("auditor_id", in_file, "imp_calibration_twice", text["auditor_id"], {}, row_params),
    ]


def record_day_sql(kind: str) -> str:
    """SQL over `_typed` for the day whose policy version scores a row: an audit's day, an
    appraisal period's last day (the stored period's, else the one its name says: 2026-Q3)."""
    if kind == "audits":
        return ident("audited_at_v")
    period = ident("period_v")
    pattern = literal(r"^\s*(\d{4})-?[Qq]([1-4])\s*$")
    named = (
        f"last_day(make_date(TRY_CAST(regexp_extract({period}, {pattern}, 1) AS INTEGER), "
        f"3 * TRY_CAST(regexp_extract({period}, {pattern}, 2) AS INTEGER), 1))"
    )
    return f"coalesce((SELECT p.ends_on FROM appraisal_periods p WHERE p.period = {period}), {named})"


def _item_problems(kind: str, history: History, model: type[Row], text: dict[str, str]) -> list[str]:
    """A criterion or indicator the version in force on the row's date does not have must be blank;
    an indicator it has must be given (when not every version has it, the model cannot say so)."""
    if kind not in ("audits", "appraisals"):
        return []
    in_use = history.in_use()
    version = history.version_sql(record_day_sql(kind))
    day = f"CAST({record_day_sql(kind)} AS VARCHAR)"
    out = []
    for key in model.ITEMS:
        holding = history.holding(kind, key)
        if len(holding) == len(in_use):
            continue
        listed = ", ".join(str(int(v)) for v in holding) or "NULL"
        val = ident(key + "_v")
        out.append(
            _problem(
                key,
                f"{val} IS NOT NULL AND {version} NOT IN ({listed})",
                "imp_not_in_policy",
                text[key],
                {},
                {"day": day},
            )
        )
        if kind == "appraisals":
            out.append(
                _problem(
                    key,
                    f"{val} IS NULL AND {text[key]} IS NULL AND {version} IN ({listed})",
                    "imp_required",
                    text[key],
                )
            )
    return out


# Columns whose blank cell takes a value from the warehouse: SQL over the row's text columns
# (named in braces, filled in qualified, so that a table's own column of the same name is not
# taken for them) and the lookups `_LOOKUPS` joins. A ticket belongs to the queue (team) it was
# offered to; a file that does not say which gets the agent's team, else the client's team when
# the client has exactly one, else none (the dashboards' "unassigned"). 002_ticket_team gave
# older tickets the same.
_FILLED = {
    "coaching": {  # no session id: one made from the row, the same each time the file is read
        "session_id": "coalesce({session_id}, 'H' || substr(md5(concat_ws('|', {employee_id}, {held_on},"
        " {coach_id}, {topic}, {audit_id}, {period})), 1, 20))"
    },
    # A requisition that names only its team is for the client that team serves.
    "requisitions": {"client": "coalesce({client}, _team_client)"},
    "tickets": {"team": "coalesce({team}, _agent_team, _client_team)"},
}
# The small tables those values are looked up in, joined to the file's rows by a key each of them
# holds at most once (a person's id, a team's name, a client with one team), so that a row finds
# one value or none; their columns are named apart from the file's. Joined, not asked row by row: a subquery per row is answered by first copying
# every row of the file aside, which a file of millions cannot afford within the import's memory.
_LOOKUPS = {
    "requisitions": [
        "LEFT JOIN (SELECT name AS _team_key, client AS _team_client FROM teams) _l1 ON _team_key = {team}"
    ],
    "tickets": [
        "LEFT JOIN (SELECT employee_id AS _agent_key, team AS _agent_team FROM employees) _l1"
        " ON _agent_key = {agent_id}",
        "LEFT JOIN (SELECT client AS _client_key, any_value(name) AS _client_team FROM teams GROUP BY client"
        " HAVING count(*) = 1) _l2 ON _client_key = {client}",
    ],
}
_ALTERNATES = {
    "tickets": {
        "first_response_at": ("first_response_seconds", "opened_at"),
        "resolved_at": ("resolution_seconds", "opened_at"),
    }
}


def _sql_type(f: _Field) -> str:
    return {
        "datetime": "TIMESTAMP",
        "date": "DATE",
        "number": "DOUBLE",
        "int": "BIGINT",
        "bool": "BOOLEAN",
    }.get(f.kind, "VARCHAR")


def _row_hash_sql(mapping: Mapping, names: list[str]) -> str:
    parts = [f"coalesce({_source_sql(mapping, n) or 'NULL'}, '')" for n in names]
    return "'H' || substr(md5(" + " || '|' || ".join(parts) + "), 1, 20)"


def _replace_word(sql: str, word: str, replacement: str) -> str:

    return re.sub(rf"(?<![\w\"]){re.escape(word)}(?![\w\"])", replacement, sql)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _problem(
    column: str,
    condition: str,
    key: str,
    value_sql: str,
    params: dict | None = None,
    row_params: dict[str, str] | None = None,
) -> str:
    """SQL listing the rows where `condition` holds as rejects; the message's parameters are
    `params` and, from `row_params` (name -> SQL), each row's own values."""
    import json

    p = literal(json.dumps(params or {}, ensure_ascii=False)) if params or row_params else "NULL"
    if row_params:
        pairs = ", ".join(f"{literal(k)}, CAST({v} AS VARCHAR)" for k, v in row_params.items())
        p = f"CAST(json_merge_patch({p}, json_object({pairs})) AS VARCHAR)"
    return (
        f"SELECT _row, {literal(column)} AS col, {literal(key)} AS key, CAST({value_sql} AS VARCHAR) AS value, "
        f"{p} AS params FROM _typed WHERE {condition}"
    )


def _params(raw: str | None) -> dict:
    import json

    return json.loads(raw) if raw else {}


# -- 4. committing -----------------------------------------------------------------------------

# Record kind -> (table, columns of the model stored as they are)
_TABLES = {
    "tickets": "tickets",
    "audits": "audits",
    "training": "training_results",
    "appraisals": "appraisals",
    "employees": "employees",
    "clients": "clients",
    "departments": "departments",
    "teams": "teams",
    "pay_grades": "pay_grades",
    "courses": "courses",
    "periods": "appraisal_periods",
    "bonuses": "bonuses",
    "actions": "corrective_actions",
    "coaching": "coaching_sessions",
    "requisitions": "requisitions",
    "candidates": "candidates",
}
# Record kind -> {field: its table's column}, where the file's name for a column is not the table's.
_STORED = {
    "clients": {"client": "name"},
    "departments": {"department": "name"},
    "teams": {"team": "name"},
    "pay_grades": {"performance_pay_base": "performance_base"},
    "actions": {"employee_id": "agent_id"},
}


def table_of(kind: str) -> str:
    """The warehouse table that holds the records of `kind`."""
    return _TABLES[kind]


def _stored(kind: str, field_name: str) -> str:
    return _STORED.get(kind, {}).get(field_name, field_name)


def _key_match(kind: str, alias: str = "x") -> str:
    keys = KINDS[kind].KEY
    return " AND ".join(f"{alias}.{ident(_stored(kind, k))} = t.{ident(k + '_v')}" for k in keys)


def _new_rows(kind: str, present: int | None = None) -> str:
    """`FROM _typed t WHERE` the rows a commit inserts: valid, and not in the warehouse yet. When
    `present` (`_count_present`, in the same transaction) says that no valid row is, that is every
    valid row: no search of the kind's whole table for each row's key."""
    if present == 0:
        return "FROM _typed t WHERE _ok"
    return (
        f"FROM _typed t WHERE _ok AND NOT EXISTS (SELECT 1 FROM {_TABLES[kind]} x WHERE {_key_match(kind)})"
    )


def record_id_sql(kind: str, column: Callable[[str], str]) -> str:
    """SQL for a record's id as the trail and `csdata history` name it: its key, a key of several
    columns joined by "/" (E001/Retake drill/2). `column(key)` is the SQL of one key column."""
    return "concat_ws('/', " + ", ".join(f"CAST({column(k)} AS VARCHAR)" for k in KINDS[kind].KEY) + ")"


def _typed_id(kind: str) -> str:
    """`record_id_sql` of a row of `_typed`."""
    return record_id_sql(kind, lambda k: ident(k + "_v"))


def stored_sql(kind: str, history: History, alias: str = "x") -> dict[str, str]:
    """Column -> SQL of a stored record's value (`alias` naming its row of the kind's table): the
    fields of its row model, an audit's criteria and an appraisal's indicators among them, then
    what they derive (score, grade, policy version)."""
    model = record_model(kind, history)
    out = {}
    for f in model.columns():
        if f not in model.ITEMS:
            out[f] = f"{alias}.{ident(_stored(kind, f))}"
        elif kind == "audits":
            out[f] = (
                f"(SELECT s.score FROM audit_scores s WHERE s.audit_id = {alias}.audit_id "
                f"AND s.criterion = {literal(f)})"
            )
        else:
            out[f] = (
                f"(SELECT s.score FROM appraisal_scores s WHERE s.period = {alias}.period "
                f"AND s.employee_id = {alias}.employee_id AND s.indicator = {literal(f)})"
            )
    for derived in _derived_sql(kind, history):
        out[derived] = f"{alias}.{ident(derived)}"
    return out


def _snapshot_sql(kind: str, history: History) -> str:
    """A stored record (`x`) as one JSON object of `stored_sql`'s columns."""
    pairs = ", ".join(f"{literal(c)}, {sql}" for c, sql in stored_sql(kind, history).items())
    return f"json_object({pairs})"


def stored_record(wh, kind: str, record_id: str, history: History) -> dict[str, Any] | None:
    """A stored record's values, as its trail keeps them (`stored_sql`), by its id
    (`record_id_sql`); None when there is no such record."""
    found = wh.scalar(
        f"SELECT CAST({_snapshot_sql(kind, history)} AS VARCHAR) FROM {_TABLES[kind]} x "
        f"WHERE {record_id_sql(kind, lambda k: 'x.' + ident(_stored(kind, k)))} = ?",
        [record_id],
    )
    return json.loads(found) if found is not None else None


def _name_rolled_up(w, update: bool) -> None:
    """The days whose rollups a ticket import changes (`Writer.rolled_up`): those of its rows, and
    those the tickets it corrects had before."""
    days = w.column("SELECT DISTINCT CAST(opened_at_v AS DATE) FROM _typed WHERE opened_at_v IS NOT NULL")
    ids = w.column("SELECT t.ticket_id_v FROM _typed t JOIN _changed USING (_row)") if update else []
    w.rolled_up(days=days, tickets=ids)


def _find_changed(w, kind: str, checked: Checked, history: History) -> int:
    """Fill the temp table `_changed` (`_row`, `_before`) with the valid rows whose record is
    present and whose values differ from it, in the columns the file gives; the count.

    A key given by two rows counts once, its last row. Columns the file does not give keep the
    stored values: they are copied into those rows of `_typed`, so an update writes every column
    and scores a row on all its criteria."""
    model = record_model(kind, history)
    stored = stored_sql(kind, history)
    compared = [f for f in checked.sourced if f not in model.KEY]
    incoming = {f: f"t.{ident(f + '_v')}" for f in compared}
    if "critical_error" in incoming:
        incoming["critical_error"] = "coalesce(t.critical_error_v, FALSE)"
    differs = " OR ".join(f"{stored[f]} IS DISTINCT FROM {incoming[f]}" for f in compared) or "FALSE"
    w.execute("DROP TABLE IF EXISTS _changed")
    w.execute(
        f"CREATE TEMP TABLE _changed AS SELECT t._row, {_snapshot_sql(kind, history)} AS _before "
        f"FROM _typed t JOIN {_TABLES[kind]} x ON {_key_match(kind)} WHERE t._ok AND ({differs}) "
        f"QUALIFY row_number() OVER (PARTITION BY {record_id_sql(kind, lambda k: 't.' + ident(k + '_v'))} "
        "ORDER BY t._row DESC) = 1"
    )
    kept = [f for f in checked.fields if f not in checked.sourced and f not in model.KEY]
    if kept:
        sets = ", ".join(f"{ident(f + '_v')} = {stored[f]}" for f in kept)
        w.execute(
            f"UPDATE _typed AS t SET {sets} FROM {_TABLES[kind]} x "
            f"WHERE {_key_match(kind)} AND t._row IN (SELECT _row FROM _changed)"
        )
    return w.scalar("SELECT count(*) FROM _changed")


def _update(w, kind: str, fields: list[str], history: History) -> None:
    """Correct the records of the rows in `_changed` to the rows' values: plain columns in place,
    an audit's criterion scores or an appraisal's indicator scores replaced, and its score (grade)
    computed again under the version in force on its own date, that version stored."""
    table = _TABLES[kind]
    model = record_model(kind, history)
    changed = "t._row IN (SELECT _row FROM _changed)"
    sets = {f: f"t.{ident(f + '_v')}" for f in fields if f not in model.ITEMS and f not in model.KEY}
    if "critical_error" in sets:
        sets["critical_error"] = "coalesce(t.critical_error_v, FALSE)"
    if kind == "audits":
        w.execute(
            f"DELETE FROM audit_scores WHERE audit_id IN (SELECT audit_id_v FROM _typed t WHERE {changed})"
        )
    elif kind == "appraisals":
        w.execute(
            "DELETE FROM appraisal_scores s WHERE EXISTS (SELECT 1 FROM _typed t WHERE "
            f"{changed} AND s.period = t.period_v AND s.employee_id = t.employee_id_v)"
        )
    _insert_items(w, kind, history, f"FROM _typed t WHERE {changed}")
    sets.update(_derived_sql(kind, history))
    w.execute(
        f"UPDATE {table} AS x SET {', '.join(f'{ident(_stored(kind, c))} = {sql}' for c, sql in sets.items())} "
        f"FROM _typed t WHERE {_key_match(kind)} AND {changed}"
    )


# The kinds whose records, created by a file import, have no trail row of their creation: the
# import is that trail (the record's `import_id`, its `import_log` row and that row's audit-log
# row; `csdata.records.history` reads it as the creation). Tickets come by the million, and a
# `record_changes` row for each cost an import of them more than reading its file did. A form's
# ticket (a one-row frame) keeps its trail row, as every other kind's records do.
IMPORT_TRAIL = ("tickets",)


def _trail_created(w, kind: str, actor: str, reason: str | None, present: int | None = None) -> None:
    """A trail row (`record_changes`) for each record the import is about to create: run before
    `_insert`, while they still count as new. Their values are the record's own until a change."""
    w.execute(
        "INSERT INTO record_changes (actor, kind, record_id, change, reason, audit_log_id) "
        f"SELECT ?, ?, {_typed_id(kind)}, 'create', ?, ? {_new_rows(kind, present)}",
        [actor, kind, reason, w.log_id()],
    )


def _trail_updated(w, kind: str, history: History, actor: str, reason: str | None) -> None:
    """A trail row for each record `_update` corrected, with its values before and after."""
    w.execute(
        "INSERT INTO record_changes (actor, kind, record_id, change, before, after, reason, audit_log_id) "
        f"SELECT ?, ?, {record_id_sql(kind, lambda k: 'x.' + ident(_stored(kind, k)))}, 'update', c._before, "
        f"{_snapshot_sql(kind, history)}, ?, ? FROM _changed c JOIN _typed t ON t._row = c._row "
        f"JOIN {_TABLES[kind]} x ON {_key_match(kind)}",
        [actor, kind, reason, w.log_id()],
    )


# The columns of a person that `employee_history` follows over time.
HISTORY_COLUMNS = ("team", "client", "position", "grade", "status")


def sync_history(w, actor: str, effective: dt.date, reason: str | None = None) -> None:
    """Bring `employee_history` in line with `employees`, in the writer's transaction: a person
    with no row yet gets one open row from the hire date; a person whose team, client, position,
    grade or status now differs from their open row has that row closed on `effective` and a new
    one opened from it. A change effective on or before the open row's first day corrects that
    row in place (periods never overlap). A change of any other column (the name) opens nothing."""
    cols = ", ".join(HISTORY_COLUMNS)
    differs = " OR ".join(f"h.{c} IS DISTINCT FROM e.{c}" for c in HISTORY_COLUMNS)
    w.execute("DROP TABLE IF EXISTS _moved")
    w.execute(
        "CREATE TEMP TABLE _moved AS SELECT e.employee_id, h.valid_from "
        "FROM employees e JOIN employee_history h ON h.employee_id = e.employee_id AND h.valid_to IS NULL "
        f"WHERE {differs}"
    )
    sets = ", ".join(f"{c} = e.{c}" for c in HISTORY_COLUMNS)
    w.execute(
        f"UPDATE employee_history AS h SET {sets}, recorded_at = current_localtimestamp(), actor = ?, reason = ? "
        "FROM employees e WHERE e.employee_id = h.employee_id AND h.valid_to IS NULL AND h.valid_from >= ? "
        "AND h.employee_id IN (SELECT employee_id FROM _moved)",
        [actor, reason, effective],
    )
    w.execute(
        "UPDATE employee_history AS h SET valid_to = ? WHERE h.valid_to IS NULL AND h.valid_from < ? "
        "AND h.employee_id IN (SELECT employee_id FROM _moved)",
        [effective, effective],
    )
    w.execute(
        f"INSERT INTO employee_history (employee_id, valid_from, valid_to, {cols}, actor, reason) "
        f"SELECT e.employee_id, ?, NULL, {', '.join('e.' + c for c in HISTORY_COLUMNS)}, ?, ? "
        "FROM employees e JOIN _moved m ON m.employee_id = e.employee_id WHERE m.valid_from < ?",
        [effective, actor, reason, effective],
    )
    backfill_history(w, actor, reason)
    w.execute("DROP TABLE IF EXISTS _moved")


def backfill_history(w, actor: str, reason: str | None = None) -> None:
    """One open history row from the hire date for each person who has none (a new person, or one
    written to `employees` without one)."""
    cols = ", ".join(HISTORY_COLUMNS)
    w.execute(
        f"INSERT INTO employee_history (employee_id, valid_from, valid_to, {cols}, actor, reason) "
        f"SELECT e.employee_id, coalesce(e.hire_date, DATE '1900-01-01'), NULL, "
        f"{', '.join('e.' + c for c in HISTORY_COLUMNS)}, ?, ? FROM employees e "
        "WHERE NOT EXISTS (SELECT 1 FROM employee_history h WHERE h.employee_id = e.employee_id)",
        [actor, reason],
    )


def _create_missing(w, kind: str, fields: list[str], report: Report) -> None:
    """Make the clients, people, periods and org units that the rows to be inserted (valid and
    not present yet: see `_new_rows`) name but the warehouse lacks; a duplicate or rejected row
    makes nothing.

    Pay grades are never made up: pay is not something an import may invent. `fields` are the
    record's fields (each a column `<field>_v` of `_typed`).
    """

    def new_values(column: str, table: str, key: str) -> list[str]:
        return [
            r[0]
            for r in w.rows(
                f"SELECT DISTINCT {ident(column + '_v')} {new} AND {ident(column + '_v')} IS NOT NULL "
                f"AND {ident(column + '_v')} NOT IN (SELECT {key} FROM {table}) ORDER BY 1"
            )
        ]

    new = _new_rows(kind)
    made: dict[str, list[str]] = {}
    for column, table, key in _references(kind):
        if column not in fields:
            continue
        values = new_values(column, table, key)
        if not values:
            continue
        if table == "clients":
            for v in values:
                w.execute("INSERT INTO clients (name) VALUES (?)", [v])
        elif table == "departments":
            for v in values:
                w.execute("INSERT INTO departments (name) VALUES (?)", [v])
        elif table == "teams":
            w.execute("INSERT INTO departments (name) VALUES ('customer_service') ON CONFLICT DO NOTHING")
            for v in values:
                w.execute("INSERT INTO teams (name, department) VALUES (?, 'customer_service')", [v])
        elif table == "employees":
            w.execute("INSERT INTO departments (name) VALUES ('customer_service') ON CONFLICT DO NOTHING")
            position = "qa" if column == "auditor_id" else "agent"
            day = {"tickets": "opened_at_v", "audits": "audited_at_v", "training": "taken_on_v"}.get(kind)
            first = f"min(CAST({ident(day)} AS DATE))" if day else "current_date"
            w.execute(
                "INSERT INTO employees (employee_id, name, department, position, hire_date, status) "
                f"SELECT {ident(column + '_v')}, {ident(column + '_v')}, 'customer_service', ?, "
                f"coalesce({first}, current_date), 'active' {new} "
                f"AND list_contains(?, {ident(column + '_v')}) GROUP BY 1",
                [position, values],
            )
        elif table == "appraisal_periods":
            for v in values:
                bounds = quarter_bounds(v)
                if bounds is None:
                    continue
                w.execute(
                    "INSERT INTO appraisal_periods (period, starts_on, ends_on) VALUES (?, ?, ?)",
                    [v, *bounds],
                )
        else:  # pay grades and anything else: not made up
            continue
        made[table] = values
    # What could not be made stays an unknown reference.
    for column, table, key in _references(kind):
        if column not in fields:
            continue
        val = ident(column + "_v")
        w.execute(
            f"INSERT INTO _rejects SELECT _row, {literal(column)}, {literal(_missing_key(table))}, "
            f"CAST({val} AS VARCHAR), CAST(json_object('value', CAST({val} AS VARCHAR)) AS VARCHAR) "
            f"{new} AND {val} IS NOT NULL AND {val} NOT IN (SELECT {key} FROM {table})"
        )
    w.execute("UPDATE _typed SET _ok = FALSE WHERE _row IN (SELECT _row FROM _rejects)")
    report.created = made


def quarter_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    """'2026-Q1' -> (2026-01-01, 2026-03-31)."""

    match = re.fullmatch(r"(\d{4})-?Q([1-4])", period.strip(), re.I)
    if not match:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def _derived_sql(kind: str, history: History) -> dict[str, str]:
    """The columns an audit or appraisal derives from its row (score, grade, the policy version),
    as SQL over `_typed`: each row under the version in force on its own date (`record_day_sql`)."""
    if kind not in ("audits", "appraisals"):
        return {}
    version = history.version_sql(record_day_sql(kind))

    def by_version(sql) -> str:
        """`sql(policy)` for the version of each row (one version: no CASE at all)."""
        used = history.in_use()
        if len(used) == 1:
            return sql(history.by_version[used[0]])
        cases = " ".join(f"WHEN {int(n)} THEN {sql(history.by_version[n])}" for n in used)
        return f"(CASE {version} {cases} END)"

    def v(f: str) -> str:
        return ident(f + "_v")

    if kind == "audits":
        critical = f"coalesce({v('critical_error')}, FALSE)"
        score = by_version(
            lambda p: p.scorecard.score_sql({c.key: v(c.key) for c in p.scorecard.criteria}, critical)
        )
        return {"score": score, "policy_version": version}

    def weighted(p: Policy) -> str:
        return p.appraisal.score_sql({i.key: v(i.key) for i in p.appraisal.indicators})

    return {
        "score": by_version(weighted),
        "grade": by_version(lambda p: p.appraisal.grade_sql(weighted(p))),
        "policy_version": version,
    }


def _insert_items(w, kind: str, history: History, rows: str) -> None:
    """An audit's criterion scores or an appraisal's indicator scores, of the rows `rows`
    (`FROM _typed t WHERE ...`)."""
    v = {f: ident(f + "_v") for f in record_model(kind, history).columns()}
    if kind == "audits":
        criteria = list(record_model(kind, history).ITEMS)
        # One pass for every criterion: each row once per criterion, the blank (not applicable)
        # ones left out. (A join with the criteria's names, not UNPIVOT, which PostgreSQL lacks.)
        cases = " ".join(f"WHEN {literal(c)} THEN s.{ident(c)}" for c in criteria)
        names = ", ".join(f"({literal(c)})" for c in criteria)
        w.execute(
            "INSERT INTO audit_scores SELECT _id, _criterion, _score FROM (SELECT s._id, k._criterion, "
            f"CASE k._criterion {cases} END AS _score FROM (SELECT {v['audit_id']} AS _id, "
            f"{', '.join(f'{v[c]} AS {ident(c)}' for c in criteria)} {rows}) s "
            f"CROSS JOIN (VALUES {names}) k (_criterion)) _items WHERE _score IS NOT NULL"
        )
    elif kind == "appraisals":
        for i in record_model(kind, history).ITEMS:  # one the row's version lacks is blank (`_item_problems`)
            w.execute(
                f"INSERT INTO appraisal_scores SELECT {v['period']}, {v['employee_id']}, {literal(i)}, {v[i]} "
                f"{rows} AND {v[i]} IS NOT NULL"
            )


def _insert(
    w, kind: str, fields: list[str], history: History, actor: str, import_id: int, present: int | None = None
) -> int:
    """Insert the valid rows not yet in the warehouse, with their derived rows; the count inserted.
    A ticket carries the id of the import that created it (`import_id`: see `IMPORT_TRAIL`).

    Every statement reads `_typed` itself: a copy of the new rows made inside the transaction
    would be slower to fill and slower to read than the table it was copied from. The derived
    rows (criterion and indicator scores, a complaint's rounds) go first, because afterwards the
    main table holds the new keys and no row would count as new any more.
    """
    table = _TABLES[kind]
    new = _new_rows(kind, present)
    v = {f: ident(f + "_v") for f in fields}
    if kind in ("audits", "appraisals"):
        items = record_model(kind, history).ITEMS
        plain = [f for f in fields if f not in items]
        _insert_items(w, kind, history, new)
        derived = _derived_sql(kind, history)
        values = [v[f] if f != "critical_error" else f"coalesce({v[f]}, FALSE)" for f in plain]
        return w.scalar(
            f"INSERT INTO {table} ({', '.join(plain + list(derived))}) "
            f"SELECT {', '.join(values + list(derived.values()))} {new}"
        )
    if kind == "tickets":  # a complaint's rounds, as the row's summary implies them
        summary = ("ticket_id", "type", "feedback_at", "customer_accepted", "reopened")
        rounds.insert_implied(w, f"SELECT {', '.join(f'{v[c]} AS {c}' for c in summary)} {new}", actor)
    if kind == "actions":
        _action_steps(w, actor, new, None)
    stored = ", ".join(ident(_stored(kind, f)) for f in fields)
    values = ", ".join(v[f] for f in fields)
    if kind == "coaching":  # who recorded it: the importing account
        stored, values = f"{stored}, recorded_by", f"{values}, {literal(actor)}"
    if kind in IMPORT_TRAIL:
        stored, values = f"{stored}, import_id", f"{values}, {int(import_id)}"
    inserted = w.scalar(f"INSERT INTO {table} ({stored}) SELECT {values} {new}")
    if kind == "tickets":  # a row not accepted yet not marked reopened: its summary follows its rounds
        rounds.summarise(
            w,
            f"SELECT {v['ticket_id']} FROM _typed WHERE _ok AND {v['type']} = 'complaint' AND "
            f"{v['feedback_at']} IS NOT NULL AND {v['customer_accepted']} = FALSE AND NOT coalesce({v['reopened']}, FALSE)",
        )
    return inserted


def _hire(w, actor: str, reason: str | None, update: bool) -> None:
    """The employees that the hires among the rows about to be written (new candidates, and with
    `update` the corrected ones) name and the warehouse lacks, created in the import's
    transaction as an employees import creates them: the row, its trail row and its first
    `employee_history` period from the hire date. Their team, client, position and grade are the
    requisition's (the client its team's when it names none), their department the team's, their
    name the candidate's (else the candidate id). From here the onboarding gate applies to them
    as to anyone (`csdata.analytics.compliance`)."""
    changed = " OR t._row IN (SELECT _row FROM _changed)" if update else ""
    new = "NOT EXISTS (SELECT 1 FROM candidates x WHERE x.candidate_id = t.candidate_id_v)"
    hires = (
        f"FROM _typed t JOIN requisitions q ON q.requisition_id = t.requisition_id_v "
        f"JOIN teams m ON m.name = q.team WHERE t._ok AND t.hired_on_v IS NOT NULL AND ({new}{changed}) "
        "AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.employee_id = t.employee_id_v)"
    )
    hired = w.column(f"SELECT t.employee_id_v {hires} ORDER BY 1")
    if not hired:
        return
    w.execute(
        "INSERT INTO record_changes (actor, kind, record_id, change, reason, audit_log_id) "
        f"SELECT ?, 'employees', t.employee_id_v, 'create', ?, ? {hires}",
        [actor, reason, w.log_id()],
    )
    w.execute(
        "INSERT INTO employees (employee_id, name, department, team, client, position, grade, hire_date, status) "
        "SELECT t.employee_id_v, coalesce(t.name_v, t.candidate_id_v), m.department, q.team, "
        f"coalesce(q.client, m.client), q.position, q.grade, t.hired_on_v, 'active' {hires}"
    )
    backfill_history(w, actor, reason)
    w.detail["hired"] = hired


def _action_steps(w, actor: str, rows: str, reason: str | None) -> None:
    """A step (`action_steps`) for each action of the rows `rows` (`FROM _typed t WHERE ...`) that
    an import creates or corrects, so that its steps end in the status, owner and due day the file
    gives, on the day it closed (else the day it opened); a correction's step notes its reason."""
    w.execute(
        "INSERT INTO action_steps (action_id, actor, status, on_date, note, owner_id, due_on) "
        'SELECT "action_id_v", ?, "status_v", coalesce("closed_on_v", "opened_on_v"), '
        f'coalesce(?, "note_v"), "owner_id_v", "due_on_v" {rows}',
        [actor, reason],
    )


def import_file(
    wh,
    kind: str,
    data: bytes | FileData | pd.DataFrame,
    file_name: str,
    actor: str,
    *,
    mapping: Mapping | None = None,
    strict: bool = False,
    create_missing: bool = False,
    day_first: bool = False,
    dry_run: bool = False,
    progress: Callable[[float, str], None] | None = None,
    after_insert: Callable[[Any, Report], None] | None = None,
    allowed_agents: list[str] | None = None,
    allowed_clients: list[str] | None = None,
    allowed_teams: list[str] | None = None,
    assign: Callable[[Any], dict[str, Any]] | None = None,
    scope: Scope | None = None,
    update: bool = False,
    reason: str | None = None,
    effective: dt.date | None = None,
) -> Report:
    """Read, map, check and (unless `dry_run`, or `strict` with rejects) commit one file.

    `data` is the file's bytes or the file as `read_file` read it (so that a page that read it
    for its headings need not read it again); it may also be a DataFrame in canonical columns: a
    form saves its row this way, so a form and an upload obey exactly the same rules.
    `after_insert(writer, report)`, when given, runs inside the transaction after the rows landed. `allowed_agents` / `allowed_clients` /
    `allowed_teams` limit the rows to a supervisor's own teams (see `check`); `scope`, when given
    (`csdata.access.scope`: a signed-in user's), refuses a kind it may not write and sets those
    limits from its clients, teams and people. `assign(writer)`, when given, returns
    values (a form's next audit id or attempt number) that replace the row's own inside the
    transaction, so that two users saving at once never take the same one. Raises ImportError_ when the file as a whole
    cannot be used; nothing is written then.

    With `update`, a row whose record is present but whose values differ corrects it (`_update`;
    `Report.updated`); a row equal to its record still counts as a duplicate. Every record created
    or corrected gets its trail row (`record_changes`, the values before and after, `reason`),
    but a ticket a file creates, whose creation is the import's row (`IMPORT_TRAIL`). A
    form's row (a one-row DataFrame) names its record in the audit log (`kind:id`).

    A change of a person's team, client, position, grade or status (and a new person) is kept in
    `employee_history` (`sync_history`), the change taking effect on `effective` (default today).

    The file is read and checked in the import's stage (`csdata.store.stage`: the warehouse
    itself when it is a DuckDB file), and its checked rows written in the warehouse's transaction.
    """
    if kind not in KINDS:
        raise ImportError_("imp_unknown_kind", kind=kind, kinds=", ".join(KINDS))
    if scope is not None:
        if not scope.may_write(kind):
            raise ImportError_("imp_kind_not_yours", kind=kind)
        limits = scope.limits(wh)
        allowed_agents, allowed_clients, allowed_teams = (
            limits["allowed_agents"], limits["allowed_clients"], limits["allowed_teams"]
        )  # fmt: skip
    say = progress or (lambda fraction, step: None)
    restore = staged = table = None
    exits = ExitStack()
    try:
        staged = exits.enter_context(stage(wh, STAGED))
        restore = None if isinstance(data, pd.DataFrame) else _cap_memory(staged)
        say(0.05, "read")
        table = Table(staged, data, file_name, lazy=True)
        history = History.load(wh)
        auto, dropped, ignored = auto_mapping(kind, table.columns, history)
        if mapping is not None and mapping.kind not in (None, kind):
            raise ImportError_("imp_mapping_kind", kind=mapping.kind, chosen=kind)
        if mapping is not None:
            used = set(mapping.columns.values()) | {c for cols in mapping.combine.values() for c in cols}
            absent = sorted(c for c in used if c not in table.columns)
            if absent:
                raise ImportError_("imp_mapping_columns", columns=", ".join(absent))
            dropped = [c for c in dropped if c not in used]
            ignored = [c for c in table.columns if c not in used and c not in dropped]
        table.load(
            {
                column: sql_type
                for column, sql_type in _typed_reads(kind, mapping or auto, history, day_first).values()
            }
        )
        report = Report(kind, file_name, rows=table.rows, dropped=dropped, ignored=ignored)
        if report.rows == 0:
            raise ImportError_("imp_empty")
        say(0.3, "check")
        checked = check(
            staged,
            kind,
            mapping or auto,
            history,
            day_first=day_first,
            create_missing=create_missing,
            allowed_agents=allowed_agents,
            allowed_clients=allowed_clients,
            allowed_teams=allowed_teams,
            typed=table.typed,
            text_rows=table.text_rows,
        )
        table.unchanged()
        table.close()
        report.rejects, report.rejected = checked.rejects, checked.rejected_rows
        # The file's text cells, and their copies kept for the checks' messages, are not read
        # again: a big file's largest tables, freed before the write.
        staged.cursor().execute("DROP TABLE IF EXISTS _raw")
        for column in checked.texts:
            staged.cursor().execute(f"ALTER TABLE _typed DROP COLUMN {column}")
        if dry_run or (strict and checked.rejected_rows):
            # what a commit would find present and correct, in a transaction that writes nothing
            try:
                with wh.transaction(actor, f"import.{kind}", logged=False) as w:
                    adopt(w, staged, "_typed")
                    report.duplicates = _count_present(w, kind)
                    if update:
                        report.updated = _find_changed(w, kind, checked, history)
                        report.duplicates -= report.updated
                    raise _Rollback
            except _Rollback:
                return report
        say(0.6, "write")
        # (a file's own, hashed once as it was read; a form's row as CSV text)
        sha = table.sha256 or hashlib.sha256(data.to_csv(index=False).encode("utf-8")).hexdigest()
        detail = {"file": file_name, "sha256": sha, "kind": kind}
        # One commit at a time per process (the warehouse's write lock): the check against rows
        # already present and the insert must see each other's results, since the fact tables
        # keep no key index (see 001_schema).
        with wh.transaction(actor, f"import.{kind}", _TABLES[kind], detail) as w:
            adopt(w, staged, "_typed")
            if assign is not None:
                report.assigned = assign(w)
                for column, value in report.assigned.items():
                    w.execute(f"UPDATE _typed SET {ident(column + '_v')} = ?", [value])
            if create_missing:
                adopt(w, staged, "_rejects")
                _create_missing(w, kind, checked.fields, report)
                listed = w.rows(
                    f"SELECT _row, col, key, value, params FROM _rejects ORDER BY _row, col LIMIT {MAX_REJECTS_LISTED}"
                )
                report.rejects = [Reject(r, c, k, v, _params(p)) for r, c, k, v, p in listed]
                report.rejected = w.scalar("SELECT count(DISTINCT _row) FROM _rejects")
                if strict and report.rejected:
                    raise _Rollback
            if (
                kind == "employees"
            ):  # a person without history yet starts it with the values before the change
                backfill_history(w, actor)
            present = _count_present(w, kind)
            if update:
                report.updated = _find_changed(w, kind, checked, history)
            if kind == "tickets":  # the days of the file's tickets, and those corrected had
                _name_rolled_up(w, update)
            report.duplicates = present - report.updated
            if isinstance(data, pd.DataFrame) and report.rows == 1:
                w.entity = f"{kind}:{w.scalar(f'SELECT {_typed_id(kind)} FROM _typed')}"
                w.detail["record"] = w.entity.partition(":")[2]
            import_id = int(w.scalar("SELECT nextval('import_log_seq')"))
            if kind == "candidates":
                _hire(w, actor, reason, update)
            if kind not in IMPORT_TRAIL or isinstance(data, pd.DataFrame):
                _trail_created(w, kind, actor, reason, present)
            report.imported = _insert(w, kind, checked.fields, history, actor, import_id, present)
            if report.imported >= _ANALYZED_FROM:  # (PostgreSQL plans the rollups' refresh from them)
                for written in _WRITTEN[kind]:
                    w.analyze(written)
            if report.updated:
                _update(w, kind, checked.fields, history)
                if kind == "actions":
                    _action_steps(
                        w, actor, "FROM _typed t WHERE t._row IN (SELECT _row FROM _changed)", reason
                    )
                _trail_updated(w, kind, history, actor, reason)
            if kind == "employees" or create_missing:
                sync_history(w, actor, effective or dt.date.today(), reason)
            if after_insert is not None and report.imported:
                # A form's companion writes (an audit's corrective action, an appraisal's
                # confirmation) land in this same transaction, or not at all.
                after_insert(w, report)
            w.execute(
                "INSERT INTO import_log (id, audit_log_id, actor, kind, file_name, sha256, rows, imported, duplicates,"
                " rejected, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    w.log_id(),
                    actor,
                    kind,
                    file_name,
                    sha,
                    report.rows,
                    report.imported,
                    report.duplicates,
                    report.rejected,
                    report.updated,
                ],
            )
            w.detail.update(imported=report.imported, duplicates=report.duplicates, rejected=report.rejected)
            if update:
                w.detail.update(updated=report.updated)
        report.committed = True
        say(1.0, "done")
        return report
    except _Rollback:
        return report
    finally:
        if table is not None:
            table.close()
        if staged is not None:
            for name in ("_raw", "_typed", "_rejects", "_changed"):
                staged.cursor().execute(f"DROP TABLE IF EXISTS {name}")
        if restore is not None:  # the default (80 % of memory) as it was, not rounded as shown
            staged.cursor().execute("RESET memory_limit")
            if _limit(staged.cursor())[0] != restore:
                staged.cursor().execute(f"SET memory_limit = {literal(restore)}")
        exits.close()


# DuckDB's share of memory while a file is imported (`CSDATA_IMPORT_MEMORY_MB`). Left alone it
# keeps up to 80 % of the machine's memory for the file's text and typed tables and its cache:
# 9 GiB at ten million tickets. Capped, it writes what does not fit to its temporary folder beside
# the warehouse, which costs time: the cap is a trade, see the README's import benchmark.
_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "KB": 10**3, "MB": 10**6,
          "GB": 10**9, "TB": 10**12}  # fmt: skip


def _limit(cur) -> tuple[str, float]:
    """DuckDB's memory limit as it says it ("18.7 GiB") and in bytes."""
    shown = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    number, _, unit = shown.partition(" ")
    return shown, float(number) * _UNITS.get(unit, 1)


def _cap_memory(wh) -> str | None:
    """Lower DuckDB's memory limit to `CSDATA_IMPORT_MEMORY_MB` for an import (never raise it);
    the limit to set again after it, or None when it was that low already."""
    cap = settings().import_memory_mb
    cur = wh.cursor()
    before, limit = _limit(cur)
    if limit <= cap * 10**6:
        return None
    cur.execute(f"SET memory_limit = '{int(cap)}MB'")
    return before


# From this many rows an import brings the planner's statistics of the tables it wrote up to date
# in its transaction (`Writer.analyze`: PostgreSQL only), for the statements after it: planned
# for the table as it was, the rollups' refresh after 100,000 new tickets took 48 s, not 1.
_ANALYZED_FROM = 10_000
_WRITTEN = {kind: (table,) for kind, table in _TABLES.items()} | {
    "tickets": ("tickets", "complaint_rounds"),
    "audits": ("audits", "audit_scores"),
}


class _Rollback(Exception):
    """Leave a transaction without writing (strict mode found rejects after create-missing)."""


def _count_present(w, kind: str) -> int:
    table = _TABLES[kind]
    return w.scalar(
        f"SELECT count(*) FROM _typed t WHERE _ok AND EXISTS (SELECT 1 FROM {table} x WHERE {_key_match(kind)})"
    )


def rejects_frame(report: Report, lang: str) -> pd.DataFrame:
    """The rejected rows as a table a user can fix: row, column, value, reason."""
    return pd.DataFrame(
        [
            {"row": r.row, "column": r.column, "value": r.value, "reason": r.reason(lang)}
            for r in report.rejects
        ],
        columns=["row", "column", "value", "reason"],
    )


# -- for an upload screen ----------------------------------------------------------------------


def canonical_columns(kind: str, policy: Policy | History) -> dict[str, bool]:
    """The columns a file of `kind` may carry, in order, each with whether a file must have it.

    A ticket file without ids gets them from the row's content, and durations in seconds
    (`first_response_seconds`, `resolution_seconds`) may stand in for the times they lead to.
    """
    out = {f.name: f.required for f in _fields(record_model(kind, policy))}
    if kind == "tickets":
        out["ticket_id"] = False
    for seconds, _ in _ALTERNATES.get(kind, {}).values():
        out[seconds] = False
    return out


def file_columns(wh, data: bytes | FileData, file_name: str) -> list[str]:
    """A file's column headings, read as an import reads them; ImportError_ when it cannot be."""
    with stage(wh) as staged:
        try:
            table = Table(staged, data, file_name)
            table.close()
            return table.columns
        finally:
            staged.cursor().execute("DROP TABLE IF EXISTS _raw")


def file_rows(wh, data: bytes | FileData, file_name: str, rows: list[int]) -> pd.DataFrame:
    """Some rows of a file as its text cells, by the row numbers a report names (column `_row`
    first), so rejected rows can be handed back to be fixed."""
    with stage(wh) as staged:
        try:
            Table(staged, data, file_name).close()
            return staged.df(
                "SELECT CAST(_row AS BIGINT) AS _row, * EXCLUDE (_row) FROM _raw "
                "WHERE list_contains(?, CAST(_row AS BIGINT)) ORDER BY _row",
                [[int(r) for r in rows]],
            )
        finally:
            staged.cursor().execute("DROP TABLE IF EXISTS _raw")
