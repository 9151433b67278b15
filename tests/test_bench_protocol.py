"""`csdata bench`'s thin client (`csdata.ui.protocol_client`) against the served demo: two users
signed in through the form open the overview at once over Streamlit's websocket protocol and get
its heading and cards; a session that is not signed in gets the sign-in form and fails the
measurement, as does a wrong password. `csdata bench --protocol-only` measures the same without
Chromium, with the server's processor time for one session alone."""

from __future__ import annotations

import json
import time
import tomllib

import duckdb
import pytest
from conftest import ROOT, run_cli
from served import serve

from csdata.ui import protocol_client

QUERY = "from=2026-08-01&to=2026-10-31"  # three months of the demo (it ends 2026-11-01)
TITLE = "Service overview"  # the overview's heading, as an English reader sees it


@pytest.fixture(scope="module")
def served(sample_db, tmp_path_factory):
    with serve(sample_db, tmp_path_factory.mktemp("protocol")) as app:
        yield app


def test_signed_in_sessions_open_the_overview_at_once(served, sample_db):
    tokens = protocol_client.signed_in(served.url, "exec", "demo", 2)
    assert len(tokens) == 2 and tokens[0] != tokens[1]  # two sign-ins, two sessions
    found = protocol_client.together(served, tokens, "", QUERY, TITLE)
    assert found["sessions"] == 2
    assert 0 < found["median_s"] <= found["slowest_s"] < 30
    assert found["server_cpu_s"] > 0  # the server ran two scripts meanwhile
    run = protocol_client.open_page(served.url, tokens[1], "", QUERY)
    assert run.problems() == []
    assert TITLE in [h.body for h in run.every("heading")]
    cards = {m.label: m.body for m in run.every("metric")}
    assert "Service level" in cards  # the cards of the company's figures, among them the tickets
    with duckdb.connect(str(sample_db), read_only=True) as raw:  # offered in the period, counted here
        offered = raw.sql(
            "SELECT count(*) FROM tickets WHERE opened_at >= DATE '2026-08-01' AND opened_at < DATE '2026-11-01'"
        ).fetchall()[0][0]
    assert cards["Offered"] == f"{offered:,}"
    assert run.every("plotly_chart")  # and the weekly trend


def test_a_session_without_sign_in_fails_the_measurement(served):
    for token in (None, "forged-token"):
        run = protocol_client.open_page(served.url, token, "", QUERY)
        assert "Sign in" in [h.body for h in run.every("heading")]
        assert not run.every("metric")
        with pytest.raises(protocol_client.Failed, match="no heading 'Service overview'"):
            protocol_client.check_page(run, TITLE)
    tokens = protocol_client.signed_in(served.url, "exec", "demo", 1)
    with pytest.raises(protocol_client.Failed):  # one refused among signed-in ones fails them all
        protocol_client.together(served, [*tokens, "forged-token"], "", QUERY, TITLE)
    with pytest.raises(protocol_client.Failed, match="exec was not signed in"):
        protocol_client.signed_in(served.url, "exec", "not-the-password", 1)


def test_sessions_one_at_a_time_each_cost_the_server_processor_time(served):
    tokens = protocol_client.signed_in(served.url, "exec", "demo", 2)
    spent = protocol_client.one_at_a_time(served, tokens, "", QUERY, TITLE)
    assert len(spent) == 2 and all(0 < s < 30 for s in spent)  # each drew the page: some time
    with pytest.raises(protocol_client.Failed, match="no heading 'Service overview'"):
        protocol_client.one_at_a_time(served, ["forged-token"], "", QUERY, TITLE)


def test_bench_protocol_only_serves_the_app_without_a_browser(sample_db):
    started = time.monotonic()
    done = run_cli(
        "bench", "--db", str(sample_db), "--protocol-only", "--concurrent", "2", "--range", "90d", "--json"
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert "pages" not in report and "concurrent" not in report  # no page clicked, no Chromium
    found = report["protocol"]
    assert found["sessions"] == 2 and 0 < found["median_s"] <= found["slowest_s"] < took
    assert 0 < found["server_cpu_s"] < 2 * took  # two cores at most
    # One session alone, then one more on the same period: each cost the server something.
    assert 0 < found["session_cpu_s"] < took and 0 < found["first_look_cpu_s"] < took
    assert len(found["load"]) == 2 and min(found["load"]) >= 0
    assert 50 < report["server_peak_mib"] < 4096
    text = run_cli("bench", "--db", str(sample_db), "--protocol-only", "--concurrent", "1", "--range", "90d")
    assert text.returncode == 0, text.stderr
    assert "1 sessions opening the overview at once without a browser" in text.stdout
    assert "one session opening the overview alone costs the server" in text.stdout


def test_the_served_app_neither_watches_its_sources_nor_collects_after_each_run():
    """Both cost every new session a large share of the server's processor (see README, Sessions
    at once): `streamlit run` reads them from the project's own settings."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["fileWatcherType"] == "none"
    assert settings["runner"]["postScriptGC"] is False
