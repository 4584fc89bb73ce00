"""Certificates print every name: text read back, every glyph in the embedded fonts, ink on
the page where the name is, and not the boxes a font without the letters would print."""

from __future__ import annotations

import io
import unicodedata

import pypdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont as FontFile

from lectern.certificates import pdf
from lectern.certificates.pdf import CertificateText, render_certificate

NAMES = {
    "Latin": "Zoë Ångström",
    "Vietnamese": "Nguyễn Thị Ánh Dương",
    "Chinese": "王小明",
    "Japanese": "山田太郎",
    "Arabic": "مرحبا بك",
    "Hebrew": "שלום עליכם",
    "Devanagari": "देवनागरी नाम",
}


def certificate(name: str, **changes: str) -> bytes:
    fields = {
        "programme": "Lectern Instructor Training",
        "name": name,
        "awarded_on": "1 December 2026",
        "number": "LI-2026-ABC123",
        "signatory": "Ada Lovelace",
        "signatory_title": "Director of Instructor Training",
        "verify_url": "https://lectern.example/verify/LI-2026-ABC123/",
    }
    return render_certificate(CertificateText(**(fields | changes)))


def read_back(document: bytes) -> str:
    text = pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text()
    return unicodedata.normalize("NFC", text.replace("\u200b", ""))


def missing_glyphs(document: bytes) -> dict[str, list[int]]:
    """Per embedded font subset, the character codes its cmap sends to no glyph (.notdef)."""
    page = pypdf.PdfReader(io.BytesIO(document)).pages[0]
    missing: dict[str, list[int]] = {}
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        if "/FontDescriptor" not in font:
            continue  # a standard PDF font, not embedded
        data = font["/FontDescriptor"]["/FontFile2"].get_data()
        subset = FontFile(io.BytesIO(data))
        cmap = subset["cmap"].tables[0].cmap
        drawn = {code for code, glyph in cmap.items() if subset.getGlyphID(glyph)}
        lacking = sorted(set(range(1, int(font["/LastChar"]) + 1)) - drawn)
        if lacking:
            missing[str(font["/BaseFont"])] = lacking
    return missing


def name_band(document: bytes) -> bytes:
    """The rasterised strip of the page where the name is drawn (y 350-420 points)."""
    page = pypdfium2.PdfDocument(document)[0]
    image = page.render(scale=1).to_pil().convert("L")
    height = image.height
    return image.crop((0, height - 420, image.width, height - 355)).tobytes()


@pytest.mark.parametrize("script", NAMES)
def test_every_script_reads_back_with_every_glyph_and_prints(script: str) -> None:
    name = NAMES[script]
    document = certificate(name)
    assert name in read_back(document)  # also catches letters drawn as blanks
    assert "\uffff" not in read_back(document)
    assert missing_glyphs(document) == {}
    band = name_band(document)
    assert min(band) < 100  # ink where the name is
    # the same name in a font without its letters prints boxes: not what we print
    assert band != name_band(certificate_in_a_font_without(name))


def certificate_in_a_font_without(name: str) -> bytes:
    layout = pdf.load_layout(pdf.layout_path())
    lacking = next(font for font in layout["fonts"] if not pdf.has_glyph(font, name[0]))
    saved = layout.get("fallback"), [item.get("font") for item in layout["text"]]
    layout["fallback"] = {"fonts": []}
    for item in layout["text"]:
        item["font"] = lacking
    try:
        document = certificate(name)
        # boxes (or blanks: reportlab draws some letters a font lacks as spaces)
        assert missing_glyphs(document) != {} or name not in read_back(document)
    finally:
        layout["fallback"] = saved[0]
        for item, font in zip(layout["text"], saved[1], strict=True):
            item["font"] = font
    return document


def test_a_name_no_font_has_is_found_missing() -> None:
    # Georgian is in none of the layout's fonts: the check must see the .notdef
    document = certificate("ნინო")
    assert missing_glyphs(document) != {}


def test_mixed_scripts_in_one_name() -> None:
    name = "王小明 مرحبا Zoë"
    document = certificate(name)
    text = read_back(document)
    for part in name.split():
        assert part in text
    assert missing_glyphs(document) == {}


def test_right_to_left_is_drawn_in_visual_order() -> None:
    runs = pdf.visual_order(pdf.split_runs("Zoë שלום עליכם", ("Sans", "SansHebrew")))
    assert [run.font for run in runs if run.text.strip()] == ["Sans", "SansHebrew"]
    runs = pdf.visual_order(pdf.split_runs("שלום Zoë", ("Sans", "SansHebrew")))
    assert [run.font for run in runs if run.text.strip()] == ["Sans", "SansHebrew"]


def page_words(document: bytes) -> list[tuple[float, float, str]]:
    """(left, right, text) of each text line pdfium finds, in points."""
    page = pypdfium2.PdfDocument(document)[0]
    text = page.get_textpage()
    boxes = []
    for index in range(text.count_rects()):
        left, _, right, _ = text.get_rect(index)
        boxes.append((left, right, text.get_text_bounded(*text.get_rect(index))))
    return boxes


@pytest.mark.parametrize("length", [40, 80, 160])
def test_long_names_shrink_to_fit_the_page(length: int) -> None:
    name = ("Maximiliana Wolfeschlegelsteinhausenbergerdorff " * 4)[:length].strip()
    document = certificate(name)
    assert name in read_back(document).replace("\n", "")
    width = float(pypdf.PdfReader(io.BytesIO(document)).pages[0].mediabox.width)
    for left, right, words in page_words(document):
        assert left >= 56 - 1, (words, left)
        assert right <= width - 56 + 1, (words, right)


def test_wording_and_signatory() -> None:
    text = read_back(certificate("Zoë Ångström"))
    assert "has been certified as an Instructor on 1 December 2026" in text
    assert "Ada Lovelace" in text
    assert "Director of Instructor Training" in text


def test_fonts_come_from_the_layout() -> None:
    layout = pdf.load_layout(pdf.layout_path())
    for spec in layout["fonts"].values():
        assert pdf.font_file(spec).is_file(), spec


def test_the_award_date_has_no_leading_zero_and_the_month_by_name() -> None:
    from datetime import date

    from lectern.certificates.services import award_date_text

    assert award_date_text(date(2026, 12, 1)) == "1 December 2026"
    assert award_date_text(date(2027, 1, 10)) == "10 January 2027"
