"""Recognition (表彰): HR records one for a person on the Agent page (one transaction, audit-log
row `recognitions:ID`, a trail row), it shows in the person's history and beside them among the
People page's top performers; it can be voided with a reason (kept, no longer an award); QA and
supervisors cannot record one; bad input gets its message and writes nothing.

The tiny warehouse of conftest: A1 (hired 2024-01-10) and B1 are appraised in 2026-Q1, A1 first
(score 0.3 × 90 + 0.3 × 85 + 0.25 × 80 + 0.15 × 100 = 87.5) and B1 second (65.5).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import build_tiny, open_page, point_app_at, shown

from csdata.access import auth
from csdata.access.scope import scope_for
from csdata.analytics import lookups
from csdata.analytics.compiler import Filters
from csdata.analytics.page_queries import fetch, requests
from csdata.records import history, recognitions
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t

PASSWORD = "long enough password"
TODAY = dt.date(2026, 4, 10)
HR = scope_for("hr")


@pytest.fixture
def tiny_path(tmp_path):
    wh = build_tiny(tmp_path / "tiny.duckdb")
    for name, role, teams in (("admin", "admin", ()), ("hr1", "hr", ()), ("qa1", "qa", ()),
                              ("sup1", "supervisor", ("Acme-1",))):  # fmt: skip
        auth.add_user(wh, "test", name, role, PASSWORD, teams=teams)
    wh.close()
    return tmp_path / "tiny.duckdb"


@pytest.fixture
def wh(tiny_path):
    w = Warehouse(tiny_path)
    yield w
    w.close()


def counts(wh) -> tuple[int, int, int]:
    """Recognitions, their trail rows, their audit-log rows."""
    return (
        wh.scalar("SELECT count(*) FROM recognitions"),
        wh.scalar("SELECT count(*) FROM record_changes WHERE kind = 'recognitions'"),
        wh.scalar("SELECT count(*) FROM audit_log WHERE starts_with(action, 'recognitions.')"),
    )


def test_record_and_void_keep_one_trail(wh):
    rid = recognitions.record(
        wh, "hr1", HR, "A1", " Star of  the month ", dt.date(2026, 3, 31), "CSAT 98 %", TODAY
    )
    row = wh.rows(
        "SELECT employee_id, award, awarded_on, reason, recorded_by FROM recognitions WHERE id = ?", [rid]
    )
    assert row == [("A1", "Star of the month", dt.date(2026, 3, 31), "CSAT 98 %", "hr1")]
    [(entity, actor, detail)] = wh.rows(
        "SELECT entity, actor, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'recognitions.record'"
    )
    assert (entity, actor) == (f"recognitions:{rid}", "hr1")
    assert json.loads(detail)["award"] == "Star of the month"
    [(change, after, log_id)] = wh.rows(
        "SELECT change, CAST(after AS VARCHAR), audit_log_id FROM record_changes WHERE kind = 'recognitions'"
    )
    assert change == "create" and json.loads(after)["award"] == "Star of the month"
    assert log_id == wh.scalar("SELECT id FROM audit_log WHERE action = 'recognitions.record'")

    with pytest.raises(Problem) as caught:
        recognitions.void(wh, "hr1", HR, rid, "  ")
    assert caught.value.key == "recognition_no_void_reason"
    recognitions.void(wh, "hr1", HR, rid, "entered for the wrong person")
    assert wh.rows("SELECT voided_by, void_reason FROM recognitions WHERE id = ?", [rid]) == [
        ("hr1", "entered for the wrong person")
    ]
    assert counts(wh) == (1, 2, 2)  # kept; a create and a void in its trail, two log rows
    history = lookups.recognitions(wh, "A1", HR)
    assert list(history["award"]) == ["Star of the month"] and history["voided_at"].notna().all()
    assert lookups.recognitions(wh, "A1", scope_for("client", ("Acme",))).empty  # never a client's
    assert lookups.recognitions(wh, "A1", scope_for("supervisor", (), ("Beta-1",))).empty  # not their team
    assert (
        wh.scalar("SELECT entity FROM audit_log WHERE action = 'recognitions.void'") == f"recognitions:{rid}"
    )
    with pytest.raises(Problem) as caught:
        recognitions.void(wh, "hr1", HR, rid, "again")
    assert caught.value.key == "recognition_already_void"
    assert counts(wh) == (1, 2, 2)


def test_history_lists_a_recognition_entered_then_voided(wh):
    rid = recognitions.record(
        wh, "hr1", HR, "A1", "Star of the month", dt.date(2026, 3, 31), "CSAT 98 %", TODAY
    )
    recognitions.void(wh, "hr2", HR, rid, "entered for the wrong person")
    found = history.versions(wh, "recognitions", str(rid))
    assert [(v["actor"], v["change"]) for v in found] == [("hr1", "create"), ("hr2", "void")]
    assert found[0]["changes"]["award"] == [None, "Star of the month"]
    assert found[1]["changes"]["void_reason"] == [None, "entered for the wrong person"]
    assert "award" not in found[1]["changes"]  # a void keeps the record: only the marks change
    assert found[1]["reason"] == "entered for the wrong person"


@pytest.mark.parametrize(
    ("award", "day", "reason", "key"),
    [
        ("", dt.date(2026, 3, 1), "good work", "recognition_no_award"),
        ("Star", dt.date(2026, 3, 1), "   ", "recognition_no_reason"),
        ("Star", None, "good work", "recognition_no_day"),
        ("x" * 81, dt.date(2026, 3, 1), "good work", "recognition_award_long"),
        # TODAY + 31 days = 2026-05-11 is the last day accepted; 2027 is a typed-wrong year.
        ("Star", dt.date(2027, 4, 1), "good work", "recognition_day_ahead"),
        ("Star", dt.date(2023, 12, 31), "good work", "recognition_before_hire"),  # A1 hired 2024-01-10
    ],
)
def test_bad_input_is_refused_and_writes_nothing(wh, award, day, reason, key):
    with pytest.raises(Problem) as caught:
        recognitions.record(wh, "hr1", HR, "A1", award, day, reason, TODAY)
    assert caught.value.key == key
    assert t(key, "en", **caught.value.params)  # a message in both languages
    assert t(key, "zh", **caught.value.params)
    assert counts(wh) == (0, 0, 0)


def test_the_last_day_ahead_is_accepted(wh):
    recognitions.record(wh, "hr1", HR, "A1", "Star", dt.date(2026, 5, 11), "announced", TODAY)
    assert counts(wh)[0] == 1


def test_only_hr_and_admin_record(wh):
    for role, teams in (("qa", ()), ("supervisor", ("Acme-1",)), ("finance", ()), ("exec", ())):
        with pytest.raises(Problem) as caught:
            recognitions.record(wh, "x", scope_for(role, (), teams), "A1", "Star", TODAY, "good", TODAY)
        assert caught.value.key == "recognition_not_allowed", role
    hr_beta = scope_for("hr", ("Beta",))
    with pytest.raises(Problem) as caught:
        recognitions.record(wh, "x", hr_beta, "A1", "Star", TODAY, "good", TODAY)  # A1 is Acme's
    assert caught.value.key == "entry_agent_out_of_scope"
    assert counts(wh) == (0, 0, 0)


def test_awards_beside_the_top_performers(wh):
    recognitions.record(wh, "hr1", HR, "A1", "Star of the month", dt.date(2026, 3, 31), "CSAT", TODAY)
    recognitions.record(wh, "hr1", HR, "A1", "Team spirit", dt.date(2026, 2, 1), "helped", TODAY)
    voided = recognitions.record(wh, "hr1", HR, "B1", "Wrong one", dt.date(2026, 3, 1), "typo", TODAY)
    recognitions.void(wh, "hr1", HR, voided, "typo")
    filters = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    frame = fetch(wh, requests("people", filters)["appraised"]).set_index("employee_id")
    assert frame.loc["A1", "awards"] == "Star of the month (2026-03-31); Team spirit (2026-02-01)"
    assert frame.loc["B1", "awards"] is None or frame.loc["B1", "awards"] != frame.loc["B1", "awards"]


# -- the pages -------------------------------------------------------------------------------------


def agent_page(tiny_path, monkeypatch, user: str):
    point_app_at(monkeypatch, tiny_path)
    return open_page("agent", user=user, query={"agent": "A1"})


def test_hr_records_one_on_the_agent_page_and_it_shows_there_and_on_people(tiny_path, monkeypatch):
    at = agent_page(tiny_path, monkeypatch, "hr1")
    assert t("rec_title", "en") in [s.value for s in at.subheader]
    at.text_input(key="rec_award_A1").input("Star of the month")
    at.date_input(key="rec_awarded_on_A1").set_value(dt.date(2026, 3, 31))
    at.text_area(key="rec_reason_A1").input("CSAT 98 % in March")
    [save] = [b for b in at.button if b.label == t("rec_save", "en")]
    save.click().run()
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    wh = Warehouse(tiny_path)
    try:
        rid = wh.scalar("SELECT id FROM recognitions")
        assert counts(wh) == (1, 1, 1)
        assert (
            wh.scalar("SELECT entity FROM audit_log WHERE action = 'recognitions.record'")
            == f"recognitions:{rid}"
        )
    finally:
        wh.close()
    assert [s.value for s in at.success] == [t("rec_saved", "en", id=rid)]
    history = [d.value for d in at.dataframe if t("col_award", "en") in d.value.columns]
    assert len(history) == 1 and list(history[0][t("col_award", "en")]) == ["Star of the month"]
    assert at.text_input(key="rec_award_A1").value == ""  # an empty form for the next one

    at.switch_page("views/people.py")
    at.query_params["from"], at.query_params["to"] = "2026-01-01", "2026-03-31"
    at.run()
    assert not at.exception
    tops = [d.value for d in at.dataframe if t("col_awards", "en") in d.value.columns]
    assert tops, "the top performers show an awards column"
    top = tops[0].set_index(t("col_employee_id", "en"))
    assert top.loc["A1", t("col_awards", "en")] == "Star of the month (2026-03-31)"


def test_a_refused_recognition_says_why_and_writes_nothing(tiny_path, monkeypatch):
    at = agent_page(tiny_path, monkeypatch, "hr1")
    at.text_area(key="rec_reason_A1").input("good work")  # no award
    [save] = [b for b in at.button if b.label == t("rec_save", "en")]
    save.click().run()
    assert [shown(e.value) for e in at.error] == [t("recognition_no_award", "en")]
    wh = Warehouse(tiny_path)
    try:
        assert counts(wh) == (0, 0, 0)
    finally:
        wh.close()


@pytest.mark.parametrize("user", ["qa1", "sup1"])
def test_qa_and_supervisors_see_no_form(tiny_path, monkeypatch, user):
    at = agent_page(tiny_path, monkeypatch, user)
    assert not [b for b in at.button if b.label == t("rec_save", "en")]
    assert t("rec_title", "en") not in [s.value for s in at.subheader]  # nothing recorded yet


def test_hr_voids_one_on_the_agent_page_with_a_reason(tiny_path, monkeypatch):
    wh = Warehouse(tiny_path)
    try:
        rid = recognitions.record(wh, "hr1", HR, "A1", "Wrong person", dt.date(2026, 3, 1), "typo", TODAY)
    finally:
        wh.close()
    at = agent_page(tiny_path, monkeypatch, "hr1")
    [void] = [b for b in at.button if b.label == t("rec_void_button", "en")]
    void.click().run()  # no reason: refused
    assert [shown(e.value) for e in at.error] == [t("recognition_no_void_reason", "en")]
    at.text_input(key="rec_void_reason_A1").input("recorded for the wrong person")
    [void] = [b for b in at.button if b.label == t("rec_void_button", "en")]
    void.click().run()
    assert not at.error and [s.value for s in at.success] == [t("rec_voided", "en", id=rid)]
    [history] = [d.value for d in at.dataframe if t("col_award", "en") in d.value.columns]
    assert list(history[t("col_void_reason", "en")]) == ["recorded for the wrong person"]
    assert not [b for b in at.button if b.label == t("rec_void_button", "en")]  # nothing left to void
    wh = Warehouse(tiny_path)
    try:
        assert counts(wh) == (1, 2, 2)
    finally:
        wh.close()
