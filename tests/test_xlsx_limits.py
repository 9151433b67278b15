"""Workbooks that would stall the server: a few hundred KB that expand to hundreds of MB of sheet
XML, millions of empty rows, sizes that lie. Each is refused (or its empty rows skipped) from the
archive's own structure before openpyxl reads a row; the limits follow `CSDATA_XLSX_MAX_MB` and
`CSDATA_XLSX_MAX_ROWS`.

The workbooks are written here with `zipfile`, the sheet streamed into the archive so that a
300 MB sheet never sits in memory.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Iterable, Iterator

import openpyxl
import pytest
from conftest import build_tiny, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet._reader import WorkSheetParser

from csdata.imports import ingest
from csdata.imports.ingest import ImportError_, import_file

ACTOR = "tester"
HEADER = ["ticket_id", "client", "channel", "type", "agent_id", "opened_at"]
MB = 1024 * 1024

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)
SHEET = "xl/worksheets/sheet1.xml"


def row(number: int | None, cells: Iterable[str]) -> bytes:
    """One row of inline-string cells, as `<row r="N">…</row>` (without numbers when None)."""
    xml = "".join(
        f'<c{"" if number is None else f" r={chr(34)}{chr(65 + i)}{number}{chr(34)}"} t="inlineStr">'
        f"<is><t>{value}</t></is></c>"
        for i, value in enumerate(cells)
    )
    return (f"<row>{xml}</row>" if number is None else f'<row r="{number}">{xml}</row>').encode()


def ticket(i: int) -> list[str]:
    return [f"X{i}", "Acme", "phone", "complaint", "A1", "2026-03-02 09:00"]


def workbook(rows: Iterable[bytes], dimension: str = "A1:F4") -> bytes:
    """A minimal valid workbook whose first sheet holds `rows` (XML fragments), streamed in."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open(SHEET, "w", force_zip64=True) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + f'<dimension ref="{dimension}"/>'.encode()
                + b"<sheetData>"
            )
            pending: list[bytes] = []
            size = 0
            for fragment in rows:
                pending.append(fragment)
                size += len(fragment)
                if size >= MB:
                    out.write(b"".join(pending))
                    pending.clear()
                    size = 0
            out.write(b"".join(pending) + b"</sheetData></worksheet>")
    return buf.getvalue()


def tickets(n: int, start: int = 2) -> Iterator[bytes]:
    yield row(1, HEADER)
    for i in range(start, start + n):
        yield row(i, ticket(i))


def bulk(n_bytes: int) -> Iterator[bytes]:
    """Rows of tickets until the sheet holds about `n_bytes` of XML."""
    yield row(1, HEADER)
    size, i = 0, 2
    while size < n_bytes:
        fragment = row(i, ticket(i))
        size += len(fragment)
        i += 1
        yield fragment


@pytest.fixture
def tiny(tmp_path):
    wh = build_tiny(tmp_path / "tiny.duckdb")
    yield wh
    wh.close()


@pytest.fixture
def openpyxl_calls(monkeypatch) -> list[str]:
    """Every workbook openpyxl opens and every row element it parses, by name."""
    calls: list[str] = []
    load, parse_row = openpyxl.load_workbook, WorkSheetParser.parse_row

    def loading(*args, **kwargs):
        calls.append("load")
        return load(*args, **kwargs)

    def parsing(self, element):
        calls.append("row")
        return parse_row(self, element)

    monkeypatch.setattr(openpyxl, "load_workbook", loading)
    monkeypatch.setattr(WorkSheetParser, "parse_row", parsing)
    return calls


def refusal(data: bytes, name: str = "t.xlsx") -> ImportError_:
    with pytest.raises(ImportError_) as caught:
        ingest.read_file(data, name)
    return caught.value


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 300 MB of sheet XML in a workbook of under 2 MB: one row, over and over."""
    block = row(None, ticket(2)) * 10_000
    data = workbook([row(None, HEADER), *[block] * (300 * MB // len(block) + 1)], dimension="A1:F2000000")
    assert len(data) < 2 * MB
    return data


# -- sizes ------------------------------------------------------------------------------------------


def test_a_workbook_expanding_past_the_limit_is_refused_unread(bomb, tiny, openpyxl_calls):
    started = time.monotonic()
    with pytest.raises(ImportError_) as caught:
        import_file(tiny, "tickets", bomb, "bomb.xlsx", ACTOR)
    assert time.monotonic() - started < 10
    assert caught.value.key == "imp_xlsx_too_big"
    assert caught.value.params["limit"] == 256
    assert caught.value.params["size"] >= 300
    assert openpyxl_calls == [], "openpyxl never opened the workbook"
    assert "CSDATA_XLSX_MAX_MB" in caught.value.text("en")
    assert "CSDATA_XLSX_MAX_MB" in caught.value.text("zh")


def test_the_size_limit_follows_the_setting(monkeypatch, tiny):
    data = workbook(bulk(2 * MB))
    assert len(import_file(tiny, "tickets", data, "ok.xlsx", ACTOR, dry_run=True).rejects) == 0
    monkeypatch.setenv("CSDATA_XLSX_MAX_MB", "1")
    exc = refusal(data)
    assert exc.key == "imp_xlsx_too_big"
    assert exc.params["limit"] == 1 and 2 < exc.params["size"] <= 2.1


def _declare(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s uncompressed size declared as `size` (a lie) in both headers."""
    out = bytearray(data)
    name = member.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    assert info.file_size < 0xFFFFFFFF and info.compress_size < 0xFFFFFFFF, "no zip64 here"
    struct.pack_into("<I", out, info.header_offset + 22, size)  # local header
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", out, at + 24, size)  # central directory
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_a_workbook_that_understates_its_size_is_not_expanded_past_it(monkeypatch, openpyxl_calls):
    monkeypatch.setenv("CSDATA_XLSX_MAX_MB", "1")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:  # no zip64 extra field to patch
        for part, text in [
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ]:
            zf.writestr(part, text)
        body = b"".join(bulk(3 * MB))
        zf.writestr(SHEET, b'<worksheet xmlns="x"><sheetData>' + body + b"</sheetData></worksheet>")
    lying = _declare(buf.getvalue(), SHEET, 100_000)
    with zipfile.ZipFile(io.BytesIO(lying)) as zf:
        assert zf.getinfo(SHEET).file_size == 100_000
    assert refusal(lying).key == "imp_bad_xlsx"
    assert openpyxl_calls == []


# -- rows --------------------------------------------------------------------------------------------


def test_empty_rows_after_the_last_value_are_not_read(tiny, openpyxl_calls):
    empty = (f'<row r="{n}" spans="1:6"/>'.encode() for n in range(5, 2_000_005))
    data = workbook([*tickets(3), *empty], dimension="A1:F2000004")
    started = time.monotonic()
    report = import_file(tiny, "tickets", data, "tail.xlsx", ACTOR)
    assert time.monotonic() - started < 10
    assert (report.rows, report.imported, report.rejected) == (3, 3, 0)
    assert openpyxl_calls.count("row") <= 5, "openpyxl stopped after the last row with a value"


def test_a_sheet_whose_values_go_past_the_row_limit_is_refused_unread(tiny, openpyxl_calls):
    data = workbook([*tickets(2), row(2_000_000, ticket(9))])
    exc = refusal(data)
    assert (exc.key, exc.params) == ("imp_xlsx_too_many_rows", {"rows": 2_000_000, "limit": 1_048_576})
    assert "CSDATA_XLSX_MAX_ROWS" in exc.text("en") and "CSDATA_XLSX_MAX_ROWS" in exc.text("zh")
    assert openpyxl_calls == []


def test_the_row_limit_follows_the_setting(monkeypatch, tiny):
    monkeypatch.setenv("CSDATA_XLSX_MAX_ROWS", "4")
    ok = workbook(tickets(3))  # the header and three rows: row 4 is the last
    assert import_file(tiny, "tickets", ok, "ok.xlsx", ACTOR).imported == 3
    exc = refusal(workbook(tickets(4)))
    assert (exc.key, exc.params) == ("imp_xlsx_too_many_rows", {"rows": 5, "limit": 4})


def test_rows_out_of_order_are_refused(openpyxl_calls):
    # openpyxl would parse every one of these without yielding a row: Excel never writes them.
    again = (b'<row r="2"/>' for _ in range(100))
    assert refusal(workbook([*tickets(3), *again])).key == "imp_bad_xlsx"
    assert openpyxl_calls == []


def test_rows_without_numbers_count_on(tiny):
    plain = [row(None, HEADER), row(None, ticket(1)), *[b"<row/>"] * 50]
    report = import_file(tiny, "tickets", workbook(plain), "plain.xlsx", ACTOR)
    assert (report.rows, report.imported) == (1, 1)


@pytest.mark.parametrize("data", [b"PK\x03\x04 not a workbook", b"plain text", workbook([])[:200]])
def test_not_a_workbook(data, openpyxl_calls):
    assert refusal(data, "x.xlsx").key == "imp_bad_xlsx"
    assert openpyxl_calls == []


def test_an_empty_sheet_is_empty():
    assert refusal(workbook([b'<row r="1"/>'])).key == "imp_empty"


@pytest.mark.parametrize(
    ("name", "value"),
    [("CSDATA_XLSX_MAX_MB", "abc"), ("CSDATA_XLSX_MAX_MB", "0"), ("CSDATA_XLSX_MAX_ROWS", "-5")],
)
def test_a_bad_limit_says_which_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    exc = refusal(workbook(tickets(1)))
    assert exc.key == "imp_bad_setting"
    assert exc.params["name"] == name


# -- the command line ---------------------------------------------------------------------------------


def test_the_cli_says_why_and_exits_2(tmp_path):
    db = tmp_path / "tiny.duckdb"
    build_tiny(db).close()
    path = tmp_path / "big.xlsx"
    path.write_bytes(workbook(bulk(2 * MB)))
    result = run_cli("import", "tickets", str(path), "--db", str(db), env={"CSDATA_XLSX_MAX_MB": "1"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "expands to 2.1 MB" in result.stderr and "CSDATA_XLSX_MAX_MB" in result.stderr
    zh = run_cli(
        "import", "tickets", str(path), "--db", str(db), env={"CSDATA_XLSX_MAX_MB": "1", "CSDATA_LANG": "zh"}
    )
    assert zh.returncode == 2 and "CSDATA_XLSX_MAX_MB" in zh.stderr and "Traceback" not in zh.stderr


# -- the row scan, against a row-by-row count ---------------------------------------------------------


def _by_hand(rows: list[tuple[int | None, bool]]) -> tuple[int, int]:
    """(elements up to the last row with a value, its number), walking row by row."""
    number = last = last_elements = 0
    for elements, (r, value) in enumerate(rows, start=1):
        number = r if r is not None else number + 1
        if value:
            last, last_elements = number, elements
    return last_elements, last


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(1, 3), st.booleans()), max_size=40),
    st.lists(st.integers(0, 10_000), max_size=8),
)
def test_the_row_scan_counts_as_openpyxl_does_however_the_bytes_are_cut(spec, cuts):
    rows, number = [], 0
    for numbered, gap, value in spec:  # numbered rows may skip numbers; an unnumbered one is the next
        number += gap if numbered else 1
        rows.append((number if numbered else None, value))
    xml = (
        b"<worksheet><sheetData>"
        + b"".join(
            (row(r, ["v"]) if value else (f'<row r="{r}"/>' if r else "<row/>").encode()) for r, value in rows
        )
        + b'</sheetData><rowBreaks count="1"/></worksheet>'
    )
    starts = sorted({xml.find(b"<", c % len(xml)) for c in cuts} - {-1, 0})
    scan = ingest._RowScan()
    for begin, end in zip([0, *starts], [*starts, len(xml)], strict=True):
        scan.feed(xml[begin:end])
    assert (scan.elements, scan.last) == _by_hand(rows)
    assert not scan.disordered
