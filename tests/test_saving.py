"""A save happens once (`csdata.ui.saving.save_once`), also when two runs of one session overlap.

Streamlit starts the run of a second click while the first click's run may still be writing.
These tests run two such "runs" as two threads over one session state: the second waits for the
first one's save and says what it saved instead of saving again; a refused save gives its claim
back, so the same values can be saved once the problem is gone.
"""

from __future__ import annotations

import threading

import pytest

from csdata.text.i18n import Problem
from csdata.ui import saving


class Done(Exception):
    """What `saving.done` does at the end of a run (Streamlit's rerun), with its message."""

    def __init__(self, form: str, message: str, kind: str) -> None:
        super().__init__(message)
        self.form, self.message, self.kind = form, message, kind


@pytest.fixture
def session(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(saving.st, "session_state", state)
    monkeypatch.setattr(saving, "_CLAIMS", saving.OrderedDict())
    monkeypatch.setattr(saving, "_session", lambda: "one browser session")
    monkeypatch.setattr(saving, "tr", lambda key, **params: f"{key}:{params.get('id')}")

    def done(form, message, link=None, kind="success"):
        raise Done(form, message, kind)

    monkeypatch.setattr(saving, "done", done)
    return state


def saved(what) -> saving.Saved:
    return saving.Saved(str(what), f"saved {what}", ("agent", {"agent": "A1"}))


def run(*args, **kwargs) -> Done | None:
    """One run's save: how it ended (`done`), or None when nothing was saved."""
    try:
        saving.save_once(*args, **kwargs)
    except Done as exc:
        return exc
    return None


def test_a_second_run_whose_click_came_during_the_save_waits_and_ends_as_the_first(session):
    writing, release = threading.Event(), threading.Event()
    saves: list[str] = []

    def slow_save() -> str:
        writing.set()
        release.wait(5)
        saves.append("AU000123")
        return "AU000123"

    ended: dict = {}
    values = {"agent_id": "A1", "score": 90}
    first = threading.Thread(target=lambda: ended.update(first=run("audit", values, slow_save, saved)))
    first.start()
    assert writing.wait(5)  # the first run is inside its save
    again = lambda: saves.append("again") or "AU000124"  # noqa: E731
    second = threading.Thread(target=lambda: ended.update(second=run("audit", dict(values), again, saved)))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first save, not saving
    release.set()
    first.join(5)
    second.join(5)
    assert saves == ["AU000123"]
    # Both end with the first save's own message and link (the first run may be stopped by the
    # second click before it shows anything).
    for name in ("first", "second"):
        assert (ended[name].message, ended[name].kind) == ("saved AU000123", "success")


def test_the_same_values_again_later_say_what_was_saved(session):
    values = {"employee_id": "E1", "course": "Onboarding"}
    assert run("training", values, lambda: 3, saved).message == "saved 3"
    later = run("training", values, lambda: pytest.fail("saved twice"), saved)
    assert (later.message, later.kind) == ("entry_already_saved:3", "info")
    # Other values, or the same values of another form, are saved.
    assert run("training", {**values, "course": "Refunds"}, lambda: 1, saved).message == "saved 1"
    assert run("appraisal", values, lambda: "x", saved).message == "saved x"


def test_a_refused_save_gives_its_claim_back(session):
    values = {"ticket_id": "T1"}
    refusals: list[str] = []

    def refuse():
        raise Problem("entry_unknown_owner", value="S9")

    assert run("ticket", values, refuse, saved, refused=lambda exc: refusals.append(exc.key)) is None
    assert refusals == ["entry_unknown_owner"]
    assert run("ticket", values, lambda: None, saved) is None  # wrote nothing: no claim kept
    assert run("ticket", values, lambda: "T1", saved).message == "saved T1"
    with pytest.raises(Problem):  # without `refused`, the refusal is the caller's
        run("ticket", {"ticket_id": "T2"}, refuse, saved)
    assert run("ticket", {"ticket_id": "T2"}, lambda: "T2", saved).message == "saved T2"


def test_another_browser_session_saves_the_same_values(session, monkeypatch):
    values = {"employee_id": "E1", "teamwork": 80}
    assert run("teamwork", values, lambda: True, saved).message == "saved True"
    monkeypatch.setattr(saving, "_session", lambda: "a colleague's session")
    assert run("teamwork", values, lambda: True, saved).message == "saved True"
