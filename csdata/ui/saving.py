"""A save happens once: the one place every form of the app saves through.

Streamlit starts a new run of the page as soon as a button is clicked again, while the run of the
first click may still be writing (its "fast reruns": the old run is only asked to stop at its next
Streamlit call). Two clicks of Save, a double-click, or a second tab of the same session would then
write the same record twice, and a form whose record id is made at save time (an audit's, a
training attempt's, an action step) would not even notice. So each save first *claims* its values'
fingerprint under one lock for the whole process, before anything is written:

- the first run to claim it saves; the claim then holds what was saved (`Saved`: its id, the
  message and link the form shows);
- a run that finds the claim held by a save still under way waits for it and ends as that run
  would have (that run is stopped by the newer click before it can show anything); a run that
  finds it saved earlier says what was saved and writes nothing;
- a save that was refused (a message under a field) gives its claim back, so the corrected values,
  or the same ones once the problem is fixed elsewhere, can be saved.

After a save the form is drawn afresh and empty under new widget keys (`keys`, `done`): a deleted
widget state would keep showing the old values in the browser, and a click of the old Save button
is dropped with its widget. `last_saved` shows the message of the form's last save above it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from csdata.access.auth import User
from csdata.pages import PAGES
from csdata.text.i18n import Problem, family_key, md, text_key
from csdata.ui.core import tr

__all__ = ["Saved", "done", "fingerprint", "keys", "last_saved", "register", "save_once"]

T = TypeVar("T")

_LAST_SAVED = "_last_saved"  # form -> (kind, message, link) shown above the form after a save
_GENERATION = "_generation"  # form -> how many times it was saved in this session
_LOCK = threading.Lock()  # claims are taken and given back under it, by every session's runs
# Session id -> form -> {fingerprint of the values: what was saved, or _PENDING}. Kept here, not in
# the session state: two runs of one session at once may each see a different state of it while
# Streamlit moves a run's new values into the session's, but both see this. The oldest sessions'
# claims go first beyond `MAX_SESSIONS` (a claim matters for the seconds a double click lasts).
_CLAIMS: OrderedDict[str | None, dict[str, dict[str, Any]]] = OrderedDict()
MAX_SESSIONS = 10_000
_PENDING = object()  # a claim whose save is under way
WAIT_SECONDS = 60  # how long a second run waits for the first one's save before it gives up

# Form -> (its widget-key prefix, the keys a save leaves as they were).
_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {}


def _session() -> str | None:
    """The browser session this run belongs to (every run of it has its own context)."""
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def _claims(form: str) -> dict[str, Any]:
    """This session's claims of `form` (call under `_LOCK`)."""
    session = _session()
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
    with _LOCK:
        claims = _claims(form)
    deadline = time.monotonic() + WAIT_SECONDS
    waited = False
    while True:
        with _LOCK:
            held = claims.get(mark)
            if held is None:
                claims[mark] = _PENDING
                break
        if held is not _PENDING:
            if waited:  # the other click's own outcome, as that run was stopped before showing it
                done(form, held.message, held.link, held.kind)
            done(form, tr(already, id=held.id), kind="info")
        if time.monotonic() > deadline:  # the first save never ended: let this run try
            with _LOCK:
                claims[mark] = _PENDING
            break
        waited = True
        time.sleep(0.05)
    saved = None
    try:
        result = save()
        if result is not None:
            saved = finish(result)
    except Problem as exc:
        if refused is None:
            raise
        refused(exc)
    finally:
        with _LOCK:
            if saved is None:
                claims.pop(mark, None)
            else:
                claims[mark] = saved
    if saved is not None:
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
