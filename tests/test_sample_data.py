"""The example files in sample_data/ are valid records of their kind, in the canonical columns."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from csdata.records.models import KINDS


@pytest.mark.parametrize("kind", list(KINDS))
def test_example_file_is_valid(kind):
    path = ROOT / "sample_data" / f"{kind}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == KINDS[kind].columns()
    assert 3 <= len(frame) <= 20
    for record in frame.to_dict("records"):
        KINDS[kind].model_validate({k: (v if v != "" else None) for k, v in record.items()})


def test_models_refuse_bad_fields():
    from pydantic import ValidationError

    from csdata.records.models import AuditRow, TicketRow

    good = {
        "ticket_id": "T1",
        "client": "Acme",
        "channel": "phone",
        "type": "complaint",
        "opened_at": "2026-03-01 09:00:00",
        "first_response_at": "2026-03-01 09:00:10",
    }
    TicketRow.model_validate(good)
    for bad in ({"channel": "fax"}, {"csat": 6}, {"handle_seconds": -1}, {"opened_at": "soon"}):
        with pytest.raises(ValidationError):
            TicketRow.model_validate(good | bad)
    with pytest.raises(ValidationError):
        AuditRow.model_validate(
            {
                "audit_id": "A",
                "audited_at": "2026-03-01",
                "agent_id": "E1",
                "source": "recording",
                "accuracy": 101,
            }
        )
