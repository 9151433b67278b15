"""The real app in a real browser: `csdata bench --browser` and every browser test drive it from here.

`serve()` runs `streamlit run app.py` on a free local port over its own copy of a warehouse (the
server locks its file) and always stops it; `serve_database()` runs several app servers over one
PostgreSQL database at once, as `csdata serve` starts them; `launch()` starts Debian's Chromium
through Playwright (a test extra: when it or the browser is missing, a `Problem` says which);
`new_page()` gives a browser context of its own that may reach 127.0.0.1 only, `signed_in()` one signed in through the
form, `open_from_sidebar()` a page through the navigation, as a person clicks it. One copy of
this code serves the benchmark and the tests (tests/served.py turns its problems into a skip or a
failure).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from csdata.text.i18n import Problem, t

ROOT = Path(__file__).resolve().parents[2]  # where app.py is
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Pages may reach this machine only: every other address goes to a proxy that is not there
    # (port 9, privileged, never one of ours), and Chromium never sends loopback to a proxy.
    # Unlike intercepting each request in Playwright, which turns the browser's cache off, this
    # lets a page load again find the app's static files (and their compiled scripts) cached,
    # as a person's browser does: without it, 20 pages opened at once spend a third more
    # processor time reloading them, and the server serving them.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost",
]
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000

# A dashboard has finished drawing: nothing stale, cards shown, every chart rendered.
SETTLED = """() => {
    if (document.querySelector('[data-stale="true"]')) return false;
    if (!document.querySelector('[data-testid="stMetricValue"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(c => c.querySelector('.main-svg'));
}"""
# ... and the app's script has finished its run (Streamlit marks its root with the run's state):
# what the benchmark waits for, so that a page drawn in part does not count as done.
DONE = f"""() => {{
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    return ({SETTLED})();
}}"""
# Run in every document of a page (`watch`): when the page, after being busy, is DONE and has not
# changed for QUIET_MS (the browser may still be drawing what the finished run sent), it notes
# the moment of its last change in `window.__csdataWatch.at` (milliseconds since the epoch, the
# clock `time.time()` reads). Noted in the page itself, the moment is right however busy the
# machine and however many pages are watched at once; `reset()` before a click starts anew.
WATCH = f"""(() => {{
    const QUIET_MS = 500;
    const done = {DONE};
    const watch = window.__csdataWatch = {{
        at: null, busy: false, look: null, changed: 0,
        reset() {{ this.at = null; this.busy = false; this.look = null; }},
    }};
    setInterval(() => {{
        if (watch.at !== null) return;  // settled: nothing to look at until a reset
        if (!done()) {{ watch.busy = true; watch.look = null; return; }}
        if (!watch.busy) return;
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        const look = main.querySelectorAll('[data-testid]').length + ':' + main.querySelectorAll('.main-svg').length;
        const now = Date.now();
        if (look !== watch.look) {{ watch.look = look; watch.changed = now; }}
        else if (now - watch.changed >= QUIET_MS) watch.at = watch.changed;
    }}, 20);
}})()"""


def watch(page) -> None:
    """Every later document of `page` notes when it has settled (see `WATCH`, `settled_at`)."""
    page.add_init_script(WATCH)


def settled_at(page, timeout_ms: int = PAGE_TIMEOUT_MS) -> float:
    """The moment (as `time.time()`) the watched page last settled; waits for it."""
    page.wait_for_function(
        "() => window.__csdataWatch && window.__csdataWatch.at !== null", timeout=timeout_ms
    )
    return page.evaluate("() => window.__csdataWatch.at") / 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    db: Path | str  # a DuckDB file, or a PostgreSQL database's address
    log: Path
    proc: subprocess.Popen

    def peak_mib(self) -> float | None:
        """The server process's peak resident memory so far (`VmHWM`), None once it has ended."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(found.group(1)) / 1024 if found else None

    def cpu_s(self) -> float:
        """Processor seconds the server process has used so far (user and system)."""
        return _stat(self.proc.pid)[1]

    def others_cpu_s(self) -> float:
        """Processor seconds used so far by the living processes this one started, the server
        left out: the browser (Playwright's driver, Chromium and its renderers)."""
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with suppress(OSError, ValueError, IndexError):  # ended meanwhile
                    parents[int(entry.name)] = _stat(int(entry.name))
        under, total = {os.getpid()}, 0.0
        changed = True
        while changed:  # every process below this one, the server's branch left out
            changed = False
            for pid, (parent, cpu) in parents.items():
                if parent in under and pid not in under and pid != self.proc.pid:
                    under.add(pid)
                    total += cpu
                    changed = True
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def _stat(pid: int) -> tuple[int, float]:
    """A process's parent and the processor seconds it has used so far (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _failed(why: str, log: Path) -> Problem:
    """The server did not come up: `why` in the message, its last output as `.tail`."""
    problem = Problem("err_serve_failed", why=why)
    problem.tail = log.read_text(errors="replace")[-3000:]
    return problem


@contextmanager
def serve(source_db: Path, workdir: Path, *options: str) -> Iterator[Served]:
    """The app on a free port over a copy of `source_db` in `workdir`; a `Problem`
    (`err_serve_failed`, the server's last output as its `.tail`) when it does not come up."""
    db = workdir / "served.duckdb"
    shutil.copyfile(source_db, db)
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *options]  # fmt: skip
    with _running([(cmd, port, db, workdir / "streamlit.log")]) as (served,):
        yield served


@contextmanager
def serve_database(url: str, workdir: Path, count: int = 2) -> Iterator[tuple[Served, ...]]:
    """`count` app servers over one PostgreSQL database, as a company runs them behind a proxy:
    each started by `csdata serve --db URL` (which opens the warehouse once, migrating it, before
    Streamlit starts), all at the same moment, on free ports; all stopped at the end."""
    ports: list[int] = []
    while len(ports) < count:
        if (port := free_port()) not in ports:
            ports.append(port)
    specs = [
        (
            [
                sys.executable,
                "-m",
                "csdata.cli",
                "serve",
                "--db",
                url,
                "--port",
                str(port),
                "--address",
                "127.0.0.1",
            ],
            port,
            url,
            workdir / f"streamlit-{port}.log",
        )  # fmt: skip
        for port in ports
    ]
    with _running(specs) as served:
        yield served


@contextmanager
def _running(specs: list[tuple[list[str], int, Path | str, Path]]) -> Iterator[tuple[Served, ...]]:
    """Starts every (command, port, warehouse, log) at once, waits until each answers its health
    check, and always stops them all."""
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    env.pop("CSDATA_LANG", None)
    started: list[Served] = []
    try:
        for cmd, port, db, log_path in specs:
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(
                    cmd, cwd=ROOT, env={**env, "CSDATA_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT
                )
            started.append(Served(f"http://127.0.0.1:{port}", db, log_path, proc))
        deadline = time.monotonic() + START_TIMEOUT_S
        for served in started:
            _wait_healthy(served, deadline)
        yield tuple(started)
    finally:
        for served in started:
            served.stop()


def _wait_healthy(served: Served, deadline: float) -> None:
    while True:
        if served.proc.poll() is not None:
            raise _failed(f"exit {served.proc.returncode}", served.log)
        try:
            with urllib.request.urlopen(f"{served.url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise _failed(f"not healthy after {START_TIMEOUT_S} s", served.log)
        time.sleep(0.25)


@contextmanager
def launch():
    """Chromium, headless; a `Problem` when it or Playwright is missing."""
    if not CHROMIUM.exists():
        raise Problem("err_no_chromium", path=str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise Problem("err_no_playwright") from None
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=PAGE_TIMEOUT_MS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(browser, errors: list[str]):
    """A page in a browser context of its own (no cookies: a browser of its own) that may reach
    127.0.0.1 only and collects JavaScript errors into `errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    return _ready(context.new_page(), errors)


def new_tab(page, errors: list[str]):
    """Another tab of `page`'s browser (its cookies shared), under the same rules as `new_page`."""
    return _ready(page.context.new_page(), errors)


def _ready(page, errors: list[str]):
    page.set_default_timeout(PAGE_TIMEOUT_MS)  # 127.0.0.1 only: see the proxy in CHROMIUM_ARGS
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def sign_in(page, username: str, password: str) -> None:
    """Through the sign-in form, as a person would."""
    page.get_by_role("heading", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(browser, errors: list[str], url: str, username: str, password: str = "demo"):
    """A fresh browser session at `url`, signed in, on the Overview where every account lands."""
    page = new_page(browser, errors)
    page.goto(url, wait_until="domcontentloaded")
    sign_in(page, username, password)
    page.get_by_role("heading", name=t("overview_title", "en")).wait_for()
    return page


def open_from_sidebar(page, name: str, url_path: str) -> None:
    """Within the session, as a person would (a fresh page load starts a new Streamlit session,
    signed in again from the session cookie)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(rf"/{url_path}(\?.*)?$"))
    page.get_by_role("heading", name=name, exact=True).wait_for()
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
