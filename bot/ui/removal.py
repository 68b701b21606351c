"""Removing a transcript that was uploaded through the UI: out of the seeds, the manifest and the
index, or, if anything fails on the way, all of it put back as it was.

Only uploads (their manifest entry says `notes = "added through the web UI"`) are offered: the
seeds that came with the project are not the UI's to delete.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from bot.settings import Settings
from bot.ui.text import t
from bot.ui.upload import INGEST_LOCK, UPLOAD_NOTE, Progress, Reindex, UploadResult, toml_str

logger = logging.getLogger(__name__)


def uploaded_files(seeds: Path) -> list[str]:
    """Files added through the UI (their manifest entry says so) that are still in the seeds."""
    from ingest.manifest import ManifestError, load_manifest

    try:
        manifest = load_manifest(seeds)
    except ManifestError:
        logger.exception("manifest unreadable; no uploads listed")
        return []
    return sorted(name for name, meta in manifest.items() if meta.notes == UPLOAD_NOTE and (seeds / name).is_file())


def drop_manifest_entry(text: str, file_name: str) -> str:
    """The manifest without the entry (and speaker tables) this module wrote for `file_name`.
    Checked with tomllib: the result parses and no longer has the entry, or ValueError."""
    heads = {f"[{toml_str(file_name)}]", f"[[{toml_str(file_name)}.speakers]]"}
    out: list[str] = []
    blank: list[str] = []   # blank lines go with the table that follows them
    skipping = False
    for line in text.splitlines(keepends=True):
        if not line.strip():
            blank.append(line)
            continue
        if line.lstrip().startswith("["):
            skipping = line.strip() in heads
        if not skipping:
            out += blank + [line]
        blank = []
    new = "".join(out + ([] if skipping else blank))
    if file_name in tomllib.loads(new):
        raise ValueError(f"cannot find the manifest entry of {file_name}")
    return new


def remove_transcript(name: str | None, settings: Settings, reindex: Reindex, lang: str = "en",
                      progress: Progress | None = None) -> UploadResult:
    """Take an uploaded transcript out of the seeds, the manifest and the index; on any failure
    put both back and re-index, so the index is never left between the two states."""
    progress = progress or (lambda phase, done, total: None)
    seeds = Path(settings.seeds_dir)
    if not name or name not in uploaded_files(seeds):
        return UploadResult(False, t(lang, "u_remove_none"))
    with INGEST_LOCK:
        manifest = seeds / "manifest.toml"
        old = manifest.read_text(encoding="utf-8")
        trash = Path(settings.data_dir) / "removed" / uuid.uuid4().hex
        moved = False
        try:
            new = drop_manifest_entry(old, name)
            trash.mkdir(parents=True)
            shutil.move(str(seeds / name), trash / name)
            moved = True
            manifest.write_text(new, encoding="utf-8")
            reindex(progress)
        except Exception as exc:
            logger.exception("removing %s failed; putting it back", name)
            if moved:
                shutil.move(str(trash / name), seeds / name)
            manifest.write_text(old, encoding="utf-8")
            try:
                reindex(progress)
            except Exception:
                logger.exception("re-index after a failed removal failed too")
            return UploadResult(False, t(lang, "u_remove_failed", name=name, reason=str(exc)))
        finally:
            shutil.rmtree(trash, ignore_errors=True)
    logger.info("removed upload %s", name)
    return UploadResult(True, t(lang, "u_removed", name=name), [name])
