"""Every page, in-process through Streamlit's AppTest: runs clean in both languages, shows the same
numbers as `csdata kpi`, and meets an empty or missing warehouse with a message, not a traceback."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from conftest import (
    ROOT,
    cli_values,
    expected_cards,
    point_app_at,
    private_copy,
    shown,
    shown_cards,
    sign_in_as,
)
from scipy import stats as sps
from statsmodels.stats.proportion import proportions_ztest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from csdata.access.auth import add_user
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG, HEADLINE
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import LANGS, duration_unit, fmt_change, t

APP = ROOT / "app.py"
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "views").glob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")
Direction = MetricProto.MetricDirection
Colour = MetricProto.MetricColor


@pytest.fixture(scope="module")
def app_db(sample_db, tmp_path_factory) -> Path:
    return private_copy(sample_db, tmp_path_factory, "pages")


@pytest.fixture
def app_env(monkeypatch):
    return lambda db: point_app_at(monkeypatch, db)


def run_app(lang: str = "en", page: str | None = None, user: str | None = "admin") -> AppTest:
    """The app, already signed in as `user` (a demo account); the sign-in form has its own tests."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    if user is not None:
        sign_in_as(at, user)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def assert_clean(at: AppTest) -> None:
    errors = [e.value for e in at.exception]
    assert not errors, f"the page raised: {errors}"


def texts(at: AppTest) -> list[str]:
    """What a reader sees as headings, captions, metric labels and messages."""
    found = [
        e.value for kind in ("title", "header", "subheader", "caption", "markdown") for e in at.get(kind)
    ]
    found += [m.label for m in at.metric] + [e.value for e in (*at.info, *at.warning, *at.error)]
    return found


# -- (a) every page runs in both languages ------------------------------------------------------


def test_pages_found():
    from csdata.pages import PAGES as TABLE
    from csdata.pages import SECTIONS

    assert "views/overview.py" in PAGES
    registered = {p.file for p in TABLE.values()}
    assert registered == set(PAGES), "every view is registered for navigation, and only views"
    assert all(p.roles for p in TABLE.values()), "every page has an access rule"
    assert all(p.section in SECTIONS for p in TABLE.values()), "every page sits in a navigation section"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app_db, app_env, page, lang):
    app_env(app_db)
    at = run_app(lang, page)
    assert_clean(at)
    assert at.session_state["lang"] == lang
    # The frame (app.py) ran around the page: the language switch is there, in this language.
    assert at.sidebar.radio(key="_lang_choice").value == lang
    assert at.sidebar.radio(key="_lang_choice").label == t("language", lang)
    assert at.title, f"{page} has no title"
    headings = [e.value for e in at.title]
    if lang == "zh":
        assert any(CJK.search(h) for h in headings), f"{page} title is not in Chinese: {headings}"
    else:
        assert not any(CJK.search(h) for h in headings), f"{page} title is not in English: {headings}"


def test_overview_in_chinese(app_db, app_env):
    """Switching with the sidebar radio, as a user does, turns the overview into Chinese and keeps
    the filters and the chosen trend metric."""
    app_env(app_db)
    at = run_app("en")
    assert [e.value for e in at.title] == [t("overview_title", "en")]
    client = at.multiselect(key="f_clients").options[-1]
    at.multiselect(key="f_clients").set_value([client]).run()
    at.selectbox(key="trend_metric").set_value("aht").run()
    radio = at.sidebar.radio(key="_lang_choice")
    assert radio.options == ["English", "中文"]
    radio.set_value("zh").run()
    assert_clean(at)
    assert at.session_state["lang"] == "zh"
    assert at.sidebar.radio(key="_lang_choice").label == "语言"
    assert [e.value for e in at.title] == ["服务总览"]
    labels = [m.label for m in at.metric]
    assert labels == list(expected_cards(lambda ch: dict.fromkeys([*HEADLINE], 1.0), HEADLINE, (), "zh"))
    assert "服务水平" in labels
    assert t("drill_team_title", "zh") in texts(at)  # one client chosen: its teams
    assert at.multiselect(key="f_clients").value == [client]
    assert at.selectbox(key="trend_metric").value == "aht"
    assert shown(at.caption[0].value).startswith(f"{at.date_input(key='f_period').value[0]} 至 ")
    assert f"{client} · 全部渠道" in at.caption[0].value
    # Units are translated too: durations read 秒 / 分钟 / 小时, not s / min / h.
    waits = (CATALOG["asa"].short_label("zh"), CATALOG["aht"].short_label("zh"))
    durations = [m.value for m in at.metric if m.label.startswith(waits)]
    assert len(durations) == 6, "a card per channel for each of the two"
    assert all(re.search(r"秒|分钟|小时|–", v) for v in durations), durations


# -- (b) the cards show what `csdata kpi` prints --------------------------------------------------


@pytest.mark.parametrize("selection", ["all", "one_client", "one_channel"])
def test_cards_equal_cli(app_db, app_env, sample_db, selection):
    app_env(app_db)
    at = run_app("en")
    assert_clean(at)
    start, end = at.date_input(key="f_period").value
    assert (end - start).days + 1 <= 90
    clients: list[str] = []
    channels: list[str] = []
    if selection == "one_client":
        options = at.multiselect(key="f_clients").options
        assert options, "the clients filter offers no client"
        clients = [options[0]]
        at.multiselect(key="f_clients").set_value(clients).run()
    elif selection == "one_channel":
        channels = ["phone"]
        at.multiselect(key="f_channels").set_value(channels).run()
    assert_clean(at)
    assert at.date_input(key="f_period").value == (start, end)
    shown = shown_cards(at)

    def values_for(chosen):
        return cli_values(sample_db, start, end, clients, chosen)

    assert shown == expected_cards(values_for, HEADLINE, channels)
    if selection == "all":  # the demo has tickets, audits and complaints in any 90 days
        assert all(v != "–" for v in shown.values()), shown
    # The same numbers in Chinese, with the same filters still applied.
    at.sidebar.radio(key="_lang_choice").set_value("zh").run()
    assert_clean(at)
    assert shown_cards(at, "zh") == expected_cards(values_for, HEADLINE, channels, "zh")


def _kpi_ci(db: Path, start, end, channels=()) -> dict[str, dict]:
    """The headline metrics with their intervals and n, as `csdata kpi --ci --json` prints them."""
    return cli_values(db, start, end, channels=channels, ci=True)


def _clear(name: str, now: dict, before: dict) -> bool | None:
    """Whether the change is clear at 5 %, worked out from the printed figures with statsmodels and
    scipy: a rate's cases counted back from its value and n (two-proportion z test), a mean's
    standard deviation from its t interval's half-width (Welch's t test); None for a figure no test
    applies to."""
    kind = CATALOG[name].sample.kind if CATALOG[name].sample else None
    if kind == "wilson":
        hits = [round(x["value"] * x["n"]) for x in (now, before)]
        return bool(proportions_ztest(hits, [now["n"], before["n"]])[1] < 0.05)
    if kind == "t":
        sd = [
            (x["high"] - x["low"]) / 2 / sps.t.ppf(0.975, x["n"] - 1) * math.sqrt(x["n"])
            for x in (now, before)
        ]
        p = sps.ttest_ind_from_stats(
            now["value"], sd[0], now["n"], before["value"], sd[1], before["n"], False
        )
        return bool(p.pvalue < 0.05)
    return None


def test_card_arrows_follow_the_change(app_db, app_env, sample_db):
    """Each card's delta: the change since the previous period of the same length (as `csdata kpi`
    computes it), its arrow pointing the way the number moved, green when that is good news, for a
    rate or a mean only when a test calls the change clear (else "no clear change", grey, no
    arrow); a figure no test applies to keeps a grey delta."""
    app_env(app_db)
    at = run_app("en")
    assert_clean(at)
    start, end = at.date_input(key="f_period").value
    prev = Filters(start, end).previous()
    cards = {CATALOG[m].short_label("en"): m for m in HEADLINE}
    channels = {t(f"channel_{c}", "en"): c for c in ("phone", "chat", "email")}
    asked: dict[tuple[str, ...], tuple[dict, dict]] = {}
    checked = unclear = 0
    for card in at.metric:
        label, _, channel = card.label.partition(" · ")  # a wait or handle time: per channel
        name = cards[label]
        metric = CATALOG[name]
        chosen = (channels[channel],) if channel else ()
        if chosen not in asked:
            asked[chosen] = (
                _kpi_ci(sample_db, start, end, chosen),
                _kpi_ci(sample_db, prev.start, prev.end, chosen),
            )
        now, before = asked[chosen]
        if now[name]["value"] is None or before[name]["value"] is None:
            assert not card.proto.delta, f"{name}: a change without two values"
            continue
        clear = _clear(name, now[name], before[name])
        if clear is False:
            assert card.proto.delta == t("no_clear_change", "en"), (name, card.proto.delta)
            assert card.proto.color == Colour.GRAY and card.proto.direction == Direction.NONE, name
            unclear += 1
            continue
        change = now[name]["value"] - before[name]["value"]
        duration = duration_unit(now[name]["value"]) if metric.unit == "seconds" else None  # the value's unit
        text = fmt_change(change, metric.unit, "en", duration)
        assert card.proto.delta.lstrip("+-−") == text.lstrip("+-−"), (name, card.proto.delta, text)
        if text.lstrip("+-−") == fmt_change(0.0, metric.unit, "en", duration).lstrip("+"):
            continue  # rounds to nothing: either arrow is fine
        up = change > 0
        assert card.proto.direction == (Direction.UP if up else Direction.DOWN), (name, card.proto.delta)
        good = {1: up, -1: not up, 0: None}[metric.direction] if clear else None  # untested: grey
        colour = {True: Colour.GREEN, False: Colour.RED, None: Colour.GRAY}[good]
        assert card.proto.color == colour, (name, card.proto.delta, Colour.Name(card.proto.color))
        checked += 1
    assert checked >= 2 and unclear >= 1, ("too few cards to check", checked, unclear)


# -- (c) no data, no warehouse ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_empty_warehouse_says_so(app_env, tmp_path, lang):
    path = tmp_path / "empty.duckdb"
    wh = Warehouse(path, create=True)
    add_user(wh, "test", "admin", "admin", "long enough password")
    wh.close()
    app_env(path)
    at = run_app(lang)
    assert_clean(at)
    assert [e.value for e in at.info] == [t("empty_warehouse", lang)]
    assert not at.metric
    assert not at.error


@pytest.mark.parametrize("lang", LANGS)
def test_missing_warehouse_says_so(app_env, tmp_path, lang):
    path = tmp_path / "nowhere" / "missing.duckdb"
    app_env(path)
    at = run_app(lang)
    assert_clean(at)
    assert [shown(e.value) for e in at.error] == [shown(t("err_no_warehouse", lang, path=str(path)))]
    assert not at.metric
    assert not path.exists(), "opening the app must not create a warehouse"
