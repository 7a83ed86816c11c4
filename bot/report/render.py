"""The report as plain text (terminal) and as one self-contained HTML page.

The chart is an inline SVG drawn here: one stacked bar per day and platform, so the page
needs no plotting library, no network and no files beside it. Every text that came from
users is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from bot.report.summary import Report

COLOURS = {"slack": "#4a154b", "teams": "#5b5fc7", "terminal": "#2e7d32"}
OTHER_COLOUR = "#888888"
LABELS = {"answer": "answered", "clarify": "clarifying question", "none": "no answer"}


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def _period(report: Report) -> str:
    return f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d} (UTC)"


def render_text(report: Report) -> str:
    """The summary for the terminal."""
    platforms = ", ".join(f"{p} {n}" for p, n in report.platforms.items()) or "none"
    lines = [
        f"Rollenbot report {_period(report)}",
        f"Questions: {report.total} ({platforms})",
        "Outcome: " + " · ".join(
            f"{LABELS[o]} {report.rate(o):.0%} ({report.outcomes.get(o, 0)})" for o in LABELS),
        f"Latency: median {_ms(report.latency_median_ms)}, p95 {_ms(report.latency_p95_ms)}",
        f"Feedback: helpful {report.helpful}, not helpful {report.not_helpful}",
        "",
        "Unanswered questions, grouped by similarity:",
    ]
    if not report.gaps:
        lines.append("  (none)")
    for gap in report.gaps:
        lines.append(f"  {gap.count:>4}×  " + " | ".join(gap.examples))
    lines += ["", "Passages marked not helpful:"]
    if not report.disliked:
        lines.append("  (none)")
    for d in report.disliked:
        lines.append(f"  {d.passage_id or '(no passage)'}: not helpful {d.not_helpful}, "
                     f"helpful {d.helpful}")
        lines += [f"        “{c}”" for c in d.comments]
    return "\n".join(lines)


def chart_svg(report: Report, *, width: int = 760, height: int = 240) -> str:
    """Questions per day, stacked by platform, as an SVG element."""
    days = list(report.per_day.items())
    platforms = sorted({p for _, counts in days for p in counts} | set(report.platforms))
    top = max([sum(c.values()) for _, c in days] + [1])
    left, bottom, plot_h = 40, 30, height - 60
    slot = (width - left - 10) / max(len(days), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="Questions per day by platform">',
             f'<text x="4" y="{height - bottom - plot_h + 4}" font-size="11">{top}</text>',
             f'<text x="4" y="{height - bottom}" font-size="11">0</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
             f'y2="{height - bottom}" stroke="#999"/>']
    for i, (day, counts) in enumerate(days):
        y = float(height - bottom)
        for p in platforms:
            h = plot_h * counts.get(p, 0) / top
            if h:
                y -= h
                parts.append(
                    f'<rect x="{left + i * slot + 1:.1f}" y="{y:.1f}" width="{slot - 2:.1f}" '
                    f'height="{h:.1f}" fill="{COLOURS.get(p, OTHER_COLOUR)}">'
                    f'<title>{day:%Y-%m-%d} {escape(p)}: {counts[p]}</title></rect>')
        if i % max(1, len(days) // 8) == 0:
            parts.append(f'<text x="{left + i * slot:.1f}" y="{height - 12}" '
                         f'font-size="10">{day:%m-%d}</text>')
    for j, p in enumerate(platforms):
        x = left + j * 110
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" '
                     f'fill="{COLOURS.get(p, OTHER_COLOUR)}"/>'
                     f'<text x="{x + 14}" y="13" font-size="11">{escape(p)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: Report) -> str:
    """The whole report as one HTML page with its chart inside."""
    rates = "".join(
        f"<tr><td>{LABELS[o]}</td><td>{report.outcomes.get(o, 0)}</td>"
        f"<td>{report.rate(o):.0%}</td></tr>" for o in LABELS)
    gaps = "".join(
        f"<tr><td>{g.count}</td><td>{'<br>'.join(escape(e) for e in g.examples)}</td>"
        f"<td>{g.last_asked:%Y-%m-%d}</td></tr>" for g in report.gaps
    ) or '<tr><td colspan="3">none</td></tr>'
    disliked = "".join(
        f"<tr><td>{escape(d.passage_id or '(no passage)')}</td><td>{d.not_helpful}</td>"
        f"<td>{d.helpful}</td><td>{'<br>'.join(escape(c) for c in d.comments)}</td></tr>"
        for d in report.disliked
    ) or '<tr><td colspan="4">none</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Rollenbot report {escape(_period(report))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left;
         vertical-align: top; }}
</style></head><body>
<h1>Rollenbot report</h1>
<p>{escape(_period(report))} · {report.total} questions ·
latency median {_ms(report.latency_median_ms)}, p95 {_ms(report.latency_p95_ms)} ·
feedback: {report.helpful} helpful, {report.not_helpful} not helpful</p>
<h2>Questions per day</h2>
{chart_svg(report)}
<h2>Outcomes</h2>
<table><tr><th>outcome</th><th>questions</th><th>share</th></tr>{rates}</table>
<h2>Unanswered questions, grouped by similarity</h2>
<table><tr><th>times asked</th><th>examples</th><th>last asked</th></tr>{gaps}</table>
<h2>Passages marked not helpful</h2>
<table><tr><th>passage</th><th>not helpful</th><th>helpful</th><th>comments</th></tr>
{disliked}</table>
</body></html>
"""
