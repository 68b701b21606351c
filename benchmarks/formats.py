"""Write one transcript (a title and its turns) as .txt, .md, .srt, .vtt, .docx or .pdf, laid out
the way such files come: "名字:" labels in text, **名字:** in Markdown, a label on a turn's first
cue in SubRip, <v 名字> voice tags in WebVTT, one paragraph per turn in Word and PDF.

.docx needs python-docx and .pdf reportlab (the test extras of a version that reads them); when
one is not installed the file is written as .txt instead and `render` says so.
"""

from __future__ import annotations

import re
from pathlib import Path

FORMATS = (".txt", ".md", ".srt", ".vtt", ".docx", ".pdf")
CUE_CHARS = 40        # characters per subtitle cue, about two seconds of speech
CUE_SECONDS = 2.5
_CUT = re.compile("[^,\uff0c\u3001;\uff1b\u3002!?\uff01\uff1f\u2026]+[,\uff0c\u3001;\uff1b\u3002!?\uff01\uff1f\u2026]*")

Talk = list[tuple[str | None, str]]   # (speaker or None, words) per turn


def render(path: Path, fmt: str, title: str, talk: Talk, unlabelled: str | None = None) -> Path:
    """Write the transcript to `path` (its suffix is `fmt`); returns the path written. Turns of
    `unlabelled` (a manifest's default_speaker) carry no label, as in the seed they come from."""
    label = [(None if sp == unlabelled else sp, words) for sp, words in talk]
    if fmt == ".docx":
        return _docx(path, title, label)
    if fmt == ".pdf":
        return _pdf(path, title, label)
    writer = {".txt": _txt, ".md": _md, ".srt": _srt, ".vtt": _vtt}[fmt]
    path.write_text(writer(title, label), encoding="utf-8")
    return path


def _line(sp: str | None, words: str) -> str:
    return f"{sp}:{words}" if sp else words


def _txt(title: str, talk: Talk) -> str:
    return "\n\n".join([title, *(_line(sp, w) for sp, w in talk)]) + "\n"


def _md(title: str, talk: Talk) -> str:
    return "\n\n".join([f"# {title}", *(f"**{sp}:** {w}" if sp else w for sp, w in talk)]) + "\n"


def _cues(talk: Talk) -> list[tuple[float, float, str | None, str, bool]]:
    """(start, end, speaker, text, first cue of its turn) of every cue."""
    out, t = [], 0.0
    for sp, words in talk:
        pieces, cur = [], ""
        for clause in _CUT.findall(words.replace("\n", "")):
            if cur and len(cur) + len(clause) > CUE_CHARS:
                pieces.append(cur)
                cur = ""
            cur += clause
        pieces += [cur] if cur else []
        for k, text in enumerate(pieces):
            out.append((t, t + CUE_SECONDS, sp, text, k == 0))
            t += CUE_SECONDS
        t += 1.0
    return out


def _stamp(s: float, sep: str) -> str:
    ms = int(round(s * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _srt(title: str, talk: Talk) -> str:
    blocks = []
    for i, (a, b, sp, text, first) in enumerate(_cues(talk), 1):
        words = f"{sp}: {text}" if sp and first else text
        blocks.append(f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{words}\n")
    return "\n".join(blocks)


def _vtt(title: str, talk: Talk) -> str:
    blocks = [f"WEBVTT - {title}\n"]
    for a, b, sp, text, _ in _cues(talk):
        blocks.append(f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{f'<v {sp}>' if sp else ''}{text}\n")
    return "\n".join(blocks)


def _docx(path: Path, title: str, talk: Talk) -> Path:
    try:
        import docx
    except ImportError:
        return _fallback(path, title, talk)
    d = docx.Document()
    d.core_properties.title = title
    d.add_paragraph(title, style="Title")
    for sp, words in talk:
        d.add_paragraph(_line(sp, words))
    d.save(path)
    return path


def _pdf(path: Path, title: str, talk: Talk) -> Path:
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate
    except ImportError:
        return _fallback(path, title, talk)
    from xml.sax.saxutils import escape

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = getSampleStyleSheet()["Normal"]
    style.fontName, style.wordWrap, style.spaceAfter = "STSong-Light", "CJK", 6
    story = [Paragraph(escape(title), style), *(Paragraph(escape(_line(sp, w)), style) for sp, w in talk)]
    SimpleDocTemplate(str(path), pagesize=A4, title=title).build(story)
    return path


def _fallback(path: Path, title: str, talk: Talk) -> Path:
    out = path.with_suffix(".txt")
    out.write_text(_txt(title, talk), encoding="utf-8")
    return out
