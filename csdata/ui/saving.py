"""A save happens once: the one place every form of the app saves through.

Streamlit starts a new run of the page as soon as a button is clicked again, while the run of the
first click may still be writing (its "fast reruns": the old run is only asked to stop at its next
Streamlit call). Two clicks of Save, a double-click, or a second tab of the same session would then
write the same record twice, and a form whose record id is made at save time (an audit's, a
training attempt's, an action step) would not even notice. So each save first *claims* its values'
fingerprint under one lock for the whole process, before anything is written:

- the first run to claim it saves; the claim then holds what was saved (`Saved`: its id, the
  message and link the form shows);
- a run of the same drawing of the form (a double click: its widgets have the keys the saved run
  had) waits for a save still under way and ends as that run would have (that run is stopped by
  the newer click before it can show anything); the same values typed again into the fresh form
  get "already saved as …", and nothing is written;
- a save that was refused (a message under a field) gives its claim back, so the corrected values,
  or the same ones once the problem is fixed elsewhere, can be saved.

After a save the form is drawn afresh and empty under new widget keys (`keys`, `done`): a deleted
widget state would keep showing the old values in the browser, and a click of the old Save button
is dropped with its widget. `last_saved` shows the message of the form's last save above it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from csdata.access.auth import User
from csdata.pages import PAGES
from csdata.text.i18n import Problem, family_key, md, text_key
from csdata.ui.core import tr

__all__ = ["Saved", "begin_run", "done", "fingerprint", "keys", "last_saved", "register", "save_once"]

T = TypeVar("T")

_LAST_SAVED = "_last_saved"  # form -> (kind, message, link) shown above the form after a save
_GENERATION = "_generation"  # form -> how many times it was saved in this session
_LOCK = threading.Lock()  # claims are taken and given back under it, by every session's runs
# Session token -> form -> {fingerprint of the values: (what was saved, its `finish`, the drawing of
# the form it was saved from), or _PENDING}. Kept here, not in the session state: a run asked to
# stop by a newer click stops at its next touch of the session state, and the claim must be
# written after the save whatever happens. The oldest sessions' claims go first beyond
# `MAX_SESSIONS`.
_CLAIMS: OrderedDict[str | None, dict[str, dict[str, Any]]] = OrderedDict()
_TOKEN = "_save_token"  # the session state's key of the token its claims are kept under
MAX_SESSIONS = 10_000
_PENDING = object()  # a claim whose save is under way
WAIT_SECONDS = 60  # how long a second run waits for the first one's save before it gives up
_DRAWN = threading.local()  # form -> the generation this run drew it in (each run is its own thread)

# Form -> (its widget-key prefix, the keys a save leaves as they were).
_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {}


def begin_run() -> None:
    """Give the browser session its token, in its first run (long before any Save is clicked)."""
    if _TOKEN not in st.session_state:
        st.session_state[_TOKEN] = secrets.token_hex(16)


def _session() -> str | None:
    """The browser session this run belongs to (the session id is not enough: every AppTest
    session has the same)."""
    return st.session_state.get(_TOKEN)


def _claims(session: str | None, form: str) -> dict[str, Any]:
    """A session's claims of `form` (call under `_LOCK`)."""
    forms = _CLAIMS.setdefault(session, {})
    _CLAIMS.move_to_end(session)
    while len(_CLAIMS) > MAX_SESSIONS:
        _CLAIMS.popitem(last=False)
    return forms.setdefault(form, {})


def register(form: str, prefix: str, keep: tuple[str, ...] = ()) -> None:
    """Declare a form: the prefix of its widgets' keys (cleared after a save) and those kept."""
    _FORMS[form] = (prefix, keep)


def fingerprint(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def keys(form: str) -> Callable[[str], str]:
    """The widget keys of `form` in its current generation: a saved form's widgets get new keys."""
    generation = st.session_state.get(_GENERATION, {}).get(form, 0)
    _DRAWN.__dict__.setdefault("forms", {})[form] = generation
    return lambda name: name if generation == 0 else f"{name}~{generation}"


def done(form: str, message: md, link: tuple[str, dict] | None = None, kind: str = "success"):
    """Draw the form afresh and empty (but the keys it keeps), with `message` (and a link to the
    record) above it."""
    st.session_state.setdefault(_LAST_SAVED, {})[form] = (kind, message, link)
    generations = st.session_state.setdefault(_GENERATION, {})
    generations[form] = generations.get(form, 0) + 1
    prefix, keep = _FORMS[form]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix) and k not in keep]:
        del st.session_state[key]
    st.rerun()


@dataclass(frozen=True)
class Saved:
    """What a save wrote, as its form reports it: the record's id (what "already saved as" names),
    the message above the fresh form, a link to the record, and the message's kind."""

    id: str
    message: md
    link: tuple[str, dict] | None = None
    kind: str = "success"


def save_once(
    form: str,
    values: Any,
    save: Callable[[], T | None],
    finish: Callable[[T], Saved],
    refused: Callable[[Problem], None] | None = None,
    already: str = text_key("entry_already_saved"),
) -> None:
    """Run `save` unless these values of `form` were saved already in this session, then end the
    run with the form drawn afresh under `finish(what it wrote)`'s message (`done`).

    `save` returns None when it wrote nothing (its refusal is the caller's to show, after this
    returns), else what it wrote. A `Problem` it raises goes to `refused` when given. A run that
    waited for another run's save of the same values (a double click) ends as that one would; values
    saved before end it with `already` ("already saved as {id}"). Nothing between the claim and
    the write calls Streamlit, so a run asked to stop by a newer click cannot stop there.
    """
    mark = fingerprint(values)
    session = _session()  # a touch of the session state: a run told to stop stops here, claiming nothing
    with _LOCK:
        claims = _claims(session, form)
    deadline = time.monotonic() + WAIT_SECONDS
    drawn = _DRAWN.__dict__.get("forms", {}).get(form)
    waited = False
    while True:
        with _LOCK:
            held = claims.get(mark)
            if held is None:
                claims[mark] = _PENDING
                break
        if held is not _PENDING:
            result, finished, generation = held
            saved = finished(result)
            if waited or generation == drawn:
                # the other click's own outcome: that run was stopped before it could show it
                done(form, saved.message, saved.link, saved.kind)
            done(form, tr(already, id=saved.id), kind="info")
        if time.monotonic() > deadline:  # the first save never ended: let this run try
            with _LOCK:
                claims[mark] = _PENDING
            break
        waited = True
        time.sleep(0.05)
    result = None
    try:
        result = save()
    except Problem as exc:
        if refused is None:
            raise
        refused(exc)
    finally:  # no touch of Streamlit before the claim holds what was saved
        with _LOCK:
            if result is None:
                claims.pop(mark, None)
            else:
                claims[mark] = (result, finish, drawn)
    if result is not None:
        saved = finish(result)
        done(form, saved.message, saved.link, saved.kind)


def last_saved(form: str, user: User) -> None:
    """The message of the form's last save (or refused second submission), with its link."""
    found = st.session_state.get(_LAST_SAVED, {}).get(form)
    if found is None:
        return
    kind, message, link = found
    box = st.container(horizontal=True, vertical_alignment="center")
    (box.success if kind == "success" else box.info)(message, icon=":material/check_circle:")
    if link is not None:
        target, params = link
        if target == st.session_state.get("page"):
            # A link to the page on screen would not navigate: the address takes the record instead
            # (the page opens on it, and the address is the one to send to a colleague).
            box.button(tr(family_key("entry_open_", target)), on_click=st.query_params.update, args=(params,),
                       icon=":material/arrow_forward:", key=f"_open_{form}")  # fmt: skip
        elif user.may_open(target):
            box.page_link(
                PAGES[target].file,
                label=tr(family_key("entry_open_", target)),
                query_params=params,
                icon=":material/open_in_new:",
            )
