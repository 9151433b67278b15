"""Who sees what, in-process through Streamlit's AppTest: each role's pages (offered by the
navigation and guarded again by each page), refused and throttled sign-ins, a client account
that sees its own client and nothing else, pay only for the roles that see pay, the admin pages
(users, policy, audit log), the idle sign-out, and formula-looking cells made inert in exports.

The app keeps its warehouse open read-write in a cached resource, so every test gives it a copy
of the demo warehouse; tests that write get a copy of their own. What the app wrote is read back
through the app's own cached `Warehouse` (`csdata.ui._open`), since its lock keeps other
connections out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import (
    DEMO_AS_OF,
    ROOT,
    cli_values,
    download,
    expected_cards,
    run_cli,
    shown,
    shown_cards,
    sign_in_as,
)
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from csdata import pages
from csdata.access import auth, sessions
from csdata.access import scope as scopes
from csdata.analytics import payroll
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG, HEADLINE
from csdata.demo.sample import CLIENTS, DEMO_PASSWORD
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import column_label, t
from csdata.ui import core, signin

APP = ROOT / "app.py"
TITLES = {
    "overview": "overview_title",
    "pay": "pay_title",
    "users": "users_title",
    "policy": "policy_title",
    "organisation": "org_title",
    "audit_log": "audit_log_title",
    # dashboards and data-entry pages are titled by their navigation name
    "service": "nav_service",
    "complaints": "nav_complaints",
    "quality": "nav_quality",
    "people": "nav_people",
    "clients": "nav_clients",
    "agent": "nav_agent",
    "recruitment": "nav_recruitment",
    "tickets": "nav_tickets",
    "audits": "nav_audits",
    "training": "nav_training",
    "appraisals": "nav_appraisals",
    "imports": "nav_imports",
    "actions": "nav_actions",
    "compliance": "nav_compliance",
    "finance": "nav_finance",
}
PAY_COLUMNS = ("base_pay", "seniority_pay", "performance_pay", "bonus")
PAY_METRICS = (
    "pay_base_total",
    "pay_seniority_total",
    "pay_performance_total",
    "pay_bonus_total",
    "pay_total",
)
SQL_LOOKING = (
    "admin' OR '1'='1",
    "'; DROP TABLE users; --",
    'admin" --',
    "x'); DELETE FROM audit_log; --",
)
FORMULA = '=HYPERLINK("http://x","y")'


# -- fixtures and helpers ------------------------------------------------------------------------


def _copy(sample_db: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture(scope="module")
def shared_db(sample_db, tmp_path_factory) -> Path:
    """A copy of the demo warehouse for tests that only read (sign-ins are logged, nothing else)."""
    return _copy(sample_db, tmp_path_factory.mktemp("access"), "shared.duckdb")


@pytest.fixture
def fresh_db(sample_db, tmp_path) -> Path:
    """A copy of the demo warehouse for one test that writes."""
    return _copy(sample_db, tmp_path, "fresh.duckdb")


@pytest.fixture
def app_env(monkeypatch):
    """Project root as cwd, default settings; `use(db)` points the app at a warehouse."""
    monkeypatch.chdir(ROOT)
    for name in ("CSDATA_LANG", "CSDATA_IDLE_MINUTES", "CSDATA_ADDRESS"):
        monkeypatch.delenv(name, raising=False)

    def use(db: Path) -> None:
        monkeypatch.setenv("CSDATA_DB", str(db))

    return use


def read_download(data: bytes, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=str)


@contextmanager
def read_only(db: Path) -> Iterator[Warehouse]:
    wh = Warehouse(db, read_only=True)
    try:
        yield wh
    finally:
        wh.close()


def app_wh(db: Path) -> Warehouse:
    """The app's own cached warehouse for `db` (the one the AppTest runs wrote through)."""
    return core._open(str(db))


def new_app(lang: str = "en", user: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    if user is not None:
        sign_in_as(at, user)
    return at


def sign_in(at: AppTest, username: str, password: str, lang: str = "en") -> AppTest:
    """Through the sign-in form: type both fields, press the form's submit button."""
    fields = {w.label: w for w in at.text_input if w.form_id == "sign_in"}
    assert set(fields) == {t("username", lang), t("password", lang)}, list(fields)
    fields[t("username", lang)].input(username)
    fields[t("password", lang)].input(password)
    [submit] = [b for b in at.button if b.form_id == "sign_in"]
    submit.click()
    return at.run()


def signed_in_app(username: str, lang: str = "en") -> AppTest:
    at = new_app(lang).run()
    assert_clean(at)
    assert [e.value for e in at.title] == [t("sign_in_title", lang)]
    sign_in(at, username, DEMO_PASSWORD, lang)
    assert_clean(at)
    assert at.session_state["username"] == username
    return at


def assert_clean(at: AppTest) -> None:
    errors = [e.value for e in at.exception]
    assert not errors, f"the page raised: {errors}"


def titles(at: AppTest) -> list[str]:
    return [e.value for e in at.title]


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def form_widgets(at: AppTest, form: str, kind: str) -> dict[str, object]:
    return {w.label: w for w in getattr(at, kind) if w.form_id == form}


def submit(at: AppTest, form: str) -> AppTest:
    [button] = [b for b in at.button if b.form_id == form]
    button.click()
    return at.run()


def _walk(node) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def shown_text(at: AppTest, leave_out: frozenset[str] = frozenset()) -> str:
    """Everything the page sends to the browser as readable text: every element's and block's
    message (titles, captions, markdown, metric labels, values, help, widget labels, options,
    chart data), and every dataframe's headings and cells. `leave_out` names metric cards and
    table columns to skip."""
    parts = []
    for node in (n for root in (at.main, at.sidebar) for n in _walk(root)):
        proto = getattr(node, "proto", None)
        if leave_out and getattr(node, "type", None) == "dataframe":
            continue  # read below, as a frame without the left-out columns
        if getattr(node, "type", None) == "metric" and node.label in leave_out:
            continue
        if proto is not None and hasattr(proto, "ListFields"):
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    for frame in at.dataframe:
        value = frame.value.drop(columns=list(leave_out), errors="ignore")
        parts.append(" | ".join(map(str, value.columns)))
        parts.append(value.to_csv(index=False))
    return "\n".join(parts)


def pages_of(role: str) -> list[str]:
    return [key for key in pages.PAGES if role in pages.PAGES[key].roles]


def open_page(at: AppTest, key: str) -> AppTest:
    at.switch_page(pages.PAGES[key].file).run()
    assert_clean(at)
    return at


# -- 1. each role is offered its pages, and each page checks again -------------------------------


@pytest.mark.parametrize(
    ("role", "lang"), [(r, "en") for r in pages.ROLES] + [("admin", "zh"), ("client", "zh"), ("hr", "zh")]
)
def test_navigation_offers_each_role_its_pages(shared_db, app_env, role, lang):
    app_env(shared_db)
    at = signed_in_app(role, lang)
    assert titles(at) == [t("overview_title", lang)], "the overview is every role's first page"
    assert not errors(at)
    # The users page goes last: AppTest formats its role selectbox (whose labels follow the
    # session's language) outside the script run on the next run, where the language is unknown.
    for key in sorted(pages.PAGES, key=lambda k: k == "users"):
        path = pages.PAGES[key].file
        if role in pages.PAGES[key].roles:
            at.switch_page(path).run()
            assert_clean(at)
            assert titles(at) == [t(TITLES[key], lang)], (role, key)
            assert t("not_allowed", lang) not in errors(at)
        else:
            # Not offered: the navigation has no such page for this session to switch to.
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(path)


REFUSED = [(role, key) for key in pages.PAGES for role in pages.ROLES if role not in pages.PAGES[key].roles]


@pytest.mark.parametrize(("role", "page"), REFUSED)
def test_page_refuses_a_role_on_its_own(shared_db, app_env, role, page):
    """The page's own check, without the navigation around it: run the view script itself."""
    app_env(shared_db)
    at = AppTest.from_file(str(ROOT / pages.PAGES[page].file), default_timeout=60)
    at.session_state["lang"] = "en"
    sign_in_as(at, role)
    at.run()
    assert_clean(at)
    assert errors(at) == [t("not_allowed", "en")]
    assert not at.title and not at.dataframe and not at.metric and not at.download_button
    assert not at.text_input and not at.button and not at.caption and not at.markdown
    assert "¥" not in shown_text(at)


@pytest.mark.parametrize("page", list(pages.PAGES))
def test_page_shows_the_sign_in_form_when_signed_out(shared_db, app_env, page):
    app_env(shared_db)
    at = AppTest.from_file(str(ROOT / pages.PAGES[page].file), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert_clean(at)
    assert titles(at) == [t("sign_in_title", "en")]
    assert [w.label for w in at.text_input] == [t("username", "en"), t("password", "en")]
    assert not at.dataframe and not at.metric and not at.download_button


# -- 2, 3. refused sign-ins --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("admin", "wrong password"),
        ("nobody", DEMO_PASSWORD),
        ("admin", "demo' OR '1'='1"),
        *[(text, text) for text in SQL_LOOKING],
        ("", ""),
    ],
)
def test_refused_sign_ins_look_the_same(fresh_db, app_env, username, password):
    with read_only(fresh_db) as wh:
        before = auth.list_users(wh)
    app_env(fresh_db)
    at = new_app().run()
    sign_in(at, username, password)
    assert_clean(at)
    assert errors(at) == [t("sign_in_failed", "en")]
    assert not at.warning
    assert "username" not in at.session_state
    assert titles(at) == [t("sign_in_title", "en")]
    assert not at.metric and not at.dataframe
    wh = app_wh(fresh_db)
    pd.testing.assert_frame_equal(auth.list_users(wh), before)
    assert wh.scalar("SELECT count(*) FROM users") == len(pages.ROLES)
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.add'") == len(pages.ROLES)
    # The try is on the record, under the name as typed.
    assert (
        wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.fail' AND entity = ?", [username]) == 1
    )


def test_sixth_try_after_five_failures_waits(fresh_db, app_env):
    app_env(fresh_db)
    at = new_app().run()
    for attempt in range(1, auth.FREE_TRIES + 1):
        sign_in(at, "finance", "not the password")
        assert_clean(at)
        assert errors(at) == [t("sign_in_failed", "en")]
        warnings = [w.value for w in at.warning]
        if attempt < auth.FREE_TRIES:
            assert not warnings, attempt
        else:
            assert warnings == [t("sign_in_wait", "en", seconds=auth.FIRST_WAIT_S)]
    fifth = time.monotonic()
    # The right password now: still refused, with the wait, and not signed in.
    sign_in(at, "finance", DEMO_PASSWORD)
    elapsed = time.monotonic() - fifth
    assert elapsed < auth.FIRST_WAIT_S, f"the sixth try came {elapsed:.1f} s later: the wait was over"
    assert_clean(at)
    [message] = errors(at)
    seconds = int(re.fullmatch(t("sign_in_wait", "en", seconds=r"(\d+)").replace(".", r"\."), message)[1])
    assert 1 <= seconds <= auth.FIRST_WAIT_S
    assert "username" not in at.session_state
    assert titles(at) == [t("sign_in_title", "en")]
    wh = app_wh(fresh_db)
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.wait' AND entity = 'finance'") == 1
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.ok' AND entity = 'finance'") == 0
    # Another name is not held up by finance's failures.
    sign_in(at, "hr", DEMO_PASSWORD)
    assert_clean(at)
    assert at.session_state["username"] == "hr"
    assert titles(at) == [t("overview_title", "en")]


# -- 4. a client account sees its client and nothing else ---------------------------------------


def test_client_sees_only_its_client(shared_db, sample_db, app_env):
    own = CLIENTS[0].name
    others = [c.name for c in CLIENTS[1:]]
    with read_only(sample_db) as wh:
        assert wh.column("SELECT value FROM user_scopes WHERE username = 'client'") == [own]
        employees = wh.rows("SELECT employee_id, name FROM employees")
    app_env(shared_db)
    at = signed_in_app("client")
    assert pages_of("client") == ["overview", "service", "complaints", "clients", "compliance"]
    seen = shown_text(at)
    for key in pages_of("client"):
        seen += "\n" + shown_text(open_page(at, key))

    open_page(at, "overview")  # the last page, the compliance queue, has no filter bar
    assert at.multiselect(key="f_clients").options == [own], "the filter offers the client's own name only"
    assert own in seen
    leaked = [c for c in others if c in seen]
    assert not leaked, f"other clients shown to a client account: {leaked}"
    named = [name for _, name in employees if name in seen]
    assert not named, f"employee names shown to a client account: {named[:5]}"
    ids = sorted({i for i, _ in employees if i in seen} | set(re.findall(r"\bE\d{5}\b", seen)))
    assert not ids, f"employee ids shown to a client account: {ids[:5]}"
    # The overview's table by client holds one row: the client's own.
    open_page(at, "overview")
    [table] = at.dataframe
    assert list(table.value[t("client", "en")]) == [own]

    # The cards are what `csdata kpi --client` prints for the same period.
    start, end = at.date_input(key="f_period").value
    expected = expected_cards(lambda chosen: cli_values(sample_db, start, end, (own,), chosen), HEADLINE)
    assert shown_cards(at) == expected
    assert any(v != "–" for v in expected.values())

    # Asking for another client (a crafted request: the filter never offers it) changes nothing:
    # the choice is dropped, and the query layer intersects whatever is asked with the scope.
    for asked in ([others[0]], [own, others[0]], others, ["' OR '1'='1"]):
        at.session_state["f_clients"] = asked
        at.run()
        assert_clean(at)
        assert set(at.multiselect(key="f_clients").value) <= {own}
        assert shown_cards(at) == expected, asked
        text = shown_text(at)
        assert not [c for c in others if c in text], asked
    from csdata.analytics.compiler import metric_values

    scope = auth.load_user(app_wh(shared_db), "client").scope
    asked_other = metric_values(app_wh(shared_db), ["offered"], Filters(start, end, (others[0],)), scope)
    assert asked_other["offered"] in (0, None), "the query layer must not count another client's tickets"


def test_supervisor_filter_offers_only_its_teams_clients(shared_db, app_env):
    app_env(shared_db)
    at = signed_in_app("supervisor")
    wh = app_wh(shared_db)
    teams = auth.load_user(wh, "supervisor").teams
    assert teams
    served = wh.column(
        "SELECT DISTINCT client FROM teams WHERE list_contains(?, name) ORDER BY 1", [list(teams)]
    )
    assert at.multiselect(key="f_clients").options == served
    [table] = at.dataframe
    # The demo supervisor's teams serve one client: the table opens on that client's teams.
    assert len(served) == 1
    assert set(table.value[t("team", "en")]) <= set(teams)


# -- 5. pay: only for the roles that see pay ----------------------------------------------------


def pay_headings(lang: str) -> set[str]:
    return {column_label(c, lang) for c in PAY_COLUMNS} | {t(k, lang) for k in PAY_METRICS}


@pytest.mark.parametrize("role", pages.ROLES)
def test_pay_figures_only_for_roles_that_see_pay(shared_db, app_env, served, role):
    app_env(shared_db)
    at = new_app("en", role).run()
    assert_clean(at)
    sees_pay = role in scopes.SEES_PAY
    assert sees_pay == ("pay" in pages_of(role))
    for key in pages_of(role):
        open_page(at, key)
        # Rewards paid to customers for adopted suggestions are money, but not anyone's pay.
        rewards = frozenset({CATALOG["suggestion_rewards"].short_label("en")})
        text = shown_text(at, leave_out=rewards)
        columns = {c for frame in at.dataframe for c in frame.value.columns}
        downloads = {
            b.key: read_download(download(at, b.key, served), b.key.rsplit("_", 1)[1])
            for b in at.download_button
            if b.key and b.key.startswith("dl_")
        }
        if key == "pay":
            assert sees_pay
            assert {column_label(c, "en") for c in PAY_COLUMNS} <= columns
            assert [m.label for m in at.metric][1:] == [t(k, "en") for k in PAY_METRICS]
            assert all(m.value.startswith("¥") for m in at.metric[1:])
            assert set(downloads) == {"dl_pay_csv", "dl_pay_xlsx"}
            wh = app_wh(shared_db)
            base_pays = {float(v) for v in wh.column("SELECT base_pay FROM pay_grades")}
            for fmt, frame in downloads.items():  # the payroll's own column names, money as numbers
                assert set(payroll.MONEY) <= set(frame.columns), fmt
                whole_month = frame[frame["prorated"] == "False"]  # a joiner's or leaver's is prorated
                assert {float(v) for v in whole_month["base_pay"]} <= base_pays, fmt
            continue
        if key == "finance":  # each client's cost: pay summed per client and month, never a person's
            assert role in scopes.SEES_ECONOMICS and "employee_id" not in downloads.get("dl_finance_csv", {})
            assert not (pay_headings("en") | pay_headings("zh")) & columns, (role, key, columns)
            continue
        if key == "organisation":  # the pay grades' amounts: pay's master data, for roles that see pay
            assert sees_pay and pages.PAGES[key].roles <= scopes.SEES_PAY
            continue
        assert "¥" not in text, f"a pay figure on {key} for {role}"
        assert not (pay_headings("en") | pay_headings("zh")) & columns, (role, key, columns)
        for name, frame in downloads.items():
            assert not set(frame.columns) & (pay_headings("en") | pay_headings("zh")), (role, key, name)
            cells = frame.drop(columns=list(rewards), errors="ignore")
            assert not cells.map(lambda v: "¥" in str(v)).any().any(), (role, key, name)


# -- 6. users page ----------------------------------------------------------------------------


def audit_rows(wh: Warehouse, action: str, entity: str | None = None) -> list[tuple]:
    sql = "SELECT actor, at_time, entity, CAST(detail AS VARCHAR) FROM audit_log WHERE action = ?"
    params: list = [action]
    if entity is not None:
        sql += " AND entity = ?"
        params.append(entity)
    return wh.rows(sql + " ORDER BY id", params)


def add_user_through_form(at: AppTest, name: str, role: str, password: str, email: str = "") -> AppTest:
    fields = form_widgets(at, "user_form_new", "text_input")
    fields[t("username", "en")].input(name)
    fields[t("password", "en")].input(password)
    if email:
        fields[t("email", "en")].input(email)
    form_widgets(at, "user_form_new", "selectbox")[t("role", "en")].set_value(role)
    return submit(at, "user_form_new")


def test_users_page_adds_refuses_and_logs(fresh_db, app_env):
    app_env(fresh_db)
    at = signed_in_app("admin")
    open_page(at, "users")
    wh = app_wh(fresh_db)
    started = dt.datetime.now() - dt.timedelta(seconds=1)

    add_user_through_form(at, "newbie", "exec", "long enough pw", "newbie@example.com")
    assert_clean(at)
    assert not errors(at)
    assert [s.value for s in at.success] == [t("saved", "en")]
    assert "newbie" in list(at.dataframe[0].value[column_label("username", "en")]), (
        "the table shows the new user"
    )
    assert "newbie" in at.selectbox(key="user_to_edit").options
    [(actor, when, entity, detail)] = audit_rows(wh, "user.add", "newbie")
    assert (actor, entity) == ("admin", "newbie") and when >= started
    assert json.loads(detail)["role"] == "exec"
    assert auth.sign_in(wh, "newbie", "long enough pw").user.role == "exec"

    count = wh.scalar("SELECT count(*) FROM users")
    log = wh.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'user.%'")
    for name, password, key, params in [
        ("shorty", "short", "auth_short_password", {"n": auth.MIN_PASSWORD}),
        *[(text[:64], "long enough pw", "auth_bad_name", {}) for text in SQL_LOOKING],
        ("newbie", "long enough pw", "auth_user_exists", {"name": "newbie"}),
    ]:
        add_user_through_form(at, name, "exec", password)
        assert_clean(at)
        assert errors(at) == [t(key, "en", **params)], name
        assert not at.success
        assert wh.scalar("SELECT count(*) FROM users") == count, name
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'user.%'") == log

    # An SQL-looking e-mail is only text: stored as typed, nothing else touched.
    email = "x@y.z' OR '1'='1'; DROP TABLE users; --"
    add_user_through_form(at, "mailer", "qa", "long enough pw", email)
    assert_clean(at)
    assert not errors(at)
    assert wh.scalar("SELECT email FROM users WHERE username = 'mailer'") == email
    assert wh.scalar("SELECT count(*) FROM users") == count + 1


def test_users_page_keeps_the_last_admin(fresh_db, app_env):
    app_env(fresh_db)
    at = signed_in_app("admin")
    open_page(at, "users")
    wh = app_wh(fresh_db)
    at.selectbox(key="user_to_edit").set_value("admin").run()
    assert_clean(at)
    form_widgets(at, "user_form_admin", "selectbox")[t("role", "en")].set_value("exec")
    submit(at, "user_form_admin")
    assert_clean(at)
    assert errors(at) == [t("auth_last_admin", "en")]
    form_widgets(at, "user_form_admin", "selectbox")[t("role", "en")].set_value("admin")
    form_widgets(at, "user_form_admin", "checkbox")[t("active", "en")].uncheck()
    submit(at, "user_form_admin")
    assert_clean(at)
    assert errors(at) == [t("auth_last_admin", "en")]
    assert wh.rows("SELECT role, active FROM users WHERE username = 'admin'") == [("admin", True)]
    assert not audit_rows(wh, "user.update")

    # A permitted change goes through and is logged with who and what.
    at.selectbox(key="user_to_edit").set_value("qa").run()
    form_widgets(at, "user_form_qa", "text_input")[t("email", "en")].input("qa@example.com")
    submit(at, "user_form_qa")
    assert_clean(at)
    assert not errors(at)
    [(actor, _, entity, detail)] = audit_rows(wh, "user.update")
    assert (actor, entity) == ("admin", "qa") and json.loads(detail)["email"] == "qa@example.com"


def test_audit_log_is_read_only_and_filters_safely(fresh_db, app_env, served):
    app_env(fresh_db)
    at = signed_in_app("admin")
    open_page(at, "users")
    add_user_through_form(at, "logged", "hr", "long enough pw")
    assert not errors(at)
    open_page(at, "audit_log")
    wh = app_wh(fresh_db)
    total = wh.scalar("SELECT count(*) FROM audit_log")
    frame = at.dataframe[0].value
    rows = frame[
        (frame[column_label("action", "en")] == "Account added")  # the code user.add, in words
        & (frame[column_label("entity", "en")] == "logged")
    ]
    assert list(rows[column_label("actor", "en")]) == ["admin"]
    # The detail reads as words, not JSON: {"role": "hr", "clients": [], "teams": []}
    assert list(rows[column_label("detail", "en")]) == ["Role: hr"]
    # Nothing on the page edits: no editor, no button but the downloads and signing out.
    assert not at.data_editor
    assert [b.key for b in at.button] == ["sign_out"]
    assert {b.key for b in at.download_button} == {"dl_audit_log_csv", "dl_audit_log_xlsx"}
    csv = read_download(download(at, "dl_audit_log_csv", served), "csv")
    assert "logged" in set(csv[column_label("entity", "en")])
    for text in SQL_LOOKING:
        for key in ("log_actor", "log_action"):
            at.text_input(key=key).input(text).run()
            assert_clean(at)
            assert at.dataframe[0].value.empty, (key, text)
            at.text_input(key=key).input("").run()
    assert wh.scalar("SELECT count(*) FROM audit_log") >= total
    assert wh.scalar("SELECT count(*) FROM users") == len(pages.ROLES) + 1


def test_no_code_changes_or_deletes_the_audit_log():
    sources = [ROOT / "app.py", *(ROOT / "views").glob("*.py"), *(ROOT / "csdata").glob("*.py")]
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE)\s+\"?audit_log", re.I)
    offenders = [p.name for p in sources if pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders


# -- 7. policy page ----------------------------------------------------------------------------


def editor_key(at: AppTest, table: str) -> str:
    [key] = [d.key for d in at.data_editor if d.key and d.key.startswith(f"policy_{table}_")]
    return key


def pass_mark_input(at: AppTest):
    [widget] = [n for n in at.number_input if n.label == t("policy_pass_mark", "en")]
    return widget


def policy_page(db, app_env) -> tuple[AppTest, Warehouse, int]:
    """The admin on the policy page; the app's warehouse; the policy versions saved so far."""
    app_env(db)
    at = signed_in_app("admin")
    open_page(at, "policy")
    wh = app_wh(db)
    return at, wh, wh.scalar("SELECT count(*) FROM policy_versions")


def test_policy_page_saves_only_valid_policies(fresh_db, app_env):
    at, wh, versions = policy_page(fresh_db, app_env)
    key = editor_key(at, "criteria")
    at.run()
    assert editor_key(at, "criteria") == key, "an editor's key must survive a rerun, or its edits are lost"
    criteria = at.data_editor(key=key).value
    assert list(criteria["weight"]) == [25.0, 20.0, 30.0, 15.0, 10.0]

    # Weights that add up to 90 (25 -> 15): refused, naming the scorecard, and nothing saved.
    at.session_state[key] = {"edited_rows": {0: {"weight": 15.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="policy_save").click().run()
    assert_clean(at)
    [message] = errors(at)
    assert message.startswith(t("policy_invalid", "en"))
    assert "QA scorecard: the weights must add up to 100 (they add up to 90)" in message
    assert not at.success
    assert wh.scalar("SELECT count(*) FROM policy_versions") == versions
    assert not audit_rows(wh, "policy.save", "policy_versions")[versions:]

    # A valid change: weights that add up again, a new pass mark, and an SQL-looking label.
    label = "Tone'); DROP TABLE policy_versions; --"
    at.session_state[key] = {
        "edited_rows": {0: {"weight": 30.0, "label_en": label}, 1: {"weight": 15.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    pass_mark_input(at).set_value(90.0)
    at.button(key="policy_save").click().run()
    assert_clean(at)
    assert not errors(at)
    assert [s.value for s in at.success] == [t("policy_saved", "en", version=versions + 1)]
    assert wh.scalar("SELECT count(*) FROM policy_versions") == versions + 1
    body = json.loads(wh.scalar("SELECT body FROM policy_versions ORDER BY version DESC LIMIT 1"))
    assert body["scorecard"]["pass_mark"] == 90.0
    assert [c["weight"] for c in body["scorecard"]["criteria"]] == [30.0, 15.0, 30.0, 15.0, 10.0]
    assert body["scorecard"]["criteria"][0]["label_en"] == label
    saves = audit_rows(wh, "policy.save", "policy_versions")
    actor, when, _, detail = saves[-1]
    assert actor == "admin" and json.loads(detail)["version"] == versions + 1
    assert when >= dt.datetime.now() - dt.timedelta(minutes=5)

    # The same run shows the new version, with fresh editors.
    assert list(at.data_editor(key=editor_key(at, "criteria")).value["weight"]) == [
        30.0,
        15.0,
        30.0,
        15.0,
        10.0,
    ]
    assert pass_mark_input(at).value == 90.0


def edit(at: AppTest, table: str, rows: dict[int, dict]) -> AppTest:
    """Change cells of a policy table as a person would in its editor, and rerun."""
    at.session_state[editor_key(at, table)] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def target_row(at: AppTest, metric: str) -> tuple[int, float]:
    """The row of `metric` in the company targets table, and the target shown there."""
    frame = at.data_editor(key=editor_key(at, "targets")).value
    [row] = frame.index[frame["metric"] == metric]
    return int(row), float(frame.loc[row, "target"])


def unsaved_marked(at: AppTest) -> bool:
    """Whether the page marks unsaved changes, with Save as the primary button to match."""
    badge = any(t("policy_unsaved", "en") in m.value for m in at.markdown)
    assert (at.button(key="policy_save").proto.type == "primary") == badge
    return badge


def version_caption(at: AppTest) -> str:
    [caption] = [shown(c.value) for c in at.caption if shown(c.value).startswith("Version ")]
    return caption


def stored(wh: Warehouse) -> tuple[int, dict]:
    """The newest stored version: its number and its body."""
    version, body = wh.rows("SELECT version, body FROM policy_versions ORDER BY version DESC LIMIT 1")[0]
    return version, json.loads(body)


def card_target(at: AppTest, metric: str) -> str:
    """The target line under the overview's card for `metric`."""
    label = CATALOG[metric].short_label("en")

    def walk(node):
        children = list(getattr(node, "children", {}).values())
        if any(getattr(c, "type", None) == "metric" and c.label == label for c in children):
            yield from (shown(c.value) for c in children if getattr(c, "type", None) == "caption")
        for child in children:
            yield from walk(child)

    [line] = walk(at.main)
    return line


def test_policy_rates_are_entered_in_percent(fresh_db, app_env):
    at, wh, versions = policy_page(fresh_db, app_env)
    row, shown_target = target_row(at, "csat_pct")
    assert shown_target == 85.0, "stored 0.85, entered and shown as 85 (%)"
    assert at.data_editor(key=editor_key(at, "targets")).value.loc[row, "unit"] == "rate"
    assert version_caption(at).startswith(f"Version {versions},")
    assert not unsaved_marked(at)

    # In force from before the end of the overview's default period, so the overview uses it.
    at.date_input(key="policy_from").set_value(DEMO_AS_OF - dt.timedelta(days=60))
    edit(at, "targets", {row: {"target": 87.0}})
    assert_clean(at)
    assert unsaved_marked(at)
    at.button(key="policy_save").click().run()
    assert_clean(at)
    assert not errors(at)
    # The same run: the confirmation, the new version in the caption, the tables from it.
    assert [s.value for s in at.success] == [t("policy_saved", "en", version=versions + 1)]
    assert version_caption(at).startswith(f"Version {versions + 1},")
    assert target_row(at, "csat_pct") == (row, 87.0)
    assert not unsaved_marked(at)
    version, body = stored(wh)
    assert (version, body["targets"]["csat_pct"]) == (versions + 1, 0.87)
    changes = json.loads(audit_rows(wh, "policy.save", "policy_versions")[-1][3])["changes"]
    assert "targets.csat_pct: 85 % → 87 %" in changes

    open_page(at, "overview")
    assert card_target(at, "csat_pct").startswith("Target 87.0%")

    # 85 typed for the CSAT target is 85 %: stored 0.85, never 85.0 (= 8500 %).
    open_page(at, "policy")
    at.date_input(key="policy_from").set_value(DEMO_AS_OF - dt.timedelta(days=30))
    edit(at, "targets", {row: {"target": 85.0}})
    at.button(key="policy_save").click().run()
    assert_clean(at)
    assert not errors(at)
    version, body = stored(wh)
    assert (version, body["targets"]["csat_pct"]) == (versions + 2, 0.85)
    open_page(at, "overview")
    assert card_target(at, "csat_pct").startswith("Target 85.0%")


def test_policy_refuses_impossible_numbers_naming_the_field(fresh_db, app_env):
    at, wh, versions = policy_page(fresh_db, app_env)
    row, _ = target_row(at, "csat_pct")
    before = stored(wh)
    cases = [
        (
            "targets",
            {row: {"target": 150.0}},
            "Company targets › CSAT (4–5): 150 % is not a percentage from 0 to 100",
        ),
        ("sla", {0: {"seconds": 0}}, "Service-level threshold › Phone: 0 s must be more than 0 seconds"),
        (
            "indicators",
            {3: {"weight": 5.0}},
            "Appraisal indicators: the weights must add up to 100 (they add up to 90)",
        ),
        ("bands", {3: {"coefficient": -0.5}}, "Grade bands › row 4 › Coefficient: must be at least 0"),
    ]
    for table, rows, wanted in cases:
        at = edit(at, table, rows)
        assert unsaved_marked(at)
        at.button(key="policy_save").click().run()
        assert_clean(at)
        [message] = errors(at)
        assert message.startswith(t("policy_invalid", "en")) and wanted in message, (table, message)
        assert not at.success
        assert stored(wh) == before, "nothing saved"
        assert version_caption(at).startswith(f"Version {versions},")
        edit(at, table, {})
    assert not audit_rows(wh, "policy.save", "policy_versions")[versions:]


def test_a_version_saved_with_a_rate_of_85_opens_and_is_corrected(fresh_db, app_env):
    """What the defect left behind: version N with a CSAT target of 85 (8500 %)."""
    at, wh, versions = policy_page(fresh_db, app_env)
    _, body = stored(wh)
    body["targets"]["csat_pct"] = 85
    body["effective_from"] = dt.date.today().isoformat()
    with wh.transaction("admin", "fixture") as w:
        w.execute(
            "INSERT INTO policy_versions (version, effective_from, body, created_by) VALUES (?, ?, ?, 'admin')",
            [versions + 1, dt.date.today(), json.dumps(body)],
        )
    at.run()
    assert_clean(at)
    row, shown_target = target_row(at, "csat_pct")
    assert shown_target == 8500.0, "shown as it was saved, to be seen and corrected"
    assert not unsaved_marked(at), "nothing edited yet"
    at.button(key="policy_save").click().run()
    [message] = errors(at)
    assert "Company targets › CSAT (4–5): 8500 % is not a percentage from 0 to 100" in message
    assert stored(wh)[0] == versions + 1
    edit(at, "targets", {row: {"target": 85.0}})
    assert unsaved_marked(at)
    at.button(key="policy_save").click().run()
    assert_clean(at)
    assert not errors(at)
    assert stored(wh)[0] == versions + 2 and stored(wh)[1]["targets"]["csat_pct"] == 0.85
    changes = json.loads(audit_rows(wh, "policy.save", "policy_versions")[-1][3])["changes"]
    assert changes == ["targets.csat_pct: 8500 % → 85 %"]
    assert not unsaved_marked(at)


def test_policy_file_with_a_rate_of_85_is_refused(fresh_db, app_env):
    at, wh, versions = policy_page(fresh_db, app_env)
    _, body = stored(wh)
    body["targets"]["csat_pct"] = 85  # a fraction field given a percentage: 8500 %
    content = json.dumps(body).encode()
    at.file_uploader(key="policy_upload").set_value(("csat.json", content, "application/json")).run()
    assert_clean(at)
    [message] = errors(at)
    assert message.startswith(t("policy_file_breaks_rules", "en"))
    assert "Company targets › CSAT (4–5): 8500 % is not a percentage from 0 to 100" in message
    assert not at.info, "not loaded for review"
    assert wh.scalar("SELECT count(*) FROM policy_versions") == versions


def test_policy_upload_of_a_non_policy_file_changes_nothing(fresh_db, app_env):
    at, wh, versions = policy_page(fresh_db, app_env)
    for name, content in [
        ("evil.json", b'{"sla_seconds": "\'; DROP TABLE policy_versions; --"}'),
        ("binary.json", b"\xff\xfe\x00garbage"),
    ]:
        at.file_uploader(key="policy_upload").set_value((name, content, "application/json")).run()
        assert_clean(at)
        assert errors(at) == [t("policy_bad_file", "en")], name
    assert wh.scalar("SELECT count(*) FROM policy_versions") == versions


# -- 8. idle sign-out ------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "idle"), [(None, 31), ("5", 6)])
def test_idle_session_is_signed_out(shared_db, app_env, monkeypatch, setting, idle):
    app_env(shared_db)
    if setting is not None:
        monkeypatch.setenv("CSDATA_IDLE_MINUTES", setting)
    minutes = int(setting or 30)
    at = new_app("en", "admin")
    token, wh = at.session_state[signin.TOKEN], app_wh(shared_db)

    def last_seen(ago: int) -> None:  # the server session's last use, `ago` minutes back
        with wh.transaction("test", "fixture", logged=False) as w:
            w.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                [dt.datetime.now() - dt.timedelta(minutes=ago), sessions.token_hash(token)],
            )

    last_seen(minutes - 1)
    at.run()
    assert_clean(at)
    assert titles(at) == [t("overview_title", "en")], "active within the limit: still signed in"
    last_seen(idle)
    at.run()
    assert_clean(at)
    assert "username" not in at.session_state
    assert titles(at) == [t("sign_in_title", "en")]
    assert [i.value for i in at.info] == [t("session_expired", "en", minutes=minutes)]
    assert not at.metric and not at.dataframe


def test_sign_out_and_closing_the_account_end_its_other_sessions(fresh_db, app_env):
    """Another browser of the same account is signed out at its next run, with a note."""
    app_env(fresh_db)
    wh = app_wh(fresh_db)
    here = signed_in_app("exec")
    there = new_app("en", "exec").run()
    assert titles(there) == [t("overview_title", "en")]
    here.button(key="sign_out").click().run()
    assert_clean(here)
    assert titles(here) == [t("sign_in_title", "en")]
    assert not wh.scalar("SELECT count(*) FROM sessions WHERE username = 'exec' AND ended_at IS NULL")
    there.run()
    assert_clean(there)
    assert "username" not in there.session_state
    assert titles(there) == [t("sign_in_title", "en")]
    assert [i.value for i in there.info] == [t("session_ended", "en")]
    # An account closed by an admin: signed out at once too.
    there = sign_in(there, "exec", DEMO_PASSWORD)
    assert titles(there) == [t("overview_title", "en")]
    auth.set_active(wh, "admin", "exec", False)
    there.run()
    assert titles(there) == [t("sign_in_title", "en")]
    assert [i.value for i in there.info] == [t("session_ended", "en")]
    auth.set_active(wh, "admin", "exec", True)


# -- 9. formula-looking cells are inert in exports -------------------------------------------------


@pytest.fixture
def formula_dbs(sample_db, tmp_path) -> tuple[Path, Path, str]:
    """Two copies of a warehouse where an appraised employee is called `=HYPERLINK(...)`: one for
    the app, one for the CLI (the app's lock would keep the CLI out of the first)."""
    path = _copy(sample_db, tmp_path / "app", "formula.duckdb")
    wh = Warehouse(path)
    try:
        employee = wh.scalar(
            "SELECT employee_id FROM appraisals WHERE period = (SELECT period FROM appraisals a"
            " JOIN appraisal_periods p USING (period) ORDER BY p.ends_on DESC LIMIT 1)"
            " ORDER BY employee_id LIMIT 1"
        )
        with wh.transaction("test", "fixture") as w:
            w.execute("UPDATE employees SET name = ? WHERE employee_id = ?", [FORMULA, employee])
    finally:
        wh.close()
    cli_copy = tmp_path / "cli" / "formula.duckdb"
    cli_copy.parent.mkdir()
    shutil.copyfile(path, cli_copy)
    return path, cli_copy, employee


def test_pay_download_makes_formulas_inert(formula_dbs, app_env, served):
    app_db, _, employee = formula_dbs
    app_env(app_db)
    at = new_app("en", "hr").run()
    open_page(at, "pay")
    name, eid = column_label("name", "en"), column_label("employee_id", "en")
    shown = at.dataframe[0].value
    assert shown.loc[shown[eid] == employee, name].tolist() == [FORMULA], "the screen shows the name as typed"
    name, eid = "name", "employee_id"  # the payroll's files keep its own column names
    csv = read_download(download(at, "dl_pay_csv", served), "csv")
    assert csv.loc[csv[eid] == employee, name].tolist() == ["'" + FORMULA]
    book = openpyxl.load_workbook(io.BytesIO(download(at, "dl_pay_xlsx", served)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    cells = [
        row[header.index(name)]
        for row in sheet.iter_rows(min_row=2)
        if row[header.index(eid)].value == employee
    ]
    [cell] = cells
    assert cell.value == "'" + FORMULA and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_makes_formulas_inert(formula_dbs, tmp_path, fmt):
    _, db, employee = formula_dbs
    out = tmp_path / f"employees.{fmt}"
    result = run_cli("export", "employees", "--db", str(db), "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    if fmt == "csv":
        frame = read_download(out.read_bytes(), "csv")
        assert frame.loc[frame["employee_id"] == employee, "name"].tolist() == ["'" + FORMULA]
    else:
        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in sheet[1]]
        [cell] = [r[header.index("name")] for r in sheet.iter_rows(min_row=2) if r[0].value == employee]
        assert cell.value == "'" + FORMULA and cell.data_type == "s"
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


# -- the demo accounts are named only on the demo warehouse ---------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_accounts_are_named_only_on_the_demo_warehouse(shared_db, app_env, tmp_path, lang):
    app_env(shared_db)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert_clean(at)
    assert t("demo_accounts", lang) in [c.value for c in at.caption]

    real = tmp_path / "real.duckdb"
    wh = Warehouse(real, create=True)
    auth.add_user(wh, "test", "admin", "admin", "a long password")
    wh.close()
    app_env(real)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    assert_clean(at)
    assert titles(at) == [t("sign_in_title", lang)]
    assert "demo" not in shown_text(at).lower().replace("csdata", "")


@pytest.mark.parametrize("role", ["supervisor", "client"])
def test_an_account_without_its_limits_is_told_why_it_sees_nothing(fresh_db, app_env, role):
    """A supervisor without teams or a client account without clients (made before limits were
    required) signs in to a warning on every page, not to empty or full dashboards."""
    wh = Warehouse(fresh_db)
    with wh.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO users (username, role, password_hash) VALUES ('bare', ?, ?)",
            [role, auth.hash_password(DEMO_PASSWORD)],
        )
    wh.close()
    app_env(fresh_db)
    at = new_app().run()
    sign_in(at, "bare", DEMO_PASSWORD)
    assert_clean(at)
    expected = t("scope_unassigned", "en", what=t(f"scope_what_{role}", "en"))
    assert expected in [w.value for w in at.warning]
    assert not at.metric  # no cards drawn
    for page in pages_of(role)[1:2]:
        open_page(at, page)
        assert expected in [w.value for w in at.warning] and not at.metric
