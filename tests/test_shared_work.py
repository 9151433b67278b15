"""What the dashboards work out once and share between sessions (`csdata.ui.core.derived` and
`figure`: the cards, the drill-down table's cells, the trend's figure): a write shows at once in
every one of them, in a new session and in a rerun of one already open, and an account of one
client never gets what was worked out for the whole company.

A warehouse built for the purpose: chat tickets of two clients in March 2026, more of one added
while the app is open. Every expected figure is a count of the rows written here."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from conftest import open_page, point_app_at

from csdata.access.auth import add_user
from csdata.access.scope import EVERYTHING, scope_for
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG
from csdata.analytics.page_queries import Request
from csdata.policy import default_policy, save_policy
from csdata.store.warehouse import Warehouse

START = dt.date(2026, 3, 2)  # a Monday: the four weeks shown
DAYS = 28
MARCH = {"from": START.isoformat(), "to": (START + dt.timedelta(days=DAYS - 1)).isoformat()}
TICKETS = {"Acme": 30, "Globex": 20}
ADDED = 7  # Acme tickets written while the app is open
OFFERED = CATALOG["offered"].short_label("en")


def _tickets(client: str, count: int, first: int = 0) -> pd.DataFrame:
    rows = []
    for i in range(first, first + count):
        opened = dt.datetime.combine(START + dt.timedelta(days=i % DAYS), dt.time(10, i % 60))
        rows.append(
            {
                "ticket_id": f"{client}-{i}",
                "client": client,
                "channel": "chat",
                "type": "consultation",
                "opened_at": opened,
                "first_response_at": opened + dt.timedelta(seconds=30),
                "handle_seconds": 300,
                "csat": 5,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def app(tmp_path, monkeypatch):
    path = tmp_path / "shared.duckdb"
    wh = Warehouse(path, create=True)
    save_policy(wh, default_policy(), "test")
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name, industry) VALUES ('Acme', 'retail'), ('Globex', 'bank')")
        for client, count in TICKETS.items():
            w.insert_df("tickets", _tickets(client, count))
    add_user(wh, "test", "admin", "admin", "long enough password")
    add_user(wh, "test", "acme", "client", "long enough password", clients=["Acme"])
    wh.close()
    point_app_at(monkeypatch, path)
    return path


def _add_acme_tickets(path) -> None:
    """Written through the app's own warehouse (it holds the file), as a page's save is."""
    from csdata.ui import core

    with core._open(str(path)).transaction("test", "tickets.import") as w:
        w.insert_df("tickets", _tickets("Acme", ADDED, first=TICKETS["Acme"]))


def _overview(user: str):
    """The overview of March for `user`, its trend switched to the tickets offered."""
    at = open_page("overview", user=user, query=MARCH)
    at.selectbox(key="trend_metric").set_value("offered").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _seen(at) -> tuple[str, dict[str, str], float]:
    """The offered card, the drill-down table's offered by its first column, the trend's total."""
    card = [m.value for m in at.metric if m.label == OFFERED]
    assert len(card) == 1, [m.label for m in at.metric]
    table = at.dataframe[0].value
    drill = dict(zip(table.iloc[:, 0].astype(str), table[OFFERED].astype(str), strict=True))
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)  # as the browser gets it
    line = [trace for trace in spec["data"] if trace.get("mode") == "lines+markers"]
    assert len(line) == 1, [trace.get("mode") for trace in spec["data"]]
    return card[0], drill, float(sum(_numbers(line[0]["y"])))


def _numbers(values) -> list[float]:
    """A trace's values as plotly's JSON carries them: a list, or an array packed in base 64."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"])))
    return values


def test_a_write_shows_at_once_in_new_sessions_and_reruns(app):
    before = _overview("admin")
    assert _seen(before) == ("50", {"Acme": "30", "Globex": "20"}, 50)
    again = _overview("admin")  # a second session: what the first worked out, the same
    assert _seen(again) == _seen(before)
    _add_acme_tickets(app)
    after = _overview("admin")
    assert _seen(after) == (f"{50 + ADDED}", {"Acme": f"{30 + ADDED}", "Globex": "20"}, 50 + ADDED)
    before.run()  # the session opened before the write, on its next run
    assert not before.exception
    assert _seen(before) == _seen(after)


def test_a_client_account_never_gets_the_company_figures(app):
    company = _overview("admin")
    assert _seen(company)[0] == "50"
    own = _overview("acme")  # the same page and period, straight after
    card, drill, total = _seen(own)
    assert (card, total) == ("30", 30)
    assert "Globex" not in drill and "20" not in drill.values()
    _add_acme_tickets(app)
    assert _seen(_overview("acme"))[0] == f"{30 + ADDED}"


def test_the_key_of_what_is_worked_out_names_scope_version_and_requests():
    from csdata.ui.core import Frames

    march = Filters(START, START + dt.timedelta(days=DAYS - 1))
    request = {"cards": Request(march, ("offered",))}
    company = Frames("w.duckdb", 4, EVERYTHING, request)
    assert company.key(("cards",)) == Frames("w.duckdb", 4, EVERYTHING, request).key(("cards",))
    others = [
        Frames("w.duckdb", 5, EVERYTHING, request),  # after a write
        Frames("w.duckdb", 4, scope_for("client", ("Acme",)), request),  # another scope
        Frames("other.duckdb", 4, EVERYTHING, request),  # another warehouse
        Frames("w.duckdb", 4, EVERYTHING, {"cards": Request(march, ("answered",))}),  # another request
    ]
    assert len({company.key(("cards",)), *(f.key(("cards",)) for f in others)}) == 5
    # A frame the page does not have is part of the key too: it is missing, not ignored.
    assert company.key(("cards", "by_channel")) != company.key(("cards",))
