"""The judge stage (joeladr/evaluate/judge.py) through simonw's `llm`, on the fixture talks' real store.

No language model runs where joeladr is built and tested (no model hub, no provider keys), so the
model here is a stand-in, and the only one: ``FakeJudge``, an ``llm.KeyModel`` registered through
llm's own plugin hook (``register_models``), as llm-anthropic or llm-ollama register theirs. It
answers from a script each test writes (picks, none, a number off the list, broken JSON, words
instead of JSON, an error that echoes the key, no answer at all). Everything around it is real:
llm's model lookup, its key resolution (the provider's environment variable), its schema plumbing;
joeladr's retrieval over the Qdrant Edge store of the ingested fixture talks, the answer cache, the
evaluation note and its curation.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import llm
import pytest

from joeladr.adr.model import Adr
from joeladr.adr.repo import AdrRepository
from joeladr.errors import ConfigError, EvaluationError, JudgeError, UsageError
from joeladr.evaluate.candidates import evidence_candidates, submit_picks
from joeladr.evaluate.curate import curate
from joeladr.evaluate.findings import Evaluation
from joeladr.evaluate.judge import Judge, JudgeProgress, Packet, check_picks, parse_answer
from joeladr.evaluate.run import evaluate, note_path_for
from joeladr.settings import Settings, resolve_settings
from tests.ingested import Ingested, copy_of

KEY = "sk-joeladr-test-0123456789abcdefSECRET"  # what a provider key looks like; it must never be shown
KEY_ENV = "JOELADR_FAKE_JUDGE_KEY"
RELEASE = threading.Event()  # a model that "never answers" waits on this; set when the test is over

Script = Callable[[str], str]


def _criterion(prompt: str) -> str:
    match = re.search(r"^Criterion: (.*)$", prompt, re.MULTILINE)
    return match.group(1) if match else ""


def picks(*numbers: int, supports: tuple[str, ...] = ("B",), weakens: tuple[str, ...] = ("A",)) -> str:
    items = [
        {"candidate": n, "supports": list(supports), "weakens": list(weakens), "why": f"pick {n}"} for n in numbers
    ]
    return json.dumps({"picks": items})


NONE = json.dumps({"picks": []})


class FakeJudge(llm.KeyModel):  # type: ignore[misc]
    """A stand-in for a hosted model (none runs here): answers from ``script``, counts its calls."""

    model_id = "fake-judge"
    needs_key = "joeladr-fake"
    key_env_var = KEY_ENV
    supports_schema = True

    def __init__(self) -> None:
        self.script: Script = lambda prompt: NONE
        self.calls: list[dict[str, Any]] = []

    def execute(self, prompt: Any, stream: bool, response: Any, conversation: Any, key: str | None) -> Iterator[str]:
        self.calls.append({"prompt": prompt.prompt, "system": prompt.system, "schema": prompt.schema, "key": key})
        answer = self.script(prompt.prompt)
        response.set_usage(input=len(prompt.prompt.split()), output=len(answer.split()))
        yield answer


FAKE = FakeJudge()


class FakePlugin:
    @llm.hookimpl  # type: ignore[misc]
    def register_models(self, register: Callable[..., None]) -> None:
        register(FAKE, aliases=("fake",))


@pytest.fixture(scope="module", autouse=True)
def fake_plugin() -> Iterator[None]:
    plugin = FakePlugin()
    llm.plugins.load_plugins()
    llm.plugins.pm.register(plugin, name="joeladr-fake-judge")
    yield
    llm.plugins.pm.unregister(plugin)
    RELEASE.set()


@pytest.fixture(autouse=True)
def model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeJudge]:
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm"))  # llm's own keys/aliases: none of the machine's
    monkeypatch.setenv(KEY_ENV, KEY)
    FAKE.script = lambda prompt: NONE
    FAKE.calls = []
    yield FAKE


@pytest.fixture
def ws(ingested: Ingested, tmp_path: Path) -> Ingested:
    return copy_of(ingested, tmp_path / "copy")


def _adr(settings: Settings) -> Adr:
    return AdrRepository.of(settings).get("0064")


def run(
    copy: Ingested, judge: Judge | bool = True, *, progress: Callable[[JudgeProgress], None] | None = None
) -> Evaluation:
    """``evaluate`` on the copy: judged by the fake (True), by this judge, or offline (False)."""
    from joeladr.engines import make_query_embedder, opened_store

    settings = copy.settings
    chosen = Judge.of(settings, "fake-judge", progress=progress) if judge is True else judge
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        return evaluate(settings, _adr(settings), store, embedder, judge=chosen or False)


def found(copy: Ingested, judge: Judge | bool = True) -> tuple[dict[str, list[str]], list[str]]:
    """What one retrieval finds per target (the note is not involved): judged by the fake, or offline."""
    from joeladr.engines import make_query_embedder, opened_store
    from joeladr.evaluate.run import retrieve

    settings = copy.settings
    chosen = Judge.of(settings, "fake-judge") if judge is True else judge
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        result = retrieve(settings, _adr(settings), store, embedder, judge=chosen or False)
    return {target: [f.id for f in findings] for target, findings in result.findings.items()}, result.messages


def packet(copy: Ingested, target: str) -> Packet:
    from joeladr.engines import make_query_embedder, opened_store

    settings = copy.settings
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        return evidence_candidates(settings, _adr(settings), store, embedder, target)


def ids(result: Evaluation, target: str) -> list[str]:
    return [f.id for f in result.findings[target]]


def note_lines(copy: Ingested) -> list[str]:
    settings = copy.settings
    return note_path_for(settings, _adr(settings)).read_text().splitlines()


def line_of(copy: Ingested, finding_id: str) -> str:
    return next(line for line in note_lines(copy) if line.endswith(f"^{finding_id}"))


# -- what the judge sees and says --------------------------------------------------------------------
def test_picks_become_pending_findings_with_a_suggested_stance(ws: Ingested, model: FakeJudge) -> None:
    model.script = lambda p: picks(2, 1) if _criterion(p) == "Supervision model" else NONE
    result = run(ws)
    shown = packet(ws, "supervision-model")
    assert ids(result, "supervision-model") == [shown.candidates[1].finding_id, shown.candidates[0].finding_id]
    first, second = result.findings["supervision-model"]
    assert (first.status, first.suggests_supports, first.suggests_weakens) == ("pending", ["B"], ["A"])
    assert first.supports == [] and first.note == "pick 2"
    for finding, candidate in ((first, shown.candidates[1]), (second, shown.candidates[0])):
        assert finding.text in candidate.text  # the quote is the candidate's own words: a judge writes none
    line = line_of(ws, first.id)
    assert line.startswith("- [ ] ") and "[suggests:: +B -A] [note:: pick 2]" in line
    assert result.matrix.score("supervision-model", "B") == 0  # a suggestion does not count until taken
    # the other criteria got "none": no findings, and evaluate says why
    assert ids(result, "agent-orchestration") == []
    assert any("'Agent orchestration': the judge cited none of its" in m for m in result.messages)
    assert any(m.startswith("judge fake-judge: ") and "tokens:" in m for m in result.messages)


def test_the_packet_has_the_adr_the_question_the_options_and_numbered_candidates_without_scores(
    ws: Ingested, model: FakeJudge
) -> None:
    run(ws)
    prompt = next(c["prompt"] for c in model.calls if _criterion(c["prompt"]) == "Selective adoption")
    assert prompt.startswith("Decision record: ADR-0064: Evaluate Elixir/BEAM as joelclaw Backbone")
    assert "Question: could a BEAM node handle specific subsystems" in prompt
    assert "A: Full replacement" in prompt and "C: Study and shelve" in prompt
    numbers = [int(n) for n in re.findall(r"^\[(\d+)\] ", prompt, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1)) and 5 < len(numbers) <= 20
    assert not re.search(r"\(\d\.\d\d\)|score", prompt)  # no retrieval scores to anchor on
    schema = next(c["schema"] for c in model.calls)
    assert schema["properties"]["picks"]["maxItems"] == 5
    assert schema["properties"]["picks"]["items"]["properties"]["supports"]["items"]["enum"] == ["A", "B", "C"]
    # the selective-adoption paragraph is among them, though the floor hides it offline (context cosine 0.29)
    assert any("adopt it selectively" in c.text for c in packet(ws, "selective-adoption").candidates)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (picks(1, 99), "pick 2 names candidate 99, but the candidates are numbered 1 to"),
        (picks(0), "pick 1 names candidate 0"),
        ('{"picks": [{"candidate": 1, "supports": ["B"], "weakens": [], "why": "x"}', "is not valid JSON"),
        ("I'm sorry, but I can't help with evaluating this.", "answered in words, not with picks (a refusal?)"),
        ("", "the model's answer was empty"),
        ('{"answer": 3}', "the answer has no list of picks"),
        (picks(1, supports=("D",), weakens=()), "pick 1 supports option 'D', which the ADR does not have"),
        (picks(1, supports=("B",), weakens=("B",)), "pick 1 both supports and weakens option B"),
        (picks(1, 2, 3, 4, 5, 6), "the answer has 6 picks; at most 5 are allowed"),
        (picks(2, 2), "pick 2 names candidate 2 a second time"),
    ],
)
def test_an_unusable_answer_is_a_message_and_the_offline_findings_stand(
    ws: Ingested, model: FakeJudge, answer: str, message: str
) -> None:
    offline, _ = found(ws, judge=False)
    model.script = lambda p: answer if _criterion(p) == "Interop story" else NONE
    judged, messages = found(ws)
    assert judged["interop-story"] == offline["interop-story"] != []
    said = [m for m in messages if m.startswith("judge: 'Interop story': ")]
    assert len(said) == 1 and message in said[0] and said[0].endswith("; the offline findings stand for it")
    assert judged["agent-orchestration"] == [] != offline["agent-orchestration"]  # the others were judged


def test_a_model_that_does_not_answer_times_out_and_the_rest_stay_offline(ws: Ingested, model: FakeJudge) -> None:
    def never(prompt: str) -> str:
        RELEASE.wait(120)  # released when the module's tests are done
        return NONE

    model.script = never
    offline, _ = found(ws, judge=False)
    judge = Judge.of(ws.settings, "fake")
    assert judge is not None
    judge.timeout = 0.2
    judged, said = found(ws, judge=judge)
    assert len(model.calls) == 2  # two timeouts in a row: the model is out of reach, nothing more is asked
    assert judged == offline
    messages = [m for m in said if m.startswith("judge: ")]
    assert "fake-judge did not answer within 0.2 s" in messages[0]
    assert all("not asked: the model was out of reach" in m for m in messages[2:]) and len(messages) > 10


def test_a_network_error_is_a_message(ws: Ingested, model: FakeJudge) -> None:
    def unreachable(prompt: str) -> str:
        raise ConnectionError("Connection refused: [Errno 111]")

    model.script = unreachable
    result = run(ws)
    said = [m for m in result.messages if m.startswith("judge: ")]
    assert "fake-judge failed: ConnectionError: Connection refused" in said[0]
    assert len(model.calls) == 2 and result.findings["supervision-model"]  # offline stands


def test_answers_are_cached_so_a_second_evaluate_asks_nothing_and_works_offline(ws: Ingested, model: FakeJudge) -> None:
    model.script = lambda p: picks(3) if _criterion(p) == "Supervision model" else NONE
    first = run(ws)
    asked = len(model.calls)
    assert asked >= 15  # every target of ADR-0064 was asked once

    def offline_now(prompt: str) -> str:
        raise ConnectionError("no network")

    model.script = offline_now
    seen: list[JudgeProgress] = []
    second = run(ws, progress=seen.append)
    assert len(model.calls) == asked  # nothing asked again
    assert ids(second, "supervision-model") == ids(first, "supervision-model")
    assert {p.state for p in seen} == {"cached"} and [p.done for p in seen] == list(range(1, len(seen) + 1))
    assert not any(m.startswith("judge: ") for m in second.messages)
    cache = ws.root / "home" / "judge"
    assert len(list(cache.glob("*.json"))) == asked


def test_progress_names_each_target_and_the_tokens(ws: Ingested, model: FakeJudge) -> None:
    seen: list[JudgeProgress] = []
    run(ws, progress=seen.append)
    asking = [p for p in seen if p.state == "asking"]
    judged = [p for p in seen if p.state == "judged"]
    assert asking and len(asking) == len(judged) == len(model.calls)
    assert asking[0].target == "Supervision model" and asking[0].done == 0 and asking[0].total == judged[0].total
    assert all(p.input_tokens and p.output_tokens for p in judged)


# -- keys --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [KEY, "q+Z/SECRET-9"], ids=["key-shaped", "short"])
def test_the_key_is_never_shown(
    ws: Ingested, model: FakeJudge, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """The short key is not shaped like one (the shape rule would not hide it): only remembering the key does."""
    monkeypatch.setenv(KEY_ENV, key)

    def echoes_the_key(prompt: str) -> str:  # as a provider's "Incorrect API key provided: sk-..." does
        raise RuntimeError(f"401 Incorrect API key provided: {key}. You can find your key at ...")

    model.script = echoes_the_key
    result = run(ws)
    assert model.calls[0]["key"] == key  # llm resolved it from the provider's environment variable
    said = [m for m in result.messages if m.startswith("judge: ")]
    assert "401 Incorrect API key provided" in said[0]
    shown = json.dumps(result.to_json()) + "\n".join(result.messages) + "\n".join(note_lines(ws))
    captured = capsys.readouterr()
    for text in (shown, captured.out, captured.err):
        assert key not in text and "SECRET" not in text


def test_a_missing_key_says_how_to_set_it(ws: Ingested, model: FakeJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    result = run(ws)
    assert model.calls == []
    said = [m for m in result.messages if m.startswith("judge: ")]
    assert f"no key for fake-judge: run `llm keys set joeladr-fake` or set {KEY_ENV}" in said[0]
    assert result.findings["supervision-model"]  # offline stands


def test_a_key_from_llm_keys_is_used(ws: Ingested, model: FakeJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    keys = Path(llm.user_dir()) / "keys.json"
    keys.write_text(json.dumps({"joeladr-fake": "stored-key-0123456789abcdef"}))
    run(ws)
    assert model.calls and model.calls[0]["key"] == "stored-key-0123456789abcdef"


# -- the note: suggestions, taking them, lines the user touched ---------------------------------------------
def test_one_tick_or_finding_accept_takes_the_suggestion(ws: Ingested, model: FakeJudge) -> None:
    model.script = lambda p: picks(1, 2) if _criterion(p) == "Selective adoption" else NONE
    result = run(ws)
    first, second = result.findings["selective-adoption"]
    settings = ws.settings
    adr = _adr(settings)
    accepted = curate(settings, adr, first.id, status="accepted")
    line = line_of(ws, first.id)
    assert line.startswith("- [x] ") and "[supports:: B] [weakens:: A]" in line and "suggests" not in line
    assert "[note:: pick 1]" in line
    assert accepted.matrix.score("selective-adoption", "B") == 1
    # a tick in Obsidian, without writing supports/weakens, counts the suggestion
    path = note_path_for(settings, adr)
    text = path.read_text()
    path.write_text(text.replace(line_of(ws, second.id), line_of(ws, second.id).replace("- [ ] ", "- [x] ", 1)))
    rescored = curate(settings, adr, first.id, note="mine")
    assert (
        rescored.matrix.score("selective-adoption", "B") == 2 and rescored.matrix.score("selective-adoption", "A") == -2
    )
    assert "[suggests:: +B -A]" in line_of(ws, second.id)  # the user's line is kept as they left it


def test_lines_the_user_touched_are_kept_and_untouched_ones_get_the_suggestion(ws: Ingested, model: FakeJudge) -> None:
    offline = run(ws, judge=False)
    touched, untouched = offline.findings["supervision-model"][:2]
    settings = ws.settings
    adr = _adr(settings)
    curate(settings, adr, touched.id, status="rejected", note="not about OTP")
    before = line_of(ws, touched.id)
    shown = packet(ws, "supervision-model")
    numbers = {c.finding_id: c.number for c in shown.candidates}
    model.script = lambda p: (
        picks(numbers[touched.id], numbers[untouched.id], supports=("C",), weakens=())
        if _criterion(p) == "Supervision model"
        else NONE
    )
    result = run(ws)
    assert line_of(ws, touched.id) == before  # the user's line, as they left it
    assert "[suggests:: +C]" in line_of(ws, untouched.id)  # joeladr's own line gained the suggestion
    assert next(f for f in result.findings["supervision-model"] if f.id == touched.id).status == "rejected"
    assert [f.id for f in result.findings["supervision-model"]][:2] == [touched.id, untouched.id]  # judge's order
    assert sum(line.endswith(f"^{untouched.id}") for line in note_lines(ws)) == 1


# -- an outside judge (an agent over MCP) ------------------------------------------------------------------
def test_an_agent_reads_the_packet_and_submits_picks_with_the_same_checks(ws: Ingested) -> None:
    from joeladr.engines import make_query_embedder, opened_store

    settings = ws.settings
    adr = _adr(settings)
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        shown = evidence_candidates(settings, adr, store, embedder, "liveview-for-tui-web")
        data = shown.to_json()
        assert data["packet_id"] == shown.packet_id and data["options"][1] == {"id": "B", "title": "Selective adoption"}
        assert "score" not in json.dumps(data["candidates"])
        with pytest.raises(JudgeError, match="names candidate 42, but the candidates are numbered 1 to"):
            submit_picks(settings, adr, store, embedder, "liveview-for-tui-web", [{"candidate": 42, "why": "x"}])
        with pytest.raises(EvaluationError, match="are not those of packet p-000000000000"):
            submit_picks(settings, adr, store, embedder, "liveview-for-tui-web", [], packet_id="p-000000000000")
        with pytest.raises(EvaluationError, match="has no target 'speed'"):
            evidence_candidates(settings, adr, store, embedder, "speed")
        pick = {"candidate": 1, "supports": ["B"], "weakens": [], "why": "LiveView renders server side"}
        result = submit_picks(settings, adr, store, embedder, "liveview-for-tui-web", [pick], packet_id=shown.packet_id)
    finding = result.findings["liveview-for-tui-web"][0]
    assert finding.id == shown.candidates[0].finding_id and finding.suggests_supports == ["B"]
    assert "[suggests:: +B] [note:: LiveView renders server side]" in line_of(ws, finding.id)


# -- checks and settings, without a store -----------------------------------------------------------------
def _tiny_packet() -> Packet:
    from joeladr.evaluate.judge import PacketCandidate

    candidates = tuple(PacketCandidate(n, f"f-0000000{n}", "s", "talk", 0.0, 1.0, f"text {n}") for n in (1, 2, 3))
    return Packet("ADR-0001", "T", "", "c", "criterion", "C", "Q?", (("A", "a"), ("B", "b")), candidates, 2)


def test_check_picks_accepts_the_schemas_answer_and_none() -> None:
    packet = _tiny_packet()
    assert check_picks(packet, parse_answer(NONE)) == []
    got = check_picks(packet, parse_answer("```json\n" + picks(3, 1, supports=("b",), weakens=()) + "\n```"))
    assert [(p.number, p.finding_id, p.supports) for p in got] == [(3, "f-00000003", ("B",)), (1, "f-00000001", ("B",))]
    long_why = {"picks": [{"candidate": 1, "supports": [], "weakens": [], "why": "a\nb\x1b[31m " + "x" * 400}]}
    why = check_picks(packet, long_why)[0].why
    assert "\n" not in why and "\x1b" not in why and len(why) <= 300


def test_the_judge_setting(tmp_path: Path) -> None:
    settings = resolve_settings(cwd=tmp_path, env={})
    assert settings.judge is None and Judge.of(settings) is None  # off by default: the offline path
    assert Judge.of(resolve_settings(cwd=tmp_path, env={"JOELADR_JUDGE": "off"})) is None
    (tmp_path / "joeladr.toml").write_text('[evaluate]\njudge = "fake"\njudge_candidates = 12\n')
    configured = Judge.of(resolve_settings(cwd=tmp_path, env={}))
    assert configured is not None and configured.model.model_id == "fake-judge" and configured.candidates == 12
    with pytest.raises(UsageError, match="llm knows no model 'no-such-model'"):
        Judge.of(resolve_settings(cwd=tmp_path, env={"JOELADR_JUDGE": "no-such-model"}))
    with pytest.raises(ConfigError, match="judge_candidates must be a whole number from 1 to 50"):
        resolve_settings(cwd=tmp_path, env={"JOELADR_JUDGE_CANDIDATES": "0"})
    with pytest.raises(ConfigError, match="judge must be one line"):
        resolve_settings(cwd=tmp_path, env={"JOELADR_JUDGE": "a\x1b[2Jb"})


def test_an_unknown_model_fails_before_any_retrieval(ws: Ingested, model: FakeJudge) -> None:
    from dataclasses import replace

    from joeladr.engines import make_query_embedder, opened_store
    from joeladr.evaluate.run import retrieve

    settings = replace(ws.settings, judge="no-such-model")
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store, pytest.raises(UsageError, match="llm knows no model"):
        retrieve(settings, _adr(settings), store, embedder)


# -- the front ends: the same stage from the terminal (the fake is registered in this process) -------------
def _cli(copy: Ingested, *args: str) -> Any:
    from typer.testing import CliRunner

    from joeladr.cli import app

    return CliRunner().invoke(app, [*copy.args(), *args])


def test_evaluate_judge_names_the_model_for_one_run_and_off_turns_it_off(ws: Ingested, model: FakeJudge) -> None:
    model.script = lambda p: picks(1) if _criterion(p) == "Supervision model" else NONE
    judged = _cli(ws, "evaluate", "64", "--judge", "fake", "--json")
    assert judged.exit_code == 0, judged.output
    data = json.loads(judged.stdout)
    assert any(m.startswith("judge fake-judge: ") for m in data["messages"])
    assert "judge: 1 of " in judged.stderr  # the progress, target by target
    supervision = next(c for c in data["criteria"] if c["id"] == "supervision-model")
    assert [f["suggests"] for f in supervision["findings"]] == [{"supports": ["B"], "weakens": ["A"]}]
    asked = len(model.calls)
    as_text = _cli(ws, "evaluate", "64", "--judge", "fake")  # from the cache: the model is not asked again
    assert as_text.exit_code == 0 and " suggests +B -A" in as_text.stdout and len(model.calls) == asked
    offline = _cli(ws, "evaluate", "64", "--judge", "off", "--json")
    assert offline.exit_code == 0 and len(model.calls) == asked  # off: the model is not asked
    assert not any(m.startswith("judge ") for m in json.loads(offline.stdout)["messages"])
    unknown = _cli(ws, "evaluate", "64", "--judge", "no-such-model")
    assert unknown.exit_code == 2 and "llm knows no model 'no-such-model'" in unknown.stderr


def test_a_person_judges_from_the_terminal_with_candidates_and_picks(ws: Ingested) -> None:
    shown = _cli(ws, "candidates", "64", "supervision-model", "--candidates", "4")
    assert shown.exit_code == 0, shown.output
    assert "Criterion: Supervision model" in shown.stdout and "[1]" in shown.stdout
    packet_id = re.search(r"packet (p-[0-9a-f]{12})", shown.stderr)
    assert packet_id, shown.stderr
    as_data = json.loads(_cli(ws, "candidates", "64", "supervision-model", "--candidates", "4", "--json").stdout)
    assert as_data["packet_id"] == packet_id.group(1) and len(as_data["candidates"]) == 4
    first = as_data["candidates"][1]["finding_id"]
    sent = _cli(ws, "picks", "64", "supervision-model", "2:+B-A", "--packet", packet_id.group(1), "--candidates", "4")
    assert sent.exit_code == 0, sent.output
    assert "[suggests:: +B -A]" in line_of(ws, first) and line_of(ws, first).startswith("- [ ] ")
    stale = _cli(ws, "picks", "64", "supervision-model", "1", "--packet", "p-000000000000")
    assert stale.exit_code != 0 and "are not those of packet p-000000000000" in stale.stderr
    neither = _cli(ws, "picks", "64", "supervision-model")
    assert neither.exit_code == 2 and "or --none" in neither.stderr
    loose = _cli(ws, "picks", "64", "supervision-model", "2:+B junk", "--packet", packet_id.group(1))
    assert loose.exit_code == 2 and "the stance is +OPTION or -OPTION" in loose.stderr  # nothing dropped silently


def test_picks_keep_the_notes_charts(ws: Ingested) -> None:
    """Picks rewrite the evaluation note as evaluate does, charts block included (it was emptied before)."""
    assert _cli(ws, "evaluate", "64", "--judge", "off").exit_code == 0
    assert "![[ADR-0064 matrix.svg|" in "\n".join(note_lines(ws))
    sent = _cli(ws, "picks", "64", "interop-story", "--none")
    assert sent.exit_code == 0, sent.output
    assert "![[ADR-0064 matrix.svg|" in "\n".join(note_lines(ws))


def test_a_stance_is_read_whole_with_option_ids_of_any_length() -> None:
    """The CLI's stance and the note's `[suggests:: ...]` are one syntax: an id is letters or digits (the note
    read one letter only, so a judged `+27` was written and then counted for nothing once ticked)."""
    from joeladr.evaluate.note import parse_stance, parse_suggestion

    assert parse_stance("+B -A") == (["B"], ["A"]) and parse_stance(" +b+C2 ") == (["B", "C2"], [])
    assert parse_stance("+B junk") is None and parse_stance("") is None
    assert parse_suggestion("+27 -A") == (["27"], ["A"])


def test_a_pick_that_is_not_an_object_is_refused_by_the_request() -> None:
    from joeladr.app.decisions import Candidates, SubmitPicks
    from joeladr.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="item 1 must be an object"):
        SubmitPicks(Candidates("64", "supervision-model"), (["ab"],))  # type: ignore[arg-type]
