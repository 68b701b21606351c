"""Adding transcripts from the UI: validate in a staging folder, then move into seeds and re-index
(taking one out again: `bot.ui.removal`).

The order matters for "a failed upload leaves the index as it was": nothing touches the seeds
folder until every file has been read and parsed from staging; if indexing then fails, the files
and manifest entry we added are taken back out and the index is brought back in line with them.
Every upload gets a manifest entry marked `notes = "added through the web UI"`: that is how an
upload is told apart from the seeds (only uploads can be removed here).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from bot.settings import Settings
from bot.ui.text import MAX_MB, SUFFIXES, t
from ingest.loader import SUPPORTED_SUFFIXES

logger = logging.getLogger(__name__)

ALLOWED = tuple(SUPPORTED_SUFFIXES)   # whatever ingest reads
UPLOAD_NOTE = "added through the web UI"
Progress = Callable[[str, int, int], None]
Reindex = Callable[[Progress], Any]  # runs ingest over settings.seeds_dir, returns an IngestReport

_ROLE_WORDS = {"host": "host", "主持人": "host", "主持": "host", "guest": "guest", "嘉宾": "guest",
               "speaker": "speaker", "演讲者": "speaker", "演讲人": "speaker"}
INGEST_LOCK = threading.Lock()  # one re-index at a time, whoever asks


class UploadError(ValueError):
    """A message for the user (already in their language)."""


@dataclass
class UploadResult:
    ok: bool
    message: str
    added: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name that cannot escape the seeds folder or hide itself: no separators, no leading dot."""
    base = Path(str(name).replace("\\", "/")).name
    # "__" is how ingest spells a sub-folder in a doc id, so it must not appear in a plain name.
    base = re.sub(r"_{2,}", "_", re.sub(r"[^\w.\- ]", "_", base)).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:80] or "transcript"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def parse_speakers(text: str | None, lang: str = "en") -> list[dict[str, str]]:
    """'张三:host, 李四（嘉宾）' → [{'name': '张三', 'role': 'host'}, {'name': '李四', 'role': 'guest'}]."""
    out: list[dict[str, str]] = []
    for part in re.split(r"[,，、;；\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(.+?)\s*(?:[:：]\s*(.+)|[(（]\s*(.+?)\s*[)）])", part)
        name, role_word = (m.group(1), m.group(2) or m.group(3)) if m else (part, None)
        entry = {"name": name.strip()}
        if role_word:
            role = _ROLE_WORDS.get(role_word.strip().lower())
            if role is None:
                raise UploadError(t(lang, "u_role", name=name.strip(), role=role_word.strip()))
            entry["role"] = role
        out.append(entry)
    return out


def toml_str(value: str) -> str:
    """A TOML basic string. JSON's escapes are valid TOML; DEL is the one control JSON leaves raw."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def manifest_entry(file_name: str, title: str | None, speakers: list[dict[str, str]]) -> str:
    lines = [f"\n[{toml_str(file_name)}]"]
    if title:
        lines.append(f"title = {toml_str(title)}")
    lines.append(f"notes = {toml_str(UPLOAD_NOTE)}")
    for sp in speakers:
        lines.append(f"\n[[{toml_str(file_name)}.speakers]]")
        lines.extend(f"{k} = {toml_str(v)}" for k, v in sp.items())
    return "\n".join(lines) + "\n"


def append_manifest(folder: Path, entry: str) -> str | None:
    """Append an entry to folder/manifest.toml; returns the previous text (None: there was none).

    Re-reads the result with tomllib so a bad write is caught here, not at the next ingest.
    """
    path = folder / "manifest.toml"
    old = path.read_text(encoding="utf-8") if path.exists() else None
    new = (old or "") + ("" if not old or old.endswith("\n") else "\n") + entry
    tomllib.loads(new)
    path.write_text(new, encoding="utf-8")
    return old


def restore_manifest(folder: Path, old: str | None) -> None:
    path = folder / "manifest.toml"
    if old is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(old, encoding="utf-8")


def fingerprint(text: str) -> str:
    """Same words in the same order, whatever the line breaks and spacing: the same transcript."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def known_texts(seeds: Path) -> dict[str, str]:
    """fingerprint -> file name of every transcript in the seeds folder."""
    from ingest.loader import load_file
    from ingest.model import Skipped

    out: dict[str, str] = {}
    if not seeds.is_dir():
        return out
    for p in sorted(seeds.iterdir()):
        if p.is_file() and p.suffix.lower() in ALLOWED:
            loaded = load_file(p, seeds)
            if not isinstance(loaded, Skipped):
                out.setdefault(fingerprint(loaded.text), p.name)
    return out


def check_files(paths: list[Path], seeds: Path, lang: str) -> list[tuple[Path, str]]:
    """(uploaded path, safe target name) pairs, or UploadError naming the first bad file."""
    taken = {p.stem.lower() for p in seeds.iterdir()} if seeds.is_dir() else set()
    out: list[tuple[Path, str]] = []
    for p in paths:
        name = safe_name(p.name)
        if Path(name).suffix.lower() not in ALLOWED:
            raise UploadError(t(lang, "u_type", name=p.name, suffixes=SUFFIXES))
        size = p.stat().st_size
        if size > MAX_MB * 1024 * 1024:
            raise UploadError(t(lang, "u_size", name=p.name, size=f"{size / 1024 / 1024:.1f}", mb=MAX_MB))
        # The doc id is the stem, so "a.txt" and "a.md" would collide too.
        if Path(name).stem.lower() in taken:
            raise UploadError(t(lang, "u_exists", name=name))
        taken.add(Path(name).stem.lower())
        out.append((p, name))
    return out


def validate_staged(staging: Path, names: list[str], lang: str, seeds: Path | None = None) -> None:
    """Read and parse each staged file exactly as ingest will; UploadError if one is unusable or
    its text is already in `seeds` (or earlier in the same upload) under another name."""
    from ingest.loader import load_file
    from ingest.manifest import ManifestError, load_manifest
    from ingest.model import Skipped
    from ingest.parse import to_clean_doc

    try:
        manifest = load_manifest(staging)
    except ManifestError as exc:
        raise UploadError(t(lang, "u_invalid", name="manifest", reason=str(exc).replace(str(staging), ""))) from exc
    seen = known_texts(seeds) if seeds is not None else {}
    for name in names:
        loaded = load_file(staging / name, staging)
        if isinstance(loaded, Skipped):
            raise UploadError(t(lang, "u_invalid", name=name, reason=loaded.reason))
        other = seen.setdefault(fingerprint(loaded.text), name)
        if other != name:
            raise UploadError(t(lang, "u_duplicate", name=name, other=other))
        try:
            doc = to_clean_doc(loaded, manifest)
        except Exception as exc:  # whatever the parser trips on, the user needs the reason, not a trace
            raise UploadError(t(lang, "u_invalid", name=name, reason=str(exc))) from exc
        if not doc.text.strip() or not doc.turns:
            raise UploadError(t(lang, "u_invalid", name=name, reason="no text left after cleaning"))


def add_transcripts(files: list[str | Path] | None, title: str | None, speakers_text: str | None,
                    settings: Settings, reindex: Reindex, lang: str = "en",
                    progress: Progress | None = None) -> UploadResult:
    progress = progress or (lambda phase, done, total: None)
    paths = [Path(f) for f in (files or []) if f]
    seeds = Path(settings.seeds_dir)
    staging = Path(settings.data_dir) / "upload-staging" / uuid.uuid4().hex
    try:
        if not paths:
            raise UploadError(t(lang, "u_none", suffixes=SUFFIXES))
        title, speakers = (title or "").strip(), parse_speakers(speakers_text, lang)
        if (title or speakers) and len(paths) > 1:
            raise UploadError(t(lang, "u_one_file"))
        progress("check", 0, len(paths))
        with INGEST_LOCK:
            pairs = check_files(paths, seeds, lang)
            staging.mkdir(parents=True)
            for src, name in pairs:
                shutil.copyfile(src, staging / name)
            names = [name for _, name in pairs]
            # Every upload gets an entry: it marks the file as removable from the UI.
            entry = "".join(manifest_entry(n, title if i == 0 else None, speakers if i == 0 else [])
                            for i, n in enumerate(names))
            append_manifest(staging, entry)
            validate_staged(staging, names, lang, seeds)
            progress("check", len(paths), len(paths))
            return _commit(staging, names, entry, settings, reindex, lang, progress)
    except UploadError as exc:
        return UploadResult(False, str(exc))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _commit(staging: Path, names: list[str], entry: str | None, settings: Settings, reindex: Reindex,
            lang: str, progress: Progress) -> UploadResult:
    """Move validated files into seeds and index them; on any failure undo and re-index."""
    seeds = Path(settings.seeds_dir)
    seeds.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    old_manifest: str | None = None
    manifest_changed = False
    try:
        for name in names:
            shutil.copyfile(staging / name, seeds / name)
            moved.append(seeds / name)
        if entry:
            old_manifest = append_manifest(seeds, entry)
            manifest_changed = True
        report = reindex(progress)
        skipped = {s["file"]: s["reason"] for s in getattr(report, "files_skipped", [])}
        bad = [n for n in names if n in skipped]
        if bad:
            raise RuntimeError(f"{bad[0]}: {skipped[bad[0]]}")
    except Exception as exc:
        logger.exception("upload of %s failed; rolling back", names)
        for p in moved:
            p.unlink(missing_ok=True)
        if manifest_changed:
            restore_manifest(seeds, old_manifest)
        try:
            reindex(progress)  # drops whatever chunks of the removed files got in
        except Exception:
            logger.exception("re-index after a failed upload failed too")
        return UploadResult(False, t(lang, "u_failed", reason=str(exc)))
    logger.info("uploaded and indexed %s", names)
    return UploadResult(True, t(lang, "u_done", n=len(names), names=", ".join(names)), names)
