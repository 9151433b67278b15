"""A file import caps DuckDB's memory while it runs (`CSDATA_IMPORT_MEMORY_MB`) and puts the limit
back afterwards, whether it landed or failed; a form's row is never capped."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import build_tiny

from csdata.imports.ingest import ImportError_, import_file

FILE = b"ticket_id,client,channel,type,agent_id,opened_at\nMT1,Acme,phone,consultation,A1,2026-03-05 14:30\n"


def limit(wh) -> str:
    return wh.scalar("SELECT current_setting('memory_limit')")


def test_an_import_caps_memory_while_it_runs_and_restores_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CSDATA_IMPORT_MEMORY_MB", "1536")
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        before = limit(wh)
        seen: list[str] = []
        report = import_file(
            wh, "tickets", FILE, "m.csv", "lead", progress=lambda _f, _s: seen.append(limit(wh))
        )
        assert report.imported == 1
        assert set(seen) == {"1.4 GiB"}  # 1536 MB, as DuckDB shows it (1536 * 10**6 / 2**30)
        assert limit(wh) == before
        with pytest.raises(ImportError_):
            import_file(wh, "tickets", b"\n \n", "blank.csv", "lead")
        assert limit(wh) == before
        wh.cursor().execute("SET memory_limit = '1GB'")  # a lower limit is never raised
        import_file(
            wh,
            "tickets",
            FILE.replace(b"MT1", b"MT2"),
            "m2.csv",
            "lead",
            progress=lambda _f, _s: seen.append(limit(wh)),
        )
        assert seen[-1] == "953.6 MiB" and limit(wh) == "953.6 MiB"
        wh.cursor().execute("RESET memory_limit")
        row = pd.DataFrame([{"ticket_id": "MT3", "client": "Acme", "channel": "chat", "type": "consultation",
                             "opened_at": "2026-03-05 10:00"}])  # fmt: skip
        import_file(wh, "tickets", row, "form", "lead", progress=lambda _f, _s: seen.append(limit(wh)))
        assert seen[-1] == before
    finally:
        wh.close()
