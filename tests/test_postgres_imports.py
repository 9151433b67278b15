"""The same files imported into a DuckDB file and into a PostgreSQL database give the same warehouse.

Every example file of sample_data/ (master data first, then the records, creating the people and
clients they name but do not bring), then a generated month
of 4,000 tickets and their audits, are imported by the real `csdata import` command into a new
DuckDB warehouse and a new PostgreSQL one. On both: each import reports the same counts,
`csdata kpi --json` gives the same value for every metric (whole span, each client, each
channel), and the headline figures equal an independent computation with pandas over the files.
Importing the files again adds nothing; a corrected file corrects with a trail; a file with bad
rows names them and, with --strict, writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import engines
import pandas as pd
import pytest
from conftest import ROOT, near, run_cli

SAMPLE = ROOT / "sample_data"
ORDER = (
    "clients", "departments", "pay_grades", "teams", "employees", "courses", "periods", "requisitions",
    "candidates", "tickets", "audits", "training", "appraisals", "bonuses", "actions", "coaching",
)  # fmt: skip
PASSWORD = "import-both-engines-42"
WEIGHTS = {"attitude": 25, "responsiveness": 20, "accuracy": 30, "communication": 15, "compliance": 10}


def _month(folder: Path) -> dict[str, Path]:
    """September 2026 of the sample's three clients: tickets on every channel and audits of them."""
    rng = random.Random(16)
    people = pd.read_csv(SAMPLE / "employees.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    agents = people[(people["position"] == "agent") & (people["client"] != "")]
    teams = pd.read_csv(SAMPLE / "teams.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    queues = teams[teams["client"] != ""]
    tickets, audits = [], []
    for i in range(4000):
        queue = queues.iloc[i % len(queues)]
        mine = agents[agents["client"] == queue["client"]]
        agent = mine.iloc[i % len(mine)]["employee_id"] if len(mine) else ""
        channel = ("phone", "chat", "email")[i % 3]
        opened = dt.datetime(2026, 9, 1, 8) + dt.timedelta(minutes=10 * i)
        answered = rng.random() < 0.9
        wait = rng.randint(3, 600 if channel != "email" else 40000)
        kind = "complaint" if i % 17 == 0 else "consultation"
        fed_back = kind == "complaint" and answered
        tickets.append({
            "ticket_id": f"M{i:05d}", "client": queue["client"], "channel": channel, "type": kind,
            "agent_id": agent, "team": queue["team"], "opened_at": opened,
            "first_response_at": opened + dt.timedelta(seconds=wait) if answered else "",
            "handle_seconds": rng.randint(60, 900) if answered else "",
            "resolved": rng.random() < 0.8 if answered else "",
            "csat": rng.randint(1, 5) if answered and rng.random() < 0.4 else "",
            "feedback_at": opened + dt.timedelta(hours=rng.randint(1, 48)) if fed_back else "",
            "customer_accepted": rng.random() < 0.7 if fed_back else "",
        })  # fmt: skip
        if i % 10 == 0 and agent:
            scores = {c: rng.choice([rng.randint(50, 100), ""]) for c in WEIGHTS}
            scores["accuracy"] = rng.randint(40, 100)  # every audit scores one criterion at least
            audits.append({
                "audit_id": f"MA{i:05d}", "audited_at": (opened + dt.timedelta(days=1)).date(),
                "agent_id": agent, "auditor_id": "E00012", "ticket_id": f"M{i:05d}", "client": queue["client"],
                "channel": channel, "source": "recording", **scores, "critical_error": i % 130 == 0,
            })  # fmt: skip
    out = {"tickets": folder / "month_tickets.csv", "audits": folder / "month_audits.csv"}
    pd.DataFrame(tickets).to_csv(out["tickets"], index=False)
    pd.DataFrame(audits).to_csv(out["audits"], index=False)
    return out


def _files(folder: Path) -> list[tuple[str, Path]]:
    month = _month(folder)
    return [(kind, SAMPLE / f"{kind}.csv") for kind in ORDER] + [(k, p) for k, p in month.items()]


def _import(db: str, kind: str, path: Path, *more: str) -> dict:
    done = run_cli("import", kind, str(path), "--db", db, "--json", *more, env={"CSDATA_LANG": "en"})
    assert "Traceback" not in done.stderr, done.stderr
    return {"exit": done.returncode, **json.loads(done.stdout or "{}")}


def _counts(report: dict) -> tuple:
    return tuple(report.get(k) for k in ("exit", "rows", "imported", "duplicates", "rejected", "updated"))


@pytest.fixture(scope="module")
def both(request, tmp_path_factory):
    """The two warehouses the files were imported into, and each import's counts: (dbs, counts)."""
    folder = tmp_path_factory.mktemp("both")
    files = _files(folder)
    dbs = {
        "duckdb": str(folder / "imported.duckdb"),
        "postgresql": engines.new_database(request, migrated=False),
    }
    counts = {}
    for engine, db in dbs.items():
        done = run_cli("init", "--db", db, env={"CSDATA_ADMIN_PASSWORD": PASSWORD})
        assert done.returncode == 0, done.stderr
        counts[engine] = [
            (kind, path.name, _counts(_import(db, kind, path, "--create-missing"))) for kind, path in files
        ]
    return dbs, counts, dict(files)


def test_every_file_imports_with_the_same_counts_on_both(both):
    _, counts, files = both
    assert counts["postgresql"] == counts["duckdb"]
    assert sum(c[2] for _, _, c in counts["duckdb"]) > 4100, counts["duckdb"]
    month = {name: c for _, name, c in counts["postgresql"]}
    assert month["month_tickets.csv"] == (0, 4000, 4000, 0, 0, 0)
    audits = len(_read(files["audits"]))
    assert audits > 100 and month["month_audits.csv"] == (0, audits, audits, 0, 0, 0)


def _kpi(db: str, *args: str) -> dict:
    done = run_cli("kpi", "--db", db, "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


FILTERS = [
    (),
    ("--from", "2026-09-01", "--to", "2026-09-30"),
    ("--client", "Harbor Trust Bank"),
    ("--client", "Nebula Games", "--channel", "chat"),
    ("--channel", "email", "--from", "2026-09-10", "--to", "2026-09-20"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "everything")
def test_kpi_is_the_same_on_both_engines(both, filters):
    dbs, _, _ = both
    on_duckdb, on_postgres = _kpi(dbs["duckdb"], *filters), _kpi(dbs["postgresql"], *filters)
    assert on_duckdb["offered"] > 0
    assert set(on_postgres) == set(on_duckdb)
    wrong = {
        m: (on_duckdb[m], on_postgres[m])
        for m in on_duckdb
        if not (
            on_postgres[m] == on_duckdb[m]
            or (None not in (on_duckdb[m], on_postgres[m]) and on_postgres[m] == near(m, on_duckdb[m], 1e-9))
        )
    }
    assert not wrong, wrong


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_september_equals_pandas_over_the_files(both, engine):
    """The month's figures worked out from the generated files alone (the sample's own tickets
    and audits are of 2025, outside it)."""
    dbs, _, files = both
    tickets, audits = _read(files["tickets"]), _read(files["audits"])
    got = _kpi(dbs[engine], "--from", "2026-09-01", "--to", "2026-09-30")
    opened = pd.to_datetime(tickets["opened_at"])
    assert opened.min() >= pd.Timestamp(2026, 9, 1) and opened.max() < pd.Timestamp(2026, 10, 1)
    answered = tickets[tickets["first_response_at"] != ""]
    rated = pd.to_numeric(tickets["csat"].replace("", None)).dropna()
    wait = (
        pd.to_datetime(answered["first_response_at"]) - pd.to_datetime(answered["opened_at"])
    ).dt.total_seconds()
    scores = audits[list(WEIGHTS)].replace("", None).astype(float)
    weights = pd.Series(WEIGHTS, dtype=float)
    score = (scores.fillna(0) * weights).sum(axis=1) / (scores.notna() * weights).sum(axis=1)
    score = score.where(audits["critical_error"] != "True", 0.0)
    complaints = tickets[(tickets["type"] == "complaint") & (tickets["feedback_at"] != "")]
    want = {
        "offered": len(tickets),
        "answer_rate": len(answered) / len(tickets),
        "asa": wait.mean(),
        "resolution_rate": (answered["resolved"] == "True").mean(),
        "csat_avg": rated.mean(),
        "csat_pct": rated.isin([4, 5]).mean(),
        "audits": len(audits),
        "qa_score": score.mean(),
        "qa_critical_rate": (audits["critical_error"] == "True").mean(),
        "complaints": int((tickets["type"] == "complaint").sum()),
        "complaint_acceptance_rate": (complaints["customer_accepted"] == "True").mean(),
    }
    assert {m: got[m] for m in want} == {m: near(m, v, 1e-9) for m, v in want.items()}


def test_the_same_files_again_add_nothing_and_a_correction_keeps_its_trail(both, engine, tmp_path):
    dbs, _, files = both
    db = dbs[engine]
    again = _import(db, "tickets", files["tickets"])
    assert _counts(again)[:5] == (0, 4000, 0, 4000, 0)
    rows = list(csv.DictReader(files["tickets"].open(encoding="utf-8")))
    rows[7]["csat"] = "5" if rows[7]["csat"] != "5" else "4"
    corrected = tmp_path / "corrected.csv"
    with corrected.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    fixed = _import(db, "tickets", corrected, "--update", "--reason", "survey re-read")
    assert _counts(fixed) == (0, 4000, 0, 3999, 0, 1)
    done = run_cli("history", "tickets", rows[7]["ticket_id"], "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert "survey re-read" in done.stdout
    assert run_cli("rollups", "check", "--db", db).returncode == 0


def test_a_bad_file_names_its_rows_and_strict_writes_nothing(both, engine, tmp_path):
    dbs, _, _ = both
    db = dbs[engine]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "ticket_id,client,channel,type,opened_at\n"
        "BAD1,Harbor Trust Bank,phone,consultation,2026-09-03 10:00:00\n"
        "BAD2,Nobody Ltd,phone,consultation,2026-09-03 10:00:00\n"
        "BAD3,Harbor Trust Bank,fax,consultation,2026-09-03 10:00:00\n",
        encoding="utf-8",
    )
    before = _kpi(db)["offered"]
    strict = _import(db, "tickets", bad, "--strict")
    assert strict["exit"] != 0 and strict["rejected"] == 2 and strict["imported"] == 0
    assert sorted(r["line"] for r in strict["rejects"]) == [3, 4]
    for lang, shown in (
        ("en", "  row 3 · client · 'Nobody Ltd': "),
        ("zh", "  第 3 行 · client · 'Nobody Ltd': "),
    ):
        said = run_cli("import", "tickets", str(bad), "--db", db, "--strict", env={"CSDATA_LANG": lang})
        assert said.returncode != 0 and "Traceback" not in said.stderr
        assert any(line.startswith(shown) for line in said.stdout.splitlines()), said.stdout
    assert _kpi(db)["offered"] == before
    kept = _import(db, "tickets", bad)
    assert (kept["imported"], kept["rejected"]) == (1, 2)
    assert _kpi(db)["offered"] == before + 1
