"""Cards and tables that say how firm their figures are, through Streamlit's AppTest over a
warehouse built for the purpose: two four-week periods of 400 rated tickets per client whose CSAT
differs by noise only (Steady: 80 % then 82 %) or for real (Moving: 60 % then 85 %), and a client
with a dozen ratings (Small).

Every expected figure comes from the constructed counts through statsmodels (`proportions_ztest`
for the verdict, `proportion_confint(method="wilson")` for the interval), never from the app."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from conftest import download, open_page, point_app_at, shown
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from csdata.access.auth import add_user
from csdata.analytics.metrics import CATALOG
from csdata.policy import default_policy, save_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

BEFORE = dt.date(2026, 2, 2)  # 2 February to 1 March: the period before
NOW = dt.date(2026, 3, 2)  # 2 to 29 March: the period shown
DAYS = 28
MARCH = {"from": NOW.isoformat(), "to": (NOW + dt.timedelta(days=DAYS - 1)).isoformat()}
# client -> (good ratings before, rated before, good ratings now, rated now)
CSAT = {"Steady": (320, 400, 328, 400), "Moving": (240, 400, 340, 400), "Small": (8, 10, 9, 12)}
CSAT_LABEL = CATALOG["csat_pct"].short_label("en")


def _tickets(client: str, start: dt.date, good: int, rated: int) -> list[dict]:
    """`rated` chat tickets spread over the 28 days from `start`, each answered in 30 s (inside
    chat's 60 s), the first `good` rated 5 and the rest 2."""
    rows = []
    for i in range(rated):
        opened = dt.datetime.combine(start + dt.timedelta(days=i % DAYS), dt.time(9 + i % 8, i % 60))
        rows.append(
            {
                "ticket_id": f"{client}-{start:%m}-{i}",
                "client": client,
                "channel": "chat",
                "type": "consultation",
                "opened_at": opened,
                "first_response_at": opened + dt.timedelta(seconds=30),
                "handle_seconds": 300,
                "csat": 5 if i < good else 2,
            }
        )
    return rows


@pytest.fixture(scope="module")
def cards_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cards") / "cards.duckdb"
    wh = Warehouse(path, create=True)
    save_policy(wh, default_policy(), "test")
    add_user(wh, "test", "admin", "admin", "long enough password")
    rows = []
    for client, (good_before, rated_before, good_now, rated_now) in CSAT.items():
        rows += _tickets(client, BEFORE, good_before, rated_before) + _tickets(
            client, NOW, good_now, rated_now
        )
    with wh.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO clients (name, industry) VALUES ('Steady', 'retail'), ('Moving', 'bank'), ('Small', 'bank')"
        )
        w.insert_df("tickets", pd.DataFrame(rows))
    wh.close()
    return path


@pytest.fixture
def app(cards_db, monkeypatch):
    point_app_at(monkeypatch, cards_db)


def _card(at, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def _read(caption: str) -> str:
    """A caption as read: the no-break joints that keep "few data" whole are not seen."""
    return caption.replace("\u2060", "").replace("\u00a0", " ")


def _p(client: str) -> float:
    good_before, rated_before, good_now, rated_now = CSAT[client]
    return proportions_ztest([good_now, good_before], [rated_now, rated_before])[1]


def test_a_change_within_the_noise_says_no_clear_change(app):
    assert _p("Steady") > 0.05, "the construction: 80 % and 82 % of 400 differ by noise only"
    at = open_page("overview", query={**MARCH, "client": "Steady"})
    card = _card(at, CSAT_LABEL)
    assert card.value == "82.0%"
    assert card.delta == t("no_clear_change", "en")
    help_text = shown(card.help)
    assert "+2.0 pp" in help_text, help_text  # the delta, in grey in the help
    assert "no clear change" in help_text


def test_a_real_change_shows_its_arrow(app):
    assert _p("Moving") < 0.05, "the construction: 60 % and 85 % of 400 differ for real"
    at = open_page("overview", query={**MARCH, "client": "Moving"})
    card = _card(at, CSAT_LABEL)
    assert card.value == "85.0%"
    assert card.delta == "+25.0 pp"  # (340 − 240) / 400
    assert "no clear change" not in shown(card.help)
    assert not any(m.delta == t("no_clear_change", "en") for m in at.metric if m.label == CSAT_LABEL)


@pytest.mark.parametrize("client", ["Steady", "Moving"])
def test_the_card_help_has_the_wilson_interval_and_n(app, client):
    good, rated = CSAT[client][2:]
    low, high = proportion_confint(good, rated, alpha=0.05, method="wilson")
    at = open_page("overview", query={**MARCH, "client": client})
    help_text = shown(_card(at, CSAT_LABEL).help)
    found = re.search(r"95 % interval: ([\d.]+)% – ([\d.]+)% \(n = ([\d,]+)\)", help_text)
    assert found, help_text
    assert float(found[1]) == pytest.approx(low * 100, abs=0.05)
    assert float(found[2]) == pytest.approx(high * 100, abs=0.05)
    assert int(found[3].replace(",", "")) == rated
    assert "95 % confidence" in help_text  # what the interval means, in a plain sentence


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_card_on_few_cases_shows_few_data(app, lang):
    at = open_page("overview", lang, query={**MARCH, "client": "Small"})
    # Each card's caption follows the filter bar's: the cards' captions in the cards' order.
    captions = {m.label: _read(c.value) for m, c in zip(at.metric, at.caption[1:], strict=False)}
    few = t("few_data", lang)
    assert few in captions[CATALOG["csat_pct"].short_label(lang)]  # 12 ratings, below 30
    assert few not in captions[CATALOG["offered"].short_label(lang)]  # a count rests on no sample
    at = open_page("overview", lang, query={**MARCH, "client": "Steady"})
    assert not any(few in _read(c.value) for c in at.caption)


def test_the_downloaded_drill_table_has_each_rows_interval_and_n(app, served):
    at = open_page("overview", query=MARCH)
    table = pd.read_csv(io.BytesIO(download(at, "dl_drill_client_csv", served)), encoding="utf-8-sig")
    rows = table.set_index(t("client", "en"))
    assert set(rows.index) == set(CSAT)
    for client, (_, _, good, rated) in CSAT.items():
        low, high = proportion_confint(good, rated, alpha=0.05, method="wilson")
        assert rows.loc[client, f"{CSAT_LABEL} (%)"] == pytest.approx(100 * good / rated)
        assert rows.loc[client, f"{CSAT_LABEL} · 95 % low (%)"] == pytest.approx(100 * low)
        assert rows.loc[client, f"{CSAT_LABEL} · 95 % high (%)"] == pytest.approx(100 * high)
        assert rows.loc[client, f"{CSAT_LABEL} · n"] == rated
        # Every ticket answered inside its threshold: service level 100 %, its interval Wilson's
        # of rated / rated (not a degenerate 100 – 100).
        sl = CATALOG["service_level"].short_label("en")
        low, _ = proportion_confint(rated, rated, alpha=0.05, method="wilson")
        assert rows.loc[client, f"{sl} · 95 % low (%)"] == pytest.approx(100 * low)
        assert rows.loc[client, f"{sl} · n"] == rated
    # On screen: the interval beside CSAT, Small's marked few data.
    screen = at.dataframe[0].value
    screen = getattr(screen, "data", screen).set_index(t("client", "en"))
    cell = screen.loc["Small", f"{CSAT_LABEL} · 95 % interval"]
    assert cell.startswith("few data · "), cell
    assert not screen.loc["Steady", f"{CSAT_LABEL} · 95 % interval"].startswith("few data")


def test_the_scorecard_shows_and_downloads_each_rows_interval(app, served):
    good, rated = CSAT["Steady"][2:]
    low, high = proportion_confint(good, rated, alpha=0.05, method="wilson")
    at = open_page("clients", query={**MARCH, "client": "Steady"})
    table = pd.read_csv(io.BytesIO(download(at, "dl_scorecard_csv", served)), encoding="utf-8-sig")
    row = table.set_index(t("col_metric", "en")).loc[CSAT_LABEL]
    assert row[t("col_unit", "en")] == "%"
    assert row[t("ci_low", "en")] == pytest.approx(100 * low)
    assert row[t("ci_high", "en")] == pytest.approx(100 * high)
    assert row[t("ci_n", "en")] == rated
    screen = at.dataframe[0].value.set_index(t("col_metric", "en"))
    assert screen.loc[CSAT_LABEL, t("ci_95", "en")] == f"{100 * low:.1f}% – {100 * high:.1f}%"


def test_a_mean_of_cases_with_no_spread_has_an_interval_of_no_width(app):
    # Every ticket was handled in 300 s: the mean is 5.0 min, and so are both ends of its interval.
    at = open_page("overview", query={**MARCH, "client": "Steady"})
    label = f"{CATALOG['aht'].short_label('en')} · {t('channel_chat', 'en')}"
    card = _card(at, label)
    assert card.value == "5.0 min"
    assert "95 % interval: 5.0 min – 5.0 min (n = 400)" in shown(card.help)
    assert card.delta == t("no_clear_change", "en")  # 300 s before and after: nothing changed
