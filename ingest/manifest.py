"""The optional `manifest.toml` next to the transcripts: facts about each file that the text
itself may not state (title, date, who is speaking, aliases for English questions).

The manifest is optional, and so is every entry: a file without one gets a default `DocMeta`
whose title comes from its first line. A manifest that is present but wrong is an error, raised
as `ManifestError` with the file and the problem named, because silently ignoring a typo
("rol = ...") would mis-attribute speech. The format is documented at the top of
seeds/manifest.toml.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from bot.index.documents import DocMeta, SpeakerInfo

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
ROLES = ("host", "guest", "speaker")
_ENTRY_KEYS = {"title", "date", "source", "default_speaker", "notes", "speakers"}
_SPEAKER_KEYS = {"name", "role", "org", "aliases", "note"}
_SENTENCE_END = "。!?！？…"


class ManifestError(ValueError):
    """The manifest exists but cannot be used; the message names the file and the problem."""


def load_manifest(source_dir: Path) -> dict[str, DocMeta]:
    """Entries of `source_dir/manifest.toml` keyed by file name; {} when there is no manifest.

    An entry without `title` gets title "" here; `meta_for` fills it from the text.
    """
    path = Path(source_dir) / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ManifestError(f"{path}: not UTF-8 text ({err.reason})") from err
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path}: not valid TOML: {err}") from err
    out: dict[str, DocMeta] = {}
    for file_name, entry in raw.items():
        where = f'{path}: entry ["{file_name}"]'
        if not isinstance(entry, dict):
            raise ManifestError(f'{where}: expected a table ["{file_name}"] with fields, got a {type(entry).__name__}')
        out[file_name] = _entry(entry, where)
        if not (path.parent / file_name).exists():
            log.warning("%s: no such file in %s (entry kept, unused)", where, path.parent)
    return out


def _entry(entry: dict[str, Any], where: str) -> DocMeta:
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
    strings = {k: _str(entry, k, where) for k in ("title", "date", "source", "default_speaker", "notes")}
    speakers_raw = entry.get("speakers", [])
    if not isinstance(speakers_raw, list):
        raise ManifestError(f"{where}: 'speakers' must be an array of tables ([[\"file\".speakers]])")
    speakers = [_speaker(s, f"{where} speaker #{i + 1}") for i, s in enumerate(speakers_raw)]
    _check_unique(speakers, where)
    return DocMeta(
        title=strings["title"] or "",
        date=strings["date"] or "not stated",
        source=strings["source"] or "not stated",
        speakers=speakers,
        default_speaker=strings["default_speaker"],
        notes=strings["notes"],
    )


def _str(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ManifestError(f"{where}: '{key}' must be a string, got {type(value).__name__} {value!r}")
    return value.strip()


def _speaker(raw: Any, where: str) -> SpeakerInfo:
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: expected a table with name/role/org/aliases/note")
    unknown = set(raw) - _SPEAKER_KEYS
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_SPEAKER_KEYS)}")
    name = _str(raw, "name", where)
    if not name:
        raise ManifestError(f"{where}: 'name' is required and must not be empty")
    role = _str(raw, "role", where)
    if role is not None and role not in ROLES:
        raise ManifestError(f"{where} ({name}): unknown role {role!r}; use one of {', '.join(ROLES)}")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ManifestError(f"{where} ({name}): 'aliases' must be a list of non-empty strings")
    return SpeakerInfo(name=name, role=role or "unknown", org=_str(raw, "org", where),
                       aliases=[a.strip() for a in aliases], note=_str(raw, "note", where))


def name_key(name: str) -> str:
    """How names are compared: case-, space- and dot-insensitive ("Xuezhi Wang" == "xuezhiwang")."""
    return re.sub(r"[\s·・.]+", "", name).casefold()


def _check_unique(speakers: list[SpeakerInfo], where: str) -> None:
    names = [sp.name for sp in speakers]
    for name in names:
        if names.count(name) > 1:
            raise ManifestError(f"{where}: speaker {name!r} is listed twice")
    owner: dict[str, str] = {}
    for sp in speakers:
        for label in [sp.name, *sp.aliases]:
            key = name_key(label)
            if key in owner and owner[key] != sp.name:
                raise ManifestError(f"{where}: {label!r} names both {owner[key]!r} and {sp.name!r}")
            owner[key] = sp.name


def meta_for(file_name: str, manifest: dict[str, DocMeta], text: str) -> DocMeta:
    """The manifest's entry for `file_name` (relative path or bare name), or a default.

    A missing title is taken from the text (see `guess_title`).
    """
    meta = manifest.get(file_name) or manifest.get(Path(file_name).name)
    if meta is None:
        return DocMeta(title=guess_title(text, file_name))
    if not meta.title:
        return dataclasses.replace(meta, title=guess_title(text, file_name))
    return meta


def guess_title(text: str, file_name: str) -> str:
    """First meaningful line if it reads like a title (short, no sentence-ending punctuation),
    else the file name without suffix."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) <= 60 and line[-1] not in _SENTENCE_END and "。" not in line:
            return line
        break
    return Path(file_name).stem
