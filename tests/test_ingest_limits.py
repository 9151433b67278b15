"""What an import refuses or leaves alone although each cell alone looks fine: what
`--create-missing` may create, and dates outside the plausible window."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT, build_tiny, point_app_at, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.access.auth import add_user
from csdata.analytics import lookups
from csdata.imports.ingest import ImportError_, import_file

ACTOR = "tester"
TICKET_HEADER = ["ticket_id", "client", "channel", "type", "agent_id", "opened_at"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode("utf-8")


def employee_ids(wh) -> set[str]:
    return set(wh.column("SELECT employee_id FROM employees"))


@pytest.fixture
def tiny_with_ticket(tmp_path):
    wh = build_tiny(tmp_path / "tiny.duckdb")
    first = import_file(
        wh,
        "tickets",
        csv_bytes(TICKET_HEADER, [["K1", "Acme", "phone", "complaint", "A1", "2026-03-02 09:00"]]),
        "k.csv",
        ACTOR,
    )
    assert (first.imported, first.rejected) == (1, 0)
    yield wh
    wh.close()


# -- --create-missing creates what the imported rows need, nothing more ---------------------------


def test_a_duplicate_row_creates_nothing(tiny_with_ticket):
    wh = tiny_with_ticket
    before = employee_ids(wh)
    again = csv_bytes(TICKET_HEADER, [["K1", "Acme", "phone", "complaint", "GHOST1", "2026-03-02 09:00"]])
    report = import_file(wh, "tickets", again, "k2.csv", ACTOR, create_missing=True)
    assert (report.imported, report.duplicates, report.rejected, report.committed) == (0, 1, 0, True)
    assert report.created == {}
    assert employee_ids(wh) == before
    # The same id for another client is no duplicate but a clash: rejected, and it creates nothing.
    other = csv_bytes(TICKET_HEADER, [["K1", "Gamma", "phone", "complaint", "GHOST1", "2026-03-02 09:00"]])
    clash = import_file(wh, "tickets", other, "k3.csv", ACTOR, create_missing=True)
    assert (clash.imported, clash.duplicates, clash.rejected) == (0, 0, 1)
    assert [(r.row, r.column, r.key) for r in clash.rejects] == [(2, "ticket_id", "imp_id_other_client")]
    assert clash.created == {}
    assert employee_ids(wh) == before
    assert "Gamma" not in wh.column("SELECT name FROM clients")
    assert wh.rows("SELECT client, agent_id FROM tickets WHERE ticket_id = 'K1'") == [("Acme", "A1")]


def test_a_new_row_creates_its_agent_and_a_duplicate_beside_it_does_not(tiny_with_ticket):
    wh = tiny_with_ticket
    rows = [
        ["K1", "Acme", "phone", "complaint", "GHOST1", "2026-03-02 09:00"],  # already present
        ["K2", "Acme", "chat", "consultation", "GHOST2", "2026-03-03 10:00"],
    ]
    report = import_file(wh, "tickets", csv_bytes(TICKET_HEADER, rows), "k2.csv", ACTOR, create_missing=True)
    assert (report.imported, report.duplicates, report.rejected) == (1, 1, 0)
    assert report.created == {"employees": ["GHOST2"]}
    assert "GHOST1" not in employee_ids(wh)
    assert wh.rows("SELECT status, hire_date::VARCHAR FROM employees WHERE employee_id = 'GHOST2'") == [
        ("active", "2026-03-03")
    ]


def test_a_rejected_row_creates_nothing_and_strict_creates_nothing_at_all(tiny_with_ticket):
    wh = tiny_with_ticket
    rows = [
        ["K3", "Acme", "phone", "complaint", "GHOST3", "2026-03-04 09:00"],
        ["K4", "Acme", "fax", "complaint", "GHOST4", "2026-03-04 10:00"],  # no such channel
    ]
    data = csv_bytes(TICKET_HEADER, rows)
    before = employee_ids(wh)
    strict = import_file(wh, "tickets", data, "k3.csv", ACTOR, create_missing=True, strict=True)
    assert (strict.imported, strict.rejected, strict.committed) == (0, 1, False)
    assert employee_ids(wh) == before
    lenient = import_file(wh, "tickets", data, "k3.csv", ACTOR, create_missing=True)
    assert (lenient.imported, lenient.rejected) == (1, 1)
    assert employee_ids(wh) - before == {"GHOST3"}


# -- dates outside the plausible window ----------------------------------------------------------

TODAY = dt.date.today()
LATEST = TODAY + dt.timedelta(days=366)
WINDOW_EN = f"must be between 2000-01-01 and {LATEST}"
WINDOW_ZH = f"须在 2000-01-01 至 {LATEST} 之间"


def test_ticket_dates_outside_the_window_are_rejected_with_row_column_and_reason(tiny):
    header = [*TICKET_HEADER, "first_response_at", "callback_promised_at"]
    late = f"{LATEST + dt.timedelta(days=1)} 09:00"
    rows = [
        ["W1", "Acme", "phone", "complaint", "A1", "2206-10-31 09:00", "", ""],  # the typo
        ["W2", "Acme", "phone", "complaint", "A1", "1999-12-31 23:59", "", ""],
        ["W3", "Acme", "phone", "complaint", "A1", "2026-03-02 09:00", "", late],
        ["W4", "Acme", "phone", "complaint", "A1", "2000-01-01 00:00", "", ""],  # the first day allowed
        ["W5", "Acme", "phone", "complaint", "A1", f"{LATEST} 23:59", f"{LATEST} 23:59:30", ""],  # the last
    ]
    report = import_file(tiny, "tickets", csv_bytes(header, rows), "w.csv", ACTOR)
    assert [(r.row, r.column, r.value, r.reason("en"), r.reason("zh")) for r in report.rejects] == [
        (2, "opened_at", "2206-10-31 09:00", WINDOW_EN, WINDOW_ZH),
        (3, "opened_at", "1999-12-31 23:59", WINDOW_EN, WINDOW_ZH),
        (4, "callback_promised_at", late, WINDOW_EN, WINDOW_ZH),
    ]
    assert (report.imported, report.rejected) == (2, 3)
    assert tiny.column("SELECT ticket_id FROM tickets WHERE ticket_id LIKE 'W%' ORDER BY 1") == ["W4", "W5"]


@pytest.mark.parametrize(
    "kind, header, row, column",
    [
        ("audits", ["audit_id", "audited_at", "agent_id", "source", "attitude"], ["Q9", "2206-10-31", "A1", "recording", "90"], "audited_at"),
        ("training", ["employee_id", "course", "kind", "taken_on"], ["A1", "Safety", "in_service", "1900-01-01"], "taken_on"),
        ("employees", ["employee_id", "name", "department", "position", "hire_date"], ["E9", "Eve", "customer_service", "agent", "0206-10-31"], "hire_date"),
    ],
)  # fmt: skip
def test_every_kind_keeps_its_dates_in_the_window(tiny, kind, header, row, column):
    report = import_file(tiny, kind, csv_bytes(header, [row]), "w.csv", ACTOR)
    assert [(r.row, r.column, r.reason("en")) for r in report.rejects] == [(2, column, WINDOW_EN)]
    assert report.imported == 0


def test_the_window_is_a_setting(tiny, monkeypatch):
    data = csv_bytes(TICKET_HEADER, [["W6", "Acme", "phone", "complaint", "A1", "1999-12-31 09:00"]])
    monkeypatch.setenv("CSDATA_EARLIEST_DATE", "1990-01-01")
    monkeypatch.setenv("CSDATA_FUTURE_DAYS", "0")
    assert import_file(tiny, "tickets", data, "w.csv", ACTOR).imported == 1
    tomorrow = f"{TODAY + dt.timedelta(days=1)} 09:00"
    data = csv_bytes(TICKET_HEADER, [["W7", "Acme", "phone", "complaint", "A1", tomorrow]])
    report = import_file(tiny, "tickets", data, "w.csv", ACTOR)
    assert [r.reason("en") for r in report.rejects] == [f"must be between 1990-01-01 and {TODAY}"]
    monkeypatch.setenv("CSDATA_EARLIEST_DATE", "last year")
    with pytest.raises(ImportError_) as caught:
        import_file(tiny, "tickets", data, "w.csv", ACTOR)
    assert caught.value.text("en").startswith("the setting CSDATA_EARLIEST_DATE cannot be used")
    assert caught.value.text("zh").startswith("设置 CSDATA_EARLIEST_DATE 无法使用")


# -- a future ticket already stored does not move the default period -----------------------------


@pytest.fixture
def tiny_with_future_ticket(tmp_path):
    path = tmp_path / "future.duckdb"
    wh = build_tiny(path)
    add_user(wh, "test", "admin", "admin", "long enough password")
    last_real = lookups.ticket_date_range(wh)[1]
    with wh.transaction("test", "old data") as w:  # as an import before the date window let it in
        w.execute(
            "INSERT INTO tickets (ticket_id, client, channel, type, agent_id, opened_at) "
            "VALUES ('FUTURE', 'Acme', 'phone', 'complaint', 'A1', TIMESTAMP '2206-10-31 09:00')"
        )
    wh.close()
    return path, last_real


def test_date_range_ends_at_the_last_day_with_data_up_to_today(tiny_with_future_ticket):
    from csdata.store.warehouse import Warehouse

    path, last_real = tiny_with_future_ticket
    wh = Warehouse(path, read_only=True)
    try:
        first, last = lookups.ticket_date_range(wh)
        assert last == last_real < TODAY
        # Once today passes the stored day, that day is the last day with data.
        assert lookups.ticket_date_range(wh, today=dt.date(2206, 11, 1))[1] == dt.date(2206, 10, 31)
    finally:
        wh.close()


def test_dashboard_default_period_ignores_a_stored_future_ticket(tiny_with_future_ticket, monkeypatch):
    path, last_real = tiny_with_future_ticket
    point_app_at(monkeypatch, path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    sign_in_as(at, "admin")
    at.run()
    at.switch_page(pages.PAGES["overview"].file).run()
    assert not at.exception, [e.value for e in at.exception]
    start, end = at.date_input(key="f_period").value
    assert end == last_real
    assert start <= last_real
