"""Counting methods: published Schulze examples, thresholds at the boundary, properties."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soviets.errors import InputError
from soviets.governance.counting import (
    count_consent,
    count_file,
    count_majority,
    count_schulze,
    count_two_thirds,
    parse_ranking,
    read_ballots_csv,
)

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[2] / "examples" / "ballots.csv"

# Schulze (2011) / Wikipedia "Schulze method": 45 voters, 5 candidates.
WIKIPEDIA_45 = [
    ("A>C>B>E>D", 5),
    ("A>D>E>C>B", 5),
    ("B>E>D>A>C", 8),
    ("C>A>B>E>D", 3),
    ("C>A>E>B>D", 7),
    ("C>B>A>D>E", 2),
    ("D>C>E>B>A", 7),
    ("E>B>A>D>C", 8),
]
ABCDE = "ABCDE"
# Published matrices, rows A..E, columns A..E (None on the diagonal).
PUBLISHED_D = [
    [None, 20, 26, 30, 22],
    [25, None, 16, 33, 18],
    [19, 29, None, 17, 24],
    [15, 12, 28, None, 14],
    [23, 27, 21, 31, None],
]
PUBLISHED_P = [
    [None, 28, 28, 30, 24],
    [25, None, 28, 33, 24],
    [25, 29, None, 29, 24],
    [25, 28, 28, None, 24],
    [25, 28, 28, 31, None],
]


def _as_matrix(m: dict[str, dict[str, int]]) -> list[list[int | None]]:
    return [[None if a == b else m[a][b] for b in ABCDE] for a in ABCDE]


def test_wikipedia_45_voters() -> None:
    r = count_schulze(WIKIPEDIA_45)
    assert r.winners == ["E"]
    assert r.order == ["E", "A", "C", "B", "D"]
    assert _as_matrix(r.pairwise) == PUBLISHED_D
    assert _as_matrix(r.strongest_paths) == PUBLISHED_P
    assert r.notes == []
    assert r.tallies == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}
    assert sum(r.tallies.values()) == 45


def test_wikipedia_45_from_files() -> None:
    for path in (DATA / "schulze_wikipedia.csv", EXAMPLE):
        r = count_file(path, "schulze")
        assert r.winners == ["E"]
        assert r.order == ["E", "A", "C", "B", "D"]


def test_two_potential_winners() -> None:
    # Schulze's example with potential winners B and D (9 voters); worked by hand:
    # links A>B 5, A>C 5, D>A 6, B>C 7, B>D 5, C>D 5; p[B][D] = p[D][B] = 5.
    r = count_file(DATA / "schulze_two_winners.csv", "schulze")
    assert r.winners == ["B", "D"]
    assert r.order == ["B", "D", "A", "C"]
    p = r.strongest_paths
    assert (p["B"]["D"], p["D"]["B"]) == (5, 5)
    assert (p["D"]["A"], p["A"]["D"]) == (6, 5)
    assert (p["B"]["C"], p["C"]["B"]) == (7, 5)
    assert len(r.notes) == 3 and all("tie between" in n for n in r.notes)


@pytest.mark.parametrize("candidates", [["A", "B"], ["B", "A"], None])
def test_two_candidate_tie_is_deterministic(candidates: list[str] | None) -> None:
    for ballots in ([("A>B", 3), ("B>A", 3)], [("B>A", 3), ("A>B", 3)]):
        r = count_schulze(ballots, candidates)
        assert r.winners == ["A", "B"]
        assert r.order == ["A", "B"]
        assert r.pairwise == {"A": {"B": 3}, "B": {"A": 3}}
        assert r.strongest_paths == {"A": {"B": 0}, "B": {"A": 0}}
        assert len(r.notes) == 1 and "tie between A, B" in r.notes[0]


def test_ties_inside_rankings_and_unranked_candidates() -> None:
    # "A=B" ranks A and B level, above the unranked C; "C" ranks C above A and B (level).
    r = count_schulze([("A=B", 2), ("C", 1)], ["A", "B", "C"])
    assert r.pairwise["A"] == {"B": 0, "C": 2}
    assert r.pairwise["C"] == {"A": 1, "B": 1}
    assert r.tallies == {"A": 2, "B": 2, "C": 1}
    r2 = count_schulze([([["A", "B"]], 2), (["C"], 1)], ["C", "B", "A"])
    assert r2.to_dict() == r.to_dict()


def test_candidate_on_no_ballot_ranks_last() -> None:
    r = count_schulze([("A>B", 1)], ["A", "B", "Z"])
    assert r.order == ["A", "B", "Z"]
    assert r.pairwise["B"]["Z"] == 1 and r.pairwise["Z"]["B"] == 0


def test_parse_ranking() -> None:
    assert parse_ranking(" A > C = B >D ") == (("A",), ("C", "B"), ("D",))


@pytest.mark.parametrize(
    ("ballots", "candidates", "row", "field", "words"),
    [
        ([("A>B", 1), ("A>X", 1)], ["A", "B"], 2, "ranking", "unknown candidate 'X'"),
        ([("A>B", 1), ("B>A=B", 1)], None, 2, "ranking", "ranked twice"),
        ([("A>B", 1), ("A>B", -1)], None, 2, "count", "negative"),
        ([("A>>B", 1)], None, 1, "ranking", "empty candidate"),
        ([("", 1)], None, 1, "ranking", "empty ranking"),
        ([("A>B", 1.5)], None, 1, "count", "whole number"),
    ],
)
def test_schulze_rejects_bad_ballots(ballots, candidates, row, field, words) -> None:
    with pytest.raises(InputError) as info:
        count_schulze(ballots, candidates)
    assert (info.value.row, info.value.field) == (row, field)
    assert words in str(info.value)


# --- yes/no questions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [(5, 5, 0, False), (6, 5, 0, True), (5, 6, 0, False), (5, 4, 100, True), (0, 0, 3, False)],
)
def test_majority_threshold(yes: int, no: int, abstain: int, passed: bool) -> None:
    r = count_majority({"yes": yes, "no": no, "abstain": abstain})
    assert r.passed is passed
    assert r.winners == (["yes"] if passed else ["no"])
    assert r.tallies == {"yes": yes, "no": no, "abstain": abstain}


@pytest.mark.parametrize(
    ("yes", "no", "passed"),
    [(2, 1, True), (200, 100, True), (199, 100, False), (201, 100, True), (20, 11, False)],
)
def test_two_thirds_threshold(yes: int, no: int, passed: bool) -> None:
    r = count_two_thirds([("yes", yes), ("no", no), ("abstain", 50)])
    assert r.passed is passed
    assert r.winners == (["yes"] if passed else ["no"])


def test_two_thirds_needs_votes() -> None:
    assert count_two_thirds([("abstain", 4)]).passed is False
    assert count_two_thirds([]).passed is False


def test_consent() -> None:
    one = count_consent([("yes", 100), ("abstain", 5), ("object", 1)])
    assert one.passed is False and one.winners == ["object"]
    assert count_consent([("yes", 100), ("abstain", 5)]).passed is True
    assert count_consent([("yes", 3), ("No", 1)]).tallies == {"yes": 3, "abstain": 0, "object": 1}
    with pytest.raises(InputError) as info:
        count_consent([("yes", 1), ("maybe", 1)])
    assert (info.value.row, info.value.field) == (2, "choice")


def test_plurality() -> None:
    r = count_majority([("A", 3), ("B", 3), ("C", 1), ("abstain", 2)], ["C", "B", "A", "D"])
    assert r.winners == ["A", "B"]
    assert r.order == ["A", "B", "C", "D"]
    assert r.tallies == {"C": 1, "B": 3, "A": 3, "D": 0, "abstain": 2}
    assert r.passed is None
    assert any("tie between A, B" in n for n in r.notes)
    clear = count_majority([("A", 4), ("B", 3)])
    assert clear.winners == ["A"] and clear.tallies == {"A": 4, "B": 3}
    with pytest.raises(InputError) as info:
        count_majority([("A", 1), ("E", 1)], ["A", "B"])
    assert (info.value.row, info.value.field) == (2, "choice")


# --- files ------------------------------------------------------------------------


def test_read_ballots_csv() -> None:
    f = read_ballots_csv(DATA / "yes_no.csv")
    assert f.column == "choice"
    assert f.entries == [("yes", 10), ("no", 5), ("abstain", 3)]
    assert f.rows == [1, 2, 3]
    r = count_file(DATA / "yes_no.csv", "two-thirds")
    assert r.passed is True  # 10 of 15 is exactly two thirds


@pytest.mark.parametrize(
    ("name", "method", "candidates", "row", "field"),
    [
        ("bad_count.csv", "schulze", None, 3, "count"),
        ("unknown_column.csv", "schulze", None, None, "cout"),
        ("duplicate_candidate.csv", "schulze", None, 2, "ranking"),
        ("unknown_candidate.csv", "schulze", ["A", "B"], 3, "ranking"),
        ("yes_no.csv", "schulze", None, None, None),
    ],
)
def test_file_errors_name_file_row_field(name, method, candidates, row, field) -> None:
    with pytest.raises(InputError) as info:
        count_file(DATA / name, method, candidates)
    err = info.value
    assert err.file == str(DATA / name)
    assert (err.row, err.field) == (row, field)
    assert "\n" not in str(err)


# --- properties, checked against the definition computed independently --------

NAMES = "ABCDE"


@st.composite
def elections(draw, complete: bool = False):
    n = draw(st.integers(2, 5))
    names = list(NAMES[:n])
    ballots = []
    for _ in range(draw(st.integers(0, 7))):
        perm = draw(st.permutations(names))
        kept = n if complete else draw(st.integers(1, n))
        levels = draw(st.lists(st.booleans(), min_size=kept, max_size=kept))
        groups: list[list[str]] = []
        for name, new_level in zip(perm[:kept], levels, strict=True):
            if new_level or not groups:
                groups.append([name])
            else:
                groups[-1].append(name)
        ballots.append((groups, draw(st.integers(0, 9))))
    return names, ballots


def _d(names, ballots):
    """Pairwise counts from positions (unranked candidates share the last level)."""
    d = {a: {b: 0 for b in names if b != a} for a in names}
    for groups, n in ballots:
        pos = {c: i for i, g in enumerate(groups) for c in g}
        for a, b in itertools.permutations(names, 2):
            if pos.get(a, len(groups)) < pos.get(b, len(groups)):
                d[a][b] += n
    return d


def _p_brute(names, d):
    """Strongest paths by enumerating every simple path (the definition)."""
    link = {(a, b): d[a][b] for a, b in itertools.permutations(names, 2) if d[a][b] > d[b][a]}
    p = {a: {b: 0 for b in names if b != a} for a in names}
    for a, b in itertools.permutations(names, 2):
        others = [c for c in names if c not in (a, b)]
        for k in range(len(others) + 1):
            for mid in itertools.permutations(others, k):
                path = [a, *mid, b]
                steps = list(itertools.pairwise(path))
                if all(s in link for s in steps):
                    p[a][b] = max(p[a][b], min(link[s] for s in steps))
    return p


@settings(max_examples=150, deadline=None)
@given(elections())
def test_matches_definition(election) -> None:
    names, ballots = election
    r = count_schulze(ballots, names)
    d = _d(names, ballots)
    p = _p_brute(names, d)
    assert r.pairwise == d
    assert r.strongest_paths == p
    unbeaten = {a for a in names if all(p[a][b] >= p[b][a] for b in names if b != a)}
    assert set(r.winners) == unbeaten and unbeaten
    assert sorted(r.order) == sorted(names)
    for i, a in enumerate(r.order):  # the order never puts a beaten candidate above its victor
        for b in r.order[i + 1 :]:
            assert not p[b][a] > p[a][b]


@settings(max_examples=150, deadline=None)
@given(elections())
def test_condorcet_winner_always_wins(election) -> None:
    names, ballots = election
    d = _d(names, ballots)
    cw = [a for a in names if all(d[a][b] > d[b][a] for b in names if b != a)]
    r = count_schulze(ballots, names)
    if cw:
        assert r.winners == cw
        assert r.order[0] == cw[0]


@settings(max_examples=150, deadline=None)
@given(elections(complete=True))
def test_reversal_symmetry(election) -> None:
    names, ballots = election
    r = count_schulze(ballots, names)
    back = count_schulze([(groups[::-1], n) for groups, n in ballots], names)
    transpose = {a: {b: r.strongest_paths[b][a] for b in names if b != a} for a in names}
    assert back.strongest_paths == transpose
    if len(r.winners) == 1:
        assert r.winners[0] not in back.winners
    if not r.notes:  # a strict order reverses exactly
        assert back.order == r.order[::-1]


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_independent_of_input_order(election, rnd) -> None:
    names, ballots = election
    r = count_schulze(ballots, names)
    shuffled_names, shuffled_ballots = names[:], ballots[:]
    rnd.shuffle(shuffled_names)
    rnd.shuffle(shuffled_ballots)
    assert count_schulze(shuffled_ballots, shuffled_names).to_dict() == r.to_dict()
