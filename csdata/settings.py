"""Typed settings, read from `CSDATA_*` environment variables.

Every setting is a field with a description; the README's settings table is checked against
these fields by a test, so a setting cannot exist without being documented. Plain pydantic
(no extra settings package): the environment is small and flat.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from csdata.text.i18n import LANGS


class SettingsError(ValueError):
    """A `CSDATA_*` variable holds a value that cannot be used."""


class Settings(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)  # each field's text is its docstring

    db: Path | str = Path("data/csdata.duckdb")
    """Path of the DuckDB warehouse file, or the `postgresql://user@host/database` address of a PostgreSQL warehouse. `make run` creates the demo warehouse in a file here if it does not exist."""

    lang: str = "en"
    """Language the app opens in (`en` or `zh`); users can switch on every page."""

    sample_tickets: int = Field(300_000, ge=1_000)
    """Tickets generated when `make run` builds the demo warehouse."""

    idle_minutes: int = Field(30, ge=1, le=24 * 60)
    """Minutes without activity after which a signed-in user is signed out."""

    address: str = "127.0.0.1"
    """Address `csdata serve` and `make run` listen on; `0.0.0.0` for every interface (put a proxy with TLS in front)."""

    earliest_date: dt.date = dt.date(2000, 1, 1)
    """Imports and forms reject any date (of every record kind) before this day."""

    future_days: int = Field(366, ge=0)
    """Imports and forms reject any date more than this many days after today."""

    xlsx_max_mb: int = Field(256, ge=1)
    """Largest an XLSX upload may expand to, in MB uncompressed; a larger workbook is refused before it is read."""

    xlsx_max_rows: int = Field(1_048_576, ge=1)
    """Most rows the first sheet of an XLSX upload may hold up to its last row with a value (Excel's own maximum by default); empty rows after it are not read."""

    import_memory_mb: int = Field(3072, ge=256)
    """Most memory, in MB, DuckDB may use while a file is imported (never raised above its own limit); what does not fit goes to a temporary folder beside the warehouse."""

    @field_validator("db")
    @classmethod
    def _a_file_or_address(cls, db: Path | str) -> Path | str:
        """A `postgresql://` address as it is; anything else a file path."""
        return warehouse_target(db)

    @field_validator("lang")
    @classmethod
    def _a_catalog(cls, lang: str) -> str:
        """A language there is a text catalog of (`csdata/text/<lang>.json`)."""
        if lang not in LANGS:
            expected = " or ".join(repr(code) for code in LANGS)
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})
        return lang

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {
            name: env[f"CSDATA_{name.upper()}"]
            for name in cls.model_fields
            if f"CSDATA_{name.upper()}" in env
        }
        try:
            return cls(**values)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = f"CSDATA_{str(err['loc'][0]).upper()}"
            raise SettingsError(f"{name}: {err['msg']}") from None


def warehouse_target(value: str | Path) -> Path | str:
    """Where a warehouse is: a PostgreSQL address (`postgresql://...`, kept as text) or a DuckDB file."""
    text = str(value)
    return text if text.startswith(("postgresql://", "postgres://")) else Path(value)


def is_local_address(address: str) -> bool:
    """Whether an address to listen on is reachable from this machine only (loopback)."""
    host = address.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name, or nothing: not known to be local
        return False


def env_names() -> list[str]:
    return [f"CSDATA_{name.upper()}" for name in Settings.model_fields]
