"""`joeladr report`: the page, the vault charts and their embeds, kept fresh; hostile text stays text.

Real engines throughout: the fixture talks ingested once (tests/conftest.py), evaluate and
curation through the CLI, charts drawn by vl-convert, the page opened in Debian's Chromium.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from joeladr.adr.repo import AdrRepository
from joeladr.catalog import Catalog
from joeladr.cli import app
from joeladr.evaluate.findings import Finding
from joeladr.evaluate.run import Retrieved, update_note
from joeladr.vault.blocks import blocks
from tests.browser import ARTIFACTS, page_for
from tests.ingested import Ingested, copy_of

runner = CliRunner()
ADR_NAME = "0064-elixir-beam-evaluation.md"
CHARTS = ("matrix", "sensitivity", "timeline")
YOUTUBE_ID = "raX9fCy8Lfc"


def cli(copy: Ingested, *args: str) -> Any:
    result = runner.invoke(app, [*copy.args(), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def curated(ingested: Ingested, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """The ingested workspace, evaluated, with findings accepted, rejected and given stances through the CLI."""
    copy = copy_of(ingested, tmp_path_factory.mktemp("report") / "copy")
    # the floor is lowered for the synthetic talk (see tests/test_evaluate.py's `evaluated`)
    data = json.loads(cli(copy, "evaluate", "0064", "--json", "--min-score", "0.2").stdout)
    stances = {
        "supervision-model": ["--accept", "--supports", "B", "--supports", "A"],
        "selective-adoption": ["--accept", "--supports", "B"],
        "liveview-for-tui-web": ["--accept", "--supports", "B"],
        "interop-story": ["--accept", "--weakens", "A"],
    }
    for criterion in data["criteria"]:
        if criterion["id"] in stances:
            cli(copy, "finding", "0064", criterion["findings"][0]["id"], *stances[criterion["id"]])
        elif criterion["findings"]:
            cli(copy, "finding", "0064", criterion["findings"][-1]["id"], "--reject")
    return copy


@pytest.fixture
def workspace_copy(curated: Ingested, tmp_path: Path) -> Ingested:
    return copy_of(curated, tmp_path / "copy")


def evaluation(copy: Ingested) -> dict[str, Any]:
    """The evaluation as `evaluate --json` reports it (scores, findings, starts) without retrieving again."""
    from joeladr.evaluate.run import current_evaluation

    settings = copy.settings
    return current_evaluation(settings, AdrRepository(settings.adr_dir).get("0064")).to_json()


def all_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    groups = [data["criteria"], data["pain_points"], data["counter_arguments"], data["option_findings"]]
    return [f for group in groups for target in group for f in target["findings"]]


def vault(copy: Ingested) -> Path:
    return copy.root / "vault"


def chart(copy: Ingested, name: str) -> Path:
    return vault(copy) / "attachments" / f"ADR-0064 {name}.svg"


def page(copy: Ingested) -> Path:
    return vault(copy) / "decisions" / "ADR-0064 report.html"


def note(copy: Ingested, kind: str = "evaluation") -> str:
    return (vault(copy) / "decisions" / f"ADR-0064 {kind}.md").read_text()


# -- the page and the vault charts ---------------------------------------------------------
def test_report_writes_the_page_and_the_charts_the_notes_embed(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    result = cli(copy, "report", "0064")
    assert result.stdout.splitlines()[-1] == f"wrote {page(copy)}"
    html = page(copy).read_text()
    assert html.startswith("<!doctype html>") and "<h1>Evaluate Elixir/BEAM as joelclaw Backbone</h1>" in html
    assert html.count("<svg") == 3  # the three charts, inline
    text = note(copy)
    for name in CHARTS:
        svg = chart(copy, name).read_text()
        assert re.match(r"<!-- joeladr chart [0-9a-f]{64} -->\n<svg", svg), name
        ElementTree.fromstring(svg.split("\n", 1)[1])  # well-formed SVG
        assert f"![[ADR-0064 {name}.svg|" in text  # the evaluation note embeds it
    assert text.index("joeladr:end matrix") < text.index("joeladr:begin charts")  # right below the matrix
    # nothing changed: nothing is drawn or written again
    before = {p: p.stat().st_mtime_ns for p in [page(copy), *(chart(copy, n) for n in CHARTS)]}
    again = cli(copy, "report", "0064", "--json")
    assert json.loads(again.stdout)["changed"] is False
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_charts_follow_weights_and_must_haves_from_the_cli_and_from_the_note(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    cli(copy, "report", "0064")
    drawn = {name: chart(copy, name).read_bytes() for name in CHARTS}
    timeline_time = chart(copy, "timeline").stat().st_mtime_ns
    # evaluate --weight changes the data: the charts that show weights are drawn again, at once
    cli(copy, "evaluate", "0064", "--weight", "supervision-model=3", "--min-score", "0.2")
    matrix = chart(copy, "matrix").read_text()
    assert matrix.encode() != drawn["matrix"] and "Supervision model ×3" in matrix
    assert chart(copy, "sensitivity").read_bytes() != drawn["sensitivity"]
    assert chart(copy, "timeline").stat().st_mtime_ns == timeline_time  # its data did not change: not redrawn
    # a weight edited in Obsidian: the next report redraws
    path = vault(copy) / "decisions" / "ADR-0064 evaluation.md"
    path.write_text(path.read_text().replace("[weight:: 3]", "[weight:: 0.5]", 1))
    cli(copy, "report", "0064")
    assert "Supervision model ×0.5" in chart(copy, "matrix").read_text()
    assert "| Supervision model | 0.5 |" in note(copy)  # the note's own matrix caught up too
    assert re.search(r'<td>0\.5</td>\s*<td class="score', page(copy).read_text())
    # a must-have knocks A out (it scores -1 on interop): the heatmap and the page say so in words
    cli(copy, "evaluate", "0064", "--must-have", "interop-story", "--min-score", "0.2")
    assert "(knocked out)" in chart(copy, "matrix").read_text() and "Interop story ×1 (must-have)" in (
        chart(copy, "matrix").read_text()
    )
    cli(copy, "report", "0064")
    assert '<td class="total" data-option="A">knocked out</td>' in page(copy).read_text()


def test_a_chart_the_data_no_longer_has_is_removed_with_its_embed(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    cli(copy, "report", "0064")
    assert chart(copy, "sensitivity").exists()
    # un-accept everything in Obsidian: every score is 0, no option leads, there is no lead to test
    path = vault(copy) / "decisions" / "ADR-0064 evaluation.md"
    path.write_text(re.sub(r"^- \[[x-]\]", "- [ ]", path.read_text(), flags=re.MULTILINE))
    cli(copy, "report", "0064")
    assert not chart(copy, "sensitivity").exists()
    assert "sensitivity.svg" not in note(copy) and "matrix.svg" in note(copy)
    assert 'id="sensitivity"' not in page(copy).read_text()


def test_a_chart_file_edited_in_the_vault_is_drawn_again_not_inlined(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    cli(copy, "report", "0064")
    path = chart(copy, "matrix")
    stamp, svg = path.read_text().split("\n", 1)
    head, rest = svg.split(">", 1)
    path.write_text(f"{stamp}\n{head}><script>window.__pwned = 5</script>{rest}")  # the hash line kept
    cli(copy, "report", "0064")
    assert "<script" not in path.read_text() and path.read_text().startswith(stamp)
    assert "__pwned" not in page(copy).read_text()


def test_report_before_and_after_the_decision(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    cli(copy, "report", "0064")
    html = page(copy).read_text()
    assert 'status-proposed">proposed<' in html and "<strong>Pending.</strong>" in html
    decided = cli(copy, "decide", "0064")
    assert "joeladr report 0064" in decided.stdout  # decide points at the page
    decision = note(copy, "decision")
    assert all(f"![[ADR-0064 {name}.svg|" in decision for name in CHARTS)  # the decision note embeds the charts
    assert set(blocks(decision)) == {"decision", "charts"}
    cli(copy, "report", "0064")
    html = page(copy).read_text()
    assert 'status-accepted">accepted<' in html and "<strong>Chosen option: B, Selective adoption</strong>" in html


def test_out_takes_a_file_or_a_folder(workspace_copy: Ingested, tmp_path: Path) -> None:
    copy = workspace_copy
    target = tmp_path / "share" / "decision.html"
    target.parent.mkdir()
    assert json.loads(cli(copy, "report", "0064", "--out", str(target), "--json").stdout)["report"] == str(target)
    assert target.read_text().startswith("<!doctype html>")
    cli(copy, "report", "0064", "--out", str(tmp_path / "share"))
    assert (tmp_path / "share" / "ADR-0064 report.html").is_file()
    missing = runner.invoke(app, [*copy.args(), "report", "0064", "--out", str(tmp_path / "nowhere" / "x.html")])
    assert missing.exit_code == 1 and missing.output.startswith("error: cannot write")
    assert "Traceback" not in missing.output


def test_report_refuses_an_adr_never_evaluated(adr_dir: Path, workspace: Path) -> None:
    result = runner.invoke(app, ["report", "0064"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: ADR-0064 has not been evaluated yet: there is no evaluation to show",
        "hint: run `joeladr evaluate 0064` first",
    ]
    assert not (workspace / "vault").exists()  # nothing written
    unknown = runner.invoke(app, ["report", "9999"])
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no ADR numbered 9999")


# -- the page in a real browser ---------------------------------------------------------------
def test_the_page_in_a_real_browser(workspace_copy: Ingested, tmp_path: Path) -> None:
    copy = workspace_copy
    # YouTube is unreachable here: the TypeScript talk's catalog record is given what an ingest of a
    # YouTube video writes (its video id), so the page offers the YouTube embed for its quotes
    catalog = Catalog(copy.root / "home")
    record = next(r for r in catalog.all() if r.title == "typescript-talk")
    catalog.put(replace(record, video_id=YOUTUBE_ID, url=f"https://www.youtube.com/watch?v={YOUTUBE_ID}"))
    cli(copy, "report", "0064")
    data = evaluation(copy)
    findings = all_findings(data)
    url = page(copy).as_uri()
    with page_for(url) as (browser, requests):
        # loading asked for the page and nothing else: no font, script, image, frame or media
        assert requests.seen == [url] and requests.aborted == []
        ARTIFACTS.mkdir(exist_ok=True)
        for shot in (ARTIFACTS / "report-0064.png", tmp_path / "report-0064.png"):
            browser.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
        # headings a screen reader can follow
        assert browser.eval_on_selector_all("h1", "els => els.map(e => e.textContent)") == [data["title"]]
        h2 = browser.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
        assert h2[:5] == [
            "Verdict",
            "Decision matrix",
            "How fragile is the lead",
            "Where the evidence sits",
            "Evidence by criterion",
        ]
        h3 = browser.eval_on_selector_all("#evidence h3", "els => els.map(e => e.textContent)")
        assert h3 == [c["name"] for c in data["criteria"]]
        # the matrix: one cell per criterion and option, its number as text, in the table and the heatmap
        cells = browser.eval_on_selector_all(
            "td.score", "els => els.map(e => [e.dataset.criterion, e.dataset.option, e.textContent])"
        )
        expected = [[c["id"], option, _signed(c["scores"][option])] for c in data["criteria"] for option in c["scores"]]
        assert cells == expected and len(cells) == 5 * 3
        heatmap = browser.eval_on_selector_all("#matrix svg text", "els => els.map(e => e.textContent)")
        for _, _, text in expected:
            assert text in heatmap
        totals = browser.eval_on_selector_all("td.total", "els => els.map(e => e.textContent)")
        assert totals == [_signed(o["total"]) for o in data["options"]]
        # the timeline: one mark per finding, each a link to its quote on the page
        marks = browser.eval_on_selector_all(
            "#timeline svg a", "els => els.map(e => e.getAttribute('xlink:href') || e.getAttribute('href'))"
        )
        assert sorted(marks) == sorted(f"#{f['id']}" for f in findings)
        listed = browser.eval_on_selector_all("li.finding", "els => els.map(e => e.id)")
        assert sorted(listed) == sorted(f["id"] for f in findings)
        # every timestamp carries its finding's second, in the link and for the player
        links = browser.eval_on_selector_all(
            "li.finding a.play",
            "els => els.map(e => [e.closest('li').id, e.dataset.kind, e.dataset.start, e.getAttribute('href')])",
        )
        seconds = {f["id"]: int(f["start"]) for f in findings}
        assert len(links) == len(findings)
        for finding_id, kind, start, href in links:
            assert int(start) == seconds[finding_id]
            assert href.endswith(f"?t={start}" if kind == "youtube" else f"#t={start}"), href
        kinds = {kind for _, kind, _, _ in links}
        assert kinds == {"youtube", "media"}
        # a mark takes the reader to its quote
        first = findings[0]["id"]
        browser.click(f"#timeline svg a[*|href='#{first}']")
        assert browser.evaluate("location.hash") == f"#{first}"
        # play a local file: a media element appears, at the quote's second; still nothing left the machine
        local = next((fid, s) for fid, kind, s, _ in links if kind == "media" and int(s) > 5 and _source(findings, fid))
        browser.click(f"li[id='{local[0]}'] a.play")
        browser.wait_for_function(
            """([id, start]) => {
                const media = document.querySelector(`li[id='${id}'] .player video, li[id='${id}'] .player audio`);
                return media && media.readyState >= 1 && Math.abs(media.currentTime - start) < 1;
            }""",
            arg=[local[0], int(local[1])],
            timeout=15_000,
        )
        assert requests.off_machine() == []
        # play a YouTube talk: only now is the youtube-nocookie embed created, at the second
        youtube = next((fid, s) for fid, kind, s, _ in links if kind == "youtube")
        browser.click(f"li[id='{youtube[0]}'] a.play")
        frame = browser.get_attribute(f"li[id='{youtube[0]}'] .player iframe", "src")
        assert frame == f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?start={youtube[1]}&autoplay=1"
        assert browser.locator(".player iframe").count() == 1 and browser.locator(".player video").count() == 0
        browser.wait_for_timeout(300)
        assert requests.aborted and all(
            u.startswith(f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}") for u in requests.aborted
        )


def _source(findings: list[dict[str, Any]], finding_id: str) -> bool:
    return next(f for f in findings if f["id"] == finding_id)["title"] == "beam-talk"


def _signed(value: float) -> str:
    return "0" if abs(value) < 1e-9 else f"{value:+g}".replace("-", "−")


# -- hostile text ---------------------------------------------------------------------------------
HOSTILE_QUOTE = '<script>window.__pwned = 1</script> "><img src=x onerror="window.__pwned = 2"> --> ]] %% end'
HOSTILE_TITLE = '"><img src=y onerror="window.__pwned = 3"><script>window.__pwned = 4</script> -->'


def test_hostile_transcript_text_stays_text_in_the_page_and_the_notes(workspace_copy: Ingested) -> None:
    copy = workspace_copy
    settings = copy.settings
    adr = AdrRepository(settings.adr_dir).get("0064")
    catalog = Catalog(settings.home)
    beam = next(r for r in catalog.all() if r.title == "beam-talk")
    catalog.put(replace(beam, title=HOSTILE_TITLE))  # a talk's title, as yt-dlp would report it
    hostile = Finding(
        id="f-0badc0de",
        target="supervision-model",
        source_id=beam.source_id,
        title=HOSTILE_TITLE,
        note_name=beam.note_name,
        url=None,
        start=42.0,
        end=50.0,
        text=HOSTILE_QUOTE,
        score=0.99,
    )
    # what retrieval would hand over had the transcript said this: the real note writer takes it from here
    update_note(settings, adr, Retrieved({"supervision-model": [hostile]}))
    cli(copy, "finding", "0064", "f-0badc0de", "--accept", "--supports", "B")
    cli(copy, "decide", "0064")
    cli(copy, "report", "0064")
    for kind in ("evaluation", "decision"):
        text = note(copy, kind)
        assert "<script" not in text and "<img" not in text
        assert "charts" in blocks(text)  # `-->` in the quote closed no marker
    assert set(blocks(note(copy))) >= {"matrix", "charts", "criterion-supervision-model"}
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in note(copy)
    for name in CHARTS:
        root = ElementTree.fromstring(chart(copy, name).read_text().split("\n", 1)[1])
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "foreignObject", "image")]
    with page_for(page(copy).as_uri()) as (browser, requests):
        assert browser.evaluate("window.__pwned") is None
        assert browser.locator("script").count() == 1 and browser.locator("img").count() == 0
        quote = browser.text_content("li[id='f-0badc0de'] blockquote")
        assert quote == f"“{HOSTILE_QUOTE}”"  # the very text, as text
        assert HOSTILE_TITLE in browser.text_content("li[id='f-0badc0de'] .source")
        assert HOSTILE_TITLE in (browser.text_content("#timeline") or "")  # in the chart, as SVG text
        assert requests.seen == [page(copy).as_uri()]
