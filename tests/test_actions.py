"""Corrective actions that close and coaching sessions (`csdata.records.entry.action_step`,
`save_coaching`): each move is one transaction with its step and its audit-log row, impossible
moves are refused, the scope limits whose actions an account may move, and the Quality page's
listing counts actions by their current status. Then the Actions page through AppTest."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import open_page

from csdata.access.scope import EVERYTHING, scope_for
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.policy import load_policy
from csdata.records import entry
from csdata.text.i18n import Problem, t

SUPERVISOR = scope_for("supervisor", teams=("Acme-1",))  # A1, A2, S1; not B1 of Beta-1
D = dt.date.fromisoformat


@pytest.fixture
def wh(tiny):
    """The tiny warehouse with an action on A1's audit (Acme-1) and one on B1's (Beta-1)."""
    with tiny.transaction("test", "fixture.actions") as w:
        w.execute(
            "INSERT INTO corrective_actions (action_id, audit_id, agent_id, kind, owner_id, due_on, status) VALUES"
            " ('CA00001', 'AU1', 'A1', 'coaching', 'S1', '2026-03-20', 'open'),"
            " ('CA00002', 'AU3', 'B1', 'training', 'Q1', '2026-03-25', 'open')"
        )
    return tiny


def status(wh, action_id: str) -> tuple:
    return wh.rows("SELECT status, closed_on, owner_id, due_on FROM corrective_actions WHERE action_id = ?",
                   [action_id])[0]  # fmt: skip


def last_log(wh) -> tuple:
    action, entity, detail = wh.rows("SELECT action, entity, detail FROM audit_log ORDER BY id DESC LIMIT 1")[
        0
    ]
    return action, entity, json.loads(detail)


def refused(key: str, call, *args, **kwargs) -> None:
    with pytest.raises(Problem) as caught:
        call(*args, **kwargs)
    assert caught.value.key == key
    for lang in ("en", "zh"):
        assert t(key, lang, **caught.value.params)


def test_open_in_progress_done_each_one_step_logged(wh):
    entry.action_step(wh, "sup", SUPERVISOR, "CA00001", "in_progress", D("2026-03-05"), "first talk")
    assert status(wh, "CA00001") == ("in_progress", None, "S1", D("2026-03-20"))
    action, entity, detail = last_log(wh)
    assert (action, entity) == ("action.step", "CA00001")
    assert detail["before"] == {"status": "open"} and detail["after"] == {"status": "in_progress"}
    entry.action_step(wh, "sup", SUPERVISOR, "CA00001", "done", D("2026-03-18"), "listened to calls")
    assert status(wh, "CA00001") == ("done", D("2026-03-18"), "S1", D("2026-03-20"))
    _, _, detail = last_log(wh)
    assert detail["before"] == {"status": "in_progress", "closed_on": None}
    assert detail["after"] == {"status": "done", "closed_on": "2026-03-18"}
    steps = lookups.action_steps(wh, "CA00001", SUPERVISOR)
    assert list(steps["status"]) == ["in_progress", "done"]
    assert list(steps["note"]) == ["first talk", "listened to calls"]


def test_owner_and_due_change_logged(wh):
    entry.action_step(
        wh, "hr", EVERYTHING, "CA00001", "open", D("2026-03-06"), None, owner="A2", due=D("2026-04-10")
    )
    assert status(wh, "CA00001") == ("open", None, "A2", D("2026-04-10"))
    _, _, detail = last_log(wh)
    assert detail["before"] == {"owner_id": "S1", "due_on": "2026-03-20"}
    assert detail["after"] == {"owner_id": "A2", "due_on": "2026-04-10"}
    [step] = lookups.action_steps(wh, "CA00001").to_dict("records")
    assert (step["owner_id"], step["due_on"].date()) == ("A2", D("2026-04-10"))


def test_impossible_moves_refused_and_nothing_written(wh):
    before = wh.scalar("SELECT count(*) FROM audit_log")
    refused("act_nothing", entry.action_step, wh, "x", EVERYTHING, "CA00001", "open", D("2026-03-05"))
    refused("act_bad_status", entry.action_step, wh, "x", EVERYTHING, "CA00001", "closed", D("2026-03-05"))
    refused("act_day_before", entry.action_step, wh, "x", EVERYTHING, "CA00001", "done", D("2026-03-01"))
    refused("act_day_future", entry.action_step, wh, "x", EVERYTHING, "CA00001", "done",
            dt.date.today() + dt.timedelta(days=1))  # fmt: skip
    refused("entry_unknown_owner", entry.action_step, wh, "x", EVERYTHING, "CA00001", "open", D("2026-03-05"),
            owner="ZZ")  # fmt: skip
    refused("entry_due_before_audit", entry.action_step, wh, "x", EVERYTHING, "CA00001", "open",
            D("2026-03-05"), due=D("2026-03-01"))  # fmt: skip
    refused("act_no_action", entry.action_step, wh, "x", EVERYTHING, "CA99999", "done", D("2026-03-05"))
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "in_progress", D("2026-03-05"))
    refused("act_no_back", entry.action_step, wh, "x", EVERYTHING, "CA00001", "open", D("2026-03-06"), "why")
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "cancelled", D("2026-03-07"))
    refused("act_closed", entry.action_step, wh, "x", EVERYTHING, "CA00001", "done", D("2026-03-08"))
    refused("act_reopen_reason", entry.action_step, wh, "x", EVERYTHING, "CA00001", "open", D("2026-03-08"))
    assert wh.scalar("SELECT count(*) FROM audit_log") == before + 2
    assert wh.scalar("SELECT count(*) FROM action_steps") == 2


def test_reopen_with_a_reason(wh):
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "done", D("2026-03-10"))
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "open", D("2026-03-12"), "the same finding again")
    assert status(wh, "CA00001")[:2] == ("open", None)
    _, _, detail = last_log(wh)
    assert detail["reopen"] is True and detail["note"] == "the same finding again"


def test_scope_refuses_another_teams_action(wh):
    refused("act_out_of_scope", entry.action_step, wh, "sup", SUPERVISOR, "CA00002", "done", D("2026-03-20"))
    assert status(wh, "CA00002")[0] == "open"
    assert list(lookups.actions(wh, SUPERVISOR)["action_id"]) == ["CA00001"]
    refused("act_not_allowed", entry.action_step, wh, "fin", scope_for("finance"), "CA00001", "done",
            D("2026-03-20"))  # fmt: skip


def test_action_list_filters(wh):
    today = D("2026-03-22")
    assert list(lookups.actions(wh, today=today, overdue_only=True)["action_id"]) == ["CA00001"]
    assert list(lookups.actions(wh, owner="Q1")["action_id"]) == ["CA00002"]
    entry.action_step(wh, "x", EVERYTHING, "CA00002", "done", D("2026-03-20"))
    assert list(lookups.actions(wh, statuses=("done",))["action_id"]) == ["CA00002"]


def quality_states(wh) -> dict[str, int]:
    sql, params = compiler.listing_sql("actions", Filters(D("2026-03-01"), D("2026-03-31")), EVERYTHING,
                                       load_policy(wh)[1])  # fmt: skip
    frame = wh.df(sql, params)
    return frame.groupby("state")["actions"].sum().to_dict()


def test_quality_listing_follows_the_current_status(wh):
    assert quality_states(wh) == {"overdue": 2}
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "done", D("2026-03-18"))
    entry.action_step(wh, "x", EVERYTHING, "CA00002", "cancelled", D("2026-03-20"))
    assert quality_states(wh) == {"done": 1, "cancelled": 1}


def test_coaching_saved_in_scope_and_listed(wh):
    session = entry.CoachingSession(employee_id="A1", held_on=D("2026-03-06"), coach_id="S1",
                                    topic="Empathy on complaints", audit_id="AU1", period="2026-Q1")  # fmt: skip
    session_id = entry.save_coaching(wh, "sup", SUPERVISOR, session)
    assert session_id == "CS000001"
    listed = lookups.coaching(wh, SUPERVISOR, "A1")
    assert list(listed["topic"]) == ["Empathy on complaints"]
    assert last_log(wh)[:2] == ("coaching.add", "A1")
    other = session.model_copy(update={"employee_id": "B1", "audit_id": None, "period": None})
    refused("entry_agent_out_of_scope", entry.save_coaching, wh, "sup", SUPERVISOR, other)
    refused("coach_audit_not_theirs", entry.save_coaching, wh, "hr", EVERYTHING,
            session.model_copy(update={"audit_id": "AU3"}))  # fmt: skip
    refused("coach_no_appraisal", entry.save_coaching, wh, "hr", EVERYTHING,
            session.model_copy(update={"employee_id": "A2", "audit_id": None}))  # fmt: skip
    refused("coach_unknown_coach", entry.save_coaching, wh, "hr", EVERYTHING,
            session.model_copy(update={"coach_id": "ZZ"}))  # fmt: skip
    refused("coach_not_allowed", entry.save_coaching, wh, "qa", scope_for("qa"), session)
    assert lookups.coaching(wh, SUPERVISOR, "B1").empty


# -- the Actions page through AppTest --------------------------------------------------------------


def widget(at, kind: str, key: str):
    [found] = [x for x in getattr(at, kind) if x.key and x.key.split("~")[0] == key]
    return found


def clean(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def listing_states(wh, start: dt.date, end: dt.date) -> dict[str, int]:
    sql, params = compiler.listing_sql("actions", Filters(start, end), EVERYTHING, load_policy(wh)[1])
    return wh.df(sql, params).groupby("state")["actions"].sum().to_dict()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_for_each_role(app_wh, lang):
    for user in ("admin", "qa", "hr", "supervisor"):
        at = open_page("actions", lang, user)
        assert at.title[0].value == t("nav_actions", lang)
        assert not at.error, [e.value for e in at.error]


def test_supervisor_lists_only_their_teams_actions(app_wh):
    from csdata.access.auth import load_user

    scope = load_user(app_wh, "supervisor").scope
    teams = set(lookups.actions(app_wh, scope)["team"])
    assert teams and teams <= set(scope.teams)
    assert len(lookups.actions(app_wh, scope)) < len(lookups.actions(app_wh))


def test_moving_an_action_to_done_on_the_page_and_quality_follows(app_wh):
    today = dt.date.today()
    first = lookups.actions(app_wh, statuses=("open",)).iloc[0]
    audited = app_wh.scalar("SELECT audited_at FROM audits WHERE audit_id = ?", [first["audit_id"]])
    start = audited or first["due_on"].date()
    before = listing_states(app_wh, start, today)
    at = open_page("actions", "en", "qa")
    at.selectbox(key="act_choose").select(first["action_id"]).run()
    widget(at, "selectbox", "as_status").select("done").run()
    widget(at, "text_input", "as_note").input("coached on two calls").run()
    clean(widget(at, "button", "as_apply").click().run())
    assert not at.error, [e.value for e in at.error]
    assert app_wh.rows("SELECT status, closed_on FROM corrective_actions WHERE action_id = ?",
                       [first["action_id"]]) == [("done", today)]  # fmt: skip
    assert any(first["action_id"] in s.value for s in at.success)
    after = listing_states(app_wh, start, today)
    assert after.get("done", 0) == before.get("done", 0) + 1
    assert (
        after.get("open", 0) + after.get("overdue", 0) == before.get("open", 0) + before.get("overdue", 0) - 1
    )
    steps = lookups.action_steps(app_wh, first["action_id"])
    assert list(steps["note"]) == ["coached on two calls"]
    # The same step again is refused with its reason, and nothing more is written.
    at = open_page("actions", "en", "qa")
    at.multiselect(key="act_f_status").set_value(["done"]).run()
    at.selectbox(key="act_choose").select(first["action_id"]).run()
    clean(widget(at, "button", "as_apply").click().run())
    assert any(t("act_reopen_reason", "en") in e.value for e in at.error)
    assert len(lookups.action_steps(app_wh, first["action_id"])) == 1


def test_a_coaching_session_saved_and_listed(app_wh):
    from csdata.access.auth import load_user

    scope = load_user(app_wh, "supervisor").scope
    person = lookups.agents(app_wh, scope).iloc[0]["employee_id"]
    coach = lookups.employees(app_wh, ("supervisor",)).iloc[0]["employee_id"]
    at = open_page("actions", "en", "supervisor")
    widget(at, "selectbox", "co_person").select(person).run()
    widget(at, "selectbox", "co_coach").select(coach).run()
    widget(at, "text_input", "co_topic").input("Calm tone with angry callers").run()
    clean(widget(at, "button", "co_save").click().run())
    assert not at.error, [e.value for e in at.error]
    listed = lookups.coaching(app_wh, scope, person)
    assert list(listed["topic"]) == ["Calm tone with angry callers"]
    assert any("Calm tone with angry callers" in str(d.value.to_dict()) for d in at.dataframe)
    # and on the person's Agent page
    at = open_page("agent", "en", "supervisor", query={"agent": person})
    assert t("agent_coaching_title", "en") in [h.value for h in at.subheader]
    assert any("Calm tone with angry callers" in str(d.value.to_dict()) for d in at.dataframe)


def test_a_coaching_session_counts_as_coaching_on_the_people_page(wh):
    def coached() -> dict[str, bool]:
        filters = Filters(D("2026-01-01"), D("2026-03-31"))
        sql, params = compiler.listing_sql("appraised", filters, EVERYTHING, load_policy(wh)[1])
        frame = wh.df(sql, params)
        return dict(zip(frame["employee_id"], frame["coached"], strict=True))

    assert not coached()["B1"]
    session = entry.CoachingSession(
        employee_id="B1", held_on=D("2026-03-10"), coach_id="Q1", topic="Accuracy"
    )
    entry.save_coaching(wh, "hr", EVERYTHING, session)
    assert coached()["B1"]


def test_quality_listing_counts_an_action_as_it_stood_at_the_period_end(wh):
    entry.action_step(wh, "x", EVERYTHING, "CA00001", "in_progress", D("2026-03-10"))
    entry.action_step(wh, "x", EVERYTHING, "CA00002", "cancelled", D("2026-04-02"))
    assert quality_states(wh) == {"overdue": 2}  # in progress past its due day; cancelled in April
