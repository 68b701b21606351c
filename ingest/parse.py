"""Raw `LoadedFile` → `CleanDoc`: clean the text, take the timestamps out of the words, attach
the manifest's and the file's own facts, find the turns and the speakers' roles."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path, PurePosixPath

from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn
from ingest.clean import clean_text
from ingest.layouts import auto_aliases, infer_roles
from ingest.manifest import meta_for, readable_name
from ingest.model import LoadedFile
from ingest.speakers import read_turns
from ingest.timestamps import strip_timestamps, time_at

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def relative_file(loaded: LoadedFile) -> str:
    """The file's path relative to the source folder, recovered from its doc_id (sub/x.txt has
    doc_id "sub__x"); falls back to the bare file name."""
    name = loaded.path.name
    if "__" in loaded.doc_id:
        candidate = loaded.doc_id.replace("__", "/") + loaded.path.suffix
        if loaded.path.as_posix().endswith("/" + candidate) or loaded.path.as_posix() == candidate:
            return str(PurePosixPath(candidate))
    return name


def language(text: str) -> str:
    """"zh" when Chinese characters are at least 30% of the letters, else "en"."""
    sample = text[:20000]
    letters = sum(1 for c in sample if c.isalpha())
    return "zh" if letters and len(_CJK.findall(sample)) / letters >= 0.3 else "en"


def to_clean_doc(loaded: LoadedFile, manifest: dict[str, DocMeta]) -> CleanDoc:
    text = clean_text(loaded.text)
    text, times = strip_timestamps(text, loaded.timed)
    file = relative_file(loaded)
    entry = manifest.get(file) or manifest.get(Path(file).name)
    meta = meta_for(file, manifest, text, loaded.facts, loaded.title_in_text)
    strict = entry is not None and bool(entry.speakers)
    lang = language(text)
    turns, report = read_turns(text, meta, strict=strict, headings=loaded.headings, quotes=loaded.quotes, lang=lang)
    guessed = not (entry is not None and entry.title) and not loaded.facts.get("title")
    if guessed and turns and turns[0].kind == "speech" and text.startswith(meta.title):
        # the first line looked like a title but is a speaker's words: name the file instead
        meta.title = readable_name(file)
    meta = _with_speakers(meta, turns, text, report, strict)
    for t in turns:
        t.time = time_at(times, t.start)
    report.timed = bool(times)
    log.debug("%s: %d chars cleaned, %d turns, layout %s", file, len(text), len(turns), report.layout)
    return CleanDoc(doc_id=loaded.doc_id, file=file, text=text, turns=turns, meta=meta, times=times,
                    layout=report.to_json())


def _with_speakers(meta: DocMeta, turns: list[Turn], text: str, report, strict: bool) -> DocMeta:
    """`meta` listing every speaker the turns name, with roles: the manifest's as given, the
    others stated by a role label or inferred (ingest.layouts.infer_roles), each with its reason
    in the report."""
    spoken = [(t.speaker, text[t.start:t.end]) for t in turns if t.kind == "speech" and t.speaker]
    known = {sp.name: sp.role for sp in meta.speakers}
    stated = {s["name"]: (s["role"], s["why"]) for s in report.speakers if s.get("why") and s["why"] != "given"}
    speakers = list(meta.speakers)
    names_in_meta = {sp.name for sp in speakers}
    for name in dict.fromkeys(n for n, _ in spoken):
        if name not in names_in_meta:
            role = stated.get(name, ("unknown", ""))[0]
            speakers.append(SpeakerInfo(name=name, role=role, note="labelled in the text"))
            known[name] = role
    inferred = {} if strict else infer_roles(spoken, known)
    aliases = {} if strict else auto_aliases([sp.name for sp in speakers])
    out = []
    for sp in speakers:
        if sp.name in inferred:
            role, why = inferred[sp.name]
            sp = dataclasses.replace(sp, role=role, note=f"inferred: {why}")
            stated[sp.name] = (role, f"inferred: {why}")
        if aliases.get(sp.name):
            sp = dataclasses.replace(sp, aliases=list(dict.fromkeys([*sp.aliases, *aliases[sp.name]])))
        out.append(sp)
    meta = dataclasses.replace(meta, speakers=out)
    roles = {sp.name: sp.role for sp in out}
    for s in report.speakers:
        s["role"] = roles.get(s["name"], s["role"])
        if s["name"] in stated:
            s["why"] = stated[s["name"]][1]
        elif s.get("why") == "given" or not s.get("why"):
            note = next((sp.note for sp in out if sp.name == s["name"]), None)
            s["why"] = ("front matter" if note == "from the file's front matter" else
                        "voice tags" if note == "from the file's voice tags" else
                        "manifest" if s.get("why") == "given" else "labelled in the text; role not stated")
    return meta
