"""The judge stage: the user's own language model picks the evidence a careful reader would cite.

For each target of an ADR (a criterion, a pain point, a counter-argument, an option) the model
reads a :class:`Packet`: the ADR's title and context, the target and its question, the options,
and the top N candidate passages of the ingested talks (retrieved as evaluate retrieves them, but
without the relevance floor), numbered. It answers through a JSON schema: the candidates it would
cite, best first (at most ``top_k``), or none; for each, the options it supports or weakens and one
line of why. :func:`check_picks` holds every answer to the packet: a pick names a candidate by its
number, so a judge can choose among real passages but never write a quote; a number outside the
list, an option the ADR does not have, or an answer that is not the schema's JSON is refused.

A refused answer, a refusal, a timeout or a network error is a message for that target, and the
offline findings stand for it; the evaluation goes on. Answers are cached under the home folder by
(model, prompt, candidate ids), so a second evaluate asks nothing and works offline.

The model is any model simonw's ``llm`` knows (hosted ones through its plugins, local ones through
``llm-ollama``, ``llm-gguf``, ``llm-mlx``), with the key ``llm keys`` holds or the provider's
environment variable; a key is never printed. ``llm`` is imported only when a judge is asked for.
The stance a judge gives is a suggestion (``[suggests:: +B -A]`` beside the finding): the user takes
it with one tick.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from joeladr.adr.model import Adr
from joeladr.cache import read_entry, write_entry
from joeladr.errors import JudgeError, UsageError
from joeladr.evaluate.targets import Target
from joeladr.redact import redact, remember
from joeladr.retrieve import Passage, find_candidates, shorten
from joeladr.settings import Settings
from joeladr.store import VectorStore
from joeladr.text import strip_controls
from joeladr.timecode import timestamp

DEFAULT_CANDIDATES = 20  # what a careful reader judged best with: 17 of 18 labelled criteria have a hit in 30
DEFAULT_TIMEOUT = 120.0  # seconds for one answer
TRANSPORT_FAILURES_TO_STOP = 2  # in a row: the model is out of reach, the remaining targets stay offline
CONTEXT_CHARS = 1500
WHY_CHARS = 300
OFF = ("off", "none", "no", "false", "0")

SYSTEM = (
    "You are a careful reader helping an engineer record an architecture decision. You are shown one "
    "question the decision must answer and numbered passages transcribed from talks. Pick only passages "
    "that speak to the question itself, the ones you would quote in the decision record as evidence, best "
    "first. Passages that merely share words with the question, or that are about something else, are not "
    "evidence. When no passage speaks to the question, pick none: silence is a correct answer. Refer to "
    "passages only by their numbers. Answer with the JSON the schema asks for and nothing else."
)


# -- the packet: what a judge sees for one target --------------------------------------------------
@dataclass(frozen=True)
class PacketCandidate:
    """A numbered candidate passage: the passage and the sentences around it, as a judge reads it."""

    number: int  # 1-based, as the judge sees it
    finding_id: str
    source_id: str
    title: str
    start: float
    end: float
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "finding_id": self.finding_id,
            "source_id": self.source_id,
            "title": self.title,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
        }


@dataclass(frozen=True)
class Packet:
    """Everything a judge is shown for one target, and nothing it should not see (no scores)."""

    adr: str  # ADR-0064
    title: str
    context: str
    target: str  # the target's id
    kind: str
    name: str
    question: str
    options: tuple[tuple[str, str], ...]  # (id, title)
    candidates: tuple[PacketCandidate, ...]
    top_k: int

    @property
    def packet_id(self) -> str:
        """Names this exact set of candidates: a pick submitted against another set is refused."""
        raw = "\x1f".join([self.adr, self.target, *(c.finding_id for c in self.candidates)])
        return "p-" + hashlib.sha256(raw.encode()).hexdigest()[:12]

    def prompt(self) -> str:
        options = "\n".join(f"{oid}: {otitle}" for oid, otitle in self.options) or "(none)"
        lines = [
            f"Decision record: {self.adr}: {self.title}",
            "",
            "Context:",
            shorten(self.context, CONTEXT_CHARS) or "(none given)",
            "",
            "Options:",
            options,
            "",
            f"{_KIND_LABEL.get(self.kind, 'Question')}: {self.name}",
            f"Question: {self.question}",
            "",
            f"Candidate passages ({len(self.candidates)}):",
        ]
        for candidate in self.candidates:
            lines += ["", f"[{candidate.number}] {candidate.title}, at {timestamp(candidate.start)}", candidate.text]
        option_ids = ", ".join(oid for oid, _ in self.options) or "none"
        lines += [
            "",
            f"Pick the passages a careful reader would cite for this {_KIND_NOUN.get(self.kind, 'question')}, "
            f"best first: at most {self.top_k}, or none when no passage speaks to it. For each pick give its "
            f"number, the options it supports and the options it weakens (option ids: {option_ids}; either list "
            "may be empty), and why, in one line.",
            'Answer as JSON: {"picks": [{"candidate": 3, "supports": ["B"], "weakens": [], "why": "..."}]}'
            ' (or {"picks": []} for none).',
        ]
        return "\n".join(lines)

    def schema(self) -> dict[str, Any]:
        option_ids = [oid for oid, _ in self.options]
        stance: dict[str, Any] = {"type": "array", "items": {"type": "string", "enum": option_ids}}
        if not option_ids:
            stance = {"type": "array", "items": {"type": "string"}, "maxItems": 0}
        return {
            "type": "object",
            "properties": {
                "picks": {
                    "type": "array",
                    "maxItems": self.top_k,
                    "items": {
                        "type": "object",
                        "properties": {
                            "candidate": {"type": "integer", "minimum": 1, "maximum": max(len(self.candidates), 1)},
                            "supports": stance,
                            "weakens": stance,
                            "why": {"type": "string"},
                        },
                        "required": ["candidate", "supports", "weakens", "why"],
                    },
                }
            },
            "required": ["picks"],
        }

    def to_json(self) -> dict[str, Any]:
        """The packet as data: for an agent judging over MCP, and for a reader judging by hand."""
        return {
            "packet_id": self.packet_id,
            "adr": self.adr,
            "title": self.title,
            "context": shorten(self.context, CONTEXT_CHARS),
            "target": self.target,
            "kind": self.kind,
            "name": self.name,
            "question": self.question,
            "options": [{"id": oid, "title": otitle} for oid, otitle in self.options],
            "top_k": self.top_k,
            "candidates": [c.to_json() for c in self.candidates],
            "answer_with": {"picks": [{"candidate": 1, "supports": [], "weakens": [], "why": "one line"}]},
        }


_KIND_LABEL = {"criterion": "Criterion", "pain-point": "Pain point", "counter": "Counter-argument", "option": "Option"}
_KIND_NOUN = {"criterion": "criterion", "pain-point": "pain point", "counter": "counter-argument", "option": "option"}


def candidate_pool(
    adr: Adr,
    target: Target,
    vector: Sequence[float],
    store: VectorStore,
    *,
    candidates: int,
    top_k: int,
    source_ids: Sequence[str] | None = None,
) -> tuple[list[Passage], Packet]:
    """One target's candidate passages for a judge (best first, no floor) and the packet it reads of them."""
    passages = find_candidates(store, list(vector), target.query, limit=candidates, source_ids=source_ids)
    return passages, packet_of(adr, target, passages, top_k)


def packet_of(adr: Adr, target: Target, passages: Sequence[Passage], top_k: int) -> Packet:
    """The packet for one target from its candidate passages (best first, no floor applied)."""
    question = target.question or target.query
    candidates = tuple(
        PacketCandidate(
            number=n,
            finding_id=passage.finding_id(target.id),
            source_id=passage.source_id,
            title=passage.title,
            start=passage.start,
            end=passage.end,
            text=context_text(passage),
        )
        for n, passage in enumerate(passages, start=1)
    )
    return Packet(
        adr=adr.label,
        title=adr.title,
        context=" ".join(adr.context.split()),
        target=target.id,
        kind=target.kind,
        name=target.name,
        question=question,
        options=tuple((o.id, o.title) for o in adr.options),
        candidates=candidates,
        top_k=top_k,
    )


def context_text(passage: Passage) -> str:
    """The passage as a judge reads it: its best chunk with the neighbouring sentences merged into it."""
    pieces = [p.text for p in passage.pieces] or [passage.text]
    return strip_controls(" ".join(" ".join(pieces).split()))


# -- checking an answer ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pick:
    """One candidate a judge would cite, and the stance it suggests."""

    number: int
    finding_id: str
    supports: tuple[str, ...] = ()
    weakens: tuple[str, ...] = ()
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.number,
            "finding_id": self.finding_id,
            "supports": list(self.supports),
            "weakens": list(self.weakens),
            "why": self.why,
        }


def parse_answer(text: str) -> Any:
    """A model's answer as JSON; a refusal (words, no JSON) or broken JSON is a :class:`JudgeError`."""
    stripped = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", stripped, re.DOTALL)
    if fenced:
        stripped = fenced.group(1)
    if not stripped:
        raise JudgeError("the model's answer was empty")
    if "{" not in stripped:
        raise JudgeError(f"the model answered in words, not with picks (a refusal?): '{_excerpt(stripped)}'")
    try:
        return json.loads(stripped)
    except ValueError:
        raise JudgeError(f"the model's answer is not valid JSON: '{_excerpt(stripped)}'") from None


def check_picks(packet: Packet, answer: Any) -> list[Pick]:
    """The picks of an answer (``{"picks": [...]}``), held to the packet; anything amiss is a JudgeError.

    A pick names a candidate by its number in the packet (1..N), at most ``top_k`` picks, each
    candidate once; supports/weakens name options of the ADR, never one option both ways; ``why`` is
    one line. An empty list means the judge found nothing to cite.
    """
    if not isinstance(answer, Mapping) or not isinstance(answer.get("picks"), list):
        raise JudgeError('the answer has no list of picks (expected {"picks": [...]})')
    raw_picks: list[Any] = answer["picks"]
    if len(raw_picks) > packet.top_k:
        raise JudgeError(f"the answer has {len(raw_picks)} picks; at most {packet.top_k} are allowed")
    options = {oid.upper() for oid, _ in packet.options}
    picks: list[Pick] = []
    seen: set[int] = set()
    for position, raw in enumerate(raw_picks, start=1):
        if not isinstance(raw, Mapping):
            raise JudgeError(f"pick {position} is not an object with a candidate number")
        number = raw.get("candidate")
        if isinstance(number, bool) or not isinstance(number, int):
            raise JudgeError(f"pick {position} has no candidate number")
        if not 1 <= number <= len(packet.candidates):
            raise JudgeError(
                f"pick {position} names candidate {number}, but the candidates are numbered 1 to "
                f"{len(packet.candidates)}"
            )
        if number in seen:
            raise JudgeError(f"pick {position} names candidate {number} a second time")
        seen.add(number)
        supports = _option_list(raw.get("supports"), options, position, "supports")
        weakens = _option_list(raw.get("weakens"), options, position, "weakens")
        if both := sorted(set(supports) & set(weakens)):
            raise JudgeError(f"pick {position} both supports and weakens option {both[0]}")
        why = raw.get("why", "")
        if not isinstance(why, str):
            raise JudgeError(f"pick {position}'s why is not text")
        picks.append(
            Pick(number, packet.candidates[number - 1].finding_id, tuple(supports), tuple(weakens), one_line(why))
        )
    return picks


def _option_list(value: Any, options: set[str], position: int, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise JudgeError(f"pick {position}'s {key} is not a list of option ids")
    found: list[str] = []
    for item in value:
        option = item.strip().upper()
        if option not in options:
            raise JudgeError(
                f"pick {position} {key} option '{_excerpt(item, 20)}', which the ADR does not have "
                f"(options: {', '.join(sorted(options)) or 'none'})"
            )
        if option not in found:
            found.append(option)
    return found


def one_line(text: str, limit: int = WHY_CHARS) -> str:
    """Untrusted text as one plain line of at most ``limit`` characters (a judge's reason)."""
    return shorten(" ".join(strip_controls(text).split()), limit)


def _excerpt(text: str, limit: int = 80) -> str:
    return one_line(_hide_tokens(redact(text)), limit)


_TOKEN = re.compile(r"[A-Za-z0-9_\-*.]{24,}")


def _hide_tokens(text: str) -> str:
    """Anything shaped like a key (a long unbroken token) is hidden, even a provider's masked echo of one."""
    return _TOKEN.sub("***", text)


# -- the model ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None


class JudgeModel(Protocol):
    """A language model that answers a prompt (with a JSON schema where it can)."""

    model_id: str

    def ask(self, system: str, prompt: str, schema: dict[str, Any], timeout: float) -> Reply:
        """The model's answer; JudgeError (``transport`` set for timeouts, network and key problems)."""
        ...


class LlmModel:
    """A model of simonw's ``llm``: any model its plugins register, named by id or alias."""

    def __init__(self, name: str) -> None:
        import llm

        try:
            self._model = llm.get_model(name)
        except llm.UnknownModelError:
            raise UsageError(
                f"llm knows no model '{one_line(name, 80)}'",
                hint="`llm models` lists the models; a plugin adds more (llm-anthropic, llm-gemini, llm-ollama)",
            ) from None
        except Exception as exc:  # a plugin that fails to load is the user's setup, not a crash of joeladr
            raise UsageError(
                f"llm could not load model '{one_line(name, 80)}': {type(exc).__name__}: {_excerpt(str(exc))}",
                hint="check the plugin with `llm models`",
            ) from None
        self.model_id: str = self._model.model_id
        self._key_checked = False

    def _check_key(self) -> None:
        """The key exists (llm keys, or the provider's environment variable); it is registered as a secret."""
        import llm

        if self._key_checked or not getattr(self._model, "needs_key", None):
            return
        try:
            key = self._model.get_key()
        except llm.NeedsKeyException:
            env = getattr(self._model, "key_env_var", None)
            raise JudgeError(
                f"no key for {self.model_id}: run `llm keys set {self._model.needs_key}`"
                + (f" or set {env}" if env else ""),
                transport=True,
            ) from None
        remember(key)
        self._key_checked = True

    def ask(self, system: str, prompt: str, schema: dict[str, Any], timeout: float) -> Reply:
        self._check_key()
        model = self._model

        def call() -> Reply:
            response = model.prompt(
                prompt, system=system, schema=schema if model.supports_schema else None, stream=False
            )
            text = response.text()
            usage = response.usage()
            return Reply(text, usage.input, usage.output)

        return _within(call, timeout, self.model_id)


def _within(call: Callable[[], Reply], timeout: float, model_id: str) -> Reply:
    """``call()`` on a daemon thread, waited for at most ``timeout`` seconds; its failure as a JudgeError."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["reply"] = call()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="joeladr-judge", daemon=True).start()
    if not done.wait(timeout):
        raise JudgeError(f"{model_id} did not answer within {timeout:g} s", transport=True)
    error = box.get("error")
    if error is None:
        return box["reply"]  # type: ignore[no-any-return]
    if isinstance(error, JudgeError):
        raise error
    if not isinstance(error, Exception):
        raise error
    name = type(error).__name__
    transport = isinstance(error, OSError | TimeoutError) or any(
        word in name for word in ("Connection", "Timeout", "Network", "Transport", "Unavailable", "RateLimit")
    )
    raise JudgeError(f"{model_id} failed: {name}: {_excerpt(str(error), 160)}", transport=transport) from None


# -- the stage --------------------------------------------------------------------------------------------
JudgeState = Literal["asking", "judged", "cached", "failed", "skipped"]


@dataclass(frozen=True)
class JudgeProgress:
    """One step of the judge, for a front end to show: which target, how far, the tokens it cost."""

    done: int  # targets finished (this one included once it is not "asking")
    total: int
    target: str  # the target's name
    state: JudgeState
    input_tokens: int | None = None
    output_tokens: int | None = None
    message: str = ""


ProgressFn = Callable[[JudgeProgress], None]


@dataclass
class Verdict:
    """What the judge said for one target: picks (possibly none), or why the offline result stands."""

    target: str
    picks: list[Pick] | None  # None: no usable answer, the offline findings stand
    cached: bool = False
    message: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass
class Judge:
    """The judge stage: a model, the answer cache, how many candidates it reads, and whom to tell."""

    model: JudgeModel
    cache_dir: Path
    candidates: int = DEFAULT_CANDIDATES
    timeout: float = DEFAULT_TIMEOUT
    progress: ProgressFn | None = None
    calls: int = field(default=0, init=False)  # answers asked of the model (not from the cache)

    @classmethod
    def of(
        cls,
        settings: Settings,
        model: str | None = None,
        *,
        candidates: int | None = None,
        progress: ProgressFn | None = None,
    ) -> Judge | None:
        """The judge ``model`` (else the ``[evaluate] judge`` setting) names; None when there is none or "off"."""
        name = model if model is not None else settings.judge
        if name is None or not name.strip() or name.strip().lower() in OFF:
            return None
        return cls(
            LlmModel(name.strip()),
            settings.home / "judge",
            candidates=candidates or settings.judge_candidates,
            timeout=settings.judge_timeout,
            progress=progress,
        )

    def verdicts(self, packets: Sequence[Packet]) -> list[Verdict]:
        """One verdict per packet, in order; a failure is a verdict with a message, never an exception."""
        found: list[Verdict] = []
        transport_failures = 0
        for index, packet in enumerate(packets):
            if transport_failures >= TRANSPORT_FAILURES_TO_STOP:
                verdict = Verdict(packet.target, None, message="not asked: the model was out of reach")
                self._tell(index + 1, len(packets), packet, "skipped", verdict)
                found.append(verdict)
                continue
            verdict, transport = self._verdict(index, len(packets), packet)
            transport_failures = transport_failures + 1 if transport else 0
            found.append(verdict)
        return found

    def _verdict(self, index: int, total: int, packet: Packet) -> tuple[Verdict, bool]:
        if not packet.candidates:
            verdict = Verdict(packet.target, [], message="no candidates to judge")
            self._tell(index + 1, total, packet, "skipped", verdict)
            return verdict, False
        prompt, schema = packet.prompt(), packet.schema()
        path = self.cache_dir / f"{self._key(packet, prompt, schema)}.json"
        entry = read_entry(path) if path.is_file() else None
        if isinstance(entry, dict) and isinstance(entry.get("answer"), str):
            try:
                picks = check_picks(packet, parse_answer(entry["answer"]))
            except JudgeError:
                pass  # an entry that no longer passes is asked again
            else:
                verdict = Verdict(packet.target, picks, cached=True)
                self._tell(index + 1, total, packet, "cached", verdict)
                return verdict, False
        self._tell(index, total, packet, "asking", None)
        try:
            self.calls += 1
            reply = self.model.ask(SYSTEM, prompt, schema, self.timeout)
            picks = check_picks(packet, parse_answer(reply.text))
        except JudgeError as exc:
            verdict = Verdict(packet.target, None, message=exc.message)
            self._tell(index + 1, total, packet, "failed", verdict)
            return verdict, exc.transport
        entry = {
            "model": self.model.model_id,
            "answer": reply.text,
            "input_tokens": reply.input_tokens,
            "output_tokens": reply.output_tokens,
        }
        with contextlib.suppress(OSError):  # an answer that cannot be cached is still used; the next run asks again
            write_entry(path, entry)
        verdict = Verdict(packet.target, picks, input_tokens=reply.input_tokens, output_tokens=reply.output_tokens)
        self._tell(index + 1, total, packet, "judged", verdict)
        return verdict, False

    def _key(self, packet: Packet, prompt: str, schema: dict[str, Any]) -> str:
        parts = [
            self.model.model_id,
            SYSTEM,
            prompt,
            json.dumps(schema, sort_keys=True),
            *(c.finding_id for c in packet.candidates),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def _tell(self, done: int, total: int, packet: Packet, state: JudgeState, verdict: Verdict | None) -> None:
        if self.progress is None:
            return
        self.progress(
            JudgeProgress(
                done,
                total,
                packet.name,
                state,
                verdict.input_tokens if verdict else None,
                verdict.output_tokens if verdict else None,
                verdict.message if verdict else "",
            )
        )


def summary(model_id: str, verdicts: Sequence[Verdict]) -> str:
    """One line: how many targets the judge decided, from where, and what it cost."""
    judged = [v for v in verdicts if v.picks is not None]
    cached = sum(v.cached for v in judged)
    inputs = [v.input_tokens for v in verdicts if v.input_tokens is not None]
    outputs = [v.output_tokens for v in verdicts if v.output_tokens is not None]
    line = f"judge {model_id}: {len(judged)} of {len(verdicts)} targets judged ({cached} from the cache)"
    if inputs or outputs:
        line += f"; tokens: {sum(inputs):,} in, {sum(outputs):,} out"
    if failed := len(verdicts) - len(judged):
        line += f"; {failed} kept the offline findings"
    return line
