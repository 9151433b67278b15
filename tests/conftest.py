"""Shared fixtures: a tiny hand-made warehouse whose every metric is worked out by hand in
`test_metrics.py`, and a small generated demo warehouse for page, CLI and browser tests."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
from pathlib import Path

import engines
import pandas as pd
import pytest

from csdata import pages
from csdata.imports.ingest import backfill_history
from csdata.policy import Contract, default_policy, save_policy
from csdata.store.warehouse import Warehouse

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data" / "public"
# The demo company of the tests is built as of this day (history to 2026-10-31), whatever the
# day the tests run: expected values stay put.
DEMO_AS_OF = dt.date(2026, 11, 1)


def shown(markdown: str) -> str:
    """What a reader sees of a text Streamlit renders as markdown: rendered by an independent
    renderer (markdown-it-py, GFM-like), tags dropped, white space collapsed."""
    from html import unescape

    from markdown_it import MarkdownIt

    html = MarkdownIt("gfm-like", {"html": True, "linkify": True}).render(markdown)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def tiny_policy():
    policy = default_policy()
    # Acme's contract answers the phone within 10 s instead of 20, and sets its own CSAT target.
    policy.contracts = [Contract(client="Acme", sla_seconds={"phone": 10}, targets={"csat_pct": 0.9})]
    return policy


def _ticket(
    tid,
    client,
    channel,
    kind,
    agent,
    opened,
    wait_s=None,
    handle=None,
    resolved=None,
    fcr=None,
    csat=None,
    feedback_h=None,
    accepted=None,
):
    opened_at = ts(opened)
    return {
        "ticket_id": tid,
        "client": client,
        "channel": channel,
        "type": kind,
        "agent_id": agent,
        "opened_at": opened_at,
        "first_response_at": None if wait_s is None else opened_at + dt.timedelta(seconds=wait_s),
        "handle_seconds": handle,
        "resolved": resolved,
        "first_contact_resolved": fcr,
        "csat": csat,
        "feedback_at": None if feedback_h is None else opened_at + dt.timedelta(hours=feedback_h),
        "customer_accepted": accepted,
    }


TICKETS = [
    _ticket("T1", "Acme", "phone", "consultation", "A1", "2026-03-02 09:00:00", 8, 300, True, True, 5),
    _ticket("T2", "Acme", "phone", "consultation", "A2", "2026-03-02 10:00:00", 15, 200, True, False, 3),
    _ticket("T3", "Acme", "phone", "consultation", None, "2026-03-02 11:00:00"),  # abandoned
    _ticket(
        "T4", "Acme", "chat", "complaint", "A1", "2026-03-05 14:00:00", 50, 600, True, False, 2, 10, True
    ),
    _ticket(
        "T5",
        "Beta",
        "email",
        "complaint",
        "B1",
        "2026-03-10 08:00:00",
        3 * 3600,
        None,
        False,
        False,
        None,
        30,
        False,
    ),
    _ticket("T6", "Beta", "email", "complaint", "B1", "2026-03-12 09:00:00", 9 * 3600, 900, True, True, 4),
    _ticket("T7", "Beta", "chat", "suggestion", "B1", "2026-03-20 12:00:00", 70, 400, True, True, 4),
    _ticket("T8", "Beta", "phone", "consultation", None, "2026-03-31 23:59:59"),  # abandoned, last second
    _ticket("T9", "Acme", "phone", "consultation", "A1", "2026-04-01 00:00:00", 5, 100, True, True, 1),
    _ticket("T10", "Beta", "phone", "consultation", "B1", "2026-02-28 23:59:00", 12, 240, True, True, 5),
]


# The queue (team) each ticket was offered to: its agent's team; the abandoned T3 and T8 were
# offered to the queue of their client's only team.
QUEUES = {"T1": "Acme-1", "T2": "Acme-1", "T3": "Acme-1", "T4": "Acme-1", "T5": "Beta-1", "T6": "Beta-1",
          "T7": "Beta-1", "T8": "Beta-1", "T9": "Acme-1", "T10": "Beta-1"}  # fmt: skip
for _row in TICKETS:
    _row["team"] = QUEUES[_row["ticket_id"]]


def _follow_up(tid: str, **hours_after_opening) -> None:
    """Adds a ticket's follow-up fields: times as hours after it opened, the rest as given."""
    row = next(r for r in TICKETS if r["ticket_id"] == tid)
    for name, value in hours_after_opening.items():
        at = name.endswith("_at")
        row[name] = row["opened_at"] + dt.timedelta(hours=value) if at else value


_follow_up("T1", callback_promised_at=4)  # promised, never made
_follow_up("T2", callback_promised_at=2, callback_done_at=1)  # kept
_follow_up("T6", callback_promised_at=24, callback_done_at=30, department="logistics")  # late
_follow_up("T9", callback_promised_at=1, callback_done_at=1)  # kept, but in April
_follow_up("T4", department="billing", reopened=True)  # accepted only after the customer reopened it
_follow_up("T5", department="billing", reopened=True)  # not accepted: reopened, not fed back again yet
_follow_up("T7", department="product", suggestion_adopted=True, reward_amount=50)

EMPLOYEES = [
    # id, name, team, client, position, hire, left_on
    ("A1", "安娜", "Acme-1", "Acme", "agent", "2024-01-10", None),
    ("A2", "白云", "Acme-1", "Acme", "agent", "2024-05-01", None),
    ("S1", "孙立", "Acme-1", "Acme", "supervisor", "2022-03-01", None),
    ("B1", "包贝", "Beta-1", "Beta", "agent", "2023-07-01", None),
    ("L1", "林离", "Beta-1", "Beta", "agent", "2023-01-01", "2026-01-15"),
    ("N1", "牛新", "Beta-1", "Beta", "agent", "2026-02-01", None),
    ("N2", "倪二", "Beta-1", "Beta", "agent", "2026-03-01", None),
    ("N3", "聂三", "Beta-1", "Beta", "agent", "2026-03-01", None),
    ("Q1", "钱质", None, None, "qa", "2021-01-01", None),
]

# audit id, day, agent, critical, {criterion: score} (missing = not applicable)
AUDITS = [
    (
        "AU1",
        "2026-03-03",
        "A1",
        False,
        {"attitude": 90, "responsiveness": 80, "accuracy": 100, "communication": 70, "compliance": 60},
    ),
    (
        "AU2",
        "2026-03-04",
        "A2",
        False,
        {"attitude": 80, "accuracy": 90, "communication": 100, "compliance": 50},
    ),
    (
        "AU3",
        "2026-03-15",
        "B1",
        True,
        {"attitude": 100, "responsiveness": 100, "accuracy": 100, "communication": 100, "compliance": 100},
    ),
    ("AU4", "2026-04-02", "A1", False, {"attitude": 100}),
]

# employee, course, kind, day, score, hours, attempt
TRAINING = [
    ("N1", "Onboarding", "onboarding", "2026-02-05", 70, 16, 1),
    ("N1", "Onboarding", "onboarding", "2026-03-03", 85, 8, 2),
    ("N2", "Onboarding", "onboarding", "2026-03-10", 60, 16, 1),
    ("N3", "Onboarding", "onboarding", "2026-03-10", 80, 16, 1),
    ("A1", "Complaint handling", "in_service", "2026-03-10", 90, 4, 1),
    ("B1", "Product update", "in_service", "2026-03-20", None, 2.5, 1),
    ("A2", "Product update", "in_service", "2026-04-02", None, 1.5, 1),
]

# A complaint's rounds: ticket, round, fed back and answered (hours after opening), answer. The
# tickets' feedback_at, customer_accepted and reopened above are their summary.
ROUNDS = [
    ("T4", 1, 4, 6, "reopened"),
    ("T4", 2, 10, 12, "accepted"),
    ("T5", 1, 30, 40, "reopened"),
]

# Recruitment: id, team, client, headcount, opened, status; N1, N2 and N3 were hired against them.
REQUISITIONS = [
    ("RQ1", "Beta-1", "Beta", 4, "2026-01-10", "open"),
    ("RQ2", "Beta-1", "Beta", 1, "2026-02-01", "filled"),
    ("RQ3", "Acme-1", "Acme", 1, "2026-03-20", "open"),
]
_STAGES = ("applied_on", "screened_on", "screen_passed", "interviewed_on", "interview_passed", "test_on",
           "test_score", "checked_on", "check_passed", "offered_on", "offer_accepted", "hired_on")  # fmt: skip
# id, requisition, channel, the stages above as far as reached, then employee, rejected_on, reason
CANDIDATES = [
    (
        "K1",
        "RQ1",
        "referral",
        (
            "2026-01-12",
            "2026-01-13",
            True,
            "2026-01-15",
            True,
            "2026-01-16",
            90,
            "2026-01-20",
            True,
            "2026-01-22",
            True,
            "2026-02-01",
        ),
        "N1",
        None,
        None,
    ),
    (
        "K2",
        "RQ1",
        "job_site",
        (
            "2026-02-02",
            "2026-02-03",
            True,
            "2026-02-05",
            True,
            "2026-02-06",
            70,
            "2026-02-10",
            True,
            "2026-02-12",
            True,
            "2026-03-01",
        ),
        "N2",
        None,
        None,
    ),
    (
        "K3",
        "RQ2",
        "campus",
        (
            "2026-02-03",
            "2026-02-04",
            True,
            "2026-02-06",
            True,
            "2026-02-07",
            88,
            "2026-02-11",
            True,
            "2026-02-13",
            True,
            "2026-03-01",
        ),
        "N3",
        None,
        None,
    ),
    (
        "K4",
        "RQ1",
        "job_site",
        ("2026-03-02", "2026-03-03", True, "2026-03-05", False),
        None,
        "2026-03-05",
        "interview",
    ),
    (
        "K5",
        "RQ1",
        "social_media",
        (
            "2026-03-04",
            "2026-03-05",
            True,
            "2026-03-09",
            True,
            "2026-03-10",
            75,
            "2026-03-16",
            True,
            "2026-03-18",
            False,
        ),
        None,
        None,
        None,
    ),
    ("K6", "RQ3", "job_site", ("2026-03-06",), None, None, None),
]

APPRAISALS = [
    ("A1", {"satisfaction": 90, "quality": 85, "efficiency": 80, "teamwork": 100}),
    ("B1", {"satisfaction": 70, "quality": 60, "efficiency": 80, "teamwork": 50}),
]


def build_tiny(path: Path | str) -> Warehouse:
    wh = Warehouse(path, create=True)
    policy = tiny_policy()
    version = save_policy(wh, policy, "test")
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name, industry) VALUES ('Acme', 'retail'), ('Beta', 'bank')")
        w.execute("INSERT INTO departments VALUES ('customer_service', '客服部')")
        w.execute("INSERT INTO pay_grades VALUES ('G1', 5000, 1000)")
        w.execute(
            "INSERT INTO teams VALUES ('Acme-1', 'customer_service', 'Acme', 'S1'),"
            " ('Beta-1', 'customer_service', 'Beta', NULL)"
        )
        for eid, name, team, client, position, hire, left_on in EMPLOYEES:
            w.execute(
                "INSERT INTO employees (employee_id, name, department, team, client, position, grade,"
                " hire_date, status, left_on) VALUES (?, ?, 'customer_service', ?, ?, ?, 'G1', ?, ?, ?)",
                [eid, name, team, client, position, hire, "left" if left_on else "active", left_on],
            )
        backfill_history(w, "test")  # each person's one period from the hire date, as an import makes
        w.insert_df("tickets", pd.DataFrame(TICKETS))
        opened = {r["ticket_id"]: r["opened_at"] for r in TICKETS}
        for tid, n, fed, answered, answer in ROUNDS:
            w.execute(
                "INSERT INTO complaint_rounds VALUES (?, ?, ?, ?, ?, 'test')",
                [
                    tid,
                    n,
                    opened[tid] + dt.timedelta(hours=fed),
                    answer,
                    opened[tid] + dt.timedelta(hours=answered),
                ],
            )
        for audit_id, day, agent, critical, scores in AUDITS:
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, source, critical_error,"
                " score, policy_version) VALUES (?, ?, ?, 'Q1', 'recording', ?, ?, ?)",
                [audit_id, day, agent, critical, policy.scorecard.score(scores, critical), version],
            )
            for criterion, score in scores.items():
                w.execute("INSERT INTO audit_scores VALUES (?, ?, ?)", [audit_id, criterion, score])
        for row in TRAINING:
            w.execute("INSERT INTO training_results VALUES (?, ?, ?, ?, ?, ?, ?)", list(row))
        for rid, team, client, headcount, opened, status in REQUISITIONS:
            w.execute(
                "INSERT INTO requisitions (requisition_id, position, client, team, headcount, opened_on, status)"
                " VALUES (?, 'agent', ?, ?, ?, ?, ?)",
                [rid, client, team, headcount, opened, status],
            )
        for cid, rid, channel, stages, employee, rejected_on, reason in CANDIDATES:
            names = _STAGES[: len(stages)]
            w.execute(
                f"INSERT INTO candidates (candidate_id, requisition_id, channel, {', '.join(names)}, employee_id,"
                f" rejected_on, reason) VALUES (?, ?, ?, {', '.join('?' for _ in names)}, ?, ?, ?)",
                [cid, rid, channel, *stages, employee, rejected_on, reason],
            )
        w.execute("INSERT INTO appraisal_periods VALUES ('2026-Q1', '2026-01-01', '2026-03-31', 'open')")
        for eid, values in APPRAISALS:
            score = policy.appraisal.score(values)
            w.execute(
                "INSERT INTO appraisals (period, employee_id, score, grade, policy_version, confirmed_by, confirmed_at)"
                " VALUES ('2026-Q1', ?, ?, ?, ?, 'hr', '2026-04-02 10:00:00')",
                [eid, score, policy.appraisal.band(score).grade, version],
            )
            for indicator, value in values.items():
                w.execute("INSERT INTO appraisal_scores VALUES ('2026-Q1', ?, ?, ?)", [eid, indicator, value])
    return wh


def pytest_generate_tests(metafunc):
    """A test that takes a warehouse runs on each engine (`engines.py`)."""
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", engines.ENGINES, indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "duckdb")


@pytest.fixture
def tiny(tmp_path, request, engine) -> Warehouse:
    """The tiny warehouse, on the test's engine."""
    wh = build_tiny(engines.target(request, engine, tmp_path / "tiny.duckdb"))
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A small generated demo warehouse (closed, so other processes may open it)."""
    from csdata.demo.sample import build_sample

    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    wh = Warehouse(path, create=True)
    build_sample(wh, tickets=20_000, as_of=DEMO_AS_OF)
    wh.close()
    return path


def private_copy(sample_db: Path, tmp_path_factory, name: str) -> Path:
    """A copy of the demo warehouse for the app of one test module to open.

    The app keeps its warehouse open read-write for the life of the process (a cached resource),
    which locks the file against other processes; a copy keeps `sample_db` free for `csdata kpi`
    and for every other test in the session.
    """
    path = tmp_path_factory.mktemp(name) / f"{name}.duckdb"
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture(scope="module")
def module_db(sample_db, tmp_path_factory, request) -> Path:
    """A private copy of the demo warehouse for one test module: what its tests write stays its own."""
    return private_copy(sample_db, tmp_path_factory, request.module.__name__.rpartition(".")[2])


@pytest.fixture
def app_wh(module_db, monkeypatch):
    """The app's own cached warehouse over the module's copy (the pages open the same one)."""
    from csdata.ui.core import _open

    point_app_at(monkeypatch, module_db)
    return _open(str(module_db))


def point_app_at(monkeypatch, db: Path) -> None:
    """The app's environment for one run: project root as cwd, English unless a test says so."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CSDATA_LANG", raising=False)
    monkeypatch.setenv("CSDATA_DB", str(db))


def sign_in_as(at, user: str) -> None:
    """Signs an AppTest's session in as `user` the way the sign-in form leaves it: the name and the
    token of a live server session of the app's warehouse (`CSDATA_DB`)."""
    from csdata.access import sessions
    from csdata.settings import Settings
    from csdata.store.warehouse import WarehouseError
    from csdata.ui import core, signin

    try:
        token = sessions.start(core._open(str(Settings.from_env().db)), user)
    except WarehouseError:  # no warehouse to hold a session: the app says so before any check
        token = "no-session"
    at.session_state["username"], at.session_state[signin.TOKEN] = user, token


def open_page(page: str, lang: str = "en", user: str = "admin", query: dict | None = None):
    """The app through AppTest, signed in as `user`, on `page` (a key of `pages.PAGES`) with the
    address's `query`; no exception raised."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    sign_in_as(at, user)
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(pages.PAGES[page].file).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, input: str | None = None):
    """Run the real `csdata` command in a new process (standard input empty unless given)."""
    import subprocess

    full_env = {k: v for k, v in os.environ.items() if k != "CSDATA_ADMIN_PASSWORD"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "csdata.cli", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (see served.py for when it skips)."""
    from served import launch

    with launch() as chromium:
        yield chromium


@pytest.fixture
def served(monkeypatch) -> dict[str, bytes]:
    """The bytes behind every download button, by media file id, exactly as they would be served."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = self._files_by_id[file_id].content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    keep_deferred(monkeypatch)
    return files


_DEFERRED: dict[str, object] = {}  # a download made on click: its id -> the media manager holding it


def keep_deferred(monkeypatch) -> None:
    """Remembers which media manager holds each download made on click, so that a test can click it
    after the run (the AppTest's runtime is gone by then)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    original = MediaFileManager.add_deferred

    def register(self, *args, **kwargs):
        file_id = original(self, *args, **kwargs)
        _DEFERRED[file_id] = self
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", register)


def download_url(at, key: str) -> str:
    """Where the download button `key` of an AppTest run serves its file from; a file made on
    click is made now, by the server's own code, as a click makes it."""
    proto = at.download_button(key=key).proto
    if proto.deferred_file_id:
        return _DEFERRED[proto.deferred_file_id].execute_deferred(proto.deferred_file_id)
    return proto.url


def download(at, key: str, files: dict[str, bytes]) -> bytes:
    """What the download button `key` of an AppTest run would send."""
    return files[download_url(at, key).rsplit("/", 1)[-1].split(".", 1)[0]]


def near(metric: str, expected: float, rel: float = 1e-12):
    """`pytest.approx` for a metric's value: exact to `rel`, but a median or 90th percentile the
    query layer reads from the rollups' histograms within its stated bound
    (`csdata.analytics.rollup_forms.error_bound`: 1 second or 1 %, whichever is larger)."""
    from csdata.analytics.rollup_forms import error_bound

    return pytest.approx(expected, rel=rel, abs=error_bound(metric, expected))


def cli_values(db: Path, start, end, clients=(), channels=(), ci: bool = False) -> dict:
    """The headline metrics as `csdata kpi --json` prints them for these filters (with `ci`, each
    as `{"value", "low", "high", "n"}`)."""
    import json

    from csdata.analytics.metrics import HEADLINE

    args = ["kpi", "--db", str(db), "--from", start.isoformat(), "--to", end.isoformat(), "--json"]
    args += ["--ci"] if ci else []
    for c in clients:
        args += ["--client", c]
    for c in channels:
        args += ["--channel", c]
    for m in HEADLINE:
        args += ["--metric", m]
    result = run_cli(*args, env={"CSDATA_LANG": "en"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def shown_cards(at, lang: str = "en") -> dict[str, str]:
    """The KPI cards of an AppTest run: the card's label -> the value shown."""
    return {m.label: m.value for m in at.metric}


def expected_cards(values_for, metrics, channels=(), lang: str = "en") -> dict[str, str]:
    """The cards a page should show, label -> value, from `values_for(channels)` (metric -> value,
    `offered` among them, e.g. `csdata kpi`): a wait or handle time one card per channel that has
    tickets, unless one channel is chosen."""
    from csdata.analytics.metrics import CATALOG
    from csdata.analytics.page_queries import PER_CHANNEL
    from csdata.policy import CHANNELS
    from csdata.text.i18n import channel_label, fmt_value

    values = values_for(tuple(channels))
    by_channel = {}
    cards = {}
    for m in metrics:
        label, unit = CATALOG[m].short_label(lang), CATALOG[m].unit
        if m in PER_CHANNEL and len(channels) != 1:
            for c in channels or CHANNELS:
                if c not in by_channel:
                    by_channel[c] = values_for((c,))
                if by_channel[c]["offered"]:
                    cards[f"{label} · {channel_label(c, lang)}"] = fmt_value(by_channel[c][m], unit, lang)
        else:
            cards[label] = fmt_value(values[m], unit, lang)
    return cards
