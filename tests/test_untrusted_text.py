"""Text from a link, a file or a record is shown as text: never as markdown, HTML or a formula.

Three layers, each checked against something other than the code under test:

- `literal` against an independent markdown renderer (markdown-it-py with GFM-style linkify):
  whatever a value holds, it renders to exactly its own characters, with no tag but the paragraph.
- The pages (AppTest): a warehouse whose client, team, agent, finding, comment and course names
  are markdown, HTML and formula payloads, opened with payloads in every URL parameter; every
  text Streamlit renders as markdown (titles, captions, alerts, widget labels and help, metric
  labels) renders with no link and no image, and the charts' texts carry no live tag.
- Downloads: headings and cells that start like a formula are written inert in CSV and XLSX.
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, point_app_at, private_copy, sign_in_as
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from csdata.analytics import exports
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import literal, md, t_md
from csdata.ui import charts

APP = ROOT / "app.py"
EVIL = "evil.test"
MD_LINK = f"[Session expired - sign in again](http://{EVIL}/login) ![t](http://{EVIL}/t.png)"
HTML_TAGS = f'<a href="http://{EVIL}/x">Team</a><img src="http://{EVIL}/i.png"><script>alert(1)</script>'
FORMULA = f'=HYPERLINK("http://{EVIL}","open")'
PAYLOADS = [
    MD_LINK,
    HTML_TAGS,
    FORMULA,
    f"http://{EVIL}/bare www.{EVIL} mail@{EVIL}",
    "# heading\n- item\n> quote\n1. one",
    "**bold** _it_ `code` ~~gone~~ $x^2$ \\(y\\)",
    ":red[red] :material/home: :smile: :blue-badge[b]",
    "&lt;b&gt; &amp; &#x41; <!-- c -->",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "    indented code",
    "line one\\\nline two",
]

# GFM as Streamlit's renderer speaks it (tables, strikethrough, bare links), with raw HTML on so
# that a tag that got through would show.
RENDERER = MarkdownIt("gfm-like", {"html": True, "linkify": True})


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def rendered(markdown: str) -> _Html:
    parser = _Html()
    parser.feed(RENDERER.render(markdown))
    return parser


def _words(text: str) -> str:
    """Text as a reader sees it: white space collapsed, invisible word joiners dropped."""
    return " ".join(text.replace("\u2060", "").split())


# What Streamlit's renderer (remark-gfm's autolink literals) links in the finished text, escapes
# or not: its own two patterns.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


# -- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_literal_renders_as_exactly_its_own_text(payload):
    html = rendered(literal(payload))
    assert set(html.tags) <= {"p"}, f"{payload!r} rendered tags {html.tags}"
    assert _words("".join(html.text)) == _words(payload)
    text = "".join(html.text)
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text), f"{text!r} would be linked"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80))
def test_any_text_renders_as_itself(text):
    html = rendered(literal(text))
    assert set(html.tags) <= {"p"}
    assert _words("".join(html.text)) == _words(text)
    assert not GFM_URL.search("".join(html.text)) and not GFM_EMAIL.search("".join(html.text))


def test_the_program_text_keeps_its_markdown_and_parameters_do_not():
    html = rendered(t_md("signed_in_as", "en", name=MD_LINK, role="Administrator"))
    assert html.tags.count("strong") == 1 and "a" not in html.tags and "img" not in html.tags
    assert MD_LINK in _words("".join(html.text))
    # a value already made literal is not escaped twice
    assert literal(literal("a.b")) == literal("a.b") and isinstance(literal("x"), md)


def test_numbers_keep_their_format():
    assert t_md("reopened_count", "en", n=3) == "3 reopened by the customer after feedback."


# -- charts ----------------------------------------------------------------------------------------


def _chart_texts(fig) -> list[str]:
    out = [fig.layout.title.text or ""]
    out += [a.title.text or "" for a in (*fig.select_xaxes(), *fig.select_yaxes())]
    out += [a.text or "" for a in fig.layout.annotations]
    for trace in fig.data:
        for attr in ("x", "y", "name", "text", "hovertemplate"):
            if attr in trace and trace[attr] is not None:
                value = trace[attr]
                out += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    return out


def test_chart_labels_carry_no_live_tag():
    frame = pd.DataFrame({"team": [HTML_TAGS, "A & B"], "score": [80.0, 90.0]})
    figures = [
        charts.bars(frame, "team", {"score": HTML_TAGS}, "points", HTML_TAGS, HTML_TAGS, 85.0, HTML_TAGS),
        charts.bars(frame, "team", {"score": "Score"}, "points", None, "x", horizontal=True),
        charts.lines(
            pd.DataFrame({"key": pd.to_datetime(["2026-01-05", "2026-01-12"]), "key2": ["t1", "t1"], "v": [1, 2]}),
            "v", "count", "T", "x", {"t1": HTML_TAGS}, {"t1": 1.5}, {"t1": "#000"}, HTML_TAGS,
        ),
        charts.stacked(
            pd.DataFrame({"team": [HTML_TAGS], "grade": ["A"], "n": [3]}), "team", "grade", "n", None, "x", "y",
            {"A": HTML_TAGS},
        ),
    ]  # fmt: skip
    for fig in figures:
        texts = _chart_texts(fig)
        assert any("&lt;a href" in s for s in texts), "the payload is still shown, as text"
        for text in texts:
            # `<extra>` is plotly's own hover tag, written by the code
            assert not re.search(r"<(?!/?extra>)", text), text
    assert "A &amp; B" in figures[0].data[0].x


# -- downloads -------------------------------------------------------------------------------------


def test_downloads_defuse_formula_headings_and_cells():
    frame = pd.DataFrame({FORMULA: [FORMULA, "plain", "-3 (a note)"], "n": [1, 2, 3]})
    book = openpyxl.load_workbook(io.BytesIO(exports.to_bytes(frame, "xlsx")))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell is a formula"
    assert sheet["A1"].value == "'" + FORMULA and sheet["A2"].value == "'" + FORMULA
    assert sheet["A3"].value == "plain" and sheet["B2"].value == 1
    back = pd.read_csv(io.BytesIO(exports.to_bytes(frame, "csv")), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == ["'" + FORMULA, "n"]
    assert back.iloc[0, 0] == "'" + FORMULA and back.iloc[2, 0] == "'-3 (a note)"


# -- the pages -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_db(sample_db, tmp_path_factory):
    """The demo warehouse plus one client, team and agent whose names are payloads, with tickets,
    an audit with a payload finding and comment, and a training result in a payload course."""
    path = private_copy(sample_db, tmp_path_factory, "untrusted")
    wh = Warehouse(path)
    with wh.transaction("test", "test.plant") as w:
        w.execute("INSERT INTO clients (name) VALUES (?)", [MD_LINK])
        w.execute(
            "INSERT INTO teams (name, department, client) SELECT ?, department, ? FROM teams LIMIT 1",
            [HTML_TAGS, MD_LINK],
        )
        w.execute(
            "INSERT INTO employees SELECT * REPLACE ('X1' AS employee_id, ? AS name, ? AS team, ? AS client) "
            "FROM employees WHERE position = 'agent' AND status = 'active' LIMIT 1",
            [MD_LINK, HTML_TAGS, MD_LINK],
        )
        w.execute(
            "INSERT INTO tickets SELECT * REPLACE ('PX' || ticket_id AS ticket_id, ? AS client, 'X1' AS agent_id) "
            "FROM tickets ORDER BY opened_at DESC LIMIT 200",
            [MD_LINK],
        )
        w.execute(
            "INSERT INTO audits SELECT * REPLACE ('PX' || audit_id AS audit_id, 'X1' AS agent_id, ? AS client, "
            "? AS finding_category, ? AS comment) FROM audits WHERE source <> 'calibration' "
            "ORDER BY audited_at DESC LIMIT 5",
            [MD_LINK, HTML_TAGS, MD_LINK],
        )
        w.execute(
            "INSERT INTO audit_scores SELECT 'PX' || s.audit_id, s.criterion, s.score FROM audit_scores s "
            "WHERE s.audit_id IN (SELECT audit_id FROM audits WHERE source <> 'calibration' "
            "ORDER BY audited_at DESC LIMIT 5 OFFSET 5)"
        )
        w.execute("INSERT INTO courses (course, kind, pass_mark) VALUES (?, 'in_service', 60)", [MD_LINK])
        w.execute(
            "INSERT INTO training_results SELECT 'X1', ?, 'in_service', max(taken_on), 75, 4, 1 FROM training_results",
            [MD_LINK],
        )
        w.execute("UPDATE employees SET name = ? WHERE employee_id = 'X1'", [MD_LINK])
    wh.close()
    return path


URL_PAYLOADS = {"client": MD_LINK, "team": HTML_TAGS, "channel": MD_LINK, "from": MD_LINK, "to": HTML_TAGS}
PAGES = [
    ("views/overview.py", {}),
    ("views/overview.py", URL_PAYLOADS),
    ("views/service.py", URL_PAYLOADS),
    ("views/quality.py", {}),
    ("views/people.py", {}),
    ("views/clients.py", {}),
    ("views/complaints.py", {}),
    ("views/agent.py", {"agent": MD_LINK}),
    ("views/agent.py", {"agent": "X1"}),
    ("views/audits.py", {}),
    ("views/training.py", {}),
    ("views/imports.py", {}),
]


def markdown_texts(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as markdown."""
    found = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "caption",
            "markdown",
            "info",
            "warning",
            "error",
            "success",
        )
        for e in at.get(kind)
    ]
    for kind in (
        "metric",
        "selectbox",
        "multiselect",
        "number_input",
        "text_input",
        "button",
        "checkbox",
        "radio",
    ):
        for widget in at.get(kind):
            found += [getattr(widget, "label", "") or "", getattr(widget, "help", "") or ""]
            proto = getattr(widget, "proto", None)
            if proto is not None and getattr(proto, "help", ""):
                found.append(proto.help)
    return [f for f in found if f]


def _strings(node):
    """Every string in a chart's JSON."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _open(page: str, params: dict[str, str], lang: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    sign_in_as(at, "admin")
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p}{'+url' if q else ''}" for p, q in PAGES])
def test_planted_payloads_render_as_text(planted_db, monkeypatch, page, params, lang):
    point_app_at(monkeypatch, planted_db)
    at = _open(page, params, lang)
    assert not [e.value for e in at.exception], f"{page} raised"
    texts = markdown_texts(at)
    assert texts, "the page shows text"
    for text in texts:
        html = rendered(text)
        assert "a" not in html.tags and "img" not in html.tags and "script" not in html.tags, text
        assert EVIL not in RENDERER.render(text).split(">", 1)[0], text
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        live = [s for s in _strings(spec) if re.search(r"<(a|img|script)\b", s)]
        assert not live, live
    if page in ("views/quality.py", "views/people.py"):  # findings by category, training by team
        shown = [s for c in at.get("plotly_chart") for s in _strings(json.loads(c.proto.spec))]
        assert any("&lt;a href=" in s for s in shown), "the planted names are charted, as text"
    joined = " ".join(_words("".join(rendered(x).text)) for x in texts)
    if params.get("client") or params.get("agent") == MD_LINK:
        # the link's values were refused, and the refusal quotes them as text
        assert "Session expired - sign in again" in joined, joined


def test_the_agent_header_shows_payload_names_as_text(planted_db, monkeypatch):
    point_app_at(monkeypatch, planted_db)
    at = _open("views/agent.py", {"agent": "X1"}, "en")
    header = [c.value for c in at.caption if c.value.startswith("X1")]
    assert header, [c.value for c in at.caption]
    html = rendered(header[0])
    assert set(html.tags) <= {"p"}
    assert _words("".join(html.text)) == _words(f"X1 · {MD_LINK} · {HTML_TAGS} · {MD_LINK}")


# -- in a real browser -------------------------------------------------------------------------------


def _assert_inert(page) -> None:
    assert page.locator(f"a[href*='{EVIL}']").count() == 0, "no planted link"
    assert page.locator(f"img[src*='{EVIL}'], image[href*='{EVIL}']").count() == 0, "no planted image"
    assert page.locator("[data-testid='stMain'] script, [data-testid='stMain'] iframe").count() == 0


@pytest.mark.browser
def test_in_a_browser_no_planted_link_image_or_tag_comes_alive(planted_db, tmp_path):
    """The phishing link of the report, as a colleague's URL, then the pages that chart and list
    the planted names: nothing clickable or fetched from the payloads, their text on screen."""
    from urllib.parse import urlencode, urlsplit

    from served import ARTIFACTS, launch, new_page, open_from_sidebar, screenshot, serve, sign_in

    phishing = f"[Session expired - sign in again](http://{EVIL}/login) ![t](http://{EVIL}/t.png)"
    with serve(planted_db, tmp_path) as served, launch() as browser:
        errors: list[str] = []
        page = new_page(browser, errors)
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if EVIL in urlsplit(r.url).netloc else None)
        page.goto(f"{served.url}/?{urlencode({'client': phishing + ' X', 'team': HTML_TAGS})}")
        sign_in(page, "admin", "demo")
        warning = page.get_by_test_id("stAlertContentWarning")
        warning.wait_for()
        assert "[Session expired - sign in again](http://evil.test/login)" in _words(warning.inner_text())
        screenshot(page, ARTIFACTS / "untrusted-overview-link.png")
        _assert_inert(page)

        open_from_sidebar(page, "Quality", "quality")
        page.locator(".js-plotly-plot").first.wait_for()
        screenshot(page, ARTIFACTS / "untrusted-quality.png")
        _assert_inert(page)
        charted = page.locator(".js-plotly-plot").all_inner_texts()
        assert any('<a href="http://evil.test/x">' in text for text in charted), (
            "the finding is charted as text"
        )

        open_from_sidebar(page, "Agent", "agent")
        chooser = page.get_by_test_id("stSelectbox").first
        chooser.click()
        page.keyboard.type("X1")
        page.get_by_role("option").filter(has_text="X1 ·").first.click()
        page.get_by_text("X1 · [Session expired - sign in again](http", exact=False).first.wait_for()
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
        screenshot(page, ARTIFACTS / "untrusted-agent.png")
        _assert_inert(page)

        assert not asked, f"the browser asked for {asked}"
        assert not errors, errors
