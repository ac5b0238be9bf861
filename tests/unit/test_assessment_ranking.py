"""Ranking inside a group: competition ranks, the cut, every tie rule, and the tie notes."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from services.assessment.ranking import Candidate, TieNote, cut_size, points_text, rank_group

HALF = Fraction(1, 2)


def totals(*values: int) -> list[Candidate]:
    return [Candidate(subject_id=i + 1, total_c=v) for i, v in enumerate(values)]


def test_competition_ranks_and_the_cut_rounded_up() -> None:
    rows = rank_group(
        totals(900, 800, 800, 700, 600, 500, 400, 300, 200, 100, 90, 80, 70),
        fraction=HALF,
        rounding="ceil",
        tie_rule="include_all",
    )
    assert [r.rank for r in rows][:5] == [1, 2, 2, 4, 5]
    assert sum(r.in_pool for r in rows) == 7  # 7 of 13
    assert all(r.tie is None for r in rows)


def test_rounding_of_the_cut() -> None:
    assert cut_size(13, HALF, "ceil") == 7
    assert cut_size(13, HALF, "floor") == 6
    assert cut_size(13, HALF, "round") == 7  # half up, not to even
    assert cut_size(10, Fraction(1, 3), "round") == 3
    assert cut_size(1, Fraction(1, 3), "ceil") == 1
    assert cut_size(5, Fraction(0), "ceil") == 0


def test_include_all_lets_everyone_tied_at_the_cut_in() -> None:
    rows = rank_group(
        totals(900, 500, 500, 500, 100), fraction=HALF, rounding="floor", tie_rule="include_all"
    )
    assert [r.in_pool for r in rows] == [True, True, True, True, False]
    note = rows[1].tie
    assert note == TieNote("include_all", "in", 500, 3)
    assert rows[1].tie_note == (
        "3 tied at 5 points across the cut: all are in the pool (everyone tied is in)."
    )


def test_exclude_all_leaves_everyone_tied_at_the_cut_out() -> None:
    rows = rank_group(
        totals(900, 500, 500, 500, 100), fraction=HALF, rounding="floor", tie_rule="exclude_all"
    )
    assert [r.in_pool for r in rows] == [True, False, False, False, False]
    assert "all are out of the pool" in rows[2].tie_note


def test_a_tie_inside_the_cut_needs_no_note() -> None:
    rows = rank_group(
        totals(900, 900, 500, 100), fraction=HALF, rounding="ceil", tie_rule="exclude_all"
    )
    assert [r.in_pool for r in rows] == [True, True, False, False]
    assert all(r.tie_note == "" for r in rows)


def test_break_by_uses_the_breakers_in_order() -> None:
    rows = [
        Candidate(1, 900),
        Candidate(2, 500, quality_c=300, attendance=Fraction(1, 2)),
        Candidate(3, 500, quality_c=300, attendance=Fraction(3, 4)),
        Candidate(4, 500, quality_c=100, attendance=Fraction(1)),
        Candidate(5, 100),
    ]
    ranked = rank_group(
        rows,
        fraction=HALF,
        rounding="floor",
        tie_rule="break_by",
        tie_breakers=("quality", "attendance_rate", "fewer_absences"),
    )
    pool = {r.subject_id for r in ranked if r.in_pool}
    assert pool == {1, 3}
    by_id = {r.subject_id: r for r in ranked}
    assert by_id[3].tie == TieNote("break_by", "in", 500, 3, "attendance_rate")
    assert by_id[2].tie == TieNote("break_by", "out", 500, 3, "attendance_rate")
    assert by_id[4].tie == TieNote("break_by", "out", 500, 3, "quality")
    assert by_id[4].tie_note == (
        "3 tied at 5 points across the cut; settled by more quality points: out of the pool."
    )


def test_break_by_still_tied_are_in() -> None:
    rows = [
        Candidate(1, 900),
        Candidate(2, 500, absences=1),
        Candidate(3, 500, absences=1),
        Candidate(4, 500, absences=3),
    ]
    ranked = rank_group(
        rows, fraction=HALF, rounding="floor", tie_rule="break_by", tie_breakers=("fewer_absences",)
    )
    assert {r.subject_id for r in ranked if r.in_pool} == {1, 2, 3}
    assert ranked[1].tie is not None and ranked[1].tie.breaker == "still"
    assert "still tied after every tie-breaker: in the pool" in ranked[1].tie_note


def test_fraction_zero_all_equal_group_of_one_and_unranked() -> None:
    assert not any(
        r.in_pool
        for r in rank_group(
            totals(5, 4), fraction=Fraction(0), rounding="ceil", tie_rule="include_all"
        )
    )
    same = rank_group(totals(5, 5, 5), fraction=HALF, rounding="ceil", tie_rule="exclude_all")
    assert [r.rank for r in same] == [1, 1, 1] and not any(r.in_pool for r in same)
    one = rank_group(totals(0), fraction=HALF, rounding="ceil", tie_rule="include_all")
    assert one[0].rank == 1 and one[0].in_pool
    mixed = rank_group(
        [Candidate(1, 999, ranked=False), Candidate(2, 10)],
        fraction=HALF,
        rounding="ceil",
        tie_rule="include_all",
    )
    assert [(r.subject_id, r.rank, r.in_pool) for r in mixed] == [(2, 1, True), (1, None, False)]


def test_tie_notes_survive_their_stored_form_and_points_read_well() -> None:
    note = TieNote("break_by", "out", -250, 4, "quality")
    assert TieNote.decode(note.encode()) == note
    assert TieNote.decode("") is None
    assert [points_text(v) for v in (1200, 1250, -25, 5)] == ["12", "12.5", "-0.25", "0.05"]


groups = st.lists(st.integers(min_value=-500, max_value=500), min_size=0, max_size=25)
fractions = st.sampled_from(
    [Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(1)]
)
roundings = st.sampled_from(["ceil", "floor", "round"])


@given(groups, fractions, roundings)
def test_pool_sizes_and_ranks_are_consistent(
    values: list[int], fraction: Fraction, rounding: str
) -> None:
    rows = totals(*values)
    cut = cut_size(len(rows), fraction, rounding)  # type: ignore[arg-type]
    include = rank_group(
        rows,
        fraction=fraction,
        rounding=rounding,  # type: ignore[arg-type]
        tie_rule="include_all",
    )
    exclude = rank_group(
        rows,
        fraction=fraction,
        rounding=rounding,  # type: ignore[arg-type]
        tie_rule="exclude_all",
    )
    broken = rank_group(
        rows,
        fraction=fraction,
        rounding=rounding,  # type: ignore[arg-type]
        tie_rule="break_by",
        tie_breakers=("quality",),
    )
    assert sum(r.in_pool for r in include) >= cut
    assert sum(r.in_pool for r in exclude) <= cut
    assert sum(r.in_pool for r in broken) >= cut
    for ranked in (include, exclude, broken):
        for row in ranked:
            assert row.rank == 1 + sum(1 for other in ranked if other.total_c > row.total_c)
            # The pool is a top slice: nobody in it scores below anybody outside it.
            if row.in_pool:
                assert all(o.total_c <= row.total_c for o in ranked if not o.in_pool)
