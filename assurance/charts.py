"""A Pareto chart of the standards most often not met, drawn as SVG by a pure function (no Django)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 300, 40, 60, 16


def pareto_svg(bars: list[tuple[str, str, int, int]]) -> str:
    """Bars (code, text, count, cumulative %) from most to least, with the cumulative share as a line."""
    if not bars:
        return ""
    plot_w, plot_h = WIDTH - LEFT - 40, HEIGHT - BOTTOM - TOP
    top = max(n for _, _, n, _ in bars)
    step = plot_w / len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'class="pareto" aria-labelledby="pareto-title"><title id="pareto-title">Standards most often not '
             f'met: {escape(", ".join(f"{c} ({n})" for c, _, n, _ in bars))}</title>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#555"/>']
    points = []
    for i, (code, text, n, cumulative) in enumerate(bars):
        h = plot_h * n / top
        x = LEFT + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="#005eb8"><title>{escape(code)} {escape(text)}: not met at {n} team(s)</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{TOP + plot_h - h - 4:.1f}" font-size="11" '
                     f'text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{TOP + plot_h + 16}" font-size="11" '
                     f'text-anchor="middle">{escape(code)}</text>')
        points.append(f"{x + step * 0.35:.1f},{TOP + plot_h * (1 - cumulative / 100):.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#d5281b" stroke-width="2"/>')
    parts.append(f'<text x="{LEFT + plot_w + 4}" y="{TOP + 4}" font-size="11" fill="#d5281b">100%</text>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 20}" font-size="11">Bars: teams not meeting the standard at '
                 f'their latest assessment · line: cumulative share</text></svg>')
    return "".join(parts)
