"""The period a dashboard opens on and the days its picker offers (`lookups.data_span`): the last
90 complete days of ticket data, whatever stray records lie after them, and every day that holds
a record or is today."""

from __future__ import annotations

import datetime as dt

import pytest

from csdata.analytics import lookups
from csdata.store.warehouse import Warehouse

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def wh(tmp_path):
    wh = Warehouse(tmp_path / "span.duckdb", create=True)
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name) VALUES ('Acme')")
    yield wh
    wh.close()


def tickets(wh, day: dt.date, n: int, prefix: str = "T") -> None:
    with wh.transaction("test", "tickets") as w:
        w.execute(
            "INSERT INTO tickets (ticket_id, client, channel, type, opened_at) "
            "SELECT ? || CAST(? AS VARCHAR) || '-' || CAST(i AS VARCHAR), 'Acme', 'phone', 'consultation',"
            " CAST(? AS TIMESTAMP) + INTERVAL 9 HOUR FROM range(?) r(i)",
            [prefix, day.isoformat(), day, n],
        )


def history(wh, first: dt.date, last: dt.date, weekday: int = 100, sunday: int = 30) -> None:
    day = first
    while day <= last:
        tickets(wh, day, sunday if day.isoweekday() == 7 else weekday)
        day += dt.timedelta(days=1)


def test_the_default_period_is_the_last_90_days_up_to_the_last_complete_day(wh):
    history(wh, dt.date(2026, 6, 1), dt.date(2026, 10, 31))
    span = lookups.data_span(wh, TODAY)
    assert span.end == dt.date(2026, 10, 31)  # a Saturday with a full day of tickets
    assert span.default(90) == (dt.date(2026, 8, 3), dt.date(2026, 10, 31))
    assert span.first == dt.date(2026, 6, 1)
    assert span.last == TODAY  # a record saved today can be looked at


def test_a_quiet_weekday_is_a_complete_day(wh):
    """Sundays hold 30 tickets against 100 on other days: a Sunday is complete when it holds half
    of what the Sundays before it held, not half of an ordinary day."""
    history(wh, dt.date(2026, 6, 1), dt.date(2026, 11, 1))  # 2026-11-01 is a Sunday
    assert lookups.data_span(wh, TODAY).end == dt.date(2026, 11, 1)


def test_a_tail_of_a_few_tickets_is_not_a_week_of_data(wh):
    history(wh, dt.date(2026, 6, 1), dt.date(2026, 10, 31))
    for day in range(1, 8):  # a handful of stray tickets in the first week of November
        tickets(wh, dt.date(2026, 11, day), 3, prefix="S")
    span = lookups.data_span(wh, TODAY)
    assert span.end == dt.date(2026, 10, 31)
    assert span.last == TODAY


def test_a_ticket_saved_today_does_not_move_the_default_period(wh):
    history(wh, dt.date(2026, 6, 1), dt.date(2026, 10, 31))
    tickets(wh, TODAY, 1, prefix="NEW")
    assert lookups.data_span(wh, TODAY).end == dt.date(2026, 10, 31)


def test_data_up_to_yesterday_opens_on_yesterday(wh):
    history(wh, dt.date(2026, 8, 1), TODAY)  # today's tickets are still coming in
    span = lookups.data_span(wh, TODAY)
    assert span.end == TODAY - dt.timedelta(days=1)
    assert span.default(90)[0] == TODAY - dt.timedelta(days=90)


def test_the_picker_reaches_every_day_with_a_record(wh):
    history(wh, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    with wh.transaction("test", "audit") as w:
        w.execute(
            "INSERT INTO audits (audit_id, audited_at, agent_id, source) VALUES "
            "('A1', DATE '2026-05-20', 'X', 'recording'), ('A2', DATE '2027-01-05', 'X', 'recording')"
        )
    span = lookups.data_span(wh, TODAY)
    assert (span.first, span.last) == (dt.date(2026, 5, 20), dt.date(2027, 1, 5))
    assert span.end == dt.date(2026, 6, 30)


def test_a_short_history_starts_the_period_at_its_first_day(wh):
    history(wh, dt.date(2026, 10, 1), dt.date(2026, 10, 20))
    assert lookups.data_span(wh, TODAY).default(90) == (dt.date(2026, 10, 1), dt.date(2026, 10, 20))


def test_no_tickets_no_span(wh):
    assert lookups.data_span(wh, TODAY) is None
