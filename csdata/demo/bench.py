"""`csdata bench`: how long a person waits for each dashboard page at scale, and where the time goes.

It builds (or reuses) a generated DuckDB warehouse of N tickets, with as many QA audits per
ticket as the default demo (the roster of people, their training and appraisals stay the demo's),
or measures a PostgreSQL one as it is (`--db postgresql://...`: fill it with `csdata copy` of a
built file; the app's sessions of the measure are written there), and measures
every dashboard page over three periods (`RANGES`: the last 90 days up to the last ticket day, the
last 365 days, all history):

- `script_s`: the page's whole script as the server runs it after a click in the navigation, for
  a signed-in exec user, through Streamlit's AppTest over a copy of the warehouse (the app opens
  its warehouse read-write), with the result cache emptied before each run. Its `parts` name
  where that time went (`csdata.ui.timing`): the filter choices (`lookups`), the page's metric
  requests, those of the period before (`before`: the cards' comparison), `drawing` (building the
  figures and tables and handing them to Streamlit) and the `rest`.
- `query_s`: the same page's metric queries alone (`page_queries.page_data`, no result cache),
  beside the database alone running the same statements (`bare_s`) and their ratio.
- With `--browser`: the app served (`streamlit run`, `csdata.demo.browser`) and driven in
  Chromium, signed in as exec; for each period the overview is opened with it in the address,
  then each page is clicked in the navigation and timed until it has settled (`settled_s`); with
  `--concurrent N`, N signed-in browsers open the overview at once (with the processor time of
  the server and of the browsers meanwhile: on a small machine the browsers take most of it),
  then N users signed in without a browser open it at once through Streamlit's own websocket
  protocol (`protocol`: the server's part alone, `csdata.ui.protocol_client`), after a few
  opened it one at a time (the server's processor time for one new session); and the server's
  peak memory. `--protocol-only` serves the app and measures that last part alone, without
  Chromium: the quick way to see what the server spends on a session.

The median of `--repeat` runs is reported (after one run that warms the operating system's file
cache). The figures come from here, not from timed unit tests, which would only be flaky.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from csdata.access.scope import Scope, scope_for
from csdata.analytics import compiler, lookups, page_queries
from csdata.pages import DASHBOARDS, PAGES
from csdata.policy import load_policy
from csdata.settings import warehouse_target
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t, text_key

# What a person should wait at most: every goal in one place (printed beside the figures).
GOALS = {"script_s": 0.5, "settled_s": 1.5, "concurrent_slowest_s": 5.0, "server_peak_mib": 1536}
RANGES = ("90d", "year", "all")
_RANGE_DAYS = {"90d": 90, "year": 365}
USER, PASSWORD = "exec", "demo"  # who the benchmark signs in as: every dashboard, every client
SCRIPT_REPEAT, BROWSER_REPEAT, CONCURRENT = 3, 5, 20
ALONE = 5  # sessions that open the overview one at a time, on a period looked at already


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


def periods(first: dt.date, last: dt.date, ranges=RANGES) -> dict[str, compiler.Filters]:
    """Each range as the filters of its period: the last 90 or 365 days up to the last ticket
    day, or all history (never before the first ticket day)."""
    found = {}
    for name in ranges:
        days = _RANGE_DAYS.get(name)
        start = first if days is None else max(first, last - dt.timedelta(days=days - 1))
        found[name] = compiler.Filters(start, last)
    return found


def _page_filters(wh: Warehouse, page: str, filters: compiler.Filters, scope: Scope) -> compiler.Filters:
    """What the page itself would query: the clients page shows one client (the first unless one
    is chosen), the agent page one agent (the first of the list)."""
    if page == "clients":
        return compiler.Filters(
            filters.start, filters.end, filters.clients or (lookups.clients(wh, scope)[0],)
        )
    if page == "agent":
        agents = lookups.agents(wh, scope)
        return compiler.Filters(filters.start, filters.end, agents=(agents["employee_id"].iloc[0],))
    return filters


def measure_queries(
    wh: Warehouse, repeat: int, pages: tuple[str, ...], chosen: dict[str, compiler.Filters]
) -> dict[tuple[str, str], dict]:
    """Per page and range: its requests, their time through the query layer and in DuckDB alone."""
    scope = scope_for(USER)
    found = {}
    for label, period in chosen.items():
        for page in pages:
            filters = _page_filters(wh, page, period, scope)
            policy = load_policy(wh, filters.end)[1]
            query_s = _timed(
                lambda f=filters, p=page, pol=policy: page_queries.page_data(wh, p, f, scope, pol), repeat
            )
            bare_s = statistics.median(
                page_queries.bare_seconds(wh, page, filters, scope, policy) for _ in range(repeat)
            )
            found[(page, label)] = {
                "queries": len(page_queries.requests(page, filters, scope=scope, policy=policy)),
                "query_s": round(query_s, 3),
                "bare_s": round(bare_s, 3),
                "ratio": round(query_s / bare_s, 2) if bare_s else None,
            }
    return found


def measure_scripts(
    db: Path | str, repeat: int, pages: tuple[str, ...], chosen: dict[str, compiler.Filters]
) -> dict[tuple[str, str], dict]:
    """Per page and range: the page's whole script, cold result cache, the run of median length
    with its parts (`csdata.ui.timing.script_runs`, over a copy of `db`: the app writes its
    sessions there)."""
    from csdata.ui import timing

    if isinstance(db, str):  # a PostgreSQL warehouse: the app's sessions are written there
        runs = timing.script_runs(db, USER, repeat, pages, chosen)
    else:
        with tempfile.TemporaryDirectory(prefix="csdata-bench-") as workdir:
            copy = Path(workdir) / "app.duckdb"
            shutil.copyfile(db, copy)
            runs = timing.script_runs(copy, USER, repeat, pages, chosen)
    found = {}
    for key, (seconds, parts) in runs.items():
        found[key] = {"script_s": round(seconds, 3), "parts": _parts(seconds, parts)}
    return found


def _parts(seconds: float, spent: dict[str, float]) -> dict[str, float]:
    """The named parts of a run, rounded, and the rest of it: they add up to the run."""
    named = {k: round(v, 3) for k, v in spent.items()}
    return {**named, "rest": round(max(0.0, round(seconds, 3) - sum(named.values())), 3)}


# -- in a browser --------------------------------------------------------------------------------


def _path(page: str) -> str:
    return "" if page == "overview" else page


def _title(page: str) -> str:
    return t("overview_title" if page == "overview" else PAGES[page].title, "en")


def _address(url: str, page: str, filters: compiler.Filters) -> str:
    return f"{url}/{_path(page)}?from={filters.start.isoformat()}&to={filters.end.isoformat()}"


def _fresh(period: compiler.Filters, first: dt.date, used: set) -> compiler.Filters:
    """`period` moved back by the fewest days (one at least: the period a session opens on is in
    the cache already) to one not looked at yet in this server, never before the first day."""
    days = 1
    while True:
        found = compiler.Filters(
            max(first, period.start - dt.timedelta(days=days)), period.end - dt.timedelta(days=days)
        )
        if found not in used:
            used.add(found)
            return found
        days += 1


def _open(page, address: str) -> None:
    """A fresh load of `address` (the session cookie signs it in), until the page has settled."""
    from csdata.demo.browser import settled_at

    page.goto(address, wait_until="commit")
    settled_at(page)


def _click(page, name: str) -> float:
    """Seconds from a click on `name` in the navigation until that page has settled."""
    from csdata.demo.browser import settled_at

    link = page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name=t(PAGES[name].title, "en"), exact=True
    )
    link.hover()  # the pointer is on the link already, as a person's is when they click
    page.evaluate("() => window.__csdataWatch.reset()")
    started = time.time()
    link.click()
    page.wait_for_url(re.compile(rf"/{_path(name)}(\?.*)?$"))
    page.get_by_role("heading", name=_title(name), exact=True).wait_for()
    return settled_at(page) - started


def measure_browser(
    db: Path,
    repeat: int,
    pages: tuple[str, ...],
    chosen: dict[str, compiler.Filters],
    first: dt.date,
    concurrent: int | None,
) -> dict:
    """Per page and range the median seconds from a click until settled, every click finding the
    server's result cache without its period; then `concurrent` sessions at once; and the
    server's peak memory."""
    from csdata.demo.browser import launch, serve, signed_in, watch

    errors: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="csdata-bench-") as workdir,
        launch() as chromium,
        serve(db, Path(workdir)) as served,
    ):
        page = signed_in(chromium, errors, served.url, USER)
        watch(page)
        rows = []
        used: set[compiler.Filters] = set()
        for label, period in chosen.items():
            times = _clicks(page, served.url, repeat, pages, lambda p=period: _fresh(p, first, used))
            rows += [
                {"page": p, "range": label, "settled_s": round(statistics.median(times[p]), 3)} for p in pages
            ]
        page.context.close()
        together = None
        if concurrent:
            fresh = _fresh(next(iter(chosen.values())), first, used)
            together = _together(served, chromium, _address(served.url, "overview", fresh), concurrent)
            together["protocol"] = _protocol(served, fresh, first, used, concurrent)
        peak = served.peak_mib()
    return {
        "pages": rows,
        "concurrent": together,
        "server_peak_mib": None if peak is None else round(peak),
        "errors": errors,
    }


def _clicks(page, url: str, repeat: int, pages: tuple[str, ...], fresh) -> dict[str, list[float]]:
    """Per page, the seconds of each of `repeat` clicks on it, each round with a period of its
    own (`fresh()`): every click is the pages' first look at it, as after a write."""
    times: dict[str, list[float]] = {p: [] for p in pages}
    for _ in range(repeat):
        _open(page, _address(url, "overview", fresh()))
        for name in pages:
            if name != "overview":
                times[name].append(_click(page, name))
        if "overview" in pages:  # loaded above: its click starts from another page
            _open(page, _address(url, "service", fresh()))
            times["overview"].append(_click(page, "overview"))
    return times


def _together(served, chromium, address: str, sessions: int) -> dict:
    """`sessions` browsers, each signed in, open `address` at once: seconds from that moment
    until each has settled (each page notes its own moment, see `browser.WATCH`)."""
    from csdata.demo.browser import settled_at, signed_in, watch

    errors: list[str] = []
    pages = [signed_in(chromium, errors, served.url, USER) for _ in range(sessions)]
    for page in pages:
        watch(page)
        page.goto("about:blank")
    cpu, browsers = served.cpu_s(), served.others_cpu_s()
    started = time.time()
    for page in pages:
        page.evaluate("address => { window.location.href = address; }", address)
    times = [settled_at(page, 600_000) - started for page in pages]
    cpu = served.cpu_s() - cpu  # and a moment after the slowest settled, while the others are read
    browsers = served.others_cpu_s() - browsers
    for page in pages:
        page.context.close()
    return {
        "sessions": sessions,
        "median_s": round(statistics.median(times), 3),
        "slowest_s": round(max(times), 3),
        "server_cpu_s": round(cpu, 1),
        "browser_cpu_s": round(browsers, 1),
    }


def _protocol(served, period: compiler.Filters, first: dt.date, used: set, sessions: int) -> dict:
    """`sessions` users, each signed in through the form, open the overview at once without a
    browser, through Streamlit's websocket protocol (`csdata.ui.protocol_client`): seconds until
    each one's script has finished, on a period not looked at yet. Before them, `ALONE` + 1 more
    open it one at a time on another such period: the server's processor seconds for the first
    (`first_look_cpu_s`: its results computed) and the median of the others (`session_cpu_s`: a
    new session on a period in the cache). A session refused or failed fails the benchmark."""
    from csdata.ui import protocol_client

    def query(p: compiler.Filters) -> str:
        return f"from={p.start.isoformat()}&to={p.end.isoformat()}"

    page, title = _path("overview"), _title("overview")
    try:
        tokens = protocol_client.signed_in(served.url, USER, PASSWORD, sessions + ALONE + 1)
        alone = protocol_client.one_at_a_time(
            served, tokens[: ALONE + 1], page, query(_fresh(period, first, used)), title
        )
        found = protocol_client.together(
            served, tokens[ALONE + 1 :], page, query(_fresh(period, first, used)), title
        )
    except protocol_client.Failed as exc:
        raise Problem("err_bench_page_failed", page="overview", detail=str(exc)) from None
    return {
        **found,
        "first_look_cpu_s": round(alone[0], 2),
        "session_cpu_s": round(statistics.median(alone[1:]), 2),
    }


def measure_protocol(db: Path, period: compiler.Filters, first: dt.date, sessions: int) -> dict:
    """`--protocol-only`: the app served, no browser; the sessions of `_protocol` alone, and the
    server's peak memory."""
    from csdata.demo.browser import serve

    with tempfile.TemporaryDirectory(prefix="csdata-bench-") as workdir, serve(db, Path(workdir)) as served:
        found = _protocol(served, period, first, set(), sessions)
        peak = served.peak_mib()
    return {"protocol": found, "server_peak_mib": None if peak is None else round(peak)}


# -- the command --------------------------------------------------------------------------------


def _warehouse(db: Path | str | None, tickets: int) -> tuple[Path | str, float | None]:
    from csdata.demo.sample import DEMO_TICKETS, build_sample, scale_audits

    if isinstance(db, str):  # a PostgreSQL warehouse is measured as it is (brought up to date)
        Warehouse(db).close()
        return db, None
    path = db or Path("data") / f"bench-{tickets}.duckdb"
    if path.exists():
        Warehouse(path).close()  # one made by an older csdata is brought up to date (its rollups)
        return path, None
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wh = Warehouse(path, create=True)
    build_sample(wh, tickets=tickets)
    scale_audits(wh, round(tickets / DEMO_TICKETS))
    wh.close()
    return path, time.perf_counter() - started


def run(
    db: Path | str | None,
    tickets: int,
    repeat: int | None,
    as_json: bool,
    pages: list[str] | None = None,
    lang: str = "en",
    ranges: list[str] | None = None,
    browser: bool = False,
    concurrent: int | None = None,
    protocol_only: bool = False,
) -> int:
    if concurrent and not (browser or protocol_only):
        raise Problem("err_bench_concurrent_alone")
    if protocol_only and browser:
        raise Problem("err_bench_protocol_only")
    path, built_s = _warehouse(db, tickets)
    chosen_pages = tuple(p for p in DASHBOARDS if p in (pages or DASHBOARDS))
    wh = Warehouse(path, read_only=True)
    try:
        address = wh.address
        count = wh.scalar("SELECT count(*) FROM tickets")
        audits = wh.scalar("SELECT count(*) FROM audits")
        if not count:
            raise Problem("err_bench_empty", path=address)
        first, last = lookups.ticket_date_range(wh)
        chosen = periods(first, last, tuple(r for r in RANGES if r in (ranges or RANGES)))
        served = browser or protocol_only
        queries = {} if served else measure_queries(wh, repeat or SCRIPT_REPEAT, chosen_pages, chosen)
    finally:
        wh.close()
    report = {
        "db": address,
        "tickets": count,
        "audits": audits,
        "build_s": None if built_s is None else round(built_s, 1),
        "goals": GOALS,
        "ranges": {k: {"from": f.start.isoformat(), "to": f.end.isoformat()} for k, f in chosen.items()},
    }
    if protocol_only:
        report.update(measure_protocol(path, next(iter(chosen.values())), first, concurrent or CONCURRENT))
    elif browser:
        found = measure_browser(path, repeat or BROWSER_REPEAT, chosen_pages, chosen, first, concurrent)
        report.update(found)
    else:
        scripts = measure_scripts(path, repeat or SCRIPT_REPEAT, chosen_pages, chosen)
        report["pages"] = [
            {"page": p, "range": r, **scripts[(p, r)], **queries[(p, r)]}
            for r in chosen
            for p in chosen_pages
        ]
    report["peak_mib"] = round(_peak_mib())
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print(report, built_s, lang)
    return 0


def _mark(value: float | None, goal: float) -> str:
    """A figure over its goal is marked."""
    return "!" if value is not None and value > goal else " "


def _together_line(key: str, together: dict, lang: str) -> str:
    return t(
        key, lang, sessions=together["sessions"], median=f"{together['median_s']:.2f}",
        slowest=f"{together['slowest_s']:.2f}", cpu=f"{together['server_cpu_s']:.1f}",
        browser_cpu=f"{together.get('browser_cpu_s', 0):.1f}",
    ) + _mark(together["slowest_s"], GOALS["concurrent_slowest_s"]).rstrip()  # fmt: skip


def _print_protocol(found: dict, lang: str) -> None:
    print(_together_line(text_key("cli_bench_concurrent_protocol"), found, lang))
    print(
        t(
            "cli_bench_session_cpu",
            lang,
            session=f"{found['session_cpu_s']:.2f}",
            first=f"{found['first_look_cpu_s']:.2f}",
            start=f"{found['load'][0]:.1f}",
            end=f"{found['load'][1]:.1f}",
        )
    )


def _print_peak(peak: int | None, lang: str) -> None:
    if peak is not None:
        print(
            t("cli_bench_server_peak", lang, peak=f"{peak:,}")
            + _mark(peak, GOALS["server_peak_mib"]).rstrip()
        )


def _print(report: dict, built_s: float | None, lang: str) -> None:
    built = t("cli_bench_built", lang, seconds=f"{built_s:.1f}") if built_s else t("cli_bench_reused", lang)
    print(
        t(
            "cli_bench_header",
            lang,
            tickets=f"{report['tickets']:,}",
            audits=f"{report['audits']:,}",
            path=report["db"],
            built=built,
        )
    )
    if "protocol" in report:  # --protocol-only
        _print_protocol(report["protocol"], lang)
        _print_peak(report["server_peak_mib"], lang)
    elif "concurrent" in report:  # in a browser
        heads = t("cli_bench_browser_columns", lang).split("|")
        print(f"{heads[0]:<12}{heads[1]:<7}{heads[2]:>11}")
        for r in report["pages"]:
            print(
                f"{r['page']:<12}{r['range']:<7}{r['settled_s']:>10.3f}{_mark(r['settled_s'], GOALS['settled_s'])}"
            )
        together = report["concurrent"]
        if together:
            print(_together_line(text_key("cli_bench_concurrent"), together, lang))
            _print_protocol(together["protocol"], lang)
        _print_peak(report["server_peak_mib"], lang)
    else:
        heads = t("cli_bench_columns", lang).split("|")
        print(f"{heads[0]:<12}{heads[1]:<7}" + "".join(f"{h:>11}" for h in heads[2:]))
        for r in report["pages"]:
            parts = "".join(
                f"{r['parts'][k]:>11.3f}" for k in ("lookups", "requests", "before", "drawing", "rest")
            )
            mark = _mark(r["script_s"], GOALS["script_s"])
            print(f"{r['page']:<12}{r['range']:<7}{r['script_s']:>10.3f}{mark}{r['query_s']:>11.3f}{parts}")
        print(t("cli_bench_peak", lang, peak=f"{report['peak_mib']:,}"))
    print(t("cli_bench_goals", lang, **GOALS))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        type=warehouse_target,
        help="warehouse to measure: a file (built there if missing) or postgresql://... (as it is)",
    )
    p.add_argument(
        "--tickets", type=_positive, default=10_000_000, help="tickets to build (default 10,000,000)"
    )
    p.add_argument(
        "--repeat",
        type=_positive,
        help=f"runs per figure; the median is shown (default {SCRIPT_REPEAT}, in a browser {BROWSER_REPEAT})",
    )
    p.add_argument("--page", action="append", choices=DASHBOARDS, help="only this page (repeatable)")
    p.add_argument("--range", action="append", choices=RANGES, help="only this period (repeatable)")
    p.add_argument("--browser", action="store_true", help="serve the app and time it in Chromium")
    p.add_argument(
        "--concurrent",
        type=_positive,
        nargs="?",
        const=CONCURRENT,
        metavar="N",
        help=f"with --browser or --protocol-only: N sessions (default {CONCURRENT}) open the overview at once",
    )
    p.add_argument(
        "--protocol-only",
        action="store_true",
        help="serve the app and time only the sessions at once through Streamlit's protocol, no Chromium"
        f" (and {ALONE + 1} one at a time: the server's processor time per new session)",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value
