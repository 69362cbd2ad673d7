"""The comparison report names the labour unit and has no "normal met" without normal needs."""

from __future__ import annotations

from soviets.experiments.report import markdown


def _row(regime: str) -> dict:
    return {
        "regime": regime,
        "hours": 801_796.0,
        "hours_per_member_week": None,
        "essential_met": 0.9999999999989 if regime == "autarky" else 1.0,
        "normal_met": 1.0,
        "rounds": None,
        "messages": None,
        "bytes": None,
    }


def test_markdown_uses_the_unit_and_skips_normal_share():
    result = {
        "economy": "ons",
        "unit": "GBP-2010 million of compensation",
        "normal_needs": 0,
        "regimes": [_row(r) for r in ("autarky", "federation", "central")],
        "federation_gap_to_central": 0.0,
    }
    text = markdown(result, None, ".")
    assert "total labour (GBP-2010 million of compensation)" in text
    assert "hours" not in text
    # columns: labour, per member, saved, essential met (count, value), normal met (count, value)
    assert "| autarky | 801,796.0 | - | - | 100% within 1e-9 | 100% within 1e-9 | - | - |" in text
    assert "| central | 801,796.0 | - | - | 100% | 100% | - | - |" in text
