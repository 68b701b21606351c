"""The optional `manifest.toml` next to the transcripts: facts about each file that the text
itself may not state (title, date, who is speaking, aliases for English questions).

The manifest is optional, and so is every entry: a file without one gets a default `DocMeta`
whose title comes from its first line. A manifest that is present but wrong is an error, raised
as `ManifestError` with the file and the problem named, because silently ignoring a typo
("rol = ...") would mis-attribute speech. The format is documented at the top of
seeds/manifest.toml; `ManifestEntry` and `ManifestSpeaker` are its tables as pydantic models
(unknown fields forbidden, strings stripped), and `_problem` says what pydantic found in the
manifest's own words.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.index.documents import DocMeta, SpeakerInfo

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"
ROLES = ("host", "guest", "speaker")
_SENTENCE_END = "。!?！？…"


class ManifestError(ValueError):
    """The manifest exists but cannot be used; the message names the file and the problem."""


class _Table(BaseModel):
    """A manifest table: a misspelt field is an error, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ManifestSpeaker(_Table):
    """One `[["file".speakers]]` table."""

    name: str = ""
    role: str | None = None
    org: str | None = None
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> ManifestSpeaker:
        if not self.name:
            raise ValueError("'name' is required and must not be empty")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"({self.name}): unknown role {self.role!r}; use one of {', '.join(ROLES)}")
        if not all(self.aliases):
            raise ValueError(f"({self.name}): 'aliases' must be a list of non-empty strings")
        return self

    def info(self) -> SpeakerInfo:
        return SpeakerInfo(name=self.name, role=self.role or "unknown", org=self.org, aliases=self.aliases,
                           note=self.note)


class ManifestEntry(_Table):
    """One `["file"]` table: facts about one transcript."""

    title: str | None = None
    date: str | None = None
    source: str | None = None
    default_speaker: str | None = None
    notes: str | None = None
    speakers: list[ManifestSpeaker] = Field(default_factory=list)
    media_url: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> ManifestEntry:
        if self.media_url and not re.match(r"https?://|file:|/", self.media_url):
            raise ValueError(f"'media_url' must be an http(s) URL or a path, got {self.media_url!r}")
        _check_unique([sp.name for sp in self.speakers], [[sp.name, *sp.aliases] for sp in self.speakers])
        return self

    def meta(self) -> DocMeta:
        """The entry as a document's facts; an entry without `title` gets "" (`meta_for` fills it)."""
        return DocMeta(title=self.title or "", date=self.date or "not stated", source=self.source or "not stated",
                       speakers=[sp.info() for sp in self.speakers], default_speaker=self.default_speaker,
                       notes=self.notes, media_url=self.media_url)


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
        try:
            out[file_name] = ManifestEntry.model_validate(entry).meta()
        except ValidationError as err:
            raise ManifestError(_problem(err, where, file_name, entry)) from None
        if not (path.parent / file_name).exists():
            log.warning("%s: no such file in %s (entry kept, unused)", where, path.parent)
    return out


def _problem(err: ValidationError, where: str, file_name: str, entry: Any) -> str:
    """The first problem pydantic found, in the manifest's words, naming the entry and speaker."""
    errors = err.errors()
    first = errors[0]
    loc = first["loc"]
    allowed = set(ManifestEntry.model_fields)
    if loc[:1] == ("speakers",) and len(loc) > 1:
        raw = entry["speakers"][loc[1]]
        name = raw.get("name") if isinstance(raw, dict) else None
        where = f"{where} speaker #{int(loc[1]) + 1}"
        if isinstance(name, str) and loc[2:3] == ("aliases",):   # a type error in the list: who it is
            where += f" ({name.strip()})"
        loc, allowed = loc[2:], set(ManifestSpeaker.model_fields)
    kind, value = first["type"], first.get("input")
    if kind == "extra_forbidden":
        unknown = sorted(str(e["loc"][-1]) for e in errors if e["type"] == kind and e["loc"][:-1] == first["loc"][:-1])
        return f"{where}: unknown field(s) {unknown}; allowed: {sorted(allowed)}"
    if kind == "model_type" and "speakers" in allowed:
        return f'{where}: expected a table ["{file_name}"] with fields, got a {type(value).__name__}'
    if kind == "model_type":
        return f"{where}: expected a table with {'/'.join(ManifestSpeaker.model_fields)}"
    if loc[:1] == ("speakers",):
        return f"{where}: 'speakers' must be an array of tables ([[\"file\".speakers]])"
    if loc[:1] == ("aliases",):
        return f"{where}: 'aliases' must be a list of non-empty strings"
    if kind == "string_type":
        return f"{where}: '{loc[0]}' must be a string, got {type(value).__name__} {value!r}"
    cause = (first.get("ctx") or {}).get("error")
    problem = str(cause) if cause is not None else first["msg"]
    return f"{where} {problem}" if problem.startswith("(") else f"{where}: {problem}"


def name_key(name: str) -> str:
    """How names are compared: case-, space- and dot-insensitive ("Xuezhi Wang" == "xuezhiwang")."""
    return re.sub(r"[\s·・.]+", "", name).casefold()


def _check_unique(names: list[str], labels: list[list[str]]) -> None:
    """Each speaker listed once, and no name or alias naming two of them."""
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"speaker {name!r} is listed twice")
    owner: dict[str, str] = {}
    for name, own in zip(names, labels):
        for label in own:
            key = name_key(label)
            if key in owner and owner[key] != name:
                raise ValueError(f"{label!r} names both {owner[key]!r} and {name!r}")
            owner[key] = name


def meta_for(file_name: str, manifest: dict[str, DocMeta], text: str, facts: dict[str, Any] | None = None,
             title_in_text: bool = True) -> DocMeta:
    """The manifest's entry for `file_name` (relative path or bare name), or a default; what the
    file itself states (`facts`: front matter, document properties) fills what the entry leaves
    open, and the manifest wins where both speak.

    A missing title is taken from the text (see `guess_title`).
    """
    meta = manifest.get(file_name) or manifest.get(Path(file_name).name)
    meta = (meta.model_copy(update={"speakers": list(meta.speakers), "links": list(meta.links)})
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
_CAMEL = re.compile(r"(?:[A-Z][a-z]+){2,}")   # words run together: PythonDocumentary


def readable_name(file_name: str) -> str:
    """A file name as a title: "lex_fridman-podcast_452.srt" → "lex fridman podcast 452",
    "PythonDocumentary.vtt" → "Python Documentary" (a name of one run-together word, so the title
    names what the recording is about; beside other words "OpenClaw" is a name and stays); the
    stem as it is when nothing readable is left."""
    stem = Path(file_name).stem
    if _CAMEL.fullmatch(stem):
        return " ".join(re.findall(r"[A-Z][a-z]+", stem))
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
