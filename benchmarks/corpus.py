"""Transcript folders for the benchmarks, written as files so that the real ingest pipeline (and
whatever it does in this version: formats, digests) builds the store from them.

- `copies(dest, chunks)`: for the retrieval corpora (1k-100k chunks). Copy k of seed k % 5, raw
  file and all (site headers, layout), with every clause of its longer lines replaced by a
  random clause of the same seed, so speakers, turns, roles and vocabulary stay those of the real
  interviews while no two passages or sentences repeat (identical vectors by the thousand would
  not be a store anyone builds). The manifest entry is the seed's, with the title numbered.
- `excerpts(dest, n)`: for ingest growth. Short transcripts (about two passages, EXCERPT_CHARS) cut from the
  seeds' parsed turns, clauses recombined the same way, rendered in turn as .txt, .md, .srt, .vtt,
  .docx and .pdf (benchmarks.formats), plus the format fixtures of tests/fixtures/formats when
  that folder exists. A version that cannot read a format lists those files as skipped.
"""

from __future__ import annotations

import functools
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from benchmarks.formats import FORMATS, render
from bot.index.documents import CleanDoc
from bot.settings import PROJECT_ROOT
from ingest.chunking import chunk_document
from ingest.manifest import MANIFEST_NAME
from ingest.pipeline import IngestReport, _load_docs

SEEDS = PROJECT_ROOT / "seeds"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "formats"
_PUNCT = ",\uff0c\u3001;\uff1b\u3002!?\uff01\uff1f\u2026"   # ,，、;；。!?！？…
_CLAUSE = re.compile(f"[^{_PUNCT}\\n]+[{_PUNCT}]*")
_LABEL = re.compile(r"^[^,\uff0c\u3002:\uff1a\s]{1,24}[:\uff1a]")   # a leading "名字:" speaker label
EXCERPT_CHARS = 300    # about two passages and a dozen sentences: many small files, the hard case for ingest overhead
KEEP_LINE = 40         # lines this short (titles, headers, counters) are copied unchanged


@dataclass
class Seed:
    file: str
    raw: str
    entry: dict[str, Any]    # the seed's manifest table, as read from TOML
    doc: CleanDoc
    chunks: int
    pool: list[str]          # clauses of its speech, to recombine


@functools.lru_cache(maxsize=1)
def seeds() -> tuple[Seed, ...]:
    manifest = tomllib.loads((SEEDS / MANIFEST_NAME).read_text(encoding="utf-8"))
    out = []
    for doc, _ in _load_docs(SEEDS, IngestReport()):
        speech = "\n".join(doc.text[t.start:t.end] for t in doc.turns if t.kind == "speech")
        pool = [c for c in _CLAUSE.findall(speech) if len(c.strip()) >= 4]
        out.append(Seed(doc.file, (SEEDS / doc.file).read_text(encoding="utf-8"), manifest.get(doc.file, {}),
                        doc, len(chunk_document(doc)), pool))
    return tuple(out)


def recombine(text: str, pool: list[str], rng: random.Random) -> str:
    """Each clause of `text` replaced by a random clause of `pool` (a leading "名字:" label kept)."""
    label = _LABEL.match(text)
    head, rest = (label.group(0), text[label.end():]) if label else ("", text)
    return head + "".join(rng.choice(pool) for _ in _CLAUSE.findall(rest))


def _mutate_raw(raw: str, pool: list[str], rng: random.Random) -> str:
    return "\n".join(line if len(line) <= KEEP_LINE else recombine(line, pool, rng) for line in raw.split("\n"))


def copies(dest: Path, chunks: int, seed: int = 0) -> dict[str, Any]:
    """Write about `chunks` passages' worth of seed copies into dest (emptied first)."""
    _fresh(dest)
    rng = random.Random(seed)
    entries: dict[str, dict[str, Any]] = {}
    expected, k = 0, 0
    base = seeds()
    while expected < chunks:
        s = base[k % len(base)]
        name = f"{k:05d}_{s.file}"
        (dest / name).write_text(_mutate_raw(s.raw, s.pool, rng), encoding="utf-8")
        entries[name] = _numbered(s.entry, k)
        expected += s.chunks
        k += 1
    write_manifest(dest, entries)
    return {"files": k, "expected_chunks": expected}


def excerpts(dest: Path, n: int, seed: int = 0, formats: tuple[str, ...] = FORMATS,
             fixtures: bool = True, chars: int = EXCERPT_CHARS) -> dict[str, Any]:
    """n short transcripts of about `chars` characters of talk, formats in turn; the format
    fixtures too when n >= 10 (they replace the last generated files, so the folder still holds n)."""
    _fresh(dest)
    rng = random.Random(seed)
    extra = sorted(p for p in FIXTURES.glob("*") if p.is_file() and p.name != MANIFEST_NAME) \
        if fixtures and n >= 10 and FIXTURES.is_dir() else []
    extra = extra[: n // 2]
    entries: dict[str, dict[str, Any]] = {}
    written: dict[str, int] = {}
    base = seeds()
    for i in range(n - len(extra)):
        s = base[i % len(base)]
        fmt = formats[i % len(formats)]
        turns = _window(s.doc, rng, chars)
        title = f"{s.doc.meta.title} (excerpt {i})"
        talk = [(sp, recombine(text, s.pool, rng)) for sp, text in turns]
        name = f"x{i:04d}_{Path(s.file).stem}{fmt}"
        out = render(dest / name, fmt, title, talk, unlabelled=s.doc.meta.default_speaker)
        entries[out.name] = {**_numbered(s.entry, i), "title": title}
        written[out.suffix] = written.get(out.suffix, 0) + 1
    for p in extra:
        shutil.copy(p, dest / p.name)
        written[f"fixture {p.suffix}"] = written.get(f"fixture {p.suffix}", 0) + 1
    fixture_manifest = FIXTURES / MANIFEST_NAME
    if extra and fixture_manifest.is_file():
        names = {p.name for p in extra}
        entries.update({k: v for k, v in tomllib.loads(fixture_manifest.read_text(encoding="utf-8")).items()
                        if k in names})
    write_manifest(dest, entries)
    return {"files": n, "by_format": written}


def _window(doc: CleanDoc, rng: random.Random, chars: int = EXCERPT_CHARS) -> list[tuple[str | None, str]]:
    """Consecutive speech turns of `doc` (speaker, words), about `chars` long."""
    speech = [t for t in doc.turns if t.kind == "speech" and t.end > t.start]
    start = rng.randrange(max(1, len(speech) - 4))
    out, size = [], 0
    for t in speech[start:]:
        text = doc.text[t.start:t.end].strip()
        out.append((t.speaker, text))
        size += len(text)
        if size >= chars:
            break
    return out


def _numbered(entry: dict[str, Any], k: int) -> dict[str, Any]:
    out = dict(entry)
    if out.get("title"):
        out["title"] = f"{out['title']} #{k}"
    return out


def _fresh(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)


def write_manifest(dest: Path, entries: dict[str, dict[str, Any]]) -> None:
    """A manifest.toml for `entries` (file name -> table; lists of tables as [[...]])."""
    lines: list[str] = []
    for name, entry in entries.items():
        key = json.dumps(name, ensure_ascii=False)
        lines.append(f"[{key}]")
        tables = {k: v for k, v in entry.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
        for k, v in entry.items():
            if k not in tables:
                lines.append(f"{k} = {_toml(v)}")
        for k, rows in tables.items():
            for row in rows:
                lines.append(f"[[{key}.{k}]]")
                lines.extend(f"{rk} = {_toml(rv)}" for rk, rv in row.items())
        lines.append("")
    (dest / MANIFEST_NAME).write_text("\n".join(lines), encoding="utf-8")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if hasattr(value, "isoformat"):   # TOML dates read back as date objects
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)   # a TOML basic string
