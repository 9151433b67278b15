"""A whole company on one PostgreSQL warehouse: two app servers and other processes at once.

Two `csdata serve` processes start at the same moment on a new, empty database (both migrate
it: the steps follow each other under the database's write lock, each applied once), and the
demo company is built into it while they serve. Then, in Chromium: a user signed in on one
server is signed in on the other (the session cookie names a row of the shared `sessions`
table, and a cookie does not depend on the port), and signing out on one ends it on both; a
figure shown by one server follows a write made by another process at the next load (the data
version is read from the database); `csdata import` run as its own process while both serve
shows its rows on both once committed; an audit sheet imported on the Imports page of one
server (its button clicked twice: one import) is already present when uploaded on the other.
And from separate processes released together: eight writers lose nothing and leave the
rollups equal to the facts, eight save tickets through the form, and of two supervisors
accepting the same complaint one succeeds and the other is told why not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import engines
import pandas as pd
import pytest
from conftest import DEMO_AS_OF, ROOT, run_cli
from served import PAGE_TIMEOUT_MS, SETTLED, new_tab, open_from_sidebar, serve_database, signed_in

from csdata.access.scope import EVERYTHING
from csdata.demo.sample import build_sample
from csdata.records import entry
from csdata.store import rollups
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

WRITERS, EACH = 8, 5  # processes, and what each writes

# One process of the company's: opens the warehouse, says "ready", waits for the word to go (so
# that all start together), then does its job's steps and prints what came of each as JSON: the
# result, or the refusal's key and message. Anything else is a traceback on its error output.
WORKER = r"""
import datetime as dt, json, sys
import pandas as pd
from csdata.access.scope import EVERYTHING
from csdata.demo.sample import build_sample
from csdata.imports import ingest
from csdata.records import entry
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t

url, job = sys.argv[1], json.loads(sys.argv[2])
wh = Warehouse(url)
actor = job["actor"]

def step(do, arg):
    if do == "save_ticket":  # the ticket form's save
        values = {**arg, "opened_at": dt.datetime.fromisoformat(arg["opened_at"])}
        return entry.save_ticket(wh, actor, EVERYTHING, values).imported
    if do == "route_and_feed_back":
        entry.route(wh, actor, arg, "billing", dt.datetime(2026, 10, 30, 12))
        entry.feedback(wh, actor, arg, dt.datetime(2026, 10, 30, 15))
        return "done"
    if do == "accept":
        entry.accept(wh, actor, arg)
        return "done"
    if do == "import":  # a file of tickets (its text), imported as `csdata import` imports it
        return ingest.import_file(wh, "tickets", arg.encode(), "nightly.csv", actor).imported
    raise ValueError(do)

print("ready", flush=True)
sys.stdin.readline()
out = []
for do, arg in job["steps"]:
    try:
        out.append({"ok": step(do, arg)})
    except Problem as exc:
        out.append({"refused": exc.key, "message": t(exc.key, "en", **exc.params)})
print(json.dumps(out), flush=True)
"""


def at_once(url: str, jobs: list[dict]) -> list[list[dict]]:
    """Each job in a process of its own, all released together once every one has opened the
    warehouse; what came of each job's steps. A process that fails otherwise fails the test."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, json.dumps(job)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                proc.wait(timeout=60)
                pytest.fail(f"a worker did not start:\n{proc.stderr.read()[-3000:]}")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
            results.append(json.loads(out))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def ticket(ticket_id: str, client: str, team: str, **values) -> dict:
    """A ticket's row (a complaint on the demo's last day, unless `values` say otherwise)."""
    return {
        "ticket_id": ticket_id,
        "client": client,
        "channel": "phone",
        "type": "complaint",
        "agent_id": None,
        "team": team,
        "opened_at": dt.datetime(2026, 10, 30, 9),
        **values,
    }


@pytest.fixture(scope="module")
def company(request, tmp_path_factory):
    """Two app servers started at once on a new, empty database, then the demo company built
    into it while they serve: (address, servers)."""
    url = engines.new_database(request, migrated=False)
    with serve_database(url, tmp_path_factory.mktemp("servers"), 2) as servers:
        wh = Warehouse(url)
        try:
            build_sample(wh, tickets=5000, as_of=DEMO_AS_OF)
        finally:
            wh.close()
        yield url, servers


@pytest.fixture
def wh(company):
    wh = Warehouse(company[0])
    yield wh
    wh.close()


def place(wh) -> tuple[str, str]:
    """A client of the demo company and its first team (queue)."""
    return tuple(wh.rows("SELECT client, name FROM teams WHERE client IS NOT NULL ORDER BY name LIMIT 1")[0])


def test_two_servers_starting_at_once_migrate_the_database_once(company, wh):
    url, servers = company
    # both came up, the one that waited finding every step applied by the other
    assert wh.pending() == []
    assert rollups.current(wh.cursor())  # built, in the catalog's shape
    for served in servers:
        assert served.proc.poll() is None
        assert "Traceback" not in served.log.read_text(errors="replace")


# -- two servers, one browser -------------------------------------------------------------------


def _signed_in_as(page, user: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(re.compile(rf"Signed in as\s+{user}\b")).wait_for()


@pytest.mark.browser
def test_signed_in_on_one_server_is_signed_in_on_the_other(company, browser):
    _, (a, b) = company
    errors: list[str] = []
    on_a = signed_in(browser, errors, a.url, "exec")
    _signed_in_as(on_a, "exec")
    # The same browser reaches the other server (a proxy switching servers): still signed in.
    on_b = new_tab(on_a, errors)
    on_b.goto(b.url, wait_until="domcontentloaded")
    on_b.get_by_role("heading", name=t("overview_title", "en")).wait_for()
    _signed_in_as(on_b, "exec")
    assert on_b.get_by_role("heading", name=t("sign_in_title", "en")).count() == 0

    # Sign-out on B ends the session on A too: A's next click asks for the sign-in.
    on_b.get_by_test_id("stSidebar").get_by_role("button", name=t("sign_out", "en")).click()
    on_b.get_by_role("heading", name=t("sign_in_title", "en")).wait_for()
    on_a.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav_service", "en"), exact=True).click()
    on_a.get_by_role("heading", name=t("sign_in_title", "en")).wait_for()
    on_a.goto(a.url, wait_until="domcontentloaded")  # and a fresh load of A too
    on_a.get_by_role("heading", name=t("sign_in_title", "en")).wait_for()
    assert not errors, errors


def _offered(page) -> int:
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(t("metric_offered", "en"), exact=True))
    return int(card.first.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


@pytest.mark.browser
def test_a_write_by_another_process_shows_on_the_next_load(company, browser, wh):
    url, (a, b) = company
    errors: list[str] = []
    page = signed_in(browser, errors, a.url, "exec")
    open_from_sidebar(page, t("nav_service", "en"), "service")
    before = _offered(page)
    query = parse_qs(urlparse(page.url).query)
    last_day = dt.date.fromisoformat(query["to"][0])
    other = signed_in(browser, errors, b.url, "exec")  # B shows the same figure, and caches it
    open_from_sidebar(other, t("nav_service", "en"), "service")
    assert _offered(other) == before

    client, team = place(wh)
    rows = [
        ticket(f"SRV-W{i}", client, team, type="consultation", opened_at=f"{last_day} 10:0{i}:00")
        for i in range(7)
    ]
    [[outcome]] = at_once(url, [{"actor": "importer", "steps": [["import", _csv(rows)]]}])
    assert outcome == {"ok": 7}

    for served_page in (page, other):
        served_page.reload(wait_until="domcontentloaded")
        served_page.get_by_role("heading", name=t("nav_service", "en"), exact=True).wait_for()
        assert _offered(served_page) == before + 7
    assert not errors, errors


@pytest.mark.browser
def test_an_import_while_both_servers_serve_shows_on_both_after_it_commits(company, browser, wh, tmp_path):
    """The nightly job: `csdata import tickets` runs as its own process while both servers serve
    (a page loads on one of them meanwhile); once it has committed, both show its rows."""
    url, (a, b) = company
    errors: list[str] = []
    pages = [signed_in(browser, errors, server.url, "exec") for server in (a, b)]
    for page in pages:
        open_from_sidebar(page, t("nav_service", "en"), "service")
    before = _offered(pages[0])
    assert _offered(pages[1]) == before
    last_day = dt.date.fromisoformat(parse_qs(urlparse(pages[0].url).query)["to"][0])
    client, team = place(wh)
    rows = 3000
    nightly = tmp_path / "nightly.csv"
    with nightly.open("w", encoding="utf-8") as out:
        out.write("ticket_id,client,team,channel,type,opened_at,first_response_at,resolved,csat\n")
        for i in range(rows):
            opened = dt.datetime.combine(last_day, dt.time(8)) + dt.timedelta(seconds=9 * i)
            answered = opened + dt.timedelta(seconds=20 + i % 50)
            out.write(f"SRV-N{i},{client},{team},phone,consultation,{opened},{answered},Y,{1 + i % 5}\n")

    job = subprocess.Popen(
        [sys.executable, "-m", "csdata.cli", "import", "tickets", str(nightly), "--db", url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "CSDATA_LANG": "en"},
    )  # fmt: skip
    pages[0].reload(wait_until="domcontentloaded")  # a viewer meanwhile is served, not locked out
    pages[0].get_by_role("heading", name=t("nav_service", "en"), exact=True).wait_for()
    assert _offered(pages[0]) in (before, before + rows)
    out, err = job.communicate(timeout=300)
    assert job.returncode == 0, out + err
    assert "Traceback" not in err
    assert wh.scalar("SELECT count(*) FROM tickets WHERE starts_with(ticket_id, 'SRV-N')") == rows

    for page in pages:
        page.reload(wait_until="domcontentloaded")
        page.get_by_role("heading", name=t("nav_service", "en"), exact=True).wait_for()
        assert _offered(page) == before + rows
    assert not errors, errors
    assert run_cli("rollups", "check", "--db", url).returncode == 0


def _metric(page, key: str) -> int:
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(t(key, "en"), exact=True))
    return int(card.first.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def _upload(page, kind: str, path) -> None:
    """On the Imports page: the kind chosen, the file given, its preview shown."""
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=t(f"imp_kind_{kind}", "en"), exact=True).click()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=PAGE_TIMEOUT_MS)
    page.locator('input[type="file"]').first.set_input_files(str(path))
    page.get_by_test_id("stMetric").get_by_text(t("imp_m_present", "en"), exact=True).wait_for()
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)


@pytest.mark.browser
def test_a_file_uploaded_on_one_server_is_present_on_the_other(company, browser, wh, tmp_path):
    """A QA lead imports her audit sheet on the Imports page of server A (clicking Import twice);
    her colleague, on server B, uploads the same sheet: every row is already present there."""
    _, (a, b) = company
    errors: list[str] = []
    sheet = tmp_path / "audits-week.csv"
    sheet.write_text(
        (ROOT / "sample_data" / "audits.csv").read_text(encoding="utf-8-sig").replace("AU0000", "SRV-AU"),
        encoding="utf-8",
    )
    rows = len(sheet.read_text(encoding="utf-8").splitlines()) - 1
    on_a = signed_in(browser, errors, a.url, "qa")
    open_from_sidebar(on_a, t("nav_imports", "en"), "imports")
    _upload(on_a, "audits", sheet)
    assert (_metric(on_a, "imp_m_rows"), _metric(on_a, "imp_m_present"), _metric(on_a, "imp_m_rejected")) == (
        rows, 0, 0
    )  # fmt: skip
    commit = on_a.get_by_role("button", name=t("imp_commit", "en", n=str(rows)))
    commit.dblclick()
    on_a.get_by_test_id("stMetric").get_by_text(t("imp_m_imported", "en"), exact=True).wait_for()
    on_a.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    assert _metric(on_a, "imp_m_imported") == rows
    assert wh.scalar("SELECT count(*) FROM audits WHERE starts_with(audit_id, 'SRV-AU')") == rows
    assert wh.scalar("SELECT count(*) FROM import_log WHERE file_name = 'audits-week.csv'") == 1

    on_b = signed_in(browser, errors, b.url, "qa")
    open_from_sidebar(on_b, t("nav_imports", "en"), "imports")
    _upload(on_b, "audits", sheet)
    assert (_metric(on_b, "imp_m_present"), _metric(on_b, "imp_m_new")) == (rows, 0)
    on_b.get_by_text(t("imp_nothing_new", "en")).wait_for()
    assert not errors, errors
    assert on_a.locator('[data-testid="stException"]').count() == 0
    assert on_b.locator('[data-testid="stException"]').count() == 0


# -- writers in separate processes ---------------------------------------------------------------


def test_eight_writers_at_once_lose_nothing(company, wh):
    url, servers = company
    client, team = place(wh)
    ids = [[f"SRV-C{w}-{i}" for i in range(EACH)] for w in range(WRITERS)]
    with wh.transaction("test", "fixture", "tickets") as w:
        w.insert_df("tickets", pd.DataFrame([ticket(i, client, team) for mine in ids for i in mine]))
    last_logged = wh.scalar("SELECT max(id) FROM audit_log")

    jobs = [
        {"actor": f"sup{w}", "steps": [["route_and_feed_back", i] for i in mine]}
        for w, mine in enumerate(ids)
    ]
    results = at_once(url, jobs)

    assert results == [[{"ok": "done"}] * EACH] * WRITERS
    everyone = [i for mine in ids for i in mine]
    rounds = wh.rows(
        "SELECT ticket_id, round, recorded_by FROM complaint_rounds WHERE starts_with(ticket_id, 'SRV-C')"
        " ORDER BY ticket_id"
    )
    expected = sorted((i, 1, f"sup{w}") for w, mine in enumerate(ids) for i in mine)
    assert rounds == expected  # one round each, by the writer that fed it back
    assert wh.column("SELECT DISTINCT department FROM tickets WHERE starts_with(ticket_id, 'SRV-C')") == [
        "billing"
    ]
    # every step has its audit-log row, and nothing else was logged meanwhile
    logged = wh.rows(
        "SELECT action, entity, actor FROM audit_log WHERE id > ? ORDER BY action, entity", [last_logged]
    )
    by_writer = {i: f"sup{w}" for w, mine in enumerate(ids) for i in mine}
    assert logged == sorted(
        (action, i, by_writer[i]) for action in ("ticket.feedback", "ticket.route") for i in everyone
    )
    check = run_cli("rollups", "check", "--db", url)
    assert check.returncode == 0, check.stdout + check.stderr
    assert all(server.proc.poll() is None for server in servers)


def _csv(rows: list[dict]) -> str:
    return pd.DataFrame(rows).to_csv(index=False)


def test_eight_processes_saving_tickets_through_the_form_and_an_import_lose_none(company, wh):
    """Eight users saving tickets through the form on their servers' processes, and the nightly
    import of 500 tickets, all released at once: every ticket lands, each save and the import
    with its audit-log row."""
    url, _ = company
    client, team = place(wh)
    agent = wh.scalar(
        "SELECT employee_id FROM employees WHERE team = ? AND position = 'agent' LIMIT 1", [team]
    )
    values = {"client": client, "channel": "chat", "type": "consultation", "agent_id": agent}
    jobs = [
        {
            "actor": f"form{w}",
            "steps": [
                ["save_ticket", {**values, "ticket_id": f"SRV-F{w}-{i}", "opened_at": "2026-10-29T11:00:00"}]
                for i in range(EACH)
            ],
        }
        for w in range(WRITERS)
    ]
    nightly = [
        ticket(
            f"SRV-I{i}",
            client,
            team,
            type="consultation",
            opened_at=f"2026-10-28 {8 + i // 60}:{i % 60:02d}:00",
        )
        for i in range(500)
    ]
    jobs.append({"actor": "nightly", "steps": [["import", _csv(nightly)]]})
    assert at_once(url, jobs) == [[{"ok": 1}] * EACH] * WRITERS + [[{"ok": 500}]]
    assert wh.scalar("SELECT count(*) FROM tickets WHERE starts_with(ticket_id, 'SRV-F')") == WRITERS * EACH
    assert wh.scalar("SELECT count(*) FROM tickets WHERE starts_with(ticket_id, 'SRV-I')") == 500
    assert (
        wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'import.tickets' AND actor = 'nightly'") == 1
    )
    assert (
        wh.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'import.tickets' AND starts_with(actor, 'form')"
        )
        == WRITERS * EACH
    )
    assert run_cli("rollups", "check", "--db", url).returncode == 0


def test_two_supervisors_accepting_one_complaint_one_is_refused(company, wh):
    url, _ = company
    client, team = place(wh)
    with wh.transaction("test", "fixture", "SRV-A") as w:
        w.insert_df("tickets", pd.DataFrame([ticket("SRV-A", client, team)]))
    entry.route(wh, "sup", "SRV-A", "billing", dt.datetime(2026, 10, 30, 10), EVERYTHING)
    entry.feedback(wh, "sup", "SRV-A", dt.datetime(2026, 10, 30, 11), EVERYTHING)

    outcomes = at_once(url, [{"actor": f"sup_{x}", "steps": [["accept", "SRV-A"]]} for x in "ab"])

    flat = sorted((o for [o] in outcomes), key=lambda o: "ok" not in o)
    assert flat == [
        {"ok": "done"},
        {"refused": "wf_already_answered", "message": t("wf_already_answered", "en")},
    ]
    assert wh.rows("SELECT round, answer FROM complaint_rounds WHERE ticket_id = 'SRV-A'") == [
        (1, "accepted")
    ]
    assert wh.scalar("SELECT customer_accepted FROM tickets WHERE ticket_id = 'SRV-A'") is True
    accepted_by = wh.column("SELECT actor FROM audit_log WHERE action = 'ticket.accept' AND entity = 'SRV-A'")
    winner = "sup_a" if "ok" in outcomes[0][0] else "sup_b"
    assert accepted_by == [winner]
