"""Find transcript files and read them into `LoadedFile`s (through the format reader for their
suffix, ingest.formats; text formats are decoded here).

Nothing here raises on a bad file: anything we cannot read becomes a `Skipped` with a reason a
user can act on. Text formats are decoded by ingest.formats.decode.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ingest.formats import SUPPORTED_SUFFIXES, reader_for, supported_list
from ingest.formats.base import Unreadable
from ingest.formats.decode import decode_bytes, normalise_newlines
from ingest.manifest import MANIFEST_NAME
from ingest.model import LoadedFile, Skipped

log = logging.getLogger(__name__)

__all__ = ["SUPPORTED_SUFFIXES", "decode_bytes", "discover", "doc_id_for", "load_file"]
DEFAULT_MAX_BYTES = 20 * 1024 * 1024



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
        return [], [Skipped(file=str(root), code="no_folder")]

    def on_error(err: OSError) -> None:
        skipped.append(Skipped(file=_rel(Path(err.filename or root), root), code="folder_unreadable",
                               args={"err": str(err.strerror)}))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            p = here / d
            if d.startswith("."):
                dirnames.remove(d)
            elif p.is_symlink():
                dirnames.remove(d)
                where = "inside" if _inside(p, root) else "outside"
                skipped.append(Skipped(file=_rel(p, root), code="link_folder", args={"where": where}))
        for name in filenames:
            p = here / name
            rel = _rel(p, root)
            if name.startswith(".") or (here == root and name == MANIFEST_NAME):
                continue
            if p.is_symlink():
                if not p.exists():
                    skipped.append(Skipped(file=rel, code="broken_link"))
                    continue
                if not _inside(p, root):
                    skipped.append(Skipped(file=rel, code="link_outside"))
                    continue
            suffix = p.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                skipped.append(Skipped(file=rel, code="unsupported" if suffix else "no_suffix",
                                       args={"suffix": suffix, "supported": supported_list()}))
                continue
            files.append(p)
    # A symlink and its target both inside the tree: read the real file once, skip the link.
    unique: list[Path] = []
    for p in sorted(files, key=lambda q: (q.is_symlink(), _rel(q, root))):
        real = p.resolve()
        if real in seen_real:
            skipped.append(Skipped(file=_rel(p, root), code="link_duplicate"))
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
        return Skipped(file=rel, code="unsupported" if path.suffix else "no_suffix",
                       args={"suffix": path.suffix, "supported": supported_list()})
    try:
        size = path.stat().st_size
        if size == 0:
            return Skipped(file=rel, code="empty")
        if size > max_bytes:
            return Skipped(file=rel, code="too_big", args={"mb": size / 1e6, "limit": max_bytes / 1e6})
        data = path.read_bytes()
    except OSError as err:
        return Skipped(file=rel, code="unreadable", args={"err": str(err.strerror or err)})
    try:
        got = reader.read(data)
    except Exception as exc:  # a reader's library failing on a file it should have refused
        log.exception("reading %s failed", rel)
        return Skipped(file=rel, code="reader_failed", args={"suffix": path.suffix, "err": f"{type(exc).__name__}: {exc}"})
    if isinstance(got, Unreadable):
        return Skipped(file=rel, code=got.code, args=got.args)
    text = normalise_newlines(got.text)
    if not text.strip():
        return Skipped(file=rel, code="whitespace" if got.format == "text" else "no_text")
    log.debug("loaded %s as %s/%s (%d chars)", rel, got.format, got.encoding, len(text))
    return LoadedFile(path=path, doc_id=doc_id_for(path, root), text=text, encoding=got.encoding,
                      format=got.format, facts=got.facts, headings=got.headings, quotes=got.quotes,
                      timed=got.timed, title_in_text=got.title_in_text)
