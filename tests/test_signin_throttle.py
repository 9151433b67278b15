"""The demo password is named on the sign-in page only on the demo warehouse served on a local
(loopback) address."""

from __future__ import annotations

import pytest
from conftest import ROOT, point_app_at, private_copy
from streamlit.testing.v1 import AppTest

from csdata.i18n import t
from csdata.settings import Settings, is_local_address

# -- the demo password is named only on a local demo --------------------------------------------


def test_local_addresses():
    assert Settings().address == "127.0.0.1"
    for address in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_local_address(address), address
    for address in ("0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "csdata.example.com", ""):
        assert not is_local_address(address), address


@pytest.mark.parametrize(("address", "shown"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_demo_hint_only_on_a_local_address(sample_db, tmp_path_factory, monkeypatch, address, shown):
    point_app_at(monkeypatch, private_copy(sample_db, tmp_path_factory, "hint"))
    monkeypatch.setenv("CSDATA_ADDRESS", address)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert [e.value for e in app.title] == [t("sign_in_title", "en")]
    assert (t("demo_accounts", "en") in [c.value for c in app.caption]) is shown
