"""``soviets tally`` run through its entry point (``soviets.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import Ran, soviets

DATA = Path(__file__).parent / "data"


def _soviets(*args: str) -> Ran:
    return soviets(*args)


def test_schulze_json() -> None:
    out = _soviets("tally", str(DATA / "schulze_wikipedia.csv"), "--method", "schulze", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert list(doc) == [
        "method",
        "winners",
        "order",
        "tallies",
        "pairwise",
        "strongest_paths",
        "passed",
        "notes",
    ]
    assert doc["method"] == "schulze"
    assert doc["winners"] == ["E"]
    assert doc["order"] == ["E", "A", "C", "B", "D"]
    assert doc["pairwise"]["B"]["D"] == 33
    assert doc["strongest_paths"]["E"]["A"] == 25
    assert doc["passed"] is None


def test_schulze_text() -> None:
    out = _soviets("tally", str(DATA / "schulze_two_winners.csv"), "--method", "schulze")
    assert out.returncode == 0, out.stderr
    assert "winner(s): B, D" in out.stdout
    assert "order: B > D > A > C" in out.stdout
    assert "Pairwise preferences" in out.stdout
    assert "note: tie between B, D" in out.stdout


def test_two_thirds_json() -> None:
    out = _soviets("tally", str(DATA / "yes_no.csv"), "--method", "two-thirds", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["passed"] is True and doc["winners"] == ["yes"]
    assert doc["tallies"] == {"yes": 10, "no": 5, "abstain": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad_count.csv", "--method", "schulze"], "row 3, field 'count'"),
        (["unknown_candidate.csv", "-m", "schulze", "--candidates", "A,B"], "row 3"),
        (["unknown_column.csv", "-m", "schulze"], "field 'cout'"),
        (["yes_no.csv", "-m", "condorcet"], "unknown method"),
        (["missing.csv", "-m", "schulze"], "missing.csv"),
    ],
)
def test_user_mistakes_are_one_line_exit_2(args: list[str], message: str) -> None:
    out = _soviets("tally", str(DATA / args[0]), *args[1:])
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
