"""The hours-needs frontier as an inline SVG line chart (no JavaScript, described for
screen readers): x hours offered per member per week, y needs met (%), the current
choice marked by a vertical line."""

from __future__ import annotations

from markupsafe import Markup, escape

from soviets.planning.frontier import Frontier, Shares
from soviets.server.i18n import N_, gettext_

ESSENTIAL = "#a4161a"
NORMAL = "#1f5fa8"
INK = "#1d1d1f"
GRID = "#ece8df"


def shares_of(f: Frontier) -> list[Shares]:
    """The shares to show for each point: the federation's, or the council's own."""
    if f.scope == "federation":
        return [p.total for p in f.points]
    return [p.councils[f.scope] for p in f.points]


def frontier_chart(f: Frontier, *, chart_id: str = "frontier") -> Markup:
    """Essential and normal needs met (by count) against the offer of hours."""
    width, height, left, right, top, bottom = 720, 360, 60, 20, 20, 50
    pw, ph = width - left - right, height - top - bottom
    xs = [p.offered for p in f.points]
    x_max = max(xs + [f.current or 0.0, 1e-9])
    shares = shares_of(f)

    def sx(x: float) -> float:
        return left + x / x_max * pw

    def sy(share: float) -> float:
        return top + (1.0 - share) * ph

    lines = [(gettext_(N_("essential needs met")), ESSENTIAL, [s.essential_count for s in shares])]
    if any(s.normal_count is not None for s in shares):
        lines.append(
            (gettext_(N_("normal needs met")), NORMAL, [s.normal_count or 0.0 for s in shares])
        )
    desc = "; ".join(
        f"{x:.3g} h: " + ", ".join(f"{name} {100 * ys[k]:.1f}%" for name, _, ys in lines)
        for k, x in enumerate(xs)
    )
    title = gettext_(N_("Needs met against hours offered per member per week (%(scope)s)")) % {
        "scope": f.scope
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for pct in (0, 25, 50, 75, 100):
        y = sy(pct / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{pct}%</text>'
        )
    for k in range(5):
        x = x_max * k / 4
        parts.append(
            f'<text x="{sx(x):.1f}" y="{top + ph + 18}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{x:.3g}</text>'
        )
    parts.append(
        f'<text x="{left + pw / 2}" y="{height - 8}" text-anchor="middle" '
        f'font-size="13" fill="{INK}">'
        + escape(gettext_(N_("hours offered per member per week (h)")))
        + "</text>"
    )
    for name, color, ys in lines:
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        y_last = sy(ys[-1]) - 6 if color == ESSENTIAL else sy(ys[-1]) + 16
        parts.append(
            f'<text x="{left + pw - 4}" y="{y_last:.1f}" text-anchor="end" '
            f'font-size="12" fill="{color}">{escape(name)}</text>'
        )
    if f.current is not None:
        x = sx(f.current)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" '
            f'stroke="{INK}" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x + 4:.1f}" y="{top + 14}" font-size="12" fill="{INK}">'
            + escape(gettext_(N_("current choice %(hours)s h")) % {"hours": f"{f.current:.3g}"})
            + "</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
