"""Benchmark: build a generated warehouse at scale and time what the overview asks of it.

`python -m csdata.bench --tickets 10000000` prints the build time, the file size, the peak memory
of this process, and the median time of the overview's queries (uncached) over three ranges.
Figures come from here rather than from timed unit tests, which would only be flaky.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from pathlib import Path

from csdata import queries
from csdata.metrics import CATALOG, HEADLINE
from csdata.policy import load_policy
from csdata.warehouse import Warehouse


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def overview_queries(wh: Warehouse, filters: queries.Filters) -> None:
    """What the overview page runs for one filter choice (cards, previous period, per channel,
    weekly trend, per client)."""
    policy = load_policy(wh, filters.end)[1]
    queries.metric_table(wh, list(HEADLINE), filters, None, policy=policy)
    queries.metric_table(wh, list(HEADLINE), filters.previous(), None, policy=policy)
    queries.metric_table(wh, ["asa", "aht"], filters, "channel", policy=policy)
    queries.metric_table(wh, ["service_level"], filters, "week", policy=policy)
    queries.metric_table(wh, list(HEADLINE), filters, "client", policy=policy)


def main(argv: list[str] | None = None) -> int:
    from csdata.sample import build_sample

    p = argparse.ArgumentParser(prog="python -m csdata.bench", description=__doc__)
    p.add_argument("--tickets", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--keep", type=Path, help="keep the warehouse at this path")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.duckdb"
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        wh = Warehouse(path, create=True)
        build_sample(wh, tickets=args.tickets)
        wh.close()
        build_s = time.perf_counter() - started
        size_mib = path.stat().st_size / 2**20
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        wh = Warehouse(path, read_only=True)
        first, last = queries.ticket_date_range(wh)
        client = queries.clients(wh)[0]
        ranges = {
            "last 90 days": queries.Filters(last - dt.timedelta(days=89), last),
            "whole year": queries.Filters(first, last),
            f"last 90 days, {client}": queries.Filters(last - dt.timedelta(days=89), last, (client,)),
        }
        print(f"tickets: {args.tickets:,}")
        print(f"build: {build_s:.1f} s, file {size_mib:,.0f} MiB, peak RSS {peak_mib:,.0f} MiB")
        for label, filters in ranges.items():
            seconds = _median_seconds(lambda f=filters: overview_queries(wh, f), args.repeat)
            print(f"overview queries, {label}: median {seconds:.2f} s of {args.repeat}")
        year = ranges["whole year"]
        seconds = _median_seconds(lambda: queries.metric_table(wh, list(CATALOG), year), args.repeat)
        print(f"all {len(CATALOG)} metrics, whole year: median {seconds:.2f} s")
        seconds = _median_seconds(
            lambda: queries.metric_table(wh, ["qa_score", "csat_avg", "aht"], year, "agent"), args.repeat
        )
        print(f"per-agent QA, CSAT and AHT, whole year: median {seconds:.2f} s")
        wh.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
