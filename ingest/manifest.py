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
_ENTRY_KEYS = {"title", "date", "source", "default_speaker", "notes", "speakers", "media_url"}
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
    strings = {k: _str(entry, k, where) for k in ("title", "date", "source", "default_speaker", "notes", "media_url")}
    if strings["media_url"] and not re.match(r"https?://|file:|/", strings["media_url"]):
        raise ManifestError(f"{where}: 'media_url' must be an http(s) URL or a path, got {strings['media_url']!r}")
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
        media_url=strings["media_url"],
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


def meta_for(file_name: str, manifest: dict[str, DocMeta], text: str, facts: dict[str, Any] | None = None,
             title_in_text: bool = True) -> DocMeta:
    """The manifest's entry for `file_name` (relative path or bare name), or a default; what the
    file itself states (`facts`: front matter, document properties) fills what the entry leaves
    open, and the manifest wins where both speak.

    A missing title is taken from the text (see `guess_title`).
    """
    meta = manifest.get(file_name) or manifest.get(Path(file_name).name)
    meta = (dataclasses.replace(meta, speakers=list(meta.speakers), links=list(meta.links))
            if meta is not None else DocMeta(title=""))
    meta = merge_facts(meta, facts or {})
    if not meta.title:
        meta.title = guess_title(text if title_in_text else "", file_name)
    return meta


def merge_facts(meta: DocMeta, facts: dict[str, Any]) -> DocMeta:
    """`meta` with the file's own facts (ingest.formats.base.Extracted.facts) where it has none."""
    def text(key: str) -> str | None:
        value = facts.get(key)
        return " ".join(str(value).split()) if value not in (None, "") else None

    if not meta.title and (title := text("title")):
        meta.title = title
    if meta.date == "not stated" and (date := text("date")):
        meta.date = date
    if meta.source == "not stated" and (source := text("source")):
        meta.source = source
    if not meta.media_url and (media := text("media_url")):
        meta.media_url = media
    links = [str(x) for x in facts.get("links") or [] if isinstance(x, (str, int, float))]
    meta.links = list(dict.fromkeys([*meta.links, *links]))
    if meta.source == "not stated" and meta.links:
        meta.source = meta.links[0]
    if not meta.speakers:
        people: list[SpeakerInfo] = []
        for key, role in (("hosts", "host"), ("guests", "guest"), ("speakers", "unknown"), ("voices", "unknown")):
            for raw in facts.get(key) or []:
                sp = _fact_person(raw, role, "from the file's voice tags" if key == "voices" else None)
                if sp is not None and all(name_key(sp.name) != name_key(o.name) for o in people):
                    people.append(sp)
        meta.speakers = people
    return meta


def _fact_person(raw: Any, role: str, note: str | None = None) -> SpeakerInfo | None:
    """A person named in front matter: "Name", or a table {name, role, org, aliases}."""
    if isinstance(raw, str) and raw.strip():
        return SpeakerInfo(name=raw.strip(), role=role, note=note or "from the file's front matter")
    if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].strip():
        stated = str(raw.get("role", "")).strip().lower()
        aliases = [str(a) for a in raw.get("aliases") or [] if str(a).strip()]
        return SpeakerInfo(name=raw["name"].strip(), role=stated if stated in ROLES else role,
                           org=str(raw["org"]) if raw.get("org") else None, aliases=aliases,
                           note="from the file's front matter")
    return None


_UNTITLED = re.compile(r"^[\W_]+$")
_HASHLIKE = re.compile(r"(?:^|(?<=[_\-.\s]))(?=[a-f]*\d)[0-9a-f]{8,}(?=$|[_\-.\s])", re.I)


def readable_name(file_name: str) -> str:
    """A file name as a title: "lex_fridman-podcast_452.srt" → "lex fridman podcast 452"; the
    stem as it is when nothing readable is left."""
    stem = Path(file_name).stem
    words = re.sub(r"[_\-]+|(?<!\d)\.|\.(?!\d)", " ", _HASHLIKE.sub(" ", stem))
    words = " ".join(words.split())
    return words if re.search(r"[^\W\d_]", words) else stem


def guess_title(text: str, file_name: str) -> str:
    """First meaningful line if it reads like a title (short, no sentence-ending punctuation,
    not only punctuation such as "---" or "#"), else the file name made readable."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) <= 60 and line[-1] not in _SENTENCE_END + "." and "。" not in line and not _UNTITLED.match(line):
            return line
        break
    return readable_name(file_name)
