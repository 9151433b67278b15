"""The layering rules, checked on the source: pages and the router hold no SQL and no database,
only `csdata.store.warehouse` touches duckdb, only `csdata.ui` touches streamlit, and the engine and
CLI import without streamlit."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
from conftest import ROOT

PACKAGE = ROOT / "csdata"
MODULES = sorted(PACKAGE.rglob("*.py"))
SCRIPTS = sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"]

DUCKDB_IMPORT = re.compile(r"^\s*(import duckdb|from duckdb)\b", re.MULTILINE)
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b")


def rel(path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path) -> set[str]:
    """Top-level names of every module a file imports, anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_files_are_there():
    assert len(SCRIPTS) >= 2
    assert {
        "csdata/store/warehouse.py",
        "csdata/ui/__init__.py",
        "csdata/cli.py",
        "csdata/analytics/compiler.py",
        "csdata/analytics/metrics.py",
        "csdata/imports/ingest.py",
        "csdata/pages.py",
    } <= {rel(p) for p in MODULES}


@pytest.mark.parametrize("path", SCRIPTS, ids=rel)
def test_pages_hold_no_sql_and_no_database(path):
    text = path.read_text(encoding="utf-8")
    assert not DUCKDB_IMPORT.search(text), f"{rel(path)} imports duckdb"
    assert "duckdb" not in imported(path), f"{rel(path)} imports duckdb"
    lines = [line for line in text.splitlines() if SQL.search(line)]
    assert not lines, f"{rel(path)} contains SQL: {lines}"


def test_engine_and_cli_import_without_streamlit():
    code = (
        "import sys\n"
        "import csdata.cli, csdata.analytics.compiler, csdata.analytics.lookups, csdata.analytics.metrics\n"
        "import csdata.policy, csdata.store.warehouse, csdata.imports.ingest, csdata.records.entry\n"
        "csdata.cli.parser()\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(loaded))\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, f"streamlit was imported: {result.stdout[:500]} {result.stderr[-2000:]}"


def test_only_the_warehouse_imports_duckdb():
    users = {rel(p) for p in MODULES if "duckdb" in imported(p) or DUCKDB_IMPORT.search(p.read_text("utf-8"))}
    assert users == {"csdata/store/warehouse.py"}


def test_only_ui_imports_streamlit():
    users = {rel(p) for p in MODULES if "streamlit" in imported(p)}
    assert "csdata/ui/core.py" in users
    assert all(u.startswith("csdata/ui/") for u in users), users


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_every_module_has_a_docstring(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    doc = ast.get_docstring(tree)
    assert doc and doc.strip(), f"{rel(path)} has no module docstring"


def test_no_two_modules_share_a_name_at_different_layers():
    names: dict[str, list[str]] = {}
    for path in MODULES:
        if path.name != "__init__.py":
            names.setdefault(path.stem, []).append(rel(path))
    assert {n: p for n, p in names.items() if len(p) > 1} == {}


def test_the_folders_name_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert {"store", "access", "analytics", "records", "imports", "text", "ui"} <= folders
