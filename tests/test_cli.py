"""The real `csdata` command in a new process: results, files written, and one clear line for
every kind of bad input (never a traceback)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import build_tiny, near, run_cli
from test_metrics import EXPECTED_MARCH

from csdata.analytics.exports import EXPORTS
from csdata.records.models import KINDS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t


@pytest.fixture
def tiny_path(tmp_path):
    path = tmp_path / "tiny.duckdb"
    build_tiny(path).close()
    return path


def one_line_error(result, *needles: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def test_kpi_json_matches_hand_worked_values(tiny_path):
    result = run_cli("kpi", "--db", str(tiny_path), "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert set(got) == set(EXPECTED_MARCH)
    for metric, want in EXPECTED_MARCH.items():
        assert got[metric] == (None if want is None else near(metric, want)), metric


def test_kpi_filters_and_table_output(tiny_path):
    result = run_cli(
        "kpi",
        "--db",
        str(tiny_path),
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--client",
        "Acme",
        "--channel",
        "phone",
        "--metric",
        "offered",
        "--metric",
        "answer_rate",
        "--json",
    )
    assert json.loads(result.stdout) == pytest.approx({"offered": 3, "answer_rate": 2 / 3})
    table = run_cli("kpi", "--db", str(tiny_path), "--from", "2026-03-01", "--to", "2026-03-31")
    assert table.returncode == 0
    assert "answer_rate" in table.stdout and "75.0%" in table.stdout


def test_kpi_null_where_undefined(tiny_path):
    result = run_cli("kpi", "--db", str(tiny_path), "--from", "2019-01-01", "--to", "2019-01-31", "--json")
    values = json.loads(result.stdout)
    assert values["offered"] == 0 and values["csat_avg"] is None


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--client", "Nobody"], ["unknown client 'Nobody'", "Acme, Beta"]),
        (["--from", "2026-13-45"], ["--from", "2026-13-45"]),
        (["--to", "yesterday"], ["--to", "yesterday"]),
        (["--from", "2026-04-01", "--to", "2026-03-01"], ["after"]),
        (["--channel", "fax"], ["unknown channel 'fax'"]),
        (["--metric", "happiness"], ["unknown metric 'happiness'"]),
    ],
)
def test_kpi_bad_input(tiny_path, args, needles):
    one_line_error(run_cli("kpi", "--db", str(tiny_path), *args), *needles)


def test_missing_warehouse(tmp_path):
    one_line_error(run_cli("kpi", "--db", str(tmp_path / "nope.duckdb")), "no warehouse at", "csdata init")


def test_not_a_warehouse(tmp_path):
    junk = tmp_path / "junk.duckdb"
    junk.write_text("this is not a database\n")
    one_line_error(run_cli("kpi", "--db", str(junk)), "is not a csdata warehouse")


def test_locked_warehouse(tiny_path):
    holder = Warehouse(tiny_path)  # this process holds the write lock, as a running app would
    try:
        one_line_error(run_cli("kpi", "--db", str(tiny_path)), "in use by another process")
    finally:
        holder.close()


def test_messages_follow_csdata_lang(tmp_path):
    line = one_line_error(run_cli("kpi", "--db", str(tmp_path / "x.duckdb"), env={"CSDATA_LANG": "zh"}))
    assert "没有数据仓库" in line


@pytest.mark.parametrize("table", EXPORTS)
def test_export_csv_in_canonical_columns(tiny_path, tmp_path, table):
    out = tmp_path / f"{table}.csv"
    result = run_cli("export", table, "--db", str(tiny_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == KINDS[table].columns()
    expected_rows = {"tickets": 10, "audits": 4, "training": 7, "appraisals": 2, "employees": 9}[table]
    assert len(frame) == expected_rows


def test_export_audits_pivot_scores_and_blank_not_applicable(tiny_path, tmp_path):
    out = tmp_path / "audits.xlsx"
    assert (
        run_cli("export", "audits", "--db", str(tiny_path), "--format", "xlsx", "--out", str(out)).returncode
        == 0
    )
    frame = pd.read_excel(out).set_index("audit_id")
    assert frame.loc["AU1", "accuracy"] == 100
    assert pd.isna(frame.loc["AU2", "responsiveness"])  # not applicable stays blank
    assert bool(frame.loc["AU3", "critical_error"]) is True


def test_export_parquet_and_bad_arguments(tiny_path, tmp_path):
    out = tmp_path / "t.parquet"
    assert (
        run_cli(
            "export", "tickets", "--db", str(tiny_path), "--format", "parquet", "--out", str(out)
        ).returncode
        == 0
    )
    assert len(pd.read_parquet(out)) == 10
    one_line_error(run_cli("export", "salaries", "--db", str(tiny_path)), "unknown table 'salaries'")
    bad_format = run_cli("export", "tickets", "--db", str(tiny_path), "--format", "pdf")
    assert bad_format.returncode == 2 and "Traceback" not in bad_format.stderr
    one_line_error(
        run_cli("export", "tickets", "--db", str(tiny_path), "--out", str(tmp_path / "no" / "dir" / "t.csv")),
        "cannot write",
    )


def test_init_refuses_to_overwrite(tiny_path):
    one_line_error(run_cli("init", "--db", str(tiny_path)), "already exists", "--force")
    assert Warehouse(tiny_path, read_only=True).scalar("SELECT count(*) FROM tickets") == 10


def test_init_empty_and_bad_tickets(tmp_path):
    path = tmp_path / "new.duckdb"
    one_line_error(run_cli("init", "--db", str(path)), "no password given", "CSDATA_ADMIN_PASSWORD")
    one_line_error(run_cli("init", "--db", str(path), input="short\n"), "at least 8")
    assert not path.exists()
    result = run_cli("init", "--db", str(path), env={"CSDATA_ADMIN_PASSWORD": "correct horse"})
    assert result.returncode == 0, result.stderr
    wh = Warehouse(path, read_only=True)
    assert wh.scalar("SELECT count(*) FROM policy_versions") == 1
    assert wh.scalar("SELECT count(*) FROM tickets") == 0
    assert wh.rows("SELECT username, role, active FROM users") == [("admin", "admin", True)]
    assert wh.meta("demo") is None
    wh.close()
    one_line_error(
        run_cli("init", "--db", str(tmp_path / "b.duckdb"), "--sample", "--tickets", "5"), "at least"
    )
    assert not (tmp_path / "b.duckdb").exists()
    unknown = run_cli("frobnicate")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_the_demo_ends_the_day_before_its_as_of_date(tmp_path):
    fixed = tmp_path / "fixed.duckdb"
    result = run_cli("init", "--sample", "--tickets", "1000", "--as-of", "2026-06-15", "--db", str(fixed))
    assert result.returncode == 0, result.stderr
    today = tmp_path / "today.duckdb"
    assert run_cli("init", "--sample", "--tickets", "1000", "--db", str(today)).returncode == 0
    for path, last in ((fixed, dt.date(2026, 6, 14)), (today, dt.date.today() - dt.timedelta(days=1))):
        wh = Warehouse(path, read_only=True)
        try:
            assert wh.scalar("SELECT CAST(max(opened_at) AS DATE) FROM tickets") == last
            assert wh.scalar("SELECT max(audited_at) FROM audits") <= last
        finally:
            wh.close()
    one_line_error(
        run_cli("init", "--sample", "--as-of", "15/06/2026", "--db", str(tmp_path / "x.duckdb")), "--as-of"
    )


# -- csdata bench ------------------------------------------------------------------------------


def test_bench_times_every_page_and_period_and_names_the_parts(sample_db):
    import duckdb

    from csdata.pages import DASHBOARDS as PAGES

    done = run_cli("bench", "--db", str(sample_db), "--repeat", "1", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["tickets"] == 20_000 and report["build_s"] is None  # reused, not rebuilt
    # The periods, from the tickets' own first and last day.
    with duckdb.connect(str(sample_db), read_only=True) as con:
        first, last = con.execute("SELECT min(opened_at)::DATE, max(opened_at)::DATE FROM tickets").fetchone()
    assert report["ranges"] == {
        "90d": {"from": str(last - dt.timedelta(days=89)), "to": str(last)},
        "year": {"from": str(max(first, last - dt.timedelta(days=364))), "to": str(last)},
        "all": {"from": str(first), "to": str(last)},
    }
    assert [(r["page"], r["range"]) for r in report["pages"]] == [
        (p, r) for r in ("90d", "year", "all") for p in PAGES
    ]
    for row in report["pages"]:
        assert row["script_s"] > 0 and row["query_s"] > 0 and row["bare_s"] > 0 and row["queries"] >= 4, row
        # (every figure rounded to the millisecond, the ratio to two places: within what that allows)
        q, b = row["query_s"], row["bare_s"]
        assert (q - 5e-4) / (b + 5e-4) - 0.005 <= row["ratio"] <= (q + 5e-4) / max(b - 5e-4, 1e-9) + 0.005, (
            row
        )
        parts = row["parts"]
        assert set(parts) == {"lookups", "requests", "before", "drawing", "rest"}, row
        assert all(v >= 0 for v in parts.values()), row
        assert sum(parts.values()) <= row["script_s"] + 5e-4 * len(parts), row
        # Every dashboard looks up its filter choices, asks for its metrics and the period
        # before (its cards' comparison) and draws: each named part was seen.
        assert min(parts["lookups"], parts["requests"], parts["before"], parts["drawing"]) > 0, row
    assert report["goals"]["script_s"] == 0.5 and 0 < report["peak_mib"] < 4096


def test_bench_refuses_an_empty_warehouse_and_bad_arguments(tmp_path):
    empty = tmp_path / "empty.duckdb"
    Warehouse(empty, create=True).close()
    done = run_cli("bench", "--db", str(empty), env={"CSDATA_LANG": "zh"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"csdata: {t('err_bench_empty', 'zh', path=str(empty))}"
    for args in (
        ["--tickets", "0"],
        ["--tickets", "many"],
        ["--page", "nowhere"],
        ["--repeat", "-1"],
        ["--range", "week"],
        ["--browser", "--concurrent", "0"],
        ["--browser", "--concurrent", "some"],
    ):
        done = run_cli("bench", "--db", str(empty), *args)
        assert done.returncode == 2, args
        assert done.stderr.startswith("csdata: argument") and "Traceback" not in done.stderr, args
    # Sessions at once are browsers: without --browser there is nothing to open them in.
    done = run_cli("bench", "--db", str(empty), "--concurrent", "3", env={"CSDATA_LANG": "zh"})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"csdata: {t('err_bench_concurrent_alone', 'zh')}"
    done = run_cli("bench", "--db", str(empty), "--browser", "--protocol-only", env={"CSDATA_LANG": "zh"})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"csdata: {t('err_bench_protocol_only', 'zh')}"


# -- csdata policy ---------------------------------------------------------------------------------


def test_policy_show_in_text_and_as_the_policy_pages_file(tiny_path):
    from csdata.policy import load_policy

    shown = run_cli("policy", "show", "--db", str(tiny_path))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Version 1, in force from 2020-01-01"
    assert "  accuracy        weight 30     Accuracy" in lines
    zh = run_cli("policy", "show", "--db", str(tiny_path), env={"CSDATA_LANG": "zh"})
    assert zh.stdout.splitlines()[0] == "第 1 版,自 2020-01-01 起生效"
    assert "  accuracy        权重 30         解答准确性" in zh.stdout.splitlines()
    as_json = run_cli("policy", "show", "--json", "--db", str(tiny_path))
    wh = Warehouse(tiny_path, read_only=True)
    try:
        assert as_json.stdout.strip() == load_policy(wh)[1].model_dump_json(indent=2)
    finally:
        wh.close()
    one_line_error(run_cli("policy", "show", "--on", "soon", "--db", str(tiny_path)), "--on", "soon")


def test_policy_load_saves_a_version_as_the_page_does(tiny_path, tmp_path):
    body = json.loads(run_cli("policy", "show", "--json", "--db", str(tiny_path)).stdout)
    body["scorecard"]["pass_mark"] = 90
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    done = run_cli("policy", "load", str(path), "--effective", "2026-06-01", "--db", str(tiny_path))
    assert done.returncode == 0 and done.stderr.strip() == t("policy_saved", "en", version=2)
    again = run_cli("policy", "load", str(path), "--effective", "2026-07-01", "--db", str(tiny_path))
    assert again.returncode == 0 and again.stderr.strip() == t("policy_unchanged", "en")
    history = run_cli("policy", "history", "--db", str(tiny_path))
    assert history.returncode == 0, history.stderr
    rows = [line.split(" | ") for line in history.stdout.splitlines()]
    assert rows[0] == ["version", "effective from", "saved at", "saved by", "changes"]
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    assert rows[2][1] == "2026-06-01" and rows[2][3].startswith("cli")
    assert rows[2][4] == "effective_from: 2020-01-01 → 2026-06-01; scorecard.pass_mark: 85 → 90"
    listed = json.loads(run_cli("policy", "history", "--json", "--db", str(tiny_path)).stdout)
    assert [v["version"] for v in listed] == [1, 2] and listed[1]["changes"][
        1
    ] == "scorecard.pass_mark: 85 → 90"
    wh = Warehouse(tiny_path, read_only=True)
    try:
        actor, detail = wh.rows(
            "SELECT actor, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'policy.save' ORDER BY id DESC LIMIT 1"
        )[0]
    finally:
        wh.close()
    assert actor.startswith("cli") and json.loads(detail)["version"] == 2


def test_policy_load_refuses_a_bad_file_naming_each_field(tiny_path, tmp_path):
    body = json.loads(run_cli("policy", "show", "--json", "--db", str(tiny_path)).stdout)
    body["scorecard"]["criteria"][0]["weight"] = 15  # the weights add up to 90
    body["targets"]["csat_pct"] = 85  # 8500 %
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    refused = run_cli("policy", "load", str(path), "--effective", "2026-06-01", "--db", str(tiny_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert lines[0] == f"csdata: {t('err_policy_invalid', 'en', path=str(path))}"
    assert "  - QA scorecard: the weights must add up to 100 (they add up to 90)" in lines
    zh = run_cli(
        "policy",
        "load",
        str(path),
        "--effective",
        "2026-06-01",
        "--db",
        str(tiny_path),
        env={"CSDATA_LANG": "zh"},
    )
    assert zh.returncode == 2 and "  - 质检评分表:权重之和必须为 100(当前为 90)" in zh.stderr.splitlines()
    not_json = tmp_path / "notes.txt"
    not_json.write_text("effective: tomorrow", encoding="utf-8")
    one_line_error(
        run_cli("policy", "load", str(not_json), "--effective", "2026-06-01", "--db", str(tiny_path)),
        "notes.txt is not a policy file",
    )
    one_line_error(
        run_cli(
            "policy", "load", str(tmp_path / "none.json"), "--effective", "2026-06-01", "--db", str(tiny_path)
        ),
        "cannot read",
    )
    one_line_error(run_cli("policy", "load", str(path), "--db", str(tiny_path)), "--effective")
    history = json.loads(run_cli("policy", "history", "--json", "--db", str(tiny_path)).stdout)
    assert [v["version"] for v in history] == [1], "nothing saved"
