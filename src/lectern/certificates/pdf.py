"""Certificate PDFs drawn with reportlab from a layout file a designer can change."""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape, letter, portrait
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

DEFAULT_LAYOUT = Path(__file__).parent / "layouts" / "default.toml"


@dataclass(frozen=True)
class CertificateText:
    programme: str
    name: str
    awarded_on: str
    number: str
    signatory: str
    verify_url: str


def layout_path() -> Path:
    configured = settings.LECTERN["CERTIFICATE_LAYOUT"]
    return Path(configured) if configured else DEFAULT_LAYOUT


@lru_cache(maxsize=4)
def load_layout(path: Path) -> dict[str, Any]:
    layout = tomllib.loads(path.read_text())
    for name, font_file in layout.get("fonts", {}).items():
        pdfmetrics.registerFont(TTFont(name, font_file))
    return layout


def _page_size(page: dict[str, Any]) -> tuple[float, float]:
    size = A4 if page.get("size", "letter").lower() == "a4" else letter
    return (
        landscape(size) if page.get("orientation", "landscape") == "landscape" else portrait(size)
    )


def render_certificate(text: CertificateText) -> bytes:
    """Draw one certificate page and return the PDF."""
    layout = load_layout(layout_path())
    width, height = _page_size(layout.get("page", {}))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"Certificate {text.number}")
    canvas.setAuthor(text.programme)
    canvas.setSubject(f"{text.name}, certified instructor since {text.awarded_on}")
    values = text.__dict__
    background = layout.get("page", {}).get("background")
    if background:
        canvas.setFillColor(HexColor(background))
        canvas.rect(0, 0, width, height, stroke=0, fill=1)
    for border in layout.get("border", []):
        inset = border.get("inset", 24)
        canvas.setStrokeColor(HexColor(border.get("color", "#000000")))
        canvas.setLineWidth(border.get("width", 1))
        canvas.rect(inset, inset, width - 2 * inset, height - 2 * inset, stroke=1, fill=0)
    for line in layout.get("line", []):
        canvas.setStrokeColor(HexColor(line.get("color", "#000000")))
        canvas.setLineWidth(line.get("width", 1))
        canvas.line(line["x1"], line["y1"], line["x2"], line["y2"])
    for item in layout.get("text", []):
        canvas.setFont(item.get("font", "Helvetica"), item.get("size", 12))
        canvas.setFillColor(HexColor(item.get("color", "#000000")))
        value = item["value"].format(**values)
        if item.get("x", "center") == "center":
            canvas.drawCentredString(width / 2, item["y"], value)
        else:
            canvas.drawString(item["x"], item["y"], value)
    qr = layout.get("qr")
    if qr:
        _draw_qr(
            canvas,
            qr["value"].format(**values),
            qr["x"],
            qr["y"],
            qr.get("size", 96),
            qr.get("color", "#000000"),
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float, color: str) -> None:
    """Draw a QR code as vector rectangles (crisp at any zoom), one per run of dark modules.

    The mask is fixed rather than searched for: any mask gives a valid code, and the search
    is most of the cost of a certificate.
    """
    code = segno.make(data, error="m", boost_error=False, mask=0, micro=False)
    matrix = code.matrix
    cell = size / len(matrix)
    canvas.setFillColor(HexColor(color))
    operators = []
    for row_index, row in enumerate(matrix):
        bottom = y + size - (row_index + 1) * cell
        column, width = 0, len(row)
        while column < width:
            if row[column]:
                start = column
                while column < width and row[column]:
                    column += 1
                operators.append(
                    f"{x + start * cell:.2f} {bottom:.2f} "
                    f"{(column - start) * cell:.2f} {cell:.2f} re"
                )
            else:
                column += 1
    canvas.addLiteral("\n".join(operators) + "\nf")
