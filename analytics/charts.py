"""Server-drawn SVG charts: no JavaScript, no CDN, and the same markup prints and goes into the PDF."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def histogram_svg(distribution: list[dict], *, title: str = "Score distribution", width: int = 640) -> SafeString:
    """A bar chart of `score_distribution()` bins (dicts with range and count). Every text is escaped."""
    height = 260
    left, right, top, bottom = 40, 10, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = [int(b["count"]) for b in distribution] or [0]
    peak = max(counts) or 1
    bar_w = plot_w / max(1, len(distribution))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart histogram" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#5b6575"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#5b6575"/>',
    ]
    for tick in sorted({0, peak // 2, peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#5b6575">{tick}</text>'
        )
    for i, b in enumerate(distribution):
        count = int(b["count"])
        h = plot_h * count / peak
        x = left + i * bar_w
        label = escape(f"{b['range']}%: {count}")
        parts.append(
            f'<rect x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 6:.1f}" height="{h:.1f}" '
            f'fill="#2753c7"><title>{label}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#1d2430">{count}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" font-size="10" text-anchor="middle" '
            f'fill="#5b6575">{escape(b["range"])}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
        f'fill="#5b6575">Score (%)</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text above is escaped
