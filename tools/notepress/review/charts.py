"""Charts as inline SVG: no image files, no JavaScript. Every piece of text is escaped."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
BAR = "#4f6bed"
LINE = "#0f766e"
MUTED = "#6b7280"


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _svg(title: str, width: int, height: int, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_t(title)}" '
            f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" {FONT}>'
            f"<title>{_t(title)}</title>")
    return Markup(head + "".join(body) + "</svg>")


def column_chart(title: str, labels: list[str], values: list[int]) -> Markup:
    """Vertical bars, one per label (e.g. entries per week); every other label shown when crowded."""
    n = max(len(values), 1)
    step = max(12, min(40, 640 // n))
    width, height, left, top, bottom = step * n + 40, 170, 30, 20, 40
    plot = height - top - bottom
    peak = max(values or [0]) or 1
    body = [f'<line x1="{left}" y1="{top + plot}" x2="{width - 10}" y2="{top + plot}" stroke="{MUTED}"/>']
    every = 1 if step >= 30 else 2 if step >= 16 else 4
    for i, (label, value) in enumerate(zip(labels, values)):
        x = left + i * step
        h = round(plot * value / peak)
        body.append(f'<rect x="{x + 2}" y="{top + plot - h}" width="{step - 4}" height="{h}" fill="{BAR}">'
                    f"<title>{_t(label)}: {value}</title></rect>")
        if value:
            body.append(f'<text x="{x + step / 2:g}" y="{top + plot - h - 3}" text-anchor="middle">{value}</text>')
        if i % every == 0:
            body.append(f'<text x="{x + step / 2:g}" y="{top + plot + 14}" text-anchor="middle" '
                        f'fill="{MUTED}">{_t(label[-3:])}</text>')
    return _svg(title, width, height, body)


def bar_chart(title: str, labels: list[str], values: list[int]) -> Markup:
    """Horizontal bars with their labels (e.g. entries per competency)."""
    row, label_width, bar_width = 20, 190, 320
    width, height = label_width + bar_width + 40, row * max(len(values), 1) + 10
    peak = max(values or [0]) or 1
    body = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 5 + i * row
        w = round(bar_width * value / peak)
        body.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end">{_t(label)}</text>')
        body.append(f'<rect x="{label_width}" y="{y + 3}" width="{w}" height="{row - 6}" fill="{BAR}">'
                    f"<title>{_t(label)}: {value}</title></rect>")
        body.append(f'<text x="{label_width + w + 5}" y="{y + 14}" fill="{MUTED}">{value}</text>')
    return _svg(title, width, height, body)


def small_multiples(title: str, labels: list[str], series: list[tuple[str, tuple[int, ...]]],
                    columns: int = 3) -> Markup:
    """One small line chart per series on a shared scale (e.g. insights per theme per week)."""
    cell_w, cell_h, pad = 200, 90, 12
    rows = max(1, -(-len(series) // columns))
    width, height = columns * cell_w, rows * cell_h
    peak = max([max(c, default=0) for _, c in series] or [0]) or 1
    n = max(len(labels), 1)
    body = []
    for k, (name, counts) in enumerate(series):
        x0, y0 = (k % columns) * cell_w + pad, (k // columns) * cell_h + 22
        w, h = cell_w - 2 * pad, cell_h - 42
        dx = w / max(n - 1, 1)
        points = " ".join(f"{x0 + i * dx:.1f},{y0 + h - h * c / peak:.1f}" for i, c in enumerate(counts))
        body.append(f'<text x="{x0}" y="{y0 - 8}" font-weight="bold">{_t(name)}</text>')
        body.append(f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="{MUTED}"/>')
        body.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2">'
                    f"<title>{_t(name)}: {sum(counts)}</title></polyline>")
        body += [f'<circle cx="{x0 + i * dx:.1f}" cy="{y0 + h - h * c / peak:.1f}" r="2" fill="{LINE}"/>'
                 for i, c in enumerate(counts) if c]
        if labels:
            body.append(f'<text x="{x0}" y="{y0 + h + 13}" fill="{MUTED}">{_t(labels[0])}</text>')
            body.append(f'<text x="{x0 + w}" y="{y0 + h + 13}" text-anchor="end" fill="{MUTED}">'
                        f"{_t(labels[-1])}</text>")
    return _svg(title, width, height, body)
