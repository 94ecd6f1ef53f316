"""Charts as inline SVG, drawn on the server: no JavaScript library, nothing from a CDN.

Each function takes plain numbers and returns markup safe to put in a template."""

from html import escape

from django.utils.safestring import SafeString, mark_safe

from scoring.choices import Band

PALETTE = {
    Band.STABLE: "#2e7d32",
    Band.RECOVERABLE: "#f0a500",
    Band.PRONE_TO_SICK: "#c62828",
    Band.INSUFFICIENT_DATA: "#9e9e9e",
}
DEFAULT_COLOURS = ["#0b4f6c", "#4f9dbd", "#f0a500", "#c62828", "#6a4c93", "#2e7d32", "#9e9e9e"]


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]], *, series: list[tuple[str, str]], width: int = 640
) -> SafeString:
    """Horizontal stacked bars: one row per label, one segment per series (key, label), with a
    legend. `rows` = [(label, {series key: value})]."""
    bar, gap, left, top = 18, 6, 130, 22
    total_max = max((sum(values.get(key, 0) for key, _ in series) for _, values in rows), default=0) or 1
    span = width - left - 50
    height = top + len(rows) * (bar + gap) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" font-size="11">']
    x = left
    for i, (key, label) in enumerate(series):
        colour = PALETTE.get(key, DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)])
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(label)}</text>')
        x += 14 + 7 * len(label) + 14
    for n, (label, values) in enumerate(rows):
        y = top + n * (bar + gap)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        x = left
        total = 0
        for i, (key, series_label) in enumerate(series):
            value = values.get(key, 0)
            total += value
            w = span * value / total_max
            if w > 0:
                colour = PALETTE.get(key, DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)])
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}">'
                    f"<title>{escape(label)}: {escape(series_label)} {value:,}</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{total:,}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def percent_bars(rows: list[tuple[str, float | None]], *, width: int = 640) -> SafeString:
    """Horizontal bars of percentages, one per label, coloured by how near 100 they are;
    None (no figure) draws no bar and says "—"."""
    bar, gap, left = 18, 6, 130
    span = width - left - 60
    height = len(rows) * (bar + gap) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" font-size="11">']
    for n, (label, value) in enumerate(rows):
        y = n * (bar + gap) + 4
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{span}" height="{bar}" fill="#eef1f4"/>')
        if value is not None:
            w = span * max(0.0, min(value, 100.0)) / 100
            colour = "#2e7d32" if value >= 90 else "#f0a500" if value >= 60 else "#c62828"
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>')
        text = "—" if value is None else f"{value:g}%"
        parts.append(f'<text x="{left + span + 6}" y="{y + 13}">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
