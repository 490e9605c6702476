"""The judge's candidates for an outside judge (an agent over MCP), and the picks it sends back.

An agent is often the best judge a user has. :func:`evidence_candidates` gives it one target's
packet, the same one a model reads in the judge stage (:class:`joeladr.evaluate.judge.Packet`:
the ADR's title and context, the target and its question, the options, the numbered candidates,
no scores). :func:`submit_picks` takes its picks with their stances, holds them to the same checks
(:func:`joeladr.evaluate.judge.check_picks`) and puts them in the evaluation note as suggestions:
pending, with ``[suggests:: ...]`` and the reason as the note, for the human to take or leave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from joeladr.adr.model import Adr
from joeladr.embed import Embedder
from joeladr.errors import EvaluationError
from joeladr.evaluate.findings import Evaluation
from joeladr.evaluate.judge import Packet, candidate_pool, check_picks
from joeladr.evaluate.run import ChartHook, Retrieved, findings_of, update_note
from joeladr.evaluate.targets import Target, targets_of
from joeladr.retrieve import Passage
from joeladr.settings import Settings
from joeladr.store import VectorStore


@dataclass(frozen=True)
class _Pool:
    target: Target
    vector: list[float]
    passages: list[Passage]
    packet: Packet


def evidence_candidates(
    settings: Settings,
    adr: Adr,
    store: VectorStore,
    embedder: Embedder,
    target_id: str,
    *,
    candidates: int | None = None,
    source_ids: Sequence[str] | None = None,
) -> Packet:
    """One target's packet: what a judge reads (``.to_json()`` for an agent). Writes nothing."""
    return _pool(settings, adr, store, embedder, target_id, candidates, source_ids).packet


def submit_picks(
    settings: Settings,
    adr: Adr,
    store: VectorStore,
    embedder: Embedder,
    target_id: str,
    picks: Sequence[Mapping[str, Any]],
    *,
    packet_id: str | None = None,
    candidates: int | None = None,
    source_ids: Sequence[str] | None = None,
    charts: ChartHook | None = None,
) -> Evaluation:
    """Picks for one target (``[{"candidate": 3, "supports": ["B"], "weakens": [], "why": "..."}]``, best
    first; an empty list: nothing to cite) checked as a model's answer is, then written to the note as
    suggestions (a pick whose line the user already curated keeps the user's line). ``packet_id``: the packet
    they were judged from; refused if the candidates changed since, or were asked with other ``candidates``
    or ``source_ids``. ``charts``: as for :func:`joeladr.evaluate.run.update_note`."""
    pool = _pool(settings, adr, store, embedder, target_id, candidates, source_ids)
    if packet_id is not None and packet_id != pool.packet.packet_id:
        raise EvaluationError(
            f"the candidates for '{pool.target.name}' are not those of packet {packet_id}: they changed since, "
            "or were asked with other candidates or source ids",
            hint=f"pass the same candidates and source ids, or read them again (`joeladr candidates "
            f"{adr.number_text} {pool.target.id}`) and judge the new packet",
        )
    checked = check_picks(pool.packet, {"picks": list(picks)})
    chosen = {pool.target.id: [pool.passages[pick.number - 1] for pick in checked]}
    found = findings_of(settings, [pool.target], [pool.vector], chosen, embedder, {pool.target.id: checked})
    messages = [] if checked else [f"nothing relevant found for '{pool.target.name}': the judge cited none"]
    return update_note(settings, adr, Retrieved(found, messages), charts=charts)


def _pool(
    settings: Settings,
    adr: Adr,
    store: VectorStore,
    embedder: Embedder,
    target_id: str,
    candidates: int | None,
    source_ids: Sequence[str] | None,
) -> _Pool:
    targets = {t.id: t for t in targets_of(adr)}
    target = targets.get(target_id)
    if target is None:
        raise EvaluationError(
            f"{adr.label} has no target '{target_id}'",
            hint="targets: " + ", ".join(list(targets)[:30]) + (" ..." if len(targets) > 30 else ""),
        )
    vector = embedder.embed([target.query])[0]
    passages, packet = candidate_pool(
        adr,
        target,
        vector,
        store,
        candidates=candidates or settings.judge_candidates,
        top_k=settings.top_k,
        source_ids=source_ids,
    )
    if not passages and not store.nearest(vector, 1):
        raise EvaluationError(
            "nothing has been ingested yet", hint=f"run `joeladr ingest --adr {adr.number_text}`, then try again"
        )
    return _Pool(target, vector, passages, packet)
