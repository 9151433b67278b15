"""The text catalogs are complete: every language has every key, every key the code uses is there,
and every key there is used.

Keys are read from the code with `ast`: string literals where a key is taken (the first argument
of `t`, `tr`, `t_md`, `text_key`, a `Problem` and its kinds, every argument of `Phrase.of`, the
message of a `Rule` or an import `_problem`), and quoted keys in the SQL of the import checks. A
key made from a prefix and a value goes through `family_key`, whose prefixes
`csdata.text.keys` declares with all their members; a key made any other way (an f-string, a
`+`) where a key is taken fails this test.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import string
from pathlib import Path

from csdata.text import i18n
from csdata.text.keys import header_families, key_families, key_tables

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "csdata" / "text"
SOURCES = sorted([*(ROOT / "csdata").rglob("*.py"), *(ROOT / "views").rglob("*.py"), ROOT / "app.py"])

# Callable name -> the positions of its arguments that are keys ("*": every positional one).
KEY_ARGS: dict[str, tuple[int, ...] | str] = {
    "t": (0,),
    "tr": (0,),
    "t_md": (0,),
    "text_key": (0,),
    "Problem": (0,),
    "PolicyError": (0,),
    "ImportError_": (0,),
    "UserError": (0,),
    "AuthError": (0,),
    "WarehouseError": (0,),
    "of": "*",
    "Rule": (2,),
    "_problem": (2,),
    "words": (0,),
    # the label of a form's person picker, a policy table's title, a refusal's heading, the
    # field a policy's weights are checked in, the labels of a pair of download buttons
    "_person": (0,),
    "editor": (1,),
    "_refusal": (2,),
    "_check_weights": (1,),
    "download_buttons": (3,),
}
# A quoted key inside SQL text: `'imp_unknown_ref' AS key`.
SQL_KEY = re.compile(r"'([a-z][a-z0-9_]*)'")


def _catalog(lang: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literals(node: ast.expr) -> list[str] | None:
    """The keys an argument may be: a literal, literals chosen by `a if c else b` (a branch may be
    a `family_key`, read on its own), or a tuple of them; None when it is made another way."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Call) and _name(node.func) == "family_key":
        return []
    if isinstance(node, ast.IfExp | ast.Tuple):
        parts = [
            _literals(n) for n in ((node.body, node.orelse) if isinstance(node, ast.IfExp) else node.elts)
        ]
        return None if any(p is None for p in parts) else [k for p in parts for k in p]
    return None


@functools.cache
def _scan() -> tuple[dict[str, set[str]], set[str], set[str], list[str]]:
    """(key -> where used, families used, SQL-quoted words, places where a key is built by hand)."""
    used: dict[str, set[str]] = {}
    families: set[str] = set()
    quoted: set[str] = set()
    built: list[str] = []
    for path in SOURCES:
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                quoted.update(SQL_KEY.findall(node.value))
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name == "family_key":
                prefix = _literals(node.args[0]) if node.args else None
                if prefix is None:
                    built.append(f"{where}:{node.lineno}: family_key with a prefix that is not a literal")
                else:
                    families.update(prefix)
                continue
            positions = KEY_ARGS.get(name or "")
            if positions is None:
                continue
            args = node.args if positions == "*" else [node.args[i] for i in positions if i < len(node.args)]
            for arg in args:
                keys = _literals(arg)
                if keys is not None:
                    for key in keys:
                        used.setdefault(key, set()).add(f"{where}:{node.lineno}")
                elif isinstance(arg, ast.JoinedStr | ast.BinOp):
                    built.append(f"{where}:{node.lineno}: {ast.unparse(arg)}")
    return used, families, quoted, built


def test_every_language_has_the_same_keys_and_placeholders():
    langs = sorted(p.stem for p in CATALOG_DIR.glob("*.json"))
    assert set(langs) == set(i18n.LANGS) and i18n.LANGS[0] == "en"
    english = _catalog("en")
    for lang in langs:
        catalog = _catalog(lang)
        assert not (missing := sorted(set(english) - set(catalog))), f"{lang}.json lacks {missing}"
        assert not (extra := sorted(set(catalog) - set(english))), (
            f"{lang}.json has keys English lacks: {extra}"
        )
        assert not (empty := sorted(k for k, v in catalog.items() if not str(v).strip())), (
            f"{lang}: empty {empty}"
        )
        differ = sorted(k for k in english if _placeholders(english[k]) != _placeholders(catalog[k]))
        assert not differ, f"{lang}.json: placeholders differ from English in {differ}"
        assert i18n.LANG_NAMES[lang] == catalog["language_name"]


def test_catalog_files_are_sorted_one_key_a_line():
    """So a change is one line of a diff, and a translator's tool reads them as they are."""
    for path in CATALOG_DIR.glob("*.json"):
        catalog = json.loads(path.read_text(encoding="utf-8"))
        assert all(isinstance(v, str) for v in catalog.values()), path.name
        canonical = json.dumps(catalog, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        assert path.read_text(encoding="utf-8") == canonical, f"{path.name}: not sorted, 2-space JSON"


def test_every_key_the_code_uses_is_in_the_catalog():
    catalog = _catalog("en")
    used, families, _, built = _scan()
    assert not built, "keys built by hand (use family_key and declare the family):\n" + "\n".join(built)
    declared = key_families()
    assert not (undeclared := sorted(families - set(declared))), (
        f"family_key prefixes not declared: {undeclared}"
    )
    missing = {k: sorted(w) for k, w in used.items() if k not in catalog}
    assert not missing, f"keys used but not in the catalogs: {missing}"
    assert not (absent := sorted(set(key_tables()) - set(catalog))), (
        f"keys of tables not in the catalogs: {absent}"
    )
    for prefix, members in declared.items():
        absent = [prefix + str(m) for m in members if prefix + str(m) not in catalog]
        assert not absent, f"family {prefix!r}: members without text: {absent}"


def test_every_key_in_the_catalog_is_used():
    catalog = _catalog("en")
    used, families, quoted, _ = _scan()
    declared = key_families()
    expanded = {prefix + str(m) for prefix in families for m in declared[prefix]}
    headers = {prefix + m for prefix, members in header_families().items() for m in members}
    unused = sorted(
        set(catalog) - set(used) - set(key_tables()) - expanded - headers - quoted - {"language_name"}
    )
    assert not unused, f"keys in the catalogs that no code uses (remove them): {unused}"


def test_families_only_name_keys_of_their_own():
    """A family's members are the whole family: no key with its prefix is left over."""
    catalog = _catalog("en")
    declared = key_families()
    named = _scan()[0]
    for prefix, members in declared.items():
        longer = [p for p in declared if p != prefix and p.startswith(prefix)]
        stray = sorted(
            k
            for k in catalog
            if k.startswith(prefix)
            and not any(k.startswith(p) for p in longer)
            and k[len(prefix) :] not in {str(m) for m in members}
        )
        # Other keys may share a family's prefix (`nav_section_data`) only if the code names them.
        stray = [k for k in stray if k not in named]
        assert not stray, f"family {prefix!r} has keys no member names: {stray}"


def test_header_words_come_from_every_language():
    from csdata.records.models import TicketRow

    assert "ticket_id" in TicketRow.ALIASES["ticket_id"] and "工单号" in TicketRow.ALIASES["ticket_id"]
    assert i18n.words("import_true_words")[:2] == ("y", "yes") and "是" in i18n.words("import_true_words")
