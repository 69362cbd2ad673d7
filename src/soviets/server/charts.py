"""Charts drawn on the server as inline SVG: no JavaScript, readable by screen readers.

Each chart is an ``<svg role="img">`` with a title and a description listing
the values, sized by ``viewBox`` so it scales to a phone's width.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from soviets.server.i18n import N_, gettext_

BAR = "#a4161a"
TRACK = "#ece8df"
INK = "#1d1d1f"


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    limit: int = 25,
    chart_id: str = "chart",
) -> Markup:
    """A horizontal bar chart of ``(label, value)`` pairs, largest first.

    Beyond ``limit`` bars the smallest are summed into one "others" bar.
    Negative values are drawn as zero-length bars but their numbers are shown.
    """
    rows = sorted(((str(k), float(v)) for k, v in items), key=lambda kv: -kv[1])
    if len(rows) > limit:
        rest = rows[limit - 1 :]
        others = gettext_(N_("%(count)s others")) % {"count": len(rest)}
        rows = rows[: limit - 1] + [(others, sum(v for _, v in rest))]
    label_w, bar_w, value_w, row_h = 230, 380, 110, 26
    width = label_w + bar_w + value_w
    height = max(1, len(rows)) * row_h + 10
    top = max((v for _, v in rows), default=0.0)
    suffix = f" {unit}" if unit else ""
    desc = "; ".join(f"{k}: {_fmt(v)}{suffix}" for k, v in rows) or gettext_(N_("no data"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        length = 0.0 if top <= 0 else max(0.0, value) / top * bar_w
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 8}" fill="{TRACK}"/>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="14" fill="{INK}">'
            f"{escape(_fmt(value))}{escape(suffix)}</text>"
        )
    if not rows:
        parts.append(f'<text x="10" y="20" font-size="14" fill="{INK}">No data</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
