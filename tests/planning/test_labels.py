"""Shares and certificates are printed without rounding a shortfall away."""

from __future__ import annotations

from soviets.planning.labels import certificate_text, share_text


def test_a_share_below_one_is_not_shown_as_100_percent():
    assert share_text(1.0) == "100%"
    assert share_text(0.9999999999989) == "100% within 1e-9"
    assert share_text(0.99996) == "99.996%"
    assert share_text(0.9999) == "99.99%"
    assert share_text(0.5) == "50.0%"
    assert share_text(0.5, 2) == "50.00%"


def test_a_plan_is_never_printed_below_its_bound():
    text = certificate_text(262_614_228_995.0, 262_614_229_000.0, 0.0, "hours")
    assert "gap 0 within tolerance 1e-9" in text and ">=" not in text
    assert text.startswith("plan 262,614,228,995 hours = bound")
    text = certificate_text(10.0, 9.0, 0.1, "persons")
    assert text == "plan 10 persons >= bound 9 persons, gap 1.0e-01"
    assert "does not hold" in certificate_text(100.0, 200.0, 0.0, "hours")
