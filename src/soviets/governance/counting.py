"""Counting ballots: simple majority, two-thirds, consent and the Schulze method.

Pure functions over ballots and their counts; no database. Every function
returns a :class:`TallyResult` with the full tallies so that a count can be
audited. Bad ballots raise :class:`soviets.errors.InputError` naming the
ballot's ``row`` (its 1-based position in the input) and ``field``.

Yes/no questions (``majority``, ``two-thirds``, ``consent``) take the choices
``yes``, ``no`` and ``abstain`` (case-insensitive; consent says ``object``
where the others say ``no``, and takes ``no`` as an objection too).
Abstentions are counted in the tallies but never in a threshold.

The Schulze method follows M. Schulze, "A new monotonic, clone-independent,
reversal symmetric, and Condorcet-consistent single-winner election method",
Social Choice and Welfare 36 (2011) 267-303, with winning votes as the link
strength. Example (Schulze's 45-voter example, also on Wikipedia)::

    >>> r = count_schulze([("A>C>B>E>D", 5), ("A>D>E>C>B", 5), ("B>E>D>A>C", 8),
    ...                    ("C>A>B>E>D", 3), ("C>A>E>B>D", 7), ("C>B>A>D>E", 2),
    ...                    ("D>C>E>B>A", 7), ("E>B>A>D>C", 8)])
    >>> r.winners, r.order
    (['E'], ['E', 'A', 'C', 'B', 'D'])
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from soviets.errors import InputError, SovietsError
from soviets.ledger.models.governance import METHODS as METHODS  # re-exported

YES, NO, ABSTAIN, OBJECT = "yes", "no", "abstain", "object"
YES_NO_CHOICES = (YES, NO, ABSTAIN)

Ranking = tuple[tuple[str, ...], ...]
"""A ranking as groups of equally ranked candidates, best group first."""


@dataclass(frozen=True)
class TallyResult:
    """The outcome of one count, with everything needed to audit it.

    ``winners`` are the options that won (for a yes/no question the outcome:
    ``["yes"]`` when it passed, else ``["no"]``, or ``["object"]`` for
    consent); ``order`` ranks every option, best first; ``tallies`` holds the
    count of each choice (Schulze: voters who ranked the candidate first,
    alone or tied); ``pairwise[a][b]`` is the number of voters preferring ``a``
    to ``b`` and ``strongest_paths[a][b]`` the strength of the strongest path
    from ``a`` to ``b`` (Schulze only); ``passed`` is set for yes/no questions
    only; ``notes`` explain ties and tie-breaks.
    """

    method: str
    winners: list[str]
    order: list[str]
    tallies: dict[str, float]
    pairwise: dict[str, dict[str, int]] | None = None
    strongest_paths: dict[str, dict[str, int]] | None = None
    passed: bool | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data (the schema of ``soviets tally --json``)."""

        def matrix(m: dict[str, dict[str, int]] | None) -> dict[str, dict[str, int]] | None:
            return None if m is None else {a: dict(row) for a, row in m.items()}

        return {
            "method": self.method,
            "winners": list(self.winners),
            "order": list(self.order),
            "tallies": dict(self.tallies),
            "pairwise": matrix(self.pairwise),
            "strongest_paths": matrix(self.strongest_paths),
            "passed": self.passed,
            "notes": list(self.notes),
        }


# --- input checks -----------------------------------------------------------


def _count(value: object, row: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"count must be a whole number, not {value!r}", row=row, field="count")
    if value < 0:
        raise InputError(f"count must not be negative, got {value}", row=row, field="count")
    return value


def _rows(ballots: Mapping[str, int] | Iterable[tuple[Any, int]]) -> list[tuple[Any, int]]:
    items = ballots.items() if isinstance(ballots, Mapping) else ballots
    return [(value, _count(n, row)) for row, (value, n) in enumerate(items, start=1)]


def _names(names: Iterable[str], what: str) -> list[str]:
    out: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if not name:
            raise InputError(f"empty name in the list of {what}", field=what)
        if name in out:
            raise InputError(f"'{name}' appears twice in the list of {what}", field=what)
        out.append(name)
    if not out:
        raise InputError(f"no {what} to count", field=what)
    return out


def parse_ranking(text: str, *, row: int | None = None) -> Ranking:
    """Parse ``"A>C=B>D"`` into ``(("A",), ("C", "B"), ("D",))``.

    ``>`` separates preference levels, ``=`` joins equally ranked candidates;
    spaces around names are ignored. A name may appear only once.
    """
    if not text.strip():
        raise InputError("empty ranking", row=row, field="ranking")
    groups = tuple(tuple(n.strip() for n in level.split("=")) for level in text.split(">"))
    return _check_ranking(groups, row)


def _check_ranking(groups: Iterable[Iterable[str]], row: int | None) -> Ranking:
    seen: set[str] = set()
    out = []
    for group in groups:
        names = (group,) if isinstance(group, str) else tuple(group)
        if not names or any(not isinstance(n, str) or not n for n in names):
            raise InputError("empty candidate name in ranking", row=row, field="ranking")
        for name in names:
            if name in seen:
                raise InputError(f"candidate '{name}' ranked twice", row=row, field="ranking")
            seen.add(name)
        out.append(names)
    if not out:
        raise InputError("empty ranking", row=row, field="ranking")
    return tuple(out)


# --- yes/no questions and plurality -----------------------------------------


def _choice_tallies(
    rows: list[tuple[Any, int]], options: Sequence[str], *, aliases: Mapping[str, str]
) -> dict[str, int]:
    tallies = dict.fromkeys(options, 0)
    for row, (value, n) in enumerate(rows, start=1):
        choice = str(value).strip()
        choice = aliases.get(choice.lower(), choice)
        if choice not in tallies:
            allowed = ", ".join(options)
            raise InputError(
                f"unknown choice '{value}' (expected one of: {allowed})", row=row, field="choice"
            )
        tallies[choice] += n
    return tallies


def _is_yes_no(options: Sequence[str]) -> bool:
    return all(o.lower() in YES_NO_CHOICES for o in options)


def count_majority(
    ballots: Mapping[str, int] | Iterable[tuple[str, int]], options: Sequence[str] | None = None
) -> TallyResult:
    """Count by simple majority.

    A yes/no question (options within ``yes``, ``no``, ``abstain``; the
    default when ``options`` is None and every ballot says one of them)
    passes when yes > no; abstentions are not counted, and a tie fails.
    Otherwise this is a plurality: the options with the most votes win (all
    of them on a tie); ``options`` default to the choices seen, and an
    ``abstain`` ballot is always accepted, counted, and never wins.
    ``order`` sorts by votes, then name.
    """
    rows = _rows(ballots)
    if options is None:
        options = list(dict.fromkeys(str(v).strip() for v, _ in rows))
    if _is_yes_no(options):
        return _yes_no("majority", rows, lambda yes, no: yes > no, "yes > no")
    options = _names(options, "options")
    listed = [o for o in options if o.lower() != ABSTAIN]
    tallies = _choice_tallies(rows, [*listed, ABSTAIN], aliases={ABSTAIN: ABSTAIN})
    if tallies[ABSTAIN] == 0 and len(listed) == len(options):
        del tallies[ABSTAIN]
    contest = {o: tallies[o] for o in listed}
    if not contest:
        raise InputError("no options to choose between", field="options")
    order = sorted(contest, key=lambda o: (-contest[o], o))
    top = contest[order[0]]
    winners = [o for o in order if contest[o] == top]
    notes = []
    if len(winners) > 1:
        notes.append(f"tie between {', '.join(winners)} with {top} votes each")
    cast = sum(contest.values())
    if 2 * top <= cast:
        notes.append(f"no option has more than half of the {cast} votes cast")
    return TallyResult("majority", winners, order, dict(tallies), notes=notes)


def count_two_thirds(ballots: Mapping[str, int] | Iterable[tuple[str, int]]) -> TallyResult:
    """Count a yes/no question needing two thirds: passes when yes >= 2/3 of (yes + no).

    Abstentions are not counted. With no yes or no vote at all it fails.
    The test is done in whole numbers (``3 * yes >= 2 * (yes + no)``), exactly.
    """
    return _yes_no(
        "two-thirds",
        _rows(ballots),
        lambda yes, no: yes + no > 0 and 3 * yes >= 2 * (yes + no),
        "yes >= 2/3 of yes + no",
    )


def _yes_no(
    method: str, rows: list[tuple[Any, int]], rule: Callable[[int, int], bool], text: str
) -> TallyResult:
    tallies = _choice_tallies(rows, YES_NO_CHOICES, aliases={c: c for c in YES_NO_CHOICES})
    yes, no = tallies[YES], tallies[NO]
    passed = rule(yes, no)
    notes = [f"passes when {text}; abstentions are not counted"]
    if yes + no == 0:
        notes.append("no yes or no vote was cast")
    order = sorted((YES, NO), key=lambda o: (-tallies[o], o))
    return TallyResult(
        method, [YES if passed else NO], order, dict(tallies), None, None, passed, notes
    )


def count_consent(ballots: Mapping[str, int] | Iterable[tuple[str, int]]) -> TallyResult:
    """Count by consent: passes unless at least one voter objects.

    Choices are ``yes``, ``abstain`` and ``object`` (``no`` counts as an
    objection). With no ballot at all nobody objected, so it passes (quorum
    is the proposal's business, not the count's).
    """
    aliases = {YES: YES, ABSTAIN: ABSTAIN, OBJECT: OBJECT, NO: OBJECT}
    tallies = _choice_tallies(_rows(ballots), (YES, ABSTAIN, OBJECT), aliases=aliases)
    passed = tallies[OBJECT] == 0
    notes = ["passes unless at least one voter objects ('no' counts as an objection)"]
    if not passed:
        notes.append(f"{tallies[OBJECT]} objection(s)")
    order = [YES, OBJECT] if passed else [OBJECT, YES]
    return TallyResult(
        "consent", [YES if passed else OBJECT], order, dict(tallies), None, None, passed, notes
    )


# --- Schulze ------------------------------------------------------------------


def count_schulze(
    rankings: Iterable[tuple[Sequence[Sequence[str]] | str, int]],
    candidates: Sequence[str] | None = None,
) -> TallyResult:
    """Rank candidates by the Schulze method (winning votes).

    Each ballot is a ranking such as ``"A>C=B"`` or ``[["A"], ["C", "B"]]``
    (a plain string inside the list is one candidate) with a count of voters.
    Candidates a ballot leaves out rank below all it names, equal among
    themselves. ``candidates`` default to every name on the ballots.

    ``pairwise[a][b]`` counts voters preferring a to b; the link a->b has
    strength ``pairwise[a][b]`` when that beats ``pairwise[b][a]``, else 0;
    ``strongest_paths`` are widest paths (Floyd-Warshall). a beats b when
    ``p[a][b] > p[b][a]``; the winners are all candidates nobody beats.
    The full order repeatedly takes, among the candidates not yet placed, those
    not beaten by another unplaced one; when several qualify the tie is broken
    by the number of candidates each beats (more first), then by name, and a
    note records it. The result does not depend on the order of ``candidates``.
    """
    ballots = []
    for row, (ranking, n) in enumerate(_rows(rankings), start=1):
        if isinstance(ranking, str):
            parsed = parse_ranking(ranking, row=row)
        else:
            parsed = _check_ranking(ranking, row)
        ballots.append((parsed, n, row))
    if candidates is None:
        names = sorted({c for groups, _, _ in ballots for g in groups for c in g})
    else:
        names = _names(candidates, "candidates")
    if not names:
        raise InputError("no candidates on the ballots", field="candidates")
    pairwise = _pairwise(ballots, names)
    paths = _strongest_paths(pairwise, names)
    order, notes = _schulze_order(paths, names)
    beaten = {b for a in names for b in names if a != b and paths[a][b] > paths[b][a]}
    winners = [c for c in order if c not in beaten]
    tallies: dict[str, float] = dict.fromkeys(sorted(names), 0)
    for groups, n, _ in ballots:
        for c in groups[0]:
            tallies[c] += n
    return TallyResult("schulze", winners, order, tallies, pairwise, paths, None, notes)


def _pairwise(
    ballots: list[tuple[Ranking, int, int]], names: list[str]
) -> dict[str, dict[str, int]]:
    d = {a: {b: 0 for b in names if b != a} for a in names}
    known = set(names)
    for groups, n, row in ballots:
        level: dict[str, int] = {}
        for i, group in enumerate(groups):
            for c in group:
                if c not in known:
                    raise InputError(f"unknown candidate '{c}'", row=row, field="ranking")
                level[c] = i
        bottom = len(groups)  # unranked candidates share the level below all ranked ones
        for a in names:
            la = level.get(a, bottom)
            for b in names:
                if b != a and la < level.get(b, bottom):
                    d[a][b] += n
    return d


def _strongest_paths(d: dict[str, dict[str, int]], names: list[str]) -> dict[str, dict[str, int]]:
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in names if b != a} for a in names}
    for i in names:
        for j in names:
            if j == i:
                continue
            for k in names:
                if k != i and k != j:
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    return p


def _schulze_order(p: dict[str, dict[str, int]], names: list[str]) -> tuple[list[str], list[str]]:
    wins = {a: sum(p[a][b] > p[b][a] for b in names if b != a) for a in names}
    left = set(names)
    order: list[str] = []
    notes: list[str] = []
    while left:
        top = sorted(
            (a for a in left if not any(p[b][a] > p[a][b] for b in left if b != a)),
            key=lambda a: (-wins[a], a),
        )
        if len(top) > 1:
            notes.append(
                f"tie between {', '.join(top)} (none beats another by strongest paths): "
                f"placed {top[0]} first (tie-break: most candidates beaten, then name)"
            )
        order.append(top[0])
        left.remove(top[0])
    return order, notes


# --- files --------------------------------------------------------------------


@dataclass(frozen=True)
class BallotFile:
    """Ballots read from a CSV file: one entry per data row.

    ``column`` is ``"ranking"`` or ``"choice"``; ``entries`` are (ranking or
    choice, count) pairs ready for the counting functions; ``rows[i]`` is the
    data row number of ``entries[i]`` (the header is line 1, data row 1 is
    line 2).
    """

    path: str
    column: Literal["ranking", "choice"]
    entries: list[tuple[Any, int]]
    rows: list[int]


def read_ballots_csv(path: str | Path) -> BallotFile:
    """Read a ballots CSV with a ``ranking`` (``A>C=B``) or ``choice`` column and ``count``.

    ``count`` is optional (default 1, also for an empty cell). Blank lines
    are skipped. Errors name the file, the data row and the field.
    """
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            records = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read ballots: {exc}", file=name) from None
    if not records:
        raise InputError("empty file: expected a header with 'ranking' or 'choice'", file=name)
    header = [h.strip().lower() for h in records[0]]
    for h in header:
        if h not in ("ranking", "choice", "count"):
            raise InputError(
                "unknown column; expected 'ranking' or 'choice', and optionally 'count'",
                file=name,
                field=h,
            )
    kinds = [h for h in header if h in ("ranking", "choice")]
    if len(kinds) != 1 or len(set(header)) != len(header):
        raise InputError(
            "the header needs exactly one of 'ranking' or 'choice', and no repeated column",
            file=name,
        )
    column: Literal["ranking", "choice"] = "ranking" if kinds[0] == "ranking" else "choice"
    entries: list[tuple[Any, int]] = []
    rows: list[int] = []
    for row, record in enumerate(records[1:], start=1):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise InputError(
                f"{len(record)} fields, the header has {len(header)}", file=name, row=row
            )
        cells = dict(zip(header, record, strict=True))
        count_text = cells.get("count", "").strip()
        try:
            count = int(count_text) if count_text else 1
        except ValueError:
            raise InputError(
                f"count must be a whole number, not '{count_text}'",
                file=name,
                row=row,
                field="count",
            ) from None
        text = cells[column].strip()
        value: str | tuple[tuple[str, ...], ...] = text
        try:
            _count(count, row)
            if column == "ranking":
                value = parse_ranking(text, row=row)
            elif not text:
                raise InputError("empty choice", row=row, field="choice")
        except InputError as exc:
            raise InputError(exc.detail, file=name, row=exc.row, field=exc.field) from None
        entries.append((value, count))
        rows.append(row)
    if not entries:
        raise InputError("no ballots in the file", file=name)
    return BallotFile(name, column, entries, rows)


def count_file(
    path: str | Path, method: str, candidates: Sequence[str] | None = None
) -> TallyResult:
    """Read a ballots CSV and count it by ``method`` (one of :data:`METHODS`).

    ``candidates`` apply to ``majority`` (the options) and ``schulze``.
    Errors name the file and the data row of the offending ballot.
    """
    if method not in METHODS:
        raise SovietsError(f"unknown method '{method}' (expected one of: {', '.join(METHODS)})")
    if candidates is not None and method not in ("majority", "schulze"):
        raise SovietsError(f"--candidates does not apply to method {method}")
    ballots = read_ballots_csv(path)
    needed = "ranking" if method == "schulze" else "choice"
    if ballots.column != needed:
        raise InputError(f"method {method} needs a '{needed}' column", file=ballots.path)
    try:
        if method == "schulze":
            return count_schulze(ballots.entries, candidates)
        if method == "majority":
            return count_majority(ballots.entries, candidates)
        if method == "two-thirds":
            return count_two_thirds(ballots.entries)
        return count_consent(ballots.entries)
    except InputError as exc:
        row = ballots.rows[exc.row - 1] if exc.row is not None else None
        raise InputError(exc.detail, file=ballots.path, row=row, field=exc.field) from None
