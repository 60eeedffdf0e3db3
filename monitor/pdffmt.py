"""What every PDF the tool writes shares (the digest, the evidence summary): Vietnamese-capable
fonts that work offline, A4 pages with the same margins, and plain text made safe for
reportlab's paragraph markup."""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .text.normalize import printable

REGULAR, BOLD = "DejaVu", "DejaVu-Bold"


@cache
def register_fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) registered once; the regular and bold names."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(REGULAR, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    return REGULAR, BOLD


def pdf_text(text: str) -> str:
    """reportlab's paragraph markup for plain text: escaped, no characters it cannot draw."""
    return html.escape(printable(text))


def build(story: Sequence[Any]) -> bytes:
    """An A4 PDF of the given flowables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm,
                      topMargin=15 * mm, bottomMargin=15 * mm).build(list(story))  # fmt: skip
    return out.getvalue()
