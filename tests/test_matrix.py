"""Matrix math, checked with generated matrices (hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from joeladr.evaluate.matrix import (
    CLEAR_MARGIN,
    SCALE,
    Matrix,
    build,
    score_flip,
    smallest_score_change,
    smallest_weight_change,
    summary,
    weight_range,
)

OPTIONS = ("A", "B", "C")


@st.composite
def matrices(draw: st.DrawFn) -> Matrix:
    criteria = [f"c{i}" for i in range(draw(st.integers(1, 5)))]
    weights = {c: float(draw(st.integers(0, 5))) for c in criteria}
    scores = {c: {o: draw(st.sampled_from(SCALE)) for o in OPTIONS} for c in criteria}
    must = draw(st.lists(st.sampled_from(criteria), unique=True, max_size=2))
    return build(OPTIONS, criteria, weights, scores, must)


@given(matrices())
def test_totals_are_weighted_sums(matrix: Matrix) -> None:
    for option in OPTIONS:
        expected = sum(matrix.weights[c] * matrix.scores[c][option] for c in matrix.criteria)
        assert abs(matrix.total(option) - expected) < 1e-9


@given(matrices())
def test_knocked_out_options_never_win(matrix: Matrix) -> None:
    for option in OPTIONS:
        knocked = any(matrix.scores[c][option] < 0 for c in matrix.must_have)
        assert matrix.knocked_out(option) == knocked
    winner = matrix.winner()
    if winner is not None:
        assert not matrix.knocked_out(winner)
        assert all(matrix.total(winner) > matrix.total(o) for o in matrix.contenders() if o != winner)


@given(matrices())
def test_margin_and_clear_winner(matrix: Matrix) -> None:
    ranking = matrix.ranking()
    if len(ranking) >= 2 and matrix.span() > 0:
        assert abs(matrix.margin() - (ranking[0][1] - ranking[1][1]) / matrix.span()) < 1e-9
    assert 0 <= matrix.margin() <= 1
    clear = matrix.clear_winner()
    assert clear is None or (clear == matrix.winner() and matrix.margin() >= CLEAR_MARGIN)
    if matrix.winner() is not None and matrix.margin() < CLEAR_MARGIN:
        assert clear is None


@settings(max_examples=300)
@given(matrices(), st.floats(0.0, 0.999))
def test_weight_sensitivity_flips_and_nothing_smaller_does(matrix: Matrix, fraction: float) -> None:
    winner = matrix.winner()
    assume(winner is not None)
    change = smallest_weight_change(matrix)
    if change is not None:
        flipped = matrix.with_weight(change.criterion, change.new_weight)
        assert flipped.winner() != winner
        bound = abs(change.delta)
    else:
        bound = 10.0  # no weight change can flip it: check a wide range
    for criterion in matrix.criteria:
        for sign in (1, -1):
            weight = matrix.weights[criterion] + sign * bound * fraction
            if weight >= 0:
                assert matrix.with_weight(criterion, weight).winner() == winner


@settings(max_examples=300)
@given(matrices())
def test_score_sensitivity_flips_and_nothing_smaller_does(matrix: Matrix) -> None:
    winner = matrix.winner()
    assume(winner is not None)
    change = smallest_score_change(matrix)
    for criterion in matrix.criteria:
        for option in OPTIONS:
            for value in SCALE:
                delta = abs(value - matrix.scores[criterion][option])
                if delta and (change is None or delta < abs(change.delta)):
                    assert matrix.with_score(criterion, option, value).winner() == winner
    if change is not None:
        assert matrix.with_score(change.criterion, change.option, change.new_score).winner() != winner


def test_a_worked_example() -> None:
    matrix = build(
        OPTIONS,
        ["sup", "ui"],
        {"sup": 2.0, "ui": 1.0},
        {"sup": {"A": 2, "B": 1, "C": 0}, "ui": {"A": -1, "B": 1, "C": 0}},
        must_have=["ui"],
    )
    assert matrix.knocked_out("A") and matrix.total("B") == 3 and matrix.winner() == "B"
    assert abs(matrix.margin() - 3 / 12) < 1e-9
    change = smallest_weight_change(matrix)
    assert change is None  # C scores 0 everywhere and B is ahead on both criteria: no weight >= 0 flips it
    score = smallest_score_change(matrix)
    # lifting A's must-have score from -1 to 0 un-knocks A, whose total (4) then beats B's (3)
    assert score is not None and (score.criterion, score.option, score.delta, score.new_winner) == ("ui", "A", 1, "A")


@settings(max_examples=300)
@given(matrices(), st.floats(0.001, 0.999))
def test_weight_range_holds_inside_and_flips_at_its_ends(matrix: Matrix, fraction: float) -> None:
    """The report's tornado: inside each criterion's range the winner stays; at a flipping end it does not."""
    winner = matrix.winner()
    assume(winner is not None)
    for criterion in matrix.criteria:
        span = weight_range(matrix, criterion)
        assert span is not None and span.low <= span.weight + 1e-9
        assert span.high is None or span.high >= span.weight - 1e-9
        top = span.high if span.high is not None else span.weight + 10.0
        inside = span.low + (top - span.low) * fraction
        assert matrix.with_weight(criterion, inside).winner() == winner
        if span.flips_at_low:
            assert matrix.with_weight(criterion, span.low).winner() != winner
        else:
            assert span.low == 0 and matrix.with_weight(criterion, 0.0).winner() == winner
        if span.high is not None:
            assert matrix.with_weight(criterion, span.high).winner() != winner


@settings(max_examples=300)
@given(matrices())
def test_score_flips_are_the_smallest_per_cell(matrix: Matrix) -> None:
    winner = matrix.winner()
    assume(winner is not None)
    for criterion in matrix.criteria:
        for option in OPTIONS:
            flip = score_flip(matrix, criterion, option)
            current = matrix.scores[criterion][option]
            flipping = [v - current for v in SCALE if matrix.with_score(criterion, option, v).winner() != winner]
            if flip is None:
                assert flipping == []
                continue
            assert flip.delta in flipping and abs(flip.delta) == min(abs(d) for d in flipping)


@st.composite
def wider_matrices(draw: st.DrawFn) -> Matrix:
    """Two to five options, weights in quarters (exact in binary, so totals summed in any order agree)."""
    options = [chr(65 + i) for i in range(draw(st.integers(2, 5)))]
    criteria = [f"c{i}" for i in range(draw(st.integers(1, 6)))]
    weights = {c: draw(st.integers(0, 400)) / 4 for c in criteria}
    scores = {c: {o: draw(st.sampled_from(SCALE)) for o in options} for c in criteria}
    must = draw(st.lists(st.sampled_from(criteria), unique=True, max_size=3))
    return build(options, criteria, weights, scores, must)


@settings(max_examples=300)
@given(wider_matrices())
def test_each_cells_flip_names_the_winner_a_rebuilt_matrix_has(matrix: Matrix) -> None:
    """score_flip finds the new winner without rebuilding the matrix: the same as rebuilding it, for every cell,
    with must-haves that knock options in and out, and up to five options."""
    winner = matrix.winner()
    assume(winner is not None)
    for criterion in matrix.criteria:
        for option in matrix.options:
            flip = score_flip(matrix, criterion, option)
            current = matrix.score(criterion, option)
            rebuilt = {v - current: matrix.with_score(criterion, option, v).winner() for v in SCALE if v != current}
            flipping = [d for d, new in rebuilt.items() if new != winner]
            if flip is None:
                assert flipping == []
                continue
            assert min(flipping, key=lambda d: (abs(d), d)) == flip.delta
            assert flip.new_winner == rebuilt[flip.delta] and flip.new_score == current + flip.delta


def test_sensitivity_reads_each_score_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sensitivity check is linear in the matrix (it was quadratic: 72.6 million score reads for 500
    criteria, 269 s for `finding` on 2,000): reads of a score are counted, not timed."""
    criteria = [f"c{i}" for i in range(400)]
    scores = {c: {"A": i % 3 - 1, "B": (i % 5) // 2, "C": 0} for i, c in enumerate(criteria)}
    matrix = build(OPTIONS, criteria, {c: 1.0 + (i % 4) for i, c in enumerate(criteria)}, scores, criteria[:3])
    reads = 0
    real = Matrix.score

    def counted(self: Matrix, criterion: str, option: str) -> int:
        nonlocal reads
        reads += 1
        return real(self, criterion, option)

    visits = 0

    class Criteria(tuple[str, ...]):
        """The criteria, counting every criterion looked at (a membership test looks at each in turn)."""

        def __iter__(self) -> Iterator[str]:
            nonlocal visits
            for item in super().__iter__():
                visits += 1
                yield item

        def __contains__(self, item: object) -> bool:
            nonlocal visits
            visits += len(self)
            return super().__contains__(item)

    monkeypatch.setattr(Matrix, "score", counted)
    result = summary(replace(matrix, criteria=Criteria(matrix.criteria)))
    cells = len(criteria) * len(OPTIONS)
    assert result["leader"] == "B" and result["sensitivity"]["score"] is not None
    assert reads <= 12 * cells, f"{reads} score reads for {cells} cells"
    assert visits <= 12 * len(criteria), f"{visits} looks at a criterion for {len(criteria)} criteria"
