"""Charts as PNG images for the digest and the report (matplotlib, Agg, no display needed).

DejaVu Sans ships with matplotlib and has every Vietnamese glyph.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.typing import RcKeyType

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT: dict[RcKeyType, Any] = {"font.family": "DejaVu Sans", "font.size": 9}
COLOURS = ("#1f4e79", "#c0504d", "#9bbb59", "#8064a2")


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def bars(
    labels: Sequence[str], series: dict[str, Sequence[int]], title: str, size=(6.3, 2.6)
) -> bytes:
    """Grouped vertical bars, one group per label and one colour per series."""
    with plt.rc_context(FONT):
        fig, ax = plt.subplots(figsize=size)
        width = 0.8 / max(len(series), 1)
        for n, (name, values) in enumerate(series.items()):
            xs = [i + n * width for i in range(len(labels))]
            ax.bar(xs, values, width, label=name, color=COLOURS[n % len(COLOURS)])
        ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))])
        ax.set_xticklabels(labels, rotation=30 if len(labels) > 8 else 0, ha="right"
                           if len(labels) > 8 else "center")  # fmt: skip
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            ax.legend(frameon=False)
        return _png(fig)


def trend(labels: Sequence[str], series: dict[str, Sequence[int]], title: str) -> bytes:
    """Lines over weeks (the digest's 8-week trend)."""
    with plt.rc_context(FONT):
        fig, ax = plt.subplots(figsize=(6.3, 2.2))
        for n, (name, values) in enumerate(series.items()):
            ax.plot(list(labels), list(values), marker="o", label=name,
                    color=COLOURS[n % len(COLOURS)])  # fmt: skip
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False)
        return _png(fig)
