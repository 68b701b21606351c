"""Bytes to text for the text formats (.txt, .md, .srt, .vtt), deterministic for Chinese text:
BOMs first, then strict UTF-8, then UTF-16 by NUL-byte pattern, then GB18030 vs Big5 chosen by
how many *frequent* CJK characters each decoding yields. charset-normalizer is only the last
resort, because it is unreliable at telling GBK from Big5 on short text (both decode most byte
pairs). Bytes that are not text come back as `Unreadable` with the reason."""

from __future__ import annotations

import codecs
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.formats.base import Unreadable

# Magic numbers of formats people rename to .txt by mistake; naming them makes the reason useful.
_MAGIC = {b"%PDF-": "PDF", b"PK\x03\x04": "ZIP/Office", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG",
          b"GIF8": "GIF", b"\x7fELF": "ELF executable", b"\xd0\xcf\x11\xe0": "old Office (OLE)"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Order matters only for ties: GB18030 first (the commonest legacy encoding for simplified text).
_LEGACY_CJK = ("gb18030", "big5", "cp950", "big5hkscs")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def decode_bytes(data: bytes) -> tuple[str, str] | Unreadable:
    """(text, encoding) or why the bytes are not readable text."""
    if not data:
        return Unreadable("empty")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return Unreadable("binary_like", {"what": what})
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(enc).lstrip("\ufeff"), enc)
            except UnicodeDecodeError:
                return Unreadable("bad_bom", {"enc": enc})
    if b"\x00" not in data:  # UTF-8 prose never contains NUL; UTF-16 of ASCII would pass as UTF-8
        try:
            return _checked(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    else:
        guess = _utf16_guess(data)
        if guess is None:
            return Unreadable("binary_nul")
        return _checked(*guess)
    best = _best_legacy(data)
    if best is not None:
        return _checked(*best)
    return _charset_normalizer_fallback(data)


def _checked(text: str, encoding: str) -> tuple[str, str] | Unreadable:
    text = normalise_newlines(text)
    if text and _control_fraction(text) > 0.05:
        return Unreadable("binary_control")
    return text, encoding


def _control_fraction(text: str) -> float:
    bad = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\f\v")
    return bad / len(text)


def _utf16_guess(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM. NUL bytes are the trigger: ASCII characters leave a NUL in the high
    byte, so NULs cluster on odd offsets (little-endian) or even offsets (big-endian). CJK code
    units such as U+4E00 put the NUL on the other side, so the parity only breaks ties; the
    decision is which byte order reads as text. Binary files read as neither."""
    if len(data) % 2:
        return None
    odd_nuls, even_nuls = data[1::2].count(0), data[0::2].count(0)
    best: tuple[float, bool, str, str] | None = None
    for enc, parity in (("utf-16-le", odd_nuls >= even_nuls), ("utf-16-be", even_nuls > odd_nuls)):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        cand = (_readable_share(text), parity, text, enc)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None or best[0] < 0.6:
        return None
    return best[2], best[3]


def _readable_share(text: str) -> float:
    """Share of characters that ordinary Chinese/English text is made of."""
    if not text:
        return 0.0
    common = _frequent_han()
    ok = sum(1 for c in text if (" " <= c <= "~") or c in "\t\n\r" or c in common
             or "\u3000" <= c <= "\u303f" or "\uff01" <= c <= "\uff5e" or c in "“”‘’…—·")
    return ok / len(text)


@lru_cache(maxsize=1)
def _frequent_han() -> frozenset[str]:
    """The ~1000 most frequent Hanzi (from jieba's word-frequency dictionary), plus their
    traditional forms via OpenCC. Real text is dominated by these; a wrong decoding of the same
    bytes lands on arbitrary (mostly rare) characters, so the share of frequent ones discriminates
    GBK from Big5 even on a single sentence."""
    from collections import Counter

    import jieba
    import opencc

    freq: Counter[str] = Counter()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].isdigit():
                for ch in parts[0]:
                    if "\u4e00" <= ch <= "\u9fff":
                        freq[ch] += int(parts[1])
    top = "".join(c for c, _ in freq.most_common(1000))
    trad = opencc.OpenCC("s2t").convert(top) + opencc.OpenCC("s2tw").convert(top)
    return frozenset(top) | frozenset(trad)


def _is_han(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _odd(c: str) -> bool:
    """Characters that a correct decoding of Chinese prose rarely produces."""
    o = ord(c)
    cat = unicodedata.category(c)
    return (cat in ("Co", "Cn", "Cs") or (cat == "Cc" and c not in "\t\n")
            or 0xAC00 <= o <= 0xD7AF or 0xFF61 <= o <= 0xFF9F or 0x2500 <= o <= 0x259F
            or 0xF900 <= o <= 0xFAFF or 0x3400 <= o <= 0x4DBF or o >= 0x20000)


def plausibility(text: str) -> float:
    """Share of frequent Hanzi among Hanzi, minus a penalty for odd characters."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    han = [c for c in chars if _is_han(c)]
    common = _frequent_han()
    frequent = sum(c in common for c in han) / len(han) if han else 0.0
    odd = sum(_odd(c) for c in chars) / len(chars)
    return frequent - 3 * odd


def _best_legacy(data: bytes) -> tuple[str, str] | None:
    candidates: list[tuple[str, str]] = []
    for enc in _LEGACY_CJK:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if all(text != t for t, _ in candidates):
            candidates.append((text, enc))
    if len(data) % 2 == 0:  # BOM-less UTF-16 of pure CJK has no NULs; let it compete on plausibility
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                candidates.append((data.decode(enc), enc))
            except UnicodeDecodeError:
                pass
    if not candidates:
        return None
    scored = [(plausibility(t), -i, t, e) for i, (t, e) in enumerate(candidates)]
    score, _, text, enc = max(scored)
    if not any(_is_han(c) for c in text) or score < 0.2:
        return None  # no convincing Chinese reading: let charset-normalizer try other encodings
    return text, enc


def _charset_normalizer_fallback(data: bytes) -> tuple[str, str] | Unreadable:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return Unreadable("no_encoding")
    match = from_bytes(data).best()
    if match is None or match.chaos > 0.3:
        return Unreadable("no_encoding")
    return _checked(str(match), match.encoding)
