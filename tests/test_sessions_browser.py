"""Sessions that last, in a real browser (`streamlit run` + Chromium, see `served.py`): a reload
keeps the page, its filters and the user; a second tab is signed in; a shared link asks a signed-out
browser to sign in and then shows what it names; sign-out ends the session everywhere, so the old
cookie opens nothing; a forged cookie gets the sign-in page. The cookie itself: SameSite=Strict,
the app's path, about twelve hours, the opaque token only, and no visible trace on the page."""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from served import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    SETTLED,
    new_page,
    new_tab,
    open_from_sidebar,
    screenshot,
    serve,
    sign_in,
    signed_in,
)

from csdata.access.sessions import LIFETIME
from csdata.text.i18n import t

pytestmark = pytest.mark.browser

COOKIE = "csdata_session"
CLIENT = "Harbor Trust Bank"
# The cookie writer's element, when drawn, takes no room and shows nothing.
WRITER_HIDDEN = """() => [...document.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter(box => box.querySelector('[data-testid^="stBidiComponent"]'))
    .every(box => getComputedStyle(box).display === 'none' && box.getBoundingClientRect().height === 0)"""


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _session_cookie(context, present: bool = True, timeout_s: float = 15) -> dict | None:
    """The session cookie once it is there (or gone, with `present=False`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if bool(found) == present or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.2)


def _signed_in_as(page, user: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(re.compile(rf"Signed in as\s+{user}\b")).wait_for()
    assert page.get_by_role("heading", name=t("sign_in_title", "en")).count() == 0


def _sign_in_page(page) -> None:
    page.get_by_role("heading", name=t("sign_in_title", "en")).wait_for()
    page.get_by_label(t("username", "en")).wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0


def _clients_chosen(page) -> str:
    box = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(t("clients", "en"), exact=True))
    return box.first.inner_text()


def _on_service_with_client(page, period: dict[str, list[str]]) -> None:
    page.get_by_role("heading", name=t("nav_service", "en"), exact=True).wait_for()
    page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
    query = _query(page)
    assert query.get("client") == [CLIENT], page.url
    assert {k: query.get(k) for k in ("from", "to")} == period, page.url
    assert CLIENT in _clients_chosen(page)


def test_reload_tab_link_sign_out_and_forged_cookie(browser, sample_db, tmp_path):
    errors: list[str] = []
    with serve(sample_db, tmp_path) as served:
        page = signed_in(browser, errors, served.url, "exec")
        _signed_in_as(page, "exec")

        # Right after sign-in the cookie is there: the opaque token, on the app's path, Strict.
        cookie = _session_cookie(page.context)
        assert cookie is not None, "no session cookie after sign-in"
        token = cookie["value"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token
        assert "exec" not in token and "demo" not in token
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert cookie["secure"] is False  # served over http here; over https it is Secure
        left = cookie["expires"] - time.time()
        assert LIFETIME.total_seconds() - 120 < left <= LIFETIME.total_seconds() + 5, left
        page.wait_for_function(WRITER_HIDDEN)
        screenshot(page, ARTIFACTS / "sessions-signed-in.png", SETTLED)

        # (a) Service through the sidebar, a client chosen, a reload: same user, page and filters.
        open_from_sidebar(page, t("nav_service", "en"), "service")
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        box = page.get_by_test_id("stMultiSelect").filter(
            has=page.get_by_text(t("clients", "en"), exact=True)
        )
        box.first.click()
        page.keyboard.type("Harbor")
        page.get_by_role("option", name=re.compile(CLIENT)).first.click()
        page.keyboard.press("Escape")
        page.wait_for_url(re.compile(r"client=Harbor"))
        page.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        before = page.url
        period = {k: _query(page).get(k) for k in ("from", "to")}
        assert all(period.values()), page.url
        page.reload(wait_until="domcontentloaded")
        _on_service_with_client(page, period)
        _signed_in_as(page, "exec")
        assert page.url == before
        page.wait_for_function(WRITER_HIDDEN)
        screenshot(page, ARTIFACTS / "sessions-after-reload.png", SETTLED)

        # (b) A second tab of the same browser, at the app's address: signed in.
        second = new_tab(page, errors)
        second.goto(served.url, wait_until="domcontentloaded")
        second.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        _signed_in_as(second, "exec")
        # The overview's address from a signed-out link opens it too, not "page not found".
        second.goto(f"{served.url}/overview?client={CLIENT.replace(' ', '+')}", wait_until="domcontentloaded")
        second.get_by_role("heading", name=t("overview_title", "en")).wait_for()
        second.wait_for_function(SETTLED, timeout=PAGE_TIMEOUT_MS)
        assert CLIENT in _clients_chosen(second)
        assert second.get_by_role("dialog").count() == 0

        # (c) A shared link in another browser: the sign-in form, then the page it names.
        link = f"{served.url}/service?" + urlencode(
            {"client": CLIENT, "from": period["from"][0], "to": period["to"][0]}
        )
        other = new_page(browser, errors)
        other.goto(link, wait_until="domcontentloaded")
        _sign_in_page(other)
        sign_in(other, "exec", "demo")
        _on_service_with_client(other, period)
        _signed_in_as(other, "exec")
        assert _session_cookie(other.context)["value"] != token  # a session of its own
        other.context.close()

        # (d) Sign-out ends the account's sessions everywhere and deletes the cookie.
        page.get_by_test_id("stSidebar").get_by_role("button", name=t("sign_out", "en")).click()
        _sign_in_page(page)
        assert _session_cookie(page.context, present=False) is None, "the cookie outlived sign-out"
        # The second tab still holds the session in its own state: its next click finds it ended.
        second.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=t("nav_service", "en"), exact=True
        ).click()
        _sign_in_page(second)
        second.get_by_text(t("session_ended", "en")).wait_for()
        # The old cookie, given to a new browser, opens nothing, and is deleted there.
        stale = new_page(browser, errors)
        stale.context.add_cookies([{"name": COOKIE, "value": token, "url": served.url}])
        stale.goto(f"{served.url}/service", wait_until="domcontentloaded")
        _sign_in_page(stale)
        assert _session_cookie(stale.context, present=False) is None, "the stale cookie was kept"
        stale.context.close()

        # (e) A forged cookie: the sign-in page, no error, and the cookie goes.
        forged = new_page(browser, errors)
        forged.context.add_cookies([{"name": COOKIE, "value": secrets.token_urlsafe(32), "url": served.url}])
        forged.goto(served.url, wait_until="domcontentloaded")
        _sign_in_page(forged)
        assert _session_cookie(forged.context, present=False) is None, "the forged cookie was kept"
        screenshot(forged, ARTIFACTS / "sessions-forged-cookie.png")
        forged.context.close()
    assert not errors, errors
