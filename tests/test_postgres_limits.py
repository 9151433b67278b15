"""What a PostgreSQL warehouse does not do yet says so: a file import and a form's save of a
record (which runs the import's checks on one row) are refused with one clear message in both
languages, and nothing is written."""

from __future__ import annotations

import datetime as dt

import engines
import pytest
from conftest import build_tiny, run_cli

from csdata.access.scope import EVERYTHING
from csdata.imports.ingest import ImportError_
from csdata.records import entry
from csdata.text.i18n import t


@pytest.fixture
def pg(request):
    wh = build_tiny(engines.new_database(request))
    yield wh
    wh.close()


def _state(wh) -> tuple:
    return (
        wh.scalar("SELECT count(*) FROM tickets"),
        wh.scalar("SELECT count(*) FROM audit_log"),
        wh.scalar("SELECT count(*) FROM import_log"),
    )


def test_a_file_import_is_refused_and_writes_nothing(pg, tmp_path):
    before = _state(pg)
    csv = tmp_path / "t.csv"
    csv.write_text("ticket_id,client,channel,type,opened_at\nX1,Acme,phone,inquiry,2026-03-02 09:00:00\n")
    done = run_cli("import", "tickets", str(csv), "--db", pg.address, env={"CSDATA_LANG": "en"})
    assert done.returncode == 2
    assert "not available yet on a PostgreSQL warehouse" in done.stderr
    assert "Traceback" not in done.stderr
    zh = run_cli("import", "tickets", str(csv), "--db", pg.address, env={"CSDATA_LANG": "zh"})
    assert zh.returncode == 2 and "暂不支持导入文件" in zh.stderr
    assert _state(pg) == before


def test_a_form_save_is_refused_and_writes_nothing(pg):
    before = _state(pg)
    values = {
        "ticket_id": "X2",
        "client": "Acme",
        "channel": "phone",
        "type": "inquiry",
        "opened_at": dt.datetime(2026, 3, 2, 9, 0),
    }
    with pytest.raises(ImportError_) as refused:
        entry.save_ticket(pg, "admin", EVERYTHING, values)
    assert t(refused.value.key, "en", **refused.value.params).startswith("importing files, and saving")
    assert _state(pg) == before
