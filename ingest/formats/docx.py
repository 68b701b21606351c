"""Word documents (.docx, python-docx): paragraphs and tables in document order.

Meeting tools (飞书妙记, 通义听悟, Otter) export the speaker and the time on a line of their own
("说话人 1 00:01", "Speaker 1  0:05") followed by the words, or a table with a time, a speaker
and the words per row. Paragraphs are kept line for line (a line break inside one is a line);
table rows go through `row_to_line`, so either export reads like a labelled transcript.
Paragraphs in a heading style are listed as headings; the Title style or the document's title
property gives the title.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from ingest.formats.base import Extracted, row_to_line

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題|title|subtitle)\s*\d*$", re.I)


class DocxReader:
    suffixes = (".docx",)

    def read(self, data: bytes) -> Extracted | str:
        import docx
        from docx.table import Table

        if not zipfile.is_zipfile(io.BytesIO(data)):
            return "not a Word .docx file (not a ZIP container); old .doc files must be saved as .docx"
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # a ZIP that is not a Word document, or a damaged one
            return f"not a readable Word .docx file ({type(exc).__name__})"
        lines: list[str] = []
        headings: list[str] = []
        facts: dict[str, str] = {}
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells = [c.text for c in row.cells]
                    if line := row_to_line(cells):
                        lines.append(line)
                continue
            style = (block.style.name if block.style is not None else "") or ""
            pieces = [" ".join(p.split()) for p in block.text.splitlines()]
            pieces = [p for p in pieces if p]
            if not pieces:
                continue
            lines.extend(pieces)
            if _HEADING_STYLE.match(style.strip()):
                headings.extend(pieces)
                if style.strip().lower() == "title" and "title" not in facts:
                    facts["title"] = " ".join(pieces)
        props = document.core_properties
        if props.title and props.title.strip() and "title" not in facts:
            facts["title"] = props.title.strip()
        if not lines:
            return "the Word document contains no text"
        return Extracted(text="\n".join(lines), encoding="docx", format="docx", facts=facts, headings=headings)
