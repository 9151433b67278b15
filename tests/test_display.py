"""How numbers and stored keys read: download file names and numeric cells, durations in one unit
per metric (the card's, on its trend axis too), audit-log actions and details in words, departments
by their names."""

from __future__ import annotations

import datetime as dt
import json

import conftest
import pandas as pd
import pytest
from conftest import ROOT, point_app_at, private_copy
from streamlit.testing.v1 import AppTest

from csdata.analytics import exports
from csdata.text.i18n import action_label, column_label, fmt_detail, fmt_duration, t

APP = ROOT / "app.py"


@pytest.fixture(scope="module")
def demo(sample_db, tmp_path_factory):
    return private_copy(sample_db, tmp_path_factory, "display")


def test_file_names_say_what_when_and_for_whom_in_safe_characters():
    start, end = dt.date(2026, 8, 3), dt.date(2026, 10, 31)
    assert exports.file_stem("clients", start, end) == "csdata-clients-2026-08-03_2026-10-31"
    assert (
        exports.file_stem("scorecard", start, end, ["Aurora Airways"])
        == "csdata-scorecard-2026-08-03_2026-10-31-Aurora-Airways"
    )
    risky = exports.file_stem("teams", start, end, ['../a/b\\c:d*?"<>|'])
    assert risky == "csdata-teams-2026-08-03_2026-10-31-a-b-c-d"
    assert not set(risky) & set('/\\:*?"<>| ')


def test_downloaded_numbers_are_in_the_unit_their_heading_names():
    frame = pd.DataFrame({"key": ["a", "b"], "answer_rate": [0.846, None], "asa": [2400.0, 12.0]})
    out = exports.as_numbers(frame, {"answer_rate": "rate", "asa": "seconds"})
    assert out["answer_rate"].iloc[0] == pytest.approx(84.6)  # a percentage, as on the screen
    assert pd.isna(out["answer_rate"].iloc[1])  # blank stays blank
    assert list(out["asa"]) == [2400.0, 12.0]  # seconds as stored
    assert list(frame["answer_rate"][:1]) == [0.846], "the frame given is left alone"


def test_a_duration_is_written_in_the_unit_asked_for():
    assert fmt_duration(2574, "en") == "42.9 min"
    assert fmt_duration(18, "en", "min") == "0.3 min"
    assert fmt_duration(4 * 3600, "zh", "h") == "4.0 小时"
    assert fmt_duration(90, "zh") == "90 秒"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_audit_log_actions_and_details_read_as_words(lang):
    assert action_label("user.add", lang) == t("action_user_add", lang)
    assert action_label("something.new", lang) == "something.new"  # unknown: as it is
    detail = json.dumps({"role": "exec", "clients": ["Acme", "Beta"], "teams": [], "note": None})
    text = fmt_detail(detail, lang)
    assert "{" not in text and "[" not in text and '"' not in text
    assert "exec" in text and "Acme, Beta" in text
    assert "teams" not in text.lower() and "None" not in text  # empty values left out
    assert len(fmt_detail(json.dumps({"rows": list(range(200))}), lang)) <= 160
    assert fmt_detail("not json", lang) == "not json"
    assert fmt_detail(None, lang) == ""


def open_page(db, monkeypatch, page: str, lang: str = "en", query: dict | None = None) -> AppTest:
    """`page` as admin, with the app pointed at `db`."""
    point_app_at(monkeypatch, db)
    return conftest.open_page(page, lang, query=query)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wait_trend_speaks_the_unit_of_its_card(demo, monkeypatch, lang):
    """The clients page: each channel's panel of the ASA trend has its axis in the unit its card
    shows (phone seconds, email hours), never seconds where the card says minutes."""
    at = open_page(demo, monkeypatch, "clients", lang)
    cards = {m.label: m.value for m in at.metric}
    chart = next(c for c in at.get("plotly_chart") if "small_asa" in c.proto.id)
    figure = json.loads(chart.proto.spec)
    titles = [a["text"] for a in figure["layout"]["annotations"] if a.get("xref") == "paper"]
    axes = [figure["layout"][k] for k in sorted(figure["layout"]) if k.startswith("yaxis")]
    assert len(titles) == len(axes) >= 2
    asa = "ASA" if lang == "en" else "平均应答时长"
    units = {t(f"unit_{u}", lang) for u in ("s", "min", "h")}
    seen = set()
    for channel, axis in zip(titles, axes, strict=True):
        card = cards[f"{asa} · {channel}"]
        unit = card.split(" ")[-1]
        assert unit in units, card
        assert axis["ticksuffix"] == f" {unit}", (channel, card, axis["ticksuffix"])
        seen.add(unit)
    assert len(seen) >= 2, "the demo's phone and email waits read in different units"


def test_departments_show_their_names(demo, monkeypatch):
    from csdata.demo.sample import DEPARTMENTS, ROUTED_DEPARTMENTS

    chinese = {zh for _, zh in DEPARTMENTS + ROUTED_DEPARTMENTS}
    codes = {code for code, _ in DEPARTMENTS + ROUTED_DEPARTMENTS}
    at = open_page(demo, monkeypatch, "complaints", "zh")
    table = next(d.value for d in at.dataframe if column_label("department", "zh") in d.value.columns)
    names = set(table[column_label("department", "zh")])
    assert len(names) >= 3 and names <= chinese, names
    at = open_page(demo, monkeypatch, "complaints", "en")
    table = next(d.value for d in at.dataframe if column_label("department", "en") in d.value.columns)
    names = set(table[column_label("department", "en")])
    assert "Billing" in names and "Customer service" in names, names
    assert not names & codes and not any("_" in n for n in names), names
