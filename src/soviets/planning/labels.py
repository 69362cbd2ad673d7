"""Honest text for plan figures: shares of needs met and certificates.

A share a hair below 1 is not shown as 100%, and a plan is never shown
below its lower bound: the digits printed are enough to show the true
relation, and a bound above the plan by rounding alone is reported as
"gap 0 within tolerance".
"""

from __future__ import annotations

import math

#: Relative difference treated as rounding in shares and certificates.
TOLERANCE = 1e-9
_TOL = "1e-9"


def share_text(share: float, digits: int = 1) -> str:
    """A share as a percentage (at least ``digits`` decimals) that never rounds a
    shortfall up to 100%."""
    if not math.isfinite(share):
        return "-"
    if share >= 1.0:
        return "100%"
    if 1.0 - share <= TOLERANCE:
        return f"100% within {_TOL}"
    for places in range(digits, 10):
        text = f"{100 * share:.{places}f}"
        if float(text) < 100:
            return f"{text}%"
    return f"{100 * share!r}%"


def quantity_text(value: float) -> str:
    """Whole numbers with separators from 10,000 on, else six significant digits."""
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.6g}"


def certificate_text(primal: float, dual: float, gap: float, unit: str) -> str:
    """``plan P >= bound B, gap G``; a bound above the plan by rounding is said to be so."""
    if not (math.isfinite(primal) and math.isfinite(dual)):
        return f"plan {primal} {unit}, bound {dual} {unit}, gap {gap:.1e}"
    if dual > primal:
        slack = (dual - primal) / max(1.0, abs(primal))
        if slack <= TOLERANCE:
            return (
                f"plan {quantity_text(primal)} {unit} = bound (the bound exceeds it by "
                f"{slack:.1e} relative), gap 0 within tolerance {_TOL}"
            )
        return (
            f"plan {primal!r} {unit} BELOW bound {dual!r} {unit} "
            f"(by {slack:.1e} relative: the certificate does not hold)"
        )
    # rounding is monotone, so a plan at or above its bound is never printed below it
    return (
        f"plan {quantity_text(primal)} {unit} >= bound {quantity_text(dual)} {unit}, gap {gap:.1e}"
    )
