"""Word documents in the administrative format of Decree 30/2020/NĐ-CP: A4, Times New Roman
13 pt, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; the decree's header (agency,
national title and motto, number, place and date) and foot ("Nơi nhận", signature)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .text.normalize import printable

FONT = "Times New Roman"
SIZE = 13
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "Lạng Sơn, ngày ... tháng ... năm ..."
HEADER_MM = (68, 97)  # agency column, national column: the text width (165 mm)
FOOTER_MM = (80, 85)  # "Nơi nhận", signature


def document() -> Document:
    """An empty A4 document with the decree's margins and font."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "List Number",
                 "List Bullet", "Table Grid"):  # fmt: skip
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(SIZE)
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)  # Word uses it for some glyphs
        if name.startswith(("Heading", "Title")):
            style.font.color.rgb = None
            style.font.bold = True
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    return doc


def para(doc: Document, text: str = "", *, bold: bool = False, italic: bool = False,
         align: str = "justify", size: int = SIZE) -> None:  # fmt: skip
    """A paragraph; ``**bold**`` spans are honoured."""
    p = doc.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]  # fmt: skip
    for n, chunk in enumerate(_BOLD.split(text)):
        run = p.add_run(printable(chunk))
        run.bold = bold or n % 2 == 1
        run.italic = italic
        run.font.size = Pt(size)


TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
_NUMBER = re.compile(r"^[+-]?\d[\d.,]*%?$")


def widths(header: Sequence[str], rows: Sequence[Sequence[object]],
           text_mm: float = TEXT_WIDTH_MM) -> list[float]:  # fmt: skip
    """Column widths (mm) over the text width, by the longest cell (capped) in each column."""
    weights = []
    for n, name in enumerate(header):
        longest = max([len(str(r[n])) for r in rows] or [0])
        # A header word is never cut; short columns keep room for their padding.
        head = max(len(str(name)) * 0.5, max((len(w) for w in str(name).split()), default=1) + 3)
        weights.append(min(max(longest + 3, head, 7), 30))
    total = sum(weights)
    return [text_mm * w / total for w in weights]


def table(doc: Document, header: Sequence[str], rows: Sequence[Sequence[object]],
          size: int = 11, text_mm: float = TEXT_WIDTH_MM) -> None:  # fmt: skip
    """A bordered table with a bold header row; numbers aligned right; widths fit the text."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(printable(str(text)))
        run.bold = True
        run.font.size = Pt(size)
    for row in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            p = cell.paragraphs[0]
            if isinstance(value, int | float) or _NUMBER.match(str(value)):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.add_run("" if value is None else printable(str(value))).font.size = Pt(size)
    for n, mm in enumerate(widths(header, rows, text_mm)):
        grid.columns[n].width = Mm(mm)
        for cell in grid.columns[n].cells:
            cell.width = Mm(mm)  # Word reads the cell widths, LibreOffice the grid
    gap = doc.add_paragraph()
    gap.paragraph_format.space_after = Pt(0)
    gap.paragraph_format.line_spacing = Pt(6)  # a small gap, not a 13 pt blank line


def landscape(doc: Document) -> float:
    """Start a landscape A4 section (wide appendix tables); returns its text width in mm."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    return 297 - MARGINS_MM["left"] - MARGINS_MM["right"]


def image(doc: Document, png: bytes, width_mm: float = 160) -> None:
    """A chart, centred."""
    doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def markdown(doc: Document, text: str) -> None:
    """The small Markdown drafts use: # and ## headings, - and 1. lists, **bold**."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("# "):
            para(doc, stripped[2:], bold=True, align="center", size=14)
        elif stripped.startswith("## "):
            para(doc, stripped[3:], bold=True, align="left")
        elif stripped.startswith("- "):
            para(doc, "– " + stripped[2:])
        else:
            para(doc, stripped)


def _cell_lines(cell: Any, lines: Sequence[tuple[str, int, str]], align: str = "center") -> None:
    """Lines in a header cell; style letters: b bold, i italic, u underlined."""
    cell.text = ""
    for n, (text, size, style) in enumerate(lines):
        p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if align == "left" else WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(printable(text))
        run.bold, run.italic, run.underline = "b" in style, "i" in style, "u" in style
        run.font.size = Pt(size)


def _two_columns(doc: Document, mm: tuple[float, float]) -> tuple[Any, Any]:
    grid = doc.add_table(rows=1, cols=2)
    grid.autofit = False
    # No inner cell padding: the agency's name and the national title each keep to one line.
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    grid._tbl.tblPr.append(margins)
    cells = grid.rows[0].cells
    for n, width in enumerate(mm):
        grid.columns[n].width = Mm(width)
        cells[n].width = Mm(width)
    return cells[0], cells[1]


def header(doc: Document, parent_agency: str, agency: str, number: str,
           place_date: str = PLACE_DATE) -> None:  # fmt: skip
    """The decree's header: the agency (under its parent) top-left with the document's number
    below, the national title and motto top-right with the place and date below."""
    left, right = _two_columns(doc, HEADER_MM)
    _cell_lines(left, [(parent_agency, 12, ""), (agency, 12, "b"), ("", 6, ""),
                       (number, 13, "")])  # fmt: skip
    _cell_lines(right, [(NATION, 12, "b"), (MOTTO, 13, "bu"), ("", 6, ""),
                        (place_date, 13, "i")])  # fmt: skip
    para(doc)


def footer(doc: Document, recipients: Sequence[str], signer: str = "GIÁM ĐỐC") -> None:
    """The decree's foot: "Nơi nhận" and its list bottom-left, the signature block right."""
    left, right = _two_columns(doc, FOOTER_MM)
    _cell_lines(left, [("Nơi nhận:", 12, "bi"), *[(f"- {r}", 11, "") for r in recipients]],
                align="left")  # fmt: skip
    _cell_lines(right, [(signer, 13, "b"), ("(Ký, ghi rõ họ tên, đóng dấu)", 13, "i"),
                        *[("", 13, "")] * 4, ("……………………", 13, "b")])  # fmt: skip


def save(doc: Document) -> bytes:
    """The document as DOCX bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
