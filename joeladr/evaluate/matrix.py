"""The decision matrix: Pugh scores (-2..+2), weights, must-haves, totals, margin, sensitivity.

Margin is the winner's lead over the runner-up as a share of the widest possible gap
between two options (4 x the total weight: one at +2 everywhere, the other at -2). A
margin under 10% is "no clear winner".

Sensitivity answers "how robust is this winner": the smallest change to one weight, and
the smallest change to one score, after which the winner is no longer the only option
on top (a tie counts as a flip: from there on the ADR cannot be decided by the numbers).

Both are linear in the size of the matrix: the totals are summed once per matrix, a weight
range is found from the leads over each other option, and a changed score moves one total
(and, on a must-have criterion, maybe one knock-out), so the new winner comes from the
two best of the other options, never from a matrix rebuilt per cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

SCALE = (-2, -1, 0, 1, 2)
CLEAR_MARGIN = 0.10
EPSILON = 1e-9
MAX_WEIGHT = 100.0


def weight_problem(value: float) -> str | None:
    """Why ``value`` cannot be a criterion weight (a finite number from 0 to 100), or None if it can."""
    import math

    if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
        return f"must be a number from 0 to {MAX_WEIGHT:g}, not {value:g}"
    return None


@dataclass(frozen=True)
class Matrix:
    options: tuple[str, ...]
    criteria: tuple[str, ...]
    weights: Mapping[str, float]
    scores: Mapping[str, Mapping[str, int]]  # criterion -> option -> score
    must_have: frozenset[str] = field(default_factory=frozenset)

    def score(self, criterion: str, option: str) -> int:
        return int(self.scores.get(criterion, {}).get(option, 0))

    @cached_property
    def _totals(self) -> dict[str, float]:
        """Every option's weighted total, summed once (a Matrix is never changed: ``with_*`` make new ones)."""
        return {o: self._total(o) for o in self.options}

    @cached_property
    def _criterion_set(self) -> frozenset[str]:
        return frozenset(self.criteria)

    @cached_property
    def _knockouts(self) -> dict[str, int]:
        """Per option, how many must-have criteria it scores below 0 on."""
        return {o: self._below_zero(o) for o in self.options}

    def _below_zero(self, option: str) -> int:
        return sum(self.score(c, option) < 0 for c in self.must_have)

    def _total(self, option: str) -> float:
        return sum(self.weights.get(c, 1.0) * self.score(c, option) for c in self.criteria)

    def knocked_out(self, option: str) -> bool:
        count = self._knockouts.get(option)
        return (self._below_zero(option) if count is None else count) > 0

    def total(self, option: str) -> float:
        total = self._totals.get(option)
        return self._total(option) if total is None else total

    def contenders(self) -> list[str]:
        return [o for o in self.options if not self.knocked_out(o)]

    @cached_property
    def _ranking(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted(((o, self.total(o)) for o in self.contenders()), key=lambda item: -item[1]))

    def ranking(self) -> list[tuple[str, float]]:
        return list(self._ranking)

    def winner(self) -> str | None:
        """The option alone on top, or None (a tie, or every option knocked out)."""
        return _alone_on_top(self._ranking)

    @cached_property
    def sensitivity(self) -> tuple[WeightChange | None, ScoreChange | None]:
        """The smallest weight change and the smallest score change that unseat the winner (found once: the
        note, the JSON and the charts all show them)."""
        return smallest_weight_change(self), smallest_score_change(self)

    def span(self) -> float:
        return 4.0 * sum(self.weights.get(c, 1.0) for c in self.criteria)

    def margin(self) -> float:
        ranking = self.ranking()
        if len(ranking) < 2 or self.span() <= 0:
            return 1.0 if ranking else 0.0
        return (ranking[0][1] - ranking[1][1]) / self.span()

    def clear_winner(self) -> str | None:
        winner = self.winner()
        return winner if winner is not None and self.margin() >= CLEAR_MARGIN else None

    def with_weight(self, criterion: str, weight: float) -> Matrix:
        return replace(self, weights={**self.weights, criterion: weight})

    def with_score(self, criterion: str, option: str, value: int) -> Matrix:
        row = {**self.scores.get(criterion, {}), option: value}
        return replace(self, scores={**self.scores, criterion: row})


@dataclass(frozen=True)
class WeightChange:
    criterion: str
    delta: float
    new_weight: float
    new_winner: str | None


@dataclass(frozen=True)
class ScoreChange:
    criterion: str
    option: str
    delta: int
    new_score: int
    new_winner: str | None


def smallest_weight_change(matrix: Matrix) -> WeightChange | None:
    """The smallest |change| to one criterion's weight (weights stay >= 0) that unseats the winner:
    the nearest end of any criterion's :func:`weight_range`."""
    if matrix.winner() is None:
        return None
    moves = []
    for criterion in matrix.criteria:
        span = weight_range(matrix, criterion)
        assert span is not None  # there is a winner
        if span.high is not None:
            moves.append((span.high - span.weight, criterion))
        if span.flips_at_low:
            moves.append((span.low - span.weight, criterion))
    if not moves:
        return None
    delta, criterion = min(moves, key=lambda move: abs(move[0]))
    weight = matrix.weights.get(criterion, 1.0) + delta
    return WeightChange(criterion, delta, weight, matrix.with_weight(criterion, weight).winner())


def smallest_score_change(matrix: Matrix) -> ScoreChange | None:
    """The smallest |change| to one score (within -2..+2) that unseats the winner, of every cell's
    :func:`score_flip`; ties broken by weight."""
    flips = [flip for c in matrix.criteria for o in matrix.options if (flip := score_flip(matrix, c, o))]
    return min(flips, key=lambda f: (abs(f.delta), -matrix.weights.get(f.criterion, 1.0)), default=None)


@dataclass(frozen=True)
class WeightRange:
    """How far one criterion's weight can move, alone, with the winner still alone on top.

    The winner holds for weights strictly between ``low`` and ``high``. ``low`` is 0 when
    the winner holds all the way down (``flips_at_low`` then says whether a weight of exactly
    0 already ties); ``high`` is None when no increase unseats it.
    """

    criterion: str
    weight: float
    low: float
    high: float | None
    flips_at_low: bool


def weight_range(matrix: Matrix, criterion: str) -> WeightRange | None:
    """The interval of ``criterion``'s weight within which the winner stays the winner (None: no winner)."""
    winner = matrix.winner()
    if winner is None:
        return None
    weight = matrix.weights.get(criterion, 1.0)
    low, high = -float("inf"), float("inf")
    for other in matrix.contenders():
        if other == winner:
            continue
        lead = matrix.total(winner) - matrix.total(other)
        slope = matrix.score(criterion, winner) - matrix.score(criterion, other)
        if slope > 0:  # lowering this weight shrinks the lead: a tie at weight - lead/slope
            low = max(low, weight - lead / slope)
        elif slope < 0:
            high = min(high, weight + lead / -slope)
    flips_at_low = low >= -EPSILON
    return WeightRange(criterion, weight, max(0.0, low), None if high == float("inf") else high, flips_at_low)


def score_flip(matrix: Matrix, criterion: str, option: str) -> ScoreChange | None:
    """The smallest change of this one score (within -2..+2) that unseats the winner; a cut before a raise."""
    winner = matrix.winner()
    if winner is None:
        return None
    current = matrix.score(criterion, option)
    for delta in sorted((value - current for value in SCALE if value != current), key=lambda d: (abs(d), d)):
        new_winner = _winner_with_score(matrix, criterion, option, current + delta)
        if new_winner != winner:
            return ScoreChange(criterion, option, delta, current + delta, new_winner)
    return None


def _winner_with_score(matrix: Matrix, criterion: str, option: str, value: int) -> str | None:
    """``matrix.with_score(criterion, option, value).winner()`` without building that matrix: one score
    moves one option's total (and, on a must-have criterion, maybe its knock-out); every other option
    stays as it was, so only the two best of them can matter."""
    current = matrix.score(criterion, option)
    if option not in matrix.options or criterion not in matrix._criterion_set:
        return matrix.with_score(criterion, option, value).winner()  # not a cell of the table: no shortcut
    total = matrix.total(option) + matrix.weights.get(criterion, 1.0) * (value - current)
    knocked = matrix.knocked_out(option)
    if criterion in matrix.must_have:
        knocked = matrix._knockouts[option] - (current < 0) + (value < 0) > 0
    others = [entry for entry in matrix._ranking[:3] if entry[0] != option][:2]
    ranking = others if knocked else sorted([*others, (option, total)], key=lambda item: -item[1])
    return _alone_on_top(ranking)


def _alone_on_top(ranking: Sequence[tuple[str, float]]) -> str | None:
    """The first of a ranking (best first) when it leads the second by more than EPSILON, else None."""
    if not ranking:
        return None
    if len(ranking) > 1 and ranking[1][1] >= ranking[0][1] - EPSILON:
        return None
    return ranking[0][0]


def summary(matrix: Matrix, titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON-ready result: totals, winner, margin, sensitivity."""
    titles = titles or {}
    weight, score = matrix.sensitivity
    winner = matrix.winner()
    return {
        "options": [
            {
                "id": o,
                "title": titles.get(o, o),
                "total": round(matrix.total(o), 6),
                "knocked_out": matrix.knocked_out(o),
            }
            for o in matrix.options
        ],
        "winner": matrix.clear_winner(),
        "leader": winner,
        "margin": round(matrix.margin(), 6),
        "clear": matrix.clear_winner() is not None,
        "sensitivity": {
            "weight": None
            if weight is None
            else {
                "criterion": weight.criterion,
                "delta": round(weight.delta, 6),
                "new_weight": round(weight.new_weight, 6),
                "new_winner": weight.new_winner,
            },
            "score": None
            if score is None
            else {
                "criterion": score.criterion,
                "option": score.option,
                "delta": score.delta,
                "new_score": score.new_score,
                "new_winner": score.new_winner,
            },
        },
    }


def derive_score(supports: int, weakens: int) -> int:
    """Accepted findings: +1 for each that supports the option, -1 for each that weakens it, clipped to the scale."""
    return max(-2, min(2, supports - weakens))


def build(
    options: Sequence[str],
    criteria: Sequence[str],
    weights: Mapping[str, float],
    scores: Mapping[str, Mapping[str, int]],
    must_have: Sequence[str] = (),
) -> Matrix:
    return Matrix(
        tuple(options), tuple(criteria), dict(weights), {c: dict(r) for c, r in scores.items()}, frozenset(must_have)
    )
