"""Small charts as server-rendered inline SVG (no script, no CDN); labels escaped."""

from __future__ import annotations

from markupsafe import Markup, escape


def bars(pairs: list[tuple[str, int]], width: int = 360, row: int = 18) -> Markup:
    """A horizontal bar chart: one labelled bar per (label, value)."""
    if not pairs:
        return Markup("")
    top = max(v for _, v in pairs) or 1
    label_w, height = 180, row * len(pairs) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img">'
    ]
    for n, (label, value) in enumerate(pairs):
        y = n * row + 2
        w = int((width - label_w - 40) * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{max(w, 1)}" height="{row - 6}" class="bar"/>'
            f'<text x="{label_w + w + 4}" y="{y + 12}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- labels escaped above, the rest are numbers


def _short(label: str, size: int = 28) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def columns(pairs: list[tuple[str, int]], width: int = 360, height: int = 90) -> Markup:
    """A column chart over days: (short label, value) per column."""
    if not pairs:
        return Markup("")
    top = max(v for _, v in pairs) or 1
    step = width / len(pairs)
    every = -(-len(pairs) // 12)  # at most about 12 labels under the columns
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 16}" width="{width}" '
        f'height="{height + 16}" role="img">'
    ]
    for n, (label, value) in enumerate(pairs):
        h = int((height - 14) * value / top)
        x, middle = n * step, n * step + step / 2
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - h}" width="{max(step - 2, 1):.1f}" '
            f'height="{max(h, 1)}" class="bar"><title>{escape(label)}: {value}</title></rect>'
        )
        if step >= 18:  # room for the value over its column
            parts.append(f'<text x="{middle:.1f}" y="{height - h - 3}" '
                         f'text-anchor="middle">{value}</text>')  # fmt: skip
        if n % every == 0:
            # Thinned labels are wider than their column: the outer ones keep inside the chart.
            at, anchor = middle, "middle"
            if every > 1 and n == 0:
                at, anchor = x + 1, "start"
            elif every > 1 and n == len(pairs) - 1:
                at, anchor = x + step - 1, "end"
            parts.append(f'<text x="{at:.1f}" y="{height + 12}" '
                         f'text-anchor="{anchor}">{escape(label)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- labels escaped above, the rest are numbers


def sparkline(values: list[int], width: int = 120, height: int = 22) -> Markup:
    """A tiny line of items per day."""
    if not values:
        return Markup("")
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{n * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for n, v in enumerate(values)
    )
    return Markup(  # noqa: S704 -- numbers only
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f'<polyline points="{points}" fill="none" class="line"/></svg>'
    )
