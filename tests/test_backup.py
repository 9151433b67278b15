"""Backup and restore while the app serves; a warehouse in use is never replaced under it.

The "app" here is this test process holding the warehouse read-write, as `csdata serve` does,
with the backup service the app starts; the commands run as real processes beside it.
"""

from __future__ import annotations

import datetime as dt
import json

from conftest import build_tiny, run_cli

from csdata.analytics.compiler import EVERYTHING
from csdata.records import entry
from csdata.store.warehouse import Warehouse


def kpi(db) -> dict:
    done = run_cli("kpi", "--db", str(db), "--from", "2026-01-01", "--to", "2026-12-31", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def new_ticket(wh: Warehouse, ticket_id: str, client: str = "Acme") -> None:
    values = {
        "ticket_id": ticket_id,
        "client": client,
        "channel": "chat",
        "type": "consultation",
        "agent_id": "A1",
        "opened_at": dt.datetime(2026, 3, 30, 10),
    }
    assert entry.save_ticket(wh, "sup", EVERYTHING, values).imported == 1


def test_backup_while_serving_then_restore_gives_the_same_numbers(tmp_path):
    db, copy = tmp_path / "live.duckdb", tmp_path / "copy.duckdb"
    app = build_tiny(db)
    app.serve_backups(every=0.05)
    new_ticket(app, "W1")  # written through the app's own connection, not yet checkpointed
    assert (tmp_path / "live.duckdb.wal").exists()

    done = run_cli("backup", str(copy), "--db", str(db))
    assert done.returncode == 0, done.stderr
    refused = run_cli("backup", str(copy), "--db", str(db))
    assert refused.returncode == 2 and str(copy) in refused.stderr  # an existing file is kept
    # the app holds the file: restoring over it is refused, and nothing changes
    refused = run_cli("restore", str(copy), "--db", str(db))
    assert refused.returncode == 2 and "in use" in refused.stderr
    new_ticket(app, "W2")  # after the backup: not in the copy
    app.close()

    backed_up = Warehouse(copy, read_only=True)
    assert backed_up.column("SELECT ticket_id FROM tickets WHERE ticket_id IN ('W1', 'W2')") == ["W1"]
    backed_up.close()
    after = kpi(db)
    done = run_cli("restore", str(copy), "--db", str(db))
    assert done.returncode == 0, done.stderr
    restored = kpi(db)
    assert restored == kpi(copy)
    assert restored["offered"] == after["offered"] - 1  # W2 is gone again, W1 kept


def test_backup_of_a_warehouse_nobody_holds(tmp_path):
    db, copy = tmp_path / "idle.duckdb", tmp_path / "copy.duckdb"
    build_tiny(db).close()
    done = run_cli("backup", str(copy), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert kpi(copy) == kpi(db)


def test_restore_refuses_what_is_not_a_warehouse(tmp_path):
    db, junk = tmp_path / "idle.duckdb", tmp_path / "junk.duckdb"
    build_tiny(db).close()
    before = kpi(db)
    junk.write_bytes(b"not a database at all")
    refused = run_cli("restore", str(junk), "--db", str(db))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert kpi(db) == before


def test_init_force_refuses_a_warehouse_in_use(tmp_path):
    db = tmp_path / "live.duckdb"
    app = build_tiny(db)
    refused = run_cli("init", "--force", "--sample", "--tickets", "1000", "--db", str(db))
    assert refused.returncode == 2 and "in use" in refused.stderr
    new_ticket(app, "W3")  # the app goes on writing to the same, still present, file
    app.close()
    wh = Warehouse(db, read_only=True)
    assert wh.scalar("SELECT count(*) FROM tickets WHERE ticket_id = 'W3'") == 1
    assert wh.scalar("SELECT count(*) FROM clients") == 2  # not replaced by the demo's eight
    wh.close()


def test_export_to_standard_output(tmp_path):
    db = tmp_path / "idle.duckdb"
    build_tiny(db).close()
    done = run_cli("export", "employees", "--out", "-", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeffemployee_id,")
    assert not (tmp_path / "-").exists() and not (db.parent.parent / "-").exists()
    assert len(done.stdout.strip().splitlines()) == 1 + 9  # the header and the nine employees
