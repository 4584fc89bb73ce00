"""Certificate PDFs drawn with reportlab from a layout file a designer can change.

Every text is drawn in runs: each character goes to the first font of the text's chain
(its own font, then the layout's [fallback] fonts) that has a glyph for it, each run is
shaped by HarfBuzz (reportlab's own uharfbuzz support: Arabic joining, Devanagari
conjuncts, marks, kerning), and runs are put in visual order (right-to-left runs reversed
within a left-to-right line, and the other way round). Fonts are embedded as subsets.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape, letter, portrait
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas

rl_config.useA85 = 0  # binary (deflated) streams: ASCII85 only grows them, and costs time
DEFAULT_LAYOUT = Path(__file__).parent / "layouts" / "default.toml"
STANDARD_ENCODING = "cp1252"  # what reportlab's 14 standard PDF fonts can draw
DARK_MODULES = re.compile(b"[^\x00]+")  # a run of dark modules in a row of the QR code
RTL_CLASSES = {"R", "AL"}
STRONG_CLASSES = RTL_CLASSES | {"L"}


@dataclass(frozen=True)
class CertificateText:
    programme: str
    name: str
    awarded_on: str
    number: str
    signatory: str
    verify_url: str
    signatory_title: str = ""


@dataclass(frozen=True)
class Run:
    font: str
    text: str
    rtl: bool


def layout_path() -> Path:
    configured = settings.LECTERN["CERTIFICATE_LAYOUT"]
    return Path(configured) if configured else DEFAULT_LAYOUT


def font_file(spec: str) -> Path:
    """A font's file: a path, or `package:<python package>/<file inside it>` (fonts from PyPI)."""
    if spec.startswith("package:"):
        package, _, inside = spec.removeprefix("package:").partition("/")
        found = importlib.util.find_spec(package)
        if found is None or not found.submodule_search_locations:
            raise OSError(f"the font package {package} is not installed")
        return Path(next(iter(found.submodule_search_locations))) / inside
    return Path(spec)


@lru_cache(maxsize=4)
def load_layout(path: Path) -> dict[str, Any]:
    _plan.cache_clear()
    split_runs.cache_clear()
    has_glyph.cache_clear()
    layout = tomllib.loads(path.read_text())
    for name, spec in layout.get("fonts", {}).items():
        font = TTFont(name, str(font_file(spec)), shapable=True, asciiReadable=False)
        pdfmetrics.registerFont(font)
    return layout


def fallback_fonts(layout: dict[str, Any]) -> list[str]:
    return list(layout.get("fallback", {}).get("fonts", []))


@lru_cache(maxsize=65536)
def has_glyph(font_name: str, char: str) -> bool:
    font = pdfmetrics.getFont(font_name)
    if isinstance(font, TTFont):
        return ord(char) in font.face.charToGlyph
    try:
        char.encode(STANDARD_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _neutral(char: str) -> bool:
    return unicodedata.bidirectional(char) not in STRONG_CLASSES and not unicodedata.category(
        char
    ).startswith("M")


@lru_cache(maxsize=1024)
def split_runs(text: str, chain: tuple[str, ...]) -> list[Run]:
    """Cut text into runs of one font and one direction; spaces and punctuation join the run
    they sit in. A character no font has goes to the first font (and prints as a box)."""
    runs: list[list[Any]] = []  # [font, text, rtl]
    for char in unicodedata.normalize("NFC", text):
        joins = _neutral(char) or unicodedata.category(char).startswith("M")
        if runs and joins and has_glyph(runs[-1][0], char):
            runs[-1][1] += char
            continue
        font = next((name for name in chain if has_glyph(name, char)), chain[0])
        rtl = unicodedata.bidirectional(char) in RTL_CLASSES
        if runs and runs[-1][0] == font and (runs[-1][2] == rtl or _neutral(char)):
            runs[-1][1] += char
        else:
            runs.append([font, char, rtl])
    return [Run(font, part, rtl) for font, part, rtl in runs]


def visual_order(runs: list[Run]) -> list[Run]:
    """Order runs left to right: the line's direction is its first strong character's."""
    base_rtl = next((run.rtl for run in runs if run.text.strip()), False)
    runs = [piece for run in runs for piece in _trim(run, base_rtl)]
    ordered: list[Run] = []
    group: list[Run] = []
    for run in runs:
        if run.rtl != base_rtl:
            group.append(run)
            continue
        ordered.extend(reversed(group) if not base_rtl else group)
        group = []
        ordered.append(run)
    ordered.extend(reversed(group) if not base_rtl else group)
    return list(reversed(ordered)) if base_rtl else ordered


def _trim(run: Run, base_rtl: bool) -> list[Run]:
    """Spaces around a run against the line's direction stay where they are typed."""
    core = run.text.strip()
    if run.rtl == base_rtl or not core or core == run.text:
        return [run]
    start = run.text.index(core)
    pieces = [
        Run(run.font, run.text[:start], base_rtl),
        Run(run.font, core, run.rtl),
        Run(run.font, run.text[start + len(core) :], base_rtl),
    ]
    return [piece for piece in pieces if piece.text]


def _needs_shaping(text: str) -> bool:
    """Latin letters (Vietnamese too, once composed) and CJK draw right unshaped, faster."""
    return any(
        not (code < 0x250 or 0x1E00 <= code < 0x1F00 or 0x3000 <= code < 0xA000)
        or unicodedata.combining(char)
        for char in text
        for code in [ord(char)]
    )


def _shaped(run: Run, size: float) -> tuple[Any, float]:
    font = pdfmetrics.getFont(run.font)
    if isinstance(font, TTFont) and _needs_shaping(run.text):
        text = shapeStr(run.text, run.font, size, force=True)
        shaped = getattr(text, "__shapeData__", None)
        if shaped is not None:
            _remember_sources(run, text, font)
            return text, sum(item.x_advance for item in shaped) * size / 1000
    return run.text, pdfmetrics.stringWidth(run.text, run.font, size)


# Shaped glyphs with no character of their own (an Arabic letter's joining form, a
# Devanagari conjunct) get a private code; remember what text each stands for so the
# PDF's ToUnicode map gives the real letters back to search, copy and screen readers.
_PRIVATE_SOURCES: dict[str, dict[int, str]] = {}


def _face_key(font: TTFont) -> str:
    return bytes(font.face.name + font.face.subfontNameX).decode("pdfdoc")


def _remember_sources(run: Run, shaped: Any, font: TTFont) -> None:
    clusters = sorted({item.cluster for item in shaped.__shapeData__})
    sources = _PRIVATE_SOURCES.setdefault(_face_key(font), {})
    seen: set[int] = set()
    for char, item in zip(shaped, shaped.__shapeData__, strict=False):
        code = ord(char)
        if 0xE000 <= code <= 0xF8FF and code not in sources:
            later = [cluster for cluster in clusters if cluster > item.cluster]
            end = later[0] if later else len(run.text)
            # a letter drawn as two glyphs (a dot and a body) is read back once
            sources[code] = "" if item.cluster in seen else run.text[item.cluster : end]
        seen.add(item.cluster)


_original_cmap = ttfonts.makeToUnicodeCMap


def _reads_as(code: int, sources: dict[int, str]) -> str | None:
    if code in sources:
        return sources[code]
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:  # Arabic presentation forms
        return unicodedata.normalize("NFKC", chr(code))
    return None


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    sources = _PRIVATE_SOURCES.get(fontname.split("+", 1)[-1], {})
    cmap = str(_original_cmap(fontname, subset))
    if not any(_reads_as(code, sources) is not None for code in subset):
        return cmap
    lines = cmap.split("\n")
    for index, code in enumerate(subset):
        reads = _reads_as(code, sources)
        if reads is None:
            continue
        target = "".join(f"{b:02X}" for b in reads.encode("utf-16-be")) or "200B"
        lines[lines.index(f"<{index:02X}> <{code:04X}>")] = f"<{index:02X}> <{target}>"
    return "\n".join(lines)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def draw_text(
    canvas: Canvas,
    value: str,
    chain: list[str],
    size: float,
    x: float,
    y: float,
    *,
    centre: bool,
    max_width: float,
) -> float:
    """Draw value shaped, in visual order, shrunk to max_width; return the size used."""
    size, pieces, width = _plan(value, tuple(chain), size, max_width)
    left = x - width / 2 if centre else x
    for font, text, run_width in pieces:
        canvas.setFont(font, size)
        canvas.drawString(left, y, text)
        left += run_width
    return size


@lru_cache(maxsize=512)  # the layout's fixed lines are worked out once
def _plan(
    value: str, chain: tuple[str, ...], size: float, max_width: float
) -> tuple[float, list[tuple[str, Any, float]], float]:
    runs = visual_order(split_runs(value, chain))
    shaped = [_shaped(run, size) for run in runs]
    width = sum(w for _, w in shaped)
    if width > max_width:
        size = size * max_width / width
        shaped = [_shaped(run, size) for run in runs]
        width = sum(w for _, w in shaped)
    pieces = [(run.font, text, w) for run, (text, w) in zip(runs, shaped, strict=True)]
    return size, pieces, width


def _page_size(page: dict[str, Any]) -> tuple[float, float]:
    size = A4 if page.get("size", "letter").lower() == "a4" else letter
    return (
        landscape(size) if page.get("orientation", "landscape") == "landscape" else portrait(size)
    )


def render_certificate(text: CertificateText) -> bytes:
    """Draw one certificate page and return the PDF."""
    layout = load_layout(layout_path())
    fallback = fallback_fonts(layout)
    width, height = _page_size(layout.get("page", {}))
    margin = layout.get("page", {}).get("margin", 72)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"Certificate {text.number}")
    canvas.setAuthor(text.programme)
    canvas.setSubject(f"{text.name}, certified as an Instructor on {text.awarded_on}")
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
        value = item["value"].format(**values)
        if not value.strip():
            continue
        canvas.setFillColor(HexColor(item.get("color", "#000000")))
        centre = item.get("x", "center") == "center"
        x = width / 2 if centre else item["x"]
        room = width - 2 * margin if centre else width - margin - x
        draw_text(
            canvas,
            value,
            [item.get("font", "Helvetica"), *fallback],
            item.get("size", 12),
            x,
            item["y"],
            centre=centre,
            max_width=item.get("max_width", room),
        )
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
    modules = len(matrix)
    cell = size / modules
    canvas.setFillColor(HexColor(color))
    # in module units (one unit a module, y up from the code's bottom): short integers
    operators = [f"q {cell:.4f} 0 0 {cell:.4f} {x:.2f} {y:.2f} cm"]
    for row_index, row in enumerate(matrix):
        bottom = modules - row_index - 1
        operators.extend(
            f"{dark.start()} {bottom} {dark.end() - dark.start()} 1 re"
            for dark in DARK_MODULES.finditer(bytes(row))
        )
    canvas.addLiteral("\n".join(operators) + "\nf Q")
