"""The policy model's ranges, whichever way a policy comes in (editor tables, a JSON file, code),
rates entered in percent and stored as fractions, and the audit-log line of what a save changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from csdata import policy as pol
from csdata.demo.sample import sample_policy
from csdata.text.i18n import validation_messages


def refusals(body: dict, lang: str = "en") -> list[str]:
    """Why `body` is refused, each line naming its field as the editor does."""
    with pytest.raises(ValidationError) as caught:
        pol.Policy.model_validate(body)
    return pol.messages(caught.value, body, lang)


def test_tables_show_rates_in_percent_and_give_back_the_same_policy():
    policy = sample_policy(dt.date(2026, 1, 1))
    tables = pol.to_tables(policy)
    targets = {r["metric"]: (r["target"], r["unit"]) for r in tables["targets"]}
    assert targets["csat_pct"] == (85.0, "rate")
    assert targets["qa_critical_rate"] == (2.0, "rate")  # 0.02, a number that does not multiply exactly
    assert targets["csat_avg"] == (4.3, "rating")
    assert targets["complaint_feedback_hours"] == (24, "hours")
    assert targets["qa_score"] == (85, "points")
    phone = {r["metric"]: r["target"] for r in tables["channel_targets"] if r["channel"] == "phone"}
    assert phone == {"asa": 20, "aht": 300}  # seconds stay seconds
    contract = {
        (r["client"], r["metric"]): r["target"] for r in tables["contract_targets"] if r["channel"] is None
    }
    client = policy.contracts[0]
    assert contract[(client.client, "service_level")] == client.targets["service_level"] * 100
    again = pol.from_tables(tables, policy.scorecard.pass_mark, {k: getattr(policy, k) for k in pol.SCALARS})
    assert again == policy


def test_a_rate_entered_as_85_is_stored_as_085():
    policy = pol.default_policy()
    tables = pol.to_tables(policy)
    [row] = [r for r in tables["targets"] if r["metric"] == "csat_pct"]
    row["target"] = 85
    scalars = {k: getattr(policy, k) for k in pol.SCALARS}
    assert pol.from_tables(tables, 85, scalars).targets["csat_pct"] == 0.85
    row["target"] = 150
    with pytest.raises(ValidationError) as caught:
        pol.from_tables(tables, 85, scalars)
    assert validation_messages(caught.value, "en") == [
        "Company targets › CSAT (4–5): 150 % is not a percentage from 0 to 100"
    ]


def test_every_number_has_its_range_named_by_its_field():
    body = pol.default_policy().model_dump(mode="json")
    body["targets"]["csat_pct"] = 85  # a percentage where the stored field is a fraction: 8500 %
    body["targets"]["csat_avg"] = 0
    body["targets"]["qa_score"] = 101
    body["targets"]["complaint_feedback_hours"] = -1
    body["channel_targets"]["chat"]["asa"] = 0
    body["sla_seconds"]["email"] = -60
    body["contracts"] = [
        {"client": "Acme", "targets": {"fcr_rate": -0.1}, "channel_targets": {"phone": {"answer_rate": 1.01}}}
    ]
    assert refusals(body) == [
        "Service-level threshold › Email: -60 s must be more than 0 seconds",
        "Company targets › CSAT (4–5): 8500 % is not a percentage from 0 to 100",
        "Company targets › Average CSAT: 0 must be a rating from 1 to 5",
        "Company targets › Complaint feedback time: -1 h must be 0 hours or more",
        "Company targets › QA score: 101 must be between 0 and 100 points",
        "Targets per channel › Chat › Average speed of answer: 0 s must be more than 0 seconds",
        "Client contracts › Acme › First-contact resolution: -10 % is not a percentage from 0 to 100",
        "Client contracts › Acme › Phone › Answer rate: 101 % is not a percentage from 0 to 100",
    ]
    assert refusals(body, "zh")[1] == "公司目标 › 满意率:8500% 不在 0–100% 之间"


def test_weights_and_bands_keep_their_rules():
    body = pol.default_policy().model_dump(mode="json")
    body["appraisal"]["indicators"][0]["weight"] = 20  # 30 -> 20: the four add up to 90
    assert refusals(body) == ["Appraisal indicators: the weights must add up to 100 (they add up to 90)"]
    assert refusals(body, "zh") == ["考核指标:权重之和必须为 100(当前为 90)"]
    body = pol.default_policy().model_dump(mode="json")
    body["scorecard"]["criteria"][4]["weight"] = 0  # each weight above 0 as well
    assert "QA scorecard › row 5 › Weight: must be greater than 0" in refusals(body)
    assert "质检评分表 › 第 5 行 › 权重: 须大于 0" in refusals(body, "zh")
    body = pol.default_policy().model_dump(mode="json")
    body["appraisal"]["bands"][1]["min_score"] = 95  # B above A
    assert any("from the highest minimum score to the lowest" in m for m in refusals(body))
    body = pol.default_policy().model_dump(mode="json")
    body["appraisal"]["bands"][3]["coefficient"] = -0.5
    assert refusals(body) == ["Grade bands › row 4 › Coefficient: must be at least 0"]


def test_the_models_own_checks_name_the_field_as_the_editor_shows_it():
    body = pol.default_policy().model_dump(mode="json")
    body["scorecard"]["pass_mark"] = 120
    body["min_audits_for_ranking"] = 0
    body["sla_seconds"]["chat"] = None
    body["contracts"] = [{"client": "Acme", "targets": {"fcr_rate": None}}]
    assert refusals(body) == [
        "Service-level threshold › Chat: must be a whole number",
        "Client contracts › Acme › First-contact resolution: must be a number",
        "QA pass mark: must be at most 100",
        "Audits before an agent is ranked: must be at least 1",
    ]
    # Without the input, a contract is known by its place only.
    with pytest.raises(ValidationError) as caught:
        pol.Policy.model_validate(body)
    assert "Client contracts › row 1 › First-contact resolution: must be a number" in pol.messages(
        caught.value, None, "en"
    )
    # The plain path is what other forms still see.
    assert "scorecard › pass_mark: must be at most 100" in validation_messages(caught.value, "en")


def test_a_stored_version_is_read_as_saved_but_a_new_one_must_keep_the_ranges(tiny):
    version, policy = pol.load_policy(tiny)
    body = json.loads(policy.model_dump_json())
    body["targets"]["csat_pct"] = 85  # saved before the ranges were checked
    body["effective_from"] = "2026-06-01"
    with tiny.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO policy_versions (version, effective_from, body, created_by) VALUES (?, ?, ?, 'test')",
            [version + 1, dt.date(2026, 6, 1), json.dumps(body)],
        )
    assert pol.load_policy(tiny)[1].targets["csat_pct"] == 85, "the pages still open"
    broken = pol.load_policy(tiny)[1]
    with pytest.raises(ValidationError):
        pol.save_policy(tiny, broken, "admin")
    assert tiny.scalar("SELECT max(version) FROM policy_versions") == version + 1
    broken.targets["csat_pct"] = 0.85
    assert pol.save_policy(tiny, broken, "admin") == version + 2
    detail = json.loads(
        tiny.scalar("SELECT detail FROM audit_log WHERE action = 'policy.save' ORDER BY id DESC")
    )
    assert detail == {"version": version + 2, "changes": ["targets.csat_pct: 8500 % → 85 %"]}


def test_changes_name_each_value_that_moved():
    old = pol.default_policy()
    new = old.model_copy(deep=True)
    new.scorecard.criteria[0].weight = 30
    new.scorecard.criteria[1].weight = 15
    new.appraisal.bands[3].coefficient = 0.6
    new.channel_targets["phone"]["asa"] = 25
    new.client_metrics = ["offered", "csat_pct"]
    new.contracts = [pol.Contract(client="Acme", targets={"service_level": 0.9})]
    del new.targets["fcr_rate"]
    new.scorecard.criteria.reverse()  # the order of a list is no change
    assert pol.policy_changes(old, new) == [
        "channel_targets.phone.asa: 20 → 25",
        "contracts.Acme.targets.service_level: – → 90 %",
        "scorecard.criteria.responsiveness.weight: 20 → 15",
        "scorecard.criteria.attitude.weight: 25 → 30",
        "appraisal.bands.D.coefficient: 0.5 → 0.6",
        "client_metrics: " + ", ".join(old.client_metrics) + " → offered, csat_pct",
        "targets.fcr_rate: 75 % → –",  # removed: after every path the new version has
    ]
    assert pol.policy_changes(old, old.model_copy(deep=True)) == []


# -- the version a record is scored under ---------------------------------------------------------


def _version(tiny, effective: str, attitude: float) -> int:
    body = json.loads(pol.default_policy().model_dump_json())
    body["effective_from"] = effective
    body["scorecard"]["criteria"][0]["weight"] = attitude  # attitude, its difference on accuracy
    body["scorecard"]["criteria"][2]["weight"] = 55 - attitude
    return pol.save_policy(tiny, pol.Policy.model_validate(body), "test")


def test_history_finds_the_version_in_force_as_load_policy_does(tiny):
    """Versions saved out of order and two on one day: in Python and in SQL, the version in force
    on a day is `load_policy`'s (the latest effective date on or before it, the highest version of
    that date; before every effective date, the oldest)."""
    first = pol.load_policy(tiny)[0]  # the tiny warehouse's, from 2020-01-01
    later = _version(tiny, "2027-01-01", 40)  # saved before one that takes effect earlier
    _version(tiny, "2026-06-01", 30)
    same_day = _version(tiny, "2026-06-01", 35)
    history = pol.History.load(tiny)
    days = ["2019-12-31", "2020-01-01", "2026-05-31", "2026-06-01", "2026-12-31", "2027-01-01", "2030-01-01"]
    expected = [first, first, first, same_day, same_day, later, later]
    for day, version in zip(days, expected, strict=True):
        on = dt.date.fromisoformat(day)
        assert history.in_force(on)[0] == pol.load_policy(tiny, on)[0] == version, day
        sql = history.version_sql(f"DATE '{day}'")
        assert tiny.scalar(f"SELECT {sql}") == version, day
    assert history.in_force()[0] == pol.load_policy(tiny)[0] == later
    assert first + 2 not in history.in_use(), "overtaken on its own day, it scores nothing"


def test_history_lists_the_criteria_of_every_version_newest_first():
    old = pol.default_policy()
    new = old.model_copy(deep=True)
    new.effective_from = dt.date(2026, 1, 1)
    new.scorecard.criteria = [c for c in new.scorecard.criteria if c.key != "compliance"]
    new.scorecard.criteria[0].weight = 35
    new.scorecard.criteria.insert(
        0, pol.Item(key="empathy", label_en="Empathy", label_zh="同理心", weight=0.5)
    )
    new.scorecard.criteria[1].weight = 34.5
    history = pol.History([(1, old.effective_from, old), (2, new.effective_from, new)])
    keys = [i.key for i in history.items("audits")]
    assert keys == ["empathy", "attitude", "responsiveness", "accuracy", "communication", "compliance"]
    assert [i.key for i in history.items("audits", [1])] == [c.key for c in old.scorecard.criteria]
    assert history.holding("audits", "compliance") == [1] and history.holding("audits", "empathy") == [2]


@pytest.mark.parametrize("key", ["comment", "score", "source", "quality_v", "model_x", "copy"])
def test_a_criterion_key_may_not_be_a_column_of_the_record(key):
    body = json.loads(pol.default_policy().model_dump_json())
    body["scorecard"]["criteria"][0]["key"] = key
    [message] = refusals(body)
    assert message == f"QA scorecard: a record already has a column named {key}; choose another key"
    assert refusals(body, "zh") == [f"质检评分表:记录中已有名为 {key} 的列,请换一个键"]
