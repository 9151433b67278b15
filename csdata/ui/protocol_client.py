"""Sessions without a browser: the served app driven through Streamlit's own websocket protocol.

`csdata bench --browser --concurrent N` times N browsers opening the overview at once; on a small
machine those browsers' renderers take most of the processor, so that figure says more about
Chromium than about the server. Here the same served app is asked for the same page by a thin
client that speaks what the browser's Streamlit frontend speaks on `/_stcore/stream`: a `BackMsg`
`rerun_script` with the page and its query string, then the `ForwardMsg`s of the run until
`script_finished`. What comes back is only decoded, never drawn: the figure is the server's part.

Each session is a real signed-in user: `signed_in` fills the sign-in form through the protocol (the
form's text inputs and its submit button, as the frontend sends them) and reads the session token
from what the app hands its cookie writer (`csdata.ui.cookie`); `open_page` then connects afresh
with that token in the `csdata_session` cookie, as a reload or a new tab of that browser does,
and the app adopts the session from it (`csdata.ui.signin.current_user`). A run that raised, was
refused (the sign-in form again), showed an error or lacks the page's heading and cards is a
`Failed` session, never a fast one. The websocket client is the `websockets` package, which
Streamlit's own server depends on. It sits beside the app's UI because it reads Streamlit's
messages, which only `csdata.ui` may import.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from csdata.ui.cookie import NAME as COOKIE

WRITER = "csdata_cookie_writer"  # the cookie writer's component (csdata.ui.cookie)
RUN_TIMEOUT_S = 600.0


class Failed(Exception):
    """A session that did not end on the page it asked for (refused, raised, an error shown)."""


@dataclass
class Run:
    """What the server sent for one run of the script (the last, after any rerun)."""

    elements: list = field(default_factory=list)  # each delta's new element, in order
    page_hash: str = ""
    not_found: bool = False
    status: int | None = None

    def every(self, kind: str) -> list:
        """The elements of one kind (`heading`, `metric`, `text_input`...), their own messages."""
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def problems(self) -> list[str]:
        """Why this run is not a page drawn: an exception, an error shown, a page not found."""
        found = [f"{e.type}: {e.message}" for e in self.every("exception")]
        found += [a.body for a in self.every("alert") if a.format == Alert.ERROR]
        if self.not_found:
            found.append("page not found")
        if self.status != ForwardMsg.FINISHED_SUCCESSFULLY:
            found.append(f"script finished with status {self.status}")
        return found


def _stream(url: str) -> str:
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


def _connect(url: str, token: str | None = None):
    headers = {"Cookie": f"{COOKIE}={token}"} if token else {}
    return connect(
        _stream(url),
        subprotocols=["streamlit"],
        additional_headers=headers,
        max_size=None,
        compression=None,
        proxy=None,
        ping_interval=None,
    )


async def _run(ws, state: ClientState) -> Run:
    """Asks for a run with `state` and reads until the script has finished (a rerun it asked
    for itself included: only the last run's elements are kept)."""
    back = BackMsg()
    back.rerun_script.CopyFrom(state)
    await ws.send(back.SerializeToString())
    run = Run()
    async with asyncio.timeout(RUN_TIMEOUT_S):
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                run = Run(page_hash=msg.new_session.page_script_hash)
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                run.elements.append(msg.delta.new_element)
            elif kind == "page_not_found":
                run.not_found = True
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.status = msg.script_finished
                return run


def _page_name(path: str) -> str:
    return path.strip("/")


async def _sign_in(url: str, username: str, password: str) -> str:
    """A new session of `username` through the sign-in form; its token, as the cookie gets it."""
    async with _connect(url) as ws:
        form = await _run(ws, ClientState(page_name=""))
        fields = {i.type: i.id for i in form.every("text_input")}
        submit = [b.id for b in form.every("button") if b.is_form_submitter]
        if len(fields) != 2 or len(submit) != 1:
            raise Failed(
                f"no sign-in form: {form.problems() or [e.WhichOneof('type') for e in form.elements]}"
            )
        user, secret = fields[0], fields[1]  # TextInput.DEFAULT, TextInput.PASSWORD
        state = ClientState(page_name="", page_script_hash=form.page_hash)
        state.widget_states.widgets.extend(
            [
                WidgetState(id=user, string_value=username),
                WidgetState(id=secret, string_value=password),
                WidgetState(id=submit[0], trigger_value=True),
            ]
        )
        done = await _run(ws, state)
    for writer in done.every("bidi_component"):
        if writer.component_name.endswith(WRITER) and writer.json:
            token = json.loads(writer.json).get("value")
            if token:
                return token
    raise Failed(f"{username} was not signed in: {done.problems() or 'no session cookie written'}")


async def _open_page(url: str, token: str | None, page: str, query: str) -> Run:
    async with _connect(url, token) as ws:
        return await _run(ws, ClientState(page_name=_page_name(page), query_string=query))


def _blocking(coroutine):
    """Runs `coroutine` to its end on an event loop of its own thread: the caller may be inside
    one already (Playwright's synchronous API keeps a loop running in the benchmark)."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def open_page(url: str, token: str | None, page: str, query: str) -> Run:
    """A fresh connection (a page load) with the session cookie `token`, one run of `page`."""
    return _blocking(_open_page(url, token, page, query))


def check_page(run: Run, title: str) -> None:
    """`Failed` unless `run` drew the page titled `title` with its cards (`st.metric`)."""
    problems = run.problems()
    headings = [h.body for h in run.every("heading")]
    if title not in headings:
        problems.append(f"no heading {title!r} (headings: {headings})")
    if not run.every("metric"):
        problems.append("no cards")
    if problems:
        raise Failed("; ".join(problems))


async def _timed(url: str, token: str, page: str, query: str, title: str) -> float:
    started = time.perf_counter()
    run = await _open_page(url, token, page, query)
    seconds = time.perf_counter() - started
    check_page(run, title)
    return seconds


async def _together(url: str, tokens: list[str], page: str, query: str, title: str) -> list[float]:
    return list(await asyncio.gather(*(_timed(url, t, page, query, title) for t in tokens)))


def signed_in(url: str, username: str, password: str, sessions: int) -> list[str]:
    """`sessions` sessions of `username`, each signed in through the form of its own."""

    async def all_of() -> list[str]:
        return [await _sign_in(url, username, password) for _ in range(sessions)]

    return _blocking(all_of())


def _load() -> float:
    """The machine's load average over the last minute (other work shares the processor)."""
    return round(os.getloadavg()[0], 2)


def together(served, tokens: list[str], page: str, query: str, title: str) -> dict:
    """Each session in `tokens` opens `page` (with `query`) at once: seconds from that moment
    until its script has finished, the server's processor time meanwhile and the load average
    before and after. A session that failed fails the whole measurement (`Failed`)."""
    load, cpu = _load(), served.cpu_s()
    times = _blocking(_together(served.url, tokens, page, query, title))
    cpu = served.cpu_s() - cpu
    return {
        "sessions": len(times),
        "median_s": round(statistics.median(times), 3),
        "slowest_s": round(max(times), 3),
        "server_cpu_s": round(cpu, 1),
        "load": [load, _load()],
    }


SETTLE_S = 0.3  # after a run has finished, the server still sends its last messages and tidies up


def one_at_a_time(served, tokens: list[str], page: str, query: str, title: str) -> list[float]:
    """Each session in `tokens` opens `page` (with `query`) alone, one after another: the server's
    processor seconds for each (its run, sending it, and what it does just after). The first
    session's is its first look at the period when no session has asked for it yet."""
    spent = []
    for token in tokens:
        cpu = served.cpu_s()
        check_page(open_page(served.url, token, page, query), title)
        time.sleep(SETTLE_S)
        spent.append(served.cpu_s() - cpu)
    return spent
