"""Find transcript files and read them into `LoadedFile`s (through the format reader for their
suffix, ingest.formats; text formats are decoded here).

Nothing here raises on a bad file: anything we cannot read becomes a `Skipped` with a reason a
user can act on. Decoding is deterministic for Chinese text (see `decode_bytes`): BOMs first,
then strict UTF-8, then UTF-16 by NUL-byte pattern, then GB18030 vs Big5 chosen by how many
*frequent* CJK characters each decoding yields. charset-normalizer is only the last resort,
because it is unreliable at telling GBK from Big5 on short text (both decode most byte pairs).
"""

from __future__ import annotations

import codecs
import logging
import os
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.formats import SUPPORTED_SUFFIXES, reader_for, supported_list
from ingest.manifest import MANIFEST_NAME
from ingest.model import LoadedFile, Skipped

log = logging.getLogger(__name__)

__all__ = ["SUPPORTED_SUFFIXES", "decode_bytes", "discover", "doc_id_for", "load_file"]
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Magic numbers of formats people rename to .txt by mistake; naming them makes the reason useful.
_MAGIC = {b"%PDF-": "PDF", b"PK\x03\x04": "ZIP/Office", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG",
          b"GIF8": "GIF", b"\x7fELF": "ELF executable", b"\xd0\xcf\x11\xe0": "old Office (OLE)"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Order matters only for ties: GB18030 first (the commonest legacy encoding for simplified text).
_LEGACY_CJK = ("gb18030", "big5", "cp950", "big5hkscs")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def discover(source_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """All transcript files (SUPPORTED_SUFFIXES) under `source_dir` (recursive, sorted) and a
    `Skipped` for everything else.

    Dotfiles/dot-folders and the folder's own manifest.toml are ignored silently. Symbolic links
    are never followed out of `source_dir`; symlinked folders are not descended into at all (their
    files, if inside the tree, are found at their real location), which also rules out loops.
    """
    root = Path(source_dir)
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen_real: set[Path] = set()
    if not root.is_dir():
        return [], [Skipped(file=str(root), reason="source folder does not exist or is not a folder")]

    def on_error(err: OSError) -> None:
        skipped.append(Skipped(file=_rel(Path(err.filename or root), root), reason=f"cannot read folder: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            p = here / d
            if d.startswith("."):
                dirnames.remove(d)
            elif p.is_symlink():
                dirnames.remove(d)
                where = "inside" if _inside(p, root) else "outside"
                skipped.append(Skipped(file=_rel(p, root), reason=f"symbolic link to a folder {where} the source folder: not followed"))
        for name in filenames:
            p = here / name
            rel = _rel(p, root)
            if name.startswith(".") or (here == root and name == MANIFEST_NAME):
                continue
            if p.is_symlink():
                if not p.exists():
                    skipped.append(Skipped(file=rel, reason="broken symbolic link"))
                    continue
                if not _inside(p, root):
                    skipped.append(Skipped(file=rel, reason="symbolic link pointing outside the source folder: not followed"))
                    continue
            suffix = p.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                kind = f"unsupported type {suffix}" if suffix else "no file extension"
                skipped.append(Skipped(file=rel, reason=f"{kind}: only {supported_list()} are read"))
                continue
            files.append(p)
    # A symlink and its target both inside the tree: read the real file once, skip the link.
    unique: list[Path] = []
    for p in sorted(files, key=lambda q: (q.is_symlink(), _rel(q, root))):
        real = p.resolve()
        if real in seen_real:
            skipped.append(Skipped(file=_rel(p, root), reason="symbolic link to another file in the folder: read once, as that file"))
            continue
        seen_real.add(real)
        unique.append(p)
    files = sorted(unique, key=lambda q: _rel(q, root))
    skipped.sort(key=lambda s: s.file)
    return files, skipped


def doc_id_for(path: Path, root: Path) -> str:
    """File name without suffix; for files in sub-folders the relative path with / replaced by __."""
    rel = Path(_rel(path, root))
    return rel.with_suffix("").as_posix().replace("/", "__")


def load_file(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedFile | Skipped:
    """Read one file through its format's reader. Never raises: problems come back as `Skipped`."""
    rel = _rel(path, root)
    reader = reader_for(path)
    if reader is None:
        return Skipped(file=rel, reason=f"unsupported type {path.suffix or '(none)'}: only {supported_list()} are read")
    try:
        size = path.stat().st_size
        if size == 0:
            return Skipped(file=rel, reason="empty file")
        if size > max_bytes:
            return Skipped(file=rel, reason=f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
        data = path.read_bytes()
    except OSError as err:
        return Skipped(file=rel, reason=f"cannot read file: {err.strerror or err}")
    try:
        got = reader.read(data)
    except Exception as exc:  # a reader's library failing on a file it should have refused
        log.exception("reading %s failed", rel)
        return Skipped(file=rel, reason=f"cannot read as {path.suffix}: {type(exc).__name__}: {exc}")
    if isinstance(got, str):
        return Skipped(file=rel, reason=got)
    text = normalise_newlines(got.text)
    if not text.strip():
        return Skipped(file=rel, reason="file contains only whitespace" if got.format == "text" else "no text in the file")
    log.debug("loaded %s as %s/%s (%d chars)", rel, got.format, got.encoding, len(text))
    return LoadedFile(path=path, doc_id=doc_id_for(path, root), text=text, encoding=got.encoding,
                      format=got.format, facts=got.facts, headings=got.headings, quotes=got.quotes,
                      timed=got.timed, title_in_text=got.title_in_text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def decode_bytes(data: bytes) -> tuple[str, str] | str:
    """(text, encoding) or a reason string why the bytes are not readable text."""
    if not data:
        return "empty file"
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return f"binary file (looks like {what}), not text"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(enc).lstrip("\ufeff"), enc)
            except UnicodeDecodeError:
                return f"starts with a {enc} byte-order mark but is not valid {enc}"
    if b"\x00" not in data:  # UTF-8 prose never contains NUL; UTF-16 of ASCII would pass as UTF-8
        try:
            return _checked(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    else:
        guess = _utf16_guess(data)
        if guess is None:
            return "binary file (contains NUL bytes and is not UTF-16 text)"
        return _checked(*guess)
    best = _best_legacy(data)
    if best is not None:
        return _checked(*best)
    return _charset_normalizer_fallback(data)


def _checked(text: str, encoding: str) -> tuple[str, str] | str:
    text = normalise_newlines(text)
    if text and _control_fraction(text) > 0.05:
        return "binary file (mostly control characters), not text"
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


def _charset_normalizer_fallback(data: bytes) -> tuple[str, str] | str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return "could not determine the text encoding"
    match = from_bytes(data).best()
    if match is None or match.chaos > 0.3:
        return "could not determine the text encoding (not UTF-8, UTF-16, GB18030 or Big5 text)"
    return _checked(str(match), match.encoding)
