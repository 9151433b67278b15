"""`csdata bench`: how long each dashboard page takes to compute at scale, against bare DuckDB.

It builds (or reuses) a generated warehouse of N tickets, with as many QA audits per ticket as the
default demo (the roster of people, their training and appraisals stay the demo's), then
for every page, with the page's default filters and with one client chosen, times (a) computing
every frame the page draws (`csdata.analytics.page_queries.page_data`: the query layer, DuckDB and the
conversion to pandas, with no result cache) and (b) DuckDB alone running the same statements,
and prints their ratio and the process's peak memory. The figures come from here, not from timed
unit tests, which would only be flaky. The median of `--repeat` runs is reported, after one run
that warms the operating system's file cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import time
from pathlib import Path

from csdata.analytics import compiler, lookups, page_queries
from csdata.pages import DASHBOARDS
from csdata.policy import load_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t

GOALS = {"page_s": 1.0, "ratio": 1.5, "peak_mib": 1536}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeat: int) -> float:
    fn()  # warm the file cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _page_filters(wh: Warehouse, page: str, filters: compiler.Filters, client: str) -> compiler.Filters:
    """What the page itself would query: the clients page shows one client (the first unless one is
    chosen), the agent page one agent (the first of the list)."""
    if page == "clients":
        return compiler.Filters(filters.start, filters.end, filters.clients or (client,))
    if page == "agent":
        agents = lookups.agents(wh)
        if filters.clients:
            agents = agents[agents["client"] == filters.clients[0]]
        return compiler.Filters(filters.start, filters.end, agents=(agents["employee_id"].iloc[0],))
    return filters


def measure(wh: Warehouse, repeat: int, pages: tuple[str, ...] = DASHBOARDS) -> list[dict]:
    first, last = lookups.ticket_date_range(wh)
    client = lookups.clients(wh)[0]
    default = compiler.Filters(max(first, last - dt.timedelta(days=89)), last)
    one = compiler.Filters(default.start, default.end, (client,))
    rows = []
    for label, chosen in (("default", default), (client, one)):
        for page in pages:
            filters = _page_filters(wh, page, chosen, client)
            policy = load_policy(wh, filters.end)[1]
            page_s = _timed(
                lambda f=filters, p=page, pol=policy: page_queries.page_data(wh, p, f, policy=pol), repeat
            )
            bare_s = statistics.median(
                page_queries.bare_seconds(wh, page, filters, compiler.EVERYTHING, policy)
                for _ in range(repeat)
            )
            rows.append(
                {
                    "page": page,
                    "filters": label,
                    "queries": len(page_queries.requests(page, filters)),
                    "page_s": round(page_s, 3),
                    "bare_s": round(bare_s, 3),
                    "ratio": round(page_s / bare_s, 2) if bare_s else None,
                }
            )
    return rows


def run(
    db: Path | None,
    tickets: int,
    repeat: int,
    as_json: bool,
    pages: list[str] | None = None,
    lang: str = "en",
) -> int:
    from csdata.demo.sample import DEMO_TICKETS, build_sample, scale_audits

    path = db or Path("data") / f"bench-{tickets}.duckdb"
    built_s = None
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        wh = Warehouse(path, create=True)
        build_sample(wh, tickets=tickets)
        scale_audits(wh, round(tickets / DEMO_TICKETS))
        wh.close()
        built_s = time.perf_counter() - started
    wh = Warehouse(path, read_only=True)
    try:
        count = wh.scalar("SELECT count(*) FROM tickets")
        audits = wh.scalar("SELECT count(*) FROM audits")
        if not count:
            raise Problem("err_bench_empty", path=str(path))
        rows = measure(wh, repeat, tuple(pages or DASHBOARDS))
    finally:
        wh.close()
    report = {
        "db": str(path),
        "tickets": count,
        "audits": audits,
        "build_s": None if built_s is None else round(built_s, 1),
        "peak_mib": round(_peak_mib()),
        "goals": GOALS,
        "pages": rows,
    }
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    built = t("cli_bench_built", lang, seconds=f"{built_s:.1f}") if built_s else t("cli_bench_reused", lang)
    print(t("cli_bench_header", lang, tickets=f"{count:,}", audits=f"{audits:,}", path=path, built=built))
    heads = t("cli_bench_columns", lang).split("|")
    print(f"{heads[0]:<12}{heads[1]:<16}{heads[2]:>8}{heads[3]:>9}{heads[4]:>9}{heads[5]:>7}")
    for r in rows:
        print(
            f"{r['page']:<12}{r['filters']:<16}{r['queries']:>8}{r['page_s']:>9.3f}{r['bare_s']:>9.3f}{r['ratio']:>7.2f}"
        )
    print(t("cli_bench_footer", lang, peak=f"{report['peak_mib']:,}", **GOALS))
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, help="warehouse to measure (built there if missing)")
    p.add_argument(
        "--tickets", type=_positive, default=10_000_000, help="tickets to build (default 10,000,000)"
    )
    p.add_argument("--repeat", type=_positive, default=3, help="runs per figure; the median is shown")
    p.add_argument("--page", action="append", choices=DASHBOARDS, help="only this page (repeatable)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value
