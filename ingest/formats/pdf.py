"""PDF with a text layer (.pdf, pypdf): page text, with page furniture removed and the lines
that the page width wrapped joined back into paragraphs.

A PDF has lines, not paragraphs. A line joins the one before it when that one ran to the full
width of the page and did not end a sentence, and the line itself does not start a speaker turn
(a label, a time). Page numbers and the header or footer lines that repeat on most pages are
dropped. A PDF without a text layer (a scan) is skipped with that reason: it needs OCR first.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from ingest.formats.base import Extracted, join_words

log = logging.getLogger(__name__)

# A line at least this share of the page's longest lines is "full width": the text wrapped there.
# Set from pypdf's output for reportlab and word-processor PDFs (Latin and Chinese), not tuned.
FULL_LINE = 0.75
_PAGE_NO = re.compile(r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|(?:page|第)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*页?|\d{1,4}\s*/\s*\d{1,4})$", re.I)
_TURN_START = re.compile(r"^(?:[\[(（]?\d{1,2}:\d{2}|[^\s:：]{1,20}(?:\s[^\s:：]{1,20}){0,3}\s*[:：]|[-•·▪●]\s|\d{1,2}[.、)]\s)")
_ENDS = re.compile(r"[。！？!?…:：”\"」』.]$")


def _width(line: str) -> int:
    """Display width: a Chinese character is two Latin ones wide."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in line)


def join_lines(pages: list[list[str]]) -> list[str]:
    counts = Counter(ln for page in pages for ln in {*page[:2], *page[-2:]})
    repeated = {ln for ln, n in counts.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    paragraphs: list[str] = []
    prev_full = False   # carried over a page break: a sentence may go on on the next page
    for page in pages:
        lines = [ln for ln in page if ln not in repeated and not _PAGE_NO.match(ln)]
        widths = sorted((_width(ln) for ln in lines), reverse=True)
        full = widths[min(len(widths) - 1, 2)] * FULL_LINE if widths else 0
        for ln in lines:
            if paragraphs and prev_full and not _ENDS.search(paragraphs[-1]) and not _TURN_START.match(ln):
                if paragraphs[-1].endswith("-") and ln[:1].islower():
                    paragraphs[-1] = paragraphs[-1][:-1] + ln
                else:
                    paragraphs[-1] = join_words(paragraphs[-1], ln)
            else:
                paragraphs.append(ln)
            prev_full = _width(ln) >= full
    return paragraphs


class PdfReader:
    suffixes = (".pdf",)

    def read(self, data: bytes) -> Extracted | str:
        from pypdf import PdfReader as _Pdf
        from pypdf.errors import PdfReadError

        if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
            return "not a PDF file (no %PDF header)"
        try:
            pdf = _Pdf(io.BytesIO(data))
            if pdf.is_encrypted and not pdf.decrypt(""):
                return "the PDF is password-protected"
            pages = []
            for page in pdf.pages:
                text = page.extract_text() or ""
                pages.append([" ".join(ln.split()) for ln in text.splitlines() if ln.strip()])
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            return f"not a readable PDF ({type(exc).__name__}: {str(exc)[:100]})"
        except Exception as exc:  # pypdf raises a wide range of errors on damaged files
            return f"not a readable PDF ({type(exc).__name__})"
        if sum(len(ln) for page in pages for ln in page) < 20:
            return "the PDF has no text layer (a scan?): run OCR on it first"
        facts = {}
        title = (pdf.metadata.title if pdf.metadata else None) or ""
        if title.strip() and not title.lower().startswith(("untitled", "microsoft word")):
            facts["title"] = title.strip()
        return Extracted(text="\n".join(join_lines(pages)), encoding="pdf", format="pdf", facts=facts)
