"""The README stays true to the code: every metric with its formula, every setting, every command."""

from __future__ import annotations

import re

from conftest import ROOT

from csdata.analytics.metrics import CATALOG
from csdata.cli import parser
from csdata.settings import Settings, env_names

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_leads_with_run_and_test():
    head = README[:600]
    assert "make run" in head and "make test" in head


def test_glossary_matches_catalog():
    section = README.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    glossary = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9_]+)` \|.*\|$", section, re.M)}
    assert set(glossary) == set(CATALOG)
    for metric in CATALOG.values():
        cells = [c.strip() for c in glossary[metric.name].strip("|").split("|")]
        better = {1: "higher", -1: "lower", 0: "–"}[metric.direction]
        assert cells == [
            f"`{metric.name}`",
            metric.label("en"),
            metric.label("zh"),
            metric.unit,
            better,
            metric.formula("en"),
        ]


def test_every_setting_is_documented_with_its_default():
    for name, field in Settings.model_fields.items():
        env = f"CSDATA_{name.upper()}"
        row = re.search(rf"^\| `{env}` \| `?([^|`]*)`? \|(.*)\|$", README, re.M)
        assert row, f"{env} missing from the README settings table"
        default = field.default
        shown = row.group(1).replace(",", "")
        assert shown == str(default) or shown == str(default).replace("_", ""), (env, shown, default)
    assert len(env_names()) == len(Settings.model_fields)


def test_every_role_is_documented():
    from csdata.pages import PAGES, ROLES

    section = README.split("\n## Accounts and what each role sees\n", 1)[1].split("\n## ", 1)[0]
    for role in ROLES:
        row = re.search(rf"^\| `{role}` \| ([^|]*) \|", section, re.M)
        assert row, f"role {role} missing"
        pages = {p.strip().lower().replace(" ", "_") for p in row.group(1).split(",")}
        assert pages == {key for key, page in PAGES.items() if role in page.roles}, role


def test_every_command_is_documented():
    sub = next(a for a in parser()._actions if a.dest == "command")
    for command in sub.choices:
        assert f"`csdata {command}" in README
