"""The dashboard pages through Streamlit's AppTest: each renders in both languages on the demo
warehouse, on an empty one and on a selection without data; its cards equal `csdata kpi` for the
same filters; the filters come from and go to the URL; drill-down narrows company -> client ->
team -> agent; QA ranking keeps to the policy's minimum number of audits and widest interval."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    ROOT,
    build_tiny,
    download_url,
    expected_cards,
    keep_deferred,
    open_page,
    point_app_at,
    private_copy,
    run_cli,
    shown,
)
from scipy import stats as sps
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.access.auth import add_user
from csdata.analytics import compiler, lookups, page_queries
from csdata.analytics.metrics import CATALOG
from csdata.demo.sample import DEMO_PASSWORD
from csdata.policy import CHANNELS, load_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import LANGS, column_label, fmt_value, t

APP = ROOT / "app.py"
DASHBOARDS = list(pages.DASHBOARDS)


@pytest.fixture(scope="module")
def demo(sample_db, tmp_path_factory) -> Path:
    return private_copy(sample_db, tmp_path_factory, "dash")


@pytest.fixture
def use_db(monkeypatch):
    return lambda db: point_app_at(monkeypatch, db)


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def url(at: AppTest, key: str) -> list[str]:
    """A query parameter of the page's URL, always as a list (one value or repeated)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def charts_with_data(at: AppTest) -> list[bool]:
    """For every plotly chart on the page: whether any of its traces has a point to draw."""
    found = []
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        found.append(any(len(tr.get("x") or tr.get("z") or tr.get("y") or []) for tr in figure["data"]))
    return found


# -- every page renders ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", DASHBOARDS)
def test_page_renders_on_the_demo_warehouse(demo, use_db, page, lang):
    use_db(demo)
    at = open_page(page, lang)
    assert [e.value for e in at.title] == [t("overview_title" if page == "overview" else f"nav_{page}", lang)]
    assert at.metric, "cards are shown"
    assert all(charts_with_data(at)), "no chart is drawn without data"
    assert not at.warning


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", DASHBOARDS)
def test_page_on_an_empty_warehouse_says_so(use_db, tmp_path, page, lang):
    path = tmp_path / "empty.duckdb"
    wh = Warehouse(path, create=True)
    add_user(wh, "test", "admin", "admin", "long enough password")
    wh.close()
    use_db(path)
    at = open_page(page, lang)
    assert [e.value for e in at.info] == [t("empty_warehouse", lang)]
    assert not at.metric and not at.get("plotly_chart")


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    wh = build_tiny(path)
    add_user(wh, "test", "admin", "admin", "long enough password")
    wh.close()
    return path


@pytest.mark.parametrize("page", DASHBOARDS)
def test_a_selection_without_data_shows_a_message_not_an_empty_chart(tiny_db, use_db, page):
    # 28 February has one ticket (T10) and nothing else: no audit, no training, no appraisal.
    use_db(tiny_db)
    at = open_page(page, query={"from": "2026-02-28", "to": "2026-02-28"})
    assert at.date_input(key="f_period").value == (dt.date(2026, 2, 28), dt.date(2026, 2, 28))
    assert all(charts_with_data(at)), "a chart was drawn without data"
    if page in ("quality", "people"):
        assert t("no_data", "en") in [e.value for e in at.info]


# -- the same numbers as `csdata kpi` ---------------------------------------------------------


def kpi(db: Path, metrics, filters: compiler.Filters) -> dict[str, float | None]:
    args = [
        "kpi",
        "--db",
        str(db),
        "--from",
        filters.start.isoformat(),
        "--to",
        filters.end.isoformat(),
        "--json",
    ]
    for option, values in (
        ("--client", filters.clients),
        ("--team", filters.teams),
        ("--agent", filters.agents),
        ("--channel", filters.channels),
    ):
        for value in values:
            args += [option, value]
    for metric in metrics:
        args += ["--metric", metric]
    result = run_cli(*args, env={"CSDATA_LANG": "en"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("one_client", [False, True], ids=["all clients", "one client"])
@pytest.mark.parametrize("page", DASHBOARDS)
def test_cards_equal_csdata_kpi(sample_db, demo, use_db, page, one_client):
    use_db(demo)
    wh = Warehouse(sample_db, read_only=True)
    try:
        client = lookups.clients(wh)[1]
        agents = lookups.agents(wh)
        if one_client:  # the agents to pick from are the chosen client's
            agents = agents[agents["client"] == client]
        first_agent = agents["employee_id"].iloc[0]
    finally:
        wh.close()
    at = open_page(page, query={"client": client} if one_client else None)
    start, end = at.date_input(key="f_period").value
    assert (end - start).days == 89, "the default period is the last 90 days with data"
    filters = compiler.Filters(start, end, (client,) if one_client else ())
    if page == "clients" and not one_client:  # the clients page shows one client: the first
        filters = compiler.Filters(start, end, (at.selectbox(key="client_pick").value,))
    if page == "agent":  # the agent page shows one agent (of the chosen client) over the period
        assert at.selectbox(key="agent_pick").value == first_agent
        filters = compiler.Filters(start, end, agents=(first_agent,))
    metrics = page_queries.CARDS[page]

    def values_for(channels):
        return kpi(sample_db, ("offered", *metrics), replace(filters, channels=channels))

    shown_cards = cards(at)
    assert shown_cards == expected_cards(values_for, metrics)
    # A wait or a handle time is shown per channel, never blended across channels.
    for m in page_queries.PER_CHANNEL:
        if m in metrics:
            assert CATALOG[m].short_label("en") not in shown_cards
            assert f"{CATALOG[m].short_label('en')} · {t('channel_phone', 'en')}" in shown_cards


# -- filters in the URL ------------------------------------------------------------------------


def test_a_shared_link_sets_the_filters_and_the_url_follows_changes(demo, use_db):
    use_db(demo)
    query = {"from": "2026-09-01", "to": "2026-09-30", "client": "Nebula Games", "channel": "chat"}
    at = open_page("service", query=query)
    assert at.date_input(key="f_period").value == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert at.multiselect(key="f_clients").value == ["Nebula Games"]
    assert at.multiselect(key="f_channels").value == ["chat"]
    at.multiselect(key="f_channels").set_value(["phone", "email"]).run()
    assert url(at, "channel") == ["phone", "email"]
    assert url(at, "client") == ["Nebula Games"]
    assert url(at, "from") == ["2026-09-01"]
    # Another page keeps them (the navigation clears the URL; the page writes them back).
    at.switch_page(pages.PAGES["quality"].file).run()
    assert at.multiselect(key="f_clients").value == ["Nebula Games"]
    assert url(at, "client") == ["Nebula Games"]
    assert at.date_input(key="f_period").value == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def test_a_link_with_values_outside_the_data_or_the_scope_says_what_it_left_out(demo, use_db):
    use_db(demo)
    at = open_page(
        "overview", query={"from": "not-a-date", "client": ["Nebula Games", "Nobody Inc"], "team": "X"}
    )
    assert at.multiselect(key="f_clients").value == ["Nebula Games"]
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    for left_out in ("from=not-a-date", "client=Nobody Inc", "team=X"):
        assert left_out in shown(warnings[0])


def test_a_client_account_cannot_widen_its_scope_through_the_url(demo, sample_db, use_db):
    use_db(demo)
    at = open_page("service", user="client", query={"client": ["Nebula Games", "Aurora Airways"]})
    wh = Warehouse(sample_db, read_only=True)
    try:
        own = list(wh.column("SELECT value FROM user_scopes WHERE username = 'client' AND kind = 'client'"))
    finally:
        wh.close()
    assert set(at.multiselect(key="f_clients").value) <= set(own)
    assert not at.multiselect(key="f_clients").value or at.warning


# -- drill-down --------------------------------------------------------------------------------


def test_drill_down_from_company_to_agent(demo, sample_db, use_db):
    use_db(demo)
    at = open_page("overview")
    assert t("drill_client_title", "en") in [s.value for s in at.subheader]
    client = at.multiselect(key="f_clients").options[0]
    at.session_state["_drill"] = ("client", client)  # what clicking the client's row leaves
    at.run()
    assert at.multiselect(key="f_clients").value == [client]
    assert url(at, "client") == [client]
    assert t("drill_team_title", "en") in [s.value for s in at.subheader]
    team = at.multiselect(key="f_teams").options[0]
    at.session_state["_drill"] = ("team", team)
    at.run()
    assert at.multiselect(key="f_teams").value == [team]
    assert t("drill_agent_title", "en") in [s.value for s in at.subheader]
    at.button(key="drill_up").click().run()
    assert at.multiselect(key="f_teams").value == []
    assert at.multiselect(key="f_clients").value == [client]
    # An agent's row opens the agent page on that agent, the filters kept.
    wh = Warehouse(sample_db, read_only=True)
    try:
        agents = lookups.agents(wh)
        agent = agents.loc[agents["team"] == team, "employee_id"].iloc[-1]  # not the list's first
    finally:
        wh.close()
    at.session_state["_drill"] = ("agent", agent)
    at.run()
    assert not at.exception
    assert [e.value for e in at.title] == [t("nav_agent", "en")]
    assert at.selectbox(key="agent_pick").value == agent
    assert url(at, "agent") == [agent]
    assert url(at, "client") == [client]


def click(at: AppTest, key: str, row: int | None = None, cell: tuple[int, str] | None = None) -> None:
    """What a click on a table leaves in its selection state: a row's box, or one cell."""
    at.session_state[key] = {
        "selection": {
            "rows": [row] if row is not None else [],
            "columns": [],
            "cells": [cell] if cell else [],
        }
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_click_on_a_row_or_any_of_its_cells_drills(demo, sample_db, use_db):
    use_db(demo)
    at = open_page("overview")
    table = next(d for d in at.dataframe if d.key == "drill_client").value
    client = table.iloc[1, 0]  # the second row's name, as the reader sees it
    click(at, "drill_client", row=1)  # the row's box
    assert at.multiselect(key="f_clients").value == [client]
    assert url(at, "client") == [client]
    assert t("drill_team_title", "en") in [s.value for s in at.subheader]
    table = next(d for d in at.dataframe if d.key == "drill_team").value
    row = next(i for i, name in enumerate(table.iloc[:, 0]) if name != t("unassigned", "en"))
    team = table.iloc[row, 0]
    click(at, "drill_team", cell=(row, table.columns[0]))  # the team's name
    assert at.multiselect(key="f_teams").value == [team]
    assert t("drill_agent_title", "en") in [s.value for s in at.subheader]
    table = next(d for d in at.dataframe if d.key == "drill_agent").value
    agent = table.iloc[-1, 0]
    click(at, "drill_agent", cell=(len(table) - 1, table.columns[-1]))  # a figure of the last row
    assert [e.value for e in at.title] == [t("nav_agent", "en")]
    assert at.selectbox(key="agent_pick").value == agent
    assert url(at, "client") == [client] and url(at, "team") == [team]


def test_drill_tables_follow_the_filters(sample_db):
    wh = Warehouse(sample_db, read_only=True)
    try:
        first, last = lookups.ticket_date_range(wh)
        client = lookups.clients(wh)[0]
        team = lookups.teams(wh, clients=(client,))[0]
        base = compiler.Filters(last - dt.timedelta(days=89), last)
        levels = {
            "client": base,
            "team": compiler.Filters(base.start, base.end, (client,)),
            "agent": compiler.Filters(base.start, base.end, (client,), teams=(team,)),
        }
        for level, filters in levels.items():
            assert page_queries.drill_level(filters) == level
            frame = page_queries.fetch(wh, page_queries.requests("overview", filters)["drill"])
            total = compiler.metric_values(wh, ["offered"], filters)["offered"]
            assert frame["offered"].sum() == total, level  # the rows add up to the level above
        agents = page_queries.fetch(wh, page_queries.requests("overview", levels["agent"])["drill"])
        # the team's agents, and '' for the tickets of its queue nobody answered
        assert set(agents["key"]) <= {*lookups.team_members(wh, team), ""}
    finally:
        wh.close()


# -- the QA ranking keeps to the policy's minimum ----------------------------------------------


def test_ranking_leaves_out_agents_with_too_few_audits(demo, use_db, sample_db):
    use_db(demo)
    at = open_page("quality")
    start, end = at.date_input(key="f_period").value
    wh = Warehouse(sample_db, read_only=True)
    try:
        policy = load_policy(wh, end)[1]
        least, widest = policy.min_audits_for_ranking, policy.statistics.ranking_max_width
        scores = wh.df(  # calibration audits measure the auditors: no agent's QA figure counts them
            "SELECT agent_id, score FROM audits WHERE audited_at BETWEEN ? AND ? AND source <> 'calibration'",
            [start, end],
        )
    finally:
        wh.close()
    counts = scores.groupby("agent_id").size().to_dict()
    # and, since the ranking leans on intervals, only a t interval (scipy) no wider than the policy's
    narrow = set()
    for agent, s in scores.groupby("agent_id")["score"]:
        low, high = sps.t.interval(0.95, len(s) - 1, s.mean(), sps.sem(s)) if len(s) >= 2 else (0, math.inf)
        if high - low <= widest:
            narrow.add(agent)
    ranked = at.dataframe(key="t_agent-ranking").value
    ids = list(ranked[column_label("employee_id", "en")])
    assert ids, "some agents are ranked"
    assert all(counts[i] >= least and i in narrow for i in ids)
    assert len(ids) == sum(1 for a, n in counts.items() if n >= least and a in narrow)
    scores = list(ranked[CATALOG["qa_score"].short_label("en")].astype(float))
    assert scores == sorted(scores, reverse=True)


def test_a_supervisor_sees_only_its_teams_people(demo, sample_db, use_db):
    use_db(demo)
    wh = Warehouse(sample_db, read_only=True)
    try:
        teams = wh.column(
            "SELECT value FROM user_scopes WHERE username = 'supervisor' AND kind = 'team' ORDER BY 1"
        )
        members = set(wh.column("SELECT employee_id FROM employees WHERE list_contains(?, team)", [teams]))
    finally:
        wh.close()
    assert teams and members
    quality = open_page("quality", user="supervisor")
    assert quality.multiselect(key="f_teams").options == teams
    ranked = quality.dataframe(key="t_agent-ranking").value[column_label("employee_id", "en")]
    assert len(ranked) and set(ranked) <= members
    people = open_page("people", user="supervisor")
    by_team = next(d.value for d in people.dataframe if column_label("team", "en") in d.value.columns)
    assert set(by_team[column_label("team", "en")]) <= set(teams)
    agent = open_page("agent", user="supervisor")
    offered = [o.split(" · ")[0] for o in agent.selectbox(key="agent_pick").options]  # "E00123 · 姓名"
    assert offered and set(offered) <= members


# -- the filters across pages, tabs and users ---------------------------------------------------


def test_the_period_survives_a_page_without_the_filter_bar(demo, use_db, sample_db):
    """Admin: Overview -> Users -> Overview keeps a two-date period (the widget's value is
    forgotten on the Users run and must come back from the saved filters)."""
    use_db(demo)
    at = open_page("overview", query={"from": "2026-09-01", "to": "2026-09-30"})
    assert at.date_input(key="f_period").value == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    at.switch_page(pages.PAGES["users"].file).run()
    assert not at.exception
    at.switch_page(pages.PAGES["overview"].file).run()
    assert not at.exception
    assert at.date_input(key="f_period").value == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert not [i.value for i in at.info if "start and an end" in i.value]
    assert at.metric, "the overview draws its cards"


def test_a_new_session_opens_on_the_default_period(demo, use_db, sample_db):
    """A second tab (a new session, no filters in the URL) opens on the last 90 complete days."""
    use_db(demo)
    wh = Warehouse(sample_db, read_only=True)
    try:
        span = lookups.data_span(wh)
    finally:
        wh.close()
    for page in ("overview", "tickets", "overview"):
        at = open_page(page)
    assert at.date_input(key="f_period").value == span.default(90)


def test_the_next_user_in_the_same_tab_starts_from_the_default(demo, use_db, sample_db):
    use_db(demo)
    at = open_page("service", query={"from": "2026-09-01", "to": "2026-09-30", "channel": "chat"})
    assert at.multiselect(key="f_channels").value == ["chat"]
    at.button(key="sign_out").click().run()
    assert "channel" not in at.query_params and "from" not in at.query_params
    at.text_input[0].input("exec")  # the next person signs in with the form
    at.text_input[1].input(DEMO_PASSWORD)
    at.button[0].click().run()
    assert at.session_state["username"] == "exec"
    at.switch_page(pages.PAGES["service"].file).run()
    assert at.multiselect(key="f_channels").value == []
    assert at.date_input(key="f_period").value != (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


# -- one client in view: its contract everywhere ------------------------------------------------


def _targets_shown(at: AppTest) -> set[str]:
    """The "Target …" texts under the cards."""
    found = set()
    for caption in at.caption:
        text = shown(caption.value)
        if text.startswith("Target "):
            found.add(text.split(" · ")[0].removesuffix(" ●").strip())
    return found


@pytest.mark.parametrize("user", ["client", "supervisor"])
def test_a_single_client_scope_is_measured_against_that_clients_contract(demo, use_db, sample_db, user):
    """The client account and the supervisor of Harbor's two teams see Harbor's contract on the
    cards, as if Harbor were chosen, not the company's defaults."""
    use_db(demo)
    at = open_page("overview", user=user)
    wh = Warehouse(sample_db, read_only=True)
    try:
        pol = load_policy(wh, lookups.data_span(wh).end)[1]
    finally:
        wh.close()
    start, end = at.date_input(key="f_period").value
    days = (end - start).days + 1
    own, company = set(), set()
    for m in page_queries.CARDS["overview"]:
        channels = CHANNELS if m in page_queries.PER_CHANNEL else (None,)  # one card per channel
        for client, into in (("Harbor Trust Bank", own), (None, company)):
            for channel in channels:
                target = pol.target(m, client, channel, days=days)
                if target is not None:
                    into.add(f"Target {fmt_value(target, CATALOG[m].unit, 'en')}")
    assert own != company, "the demo's Harbor contract differs from the company's targets"
    assert _targets_shown(at) == own
    assert at.multiselect(key="f_clients").value == [], "the user's own choice is left as it was"


def test_the_client_table_shows_each_clients_own_target(demo, use_db, sample_db):
    use_db(demo)
    at = open_page("overview")
    table = at.dataframe[0].value
    table = getattr(table, "data", table)  # a Styler: its frame
    label = CATALOG["csat_pct"].short_label("en")
    column = f"{label} · Target"
    assert column in table.columns, list(table.columns)
    wh = Warehouse(sample_db, read_only=True)
    try:
        pol = load_policy(wh, lookups.data_span(wh).end)[1]
    finally:
        wh.close()
    start, end = at.date_input(key="f_period").value
    days = (end - start).days + 1
    for client, target in zip(table.iloc[:, 0], table[column], strict=True):
        assert target == fmt_value(
            pol.target("csat_pct", client, None, days=days), CATALOG["csat_pct"].unit, "en"
        ), client


# -- downloads ---------------------------------------------------------------------------------


@pytest.fixture
def files(monkeypatch) -> dict[str, tuple[bytes, str]]:
    """Every download an AppTest run offers: media id -> (bytes, file name)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    found: dict[str, tuple[bytes, str]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        found[file_id] = (self._files_by_id[file_id].content, filename)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    keep_deferred(monkeypatch)
    return found


def downloaded(at: AppTest, key: str, files) -> tuple[pd.DataFrame, str]:
    """A download button's file, read back as a spreadsheet program would, and its name."""
    url = download_url(at, key)
    data, name = files[url.rsplit("/", 1)[-1].split(".", 1)[0]]
    if name.endswith(".csv"):
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig"), name
    return pd.read_excel(io.BytesIO(data), engine="openpyxl"), name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dashboard_downloads_hold_numbers_in_the_unit_their_heading_names(tiny_db, use_db, files, fmt):
    # March of the tiny warehouse (conftest.py); the waits of each channel worked out by hand:
    # phone T1 8 s, T2 15 s (T3 and T8 never answered); chat T4 50 s, T7 70 s; email T5 3 h, T6 9 h.
    # Handle times: phone 300 and 200 s, chat 600 and 400 s, email only T6 900 s.
    use_db(tiny_db)
    at = open_page("service", query={"from": "2026-03-01", "to": "2026-03-31"})
    table, name = downloaded(at, f"dl_service-by-channel_{fmt}", files)
    assert name == f"csdata-service-by-channel-2026-03-01_2026-03-31.{fmt}"
    rows = table.set_index(column_label("channel", "en"))
    asa, aht = "ASA (s)", "AHT (s)"
    assert {CATALOG["asa"].short_label("en"), CATALOG["aht"].short_label("en")} == {"ASA", "AHT"}
    assert pd.api.types.is_numeric_dtype(rows[asa]) and pd.api.types.is_numeric_dtype(rows[aht])
    assert rows.loc["Phone", asa] == pytest.approx((8 + 15) / 2)
    assert rows.loc["Chat", asa] == pytest.approx((50 + 70) / 2)
    assert rows.loc["Email", asa] == pytest.approx((3 + 9) * 3600 / 2)
    assert rows.loc["Email", aht] == pytest.approx(900)
    assert rows.loc["Phone", "First response, 90th percentile (s)"] == pytest.approx(8 + 0.9 * (15 - 8))
    # The clients one level down: rates as percentages in numeric cells. Acme: T1 T2 T3 T4 offered,
    # within its thresholds T1 (8 s <= Acme's 10 s) and T4 (50 s <= 60 s); Beta: T5 T6 T7 T8, within
    # T5 only (3 h <= 8 h). Answered: Acme T1 T2 T4, Beta T5 T6 T7.
    table, name = downloaded(at, f"dl_drill_client_{fmt}", files)
    assert name == f"csdata-clients-2026-03-01_2026-03-31.{fmt}"
    rows = table.set_index(t("client", "en"))
    assert rows.loc["Acme", "Service level (%)"] == pytest.approx(50.0)
    assert rows.loc["Beta", "Service level (%)"] == pytest.approx(25.0)
    assert rows.loc["Acme", "Answer rate (%)"] == pytest.approx(75.0)
    assert rows.loc["Acme", "Offered"] == 4
    for key in (f"dl_drill_client_{fmt}", f"dl_service-by-channel_{fmt}"):
        url = download_url(at, key)
        data, _ = files[url.rsplit("/", 1)[-1].split(".", 1)[0]]
        cells = (
            pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
            if fmt == "csv"
            else pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=str, na_filter=False)
        )
        assert not cells.isin(["None", "nan", "NaN", "–"]).any().any(), key  # a blank is empty
    # One client chosen: its name in the file name, its teams' rows.
    at = open_page("service", query={"from": "2026-03-01", "to": "2026-03-31", "client": "Acme"})
    _, name = downloaded(at, f"dl_drill_team_{fmt}", files)
    assert name == f"csdata-teams-2026-03-01_2026-03-31-Acme.{fmt}"


def test_the_scorecard_downloads_each_row_as_a_number_with_its_unit(tiny_db, use_db, files):
    # Acme in March (conftest.py): T1 T2 T3 T4 offered; within threshold T1 (8 s <= 10 s) and T4;
    # phone waits 8 and 15 s (T3 abandoned), chat 50 s; Acme's contract sets phone ASA to 10 s.
    use_db(tiny_db)
    at = open_page("clients", query={"from": "2026-03-01", "to": "2026-03-31", "client": "Acme"})
    table, name = downloaded(at, "dl_scorecard_csv", files)
    assert name == "csdata-scorecard-2026-03-01_2026-03-31-Acme.csv"
    rows = table.set_index(column_label("metric", "en"))
    value, unit = column_label("value", "en"), column_label("unit", "en")
    assert pd.api.types.is_numeric_dtype(rows[value])
    assert rows.loc["Offered", value] == 4 and pd.isna(rows.loc["Offered", unit])
    assert rows.loc["Service level", value] == pytest.approx(50.0)
    assert rows.loc["Service level", unit] == "%"
    assert rows.loc["ASA · Phone", value] == pytest.approx((8 + 15) / 2)
    assert rows.loc["ASA · Phone", unit] == "s"
    assert rows.loc["ASA · Chat", value] == pytest.approx(50.0)
    assert "ASA" not in rows.index and "ASA · Email" not in rows.index  # Acme has no email
