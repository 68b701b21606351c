"""What is indexed, as the bot sees it: interviews, their speakers, and their cleaned text.

Read from the cleaned documents ingest writes (`DATA/docs`). Used to recognise a person named in a
question, to fill the UI's filters, and to show a cited passage among its neighbouring turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.index import docstore
from bot.index.documents import CleanDoc
from bot.text.normalize import cut_spans, normalize
from bot.text.people import pinyin_names, title_people

# Words that point at a role rather than a name.
# Only the host: "嘉宾"/"the guest" is too loose (a talk's speaker gets called a guest too).
ROLE_WORDS = {
    "host": ("主持人", "采访者", "the host", "interviewer"),
}
_ROLE_LABELS = {w for words in ROLE_WORDS.values() for w in words}   # already in normalize()'s form


_PERSON_AFTER_ORG = (r"\s*(?:的|'s)?\s*(?:那位|这位|那个|这个)?\s*"
                     r"(?:演讲者|讲者|演讲嘉宾|嘉宾|ceo|创始人|负责人|老板|speaker|founder|guest)")


@dataclass
class SpeakerEntry:
    name: str
    role: str
    docs: set[str] = field(default_factory=set)
    org: str | None = None
    aliases: set[str] = field(default_factory=set)


@dataclass
class Library:
    docs: dict[str, CleanDoc]
    speakers: dict[str, SpeakerEntry]
    # People the manifest lists for a recording whose transcript does not mark speakers: in the
    # recording, but the speaker of no passage. A question naming them is answered from those
    # recordings, with a caveat (bot.retrieval.hybrid).
    recorded: dict[str, SpeakerEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, docs_dir: Path) -> Library:
        docs = {}
        for doc_id in docstore.list_doc_ids(docs_dir):
            doc = docstore.load_doc(docs_dir, doc_id)
            if doc is not None:
                docs[doc_id] = doc
        speakers: dict[str, SpeakerEntry] = {}
        recorded: dict[str, SpeakerEntry] = {}
        for doc in docs.values():
            spoken = {t.speaker for t in doc.turns if t.speaker}
            unmarked = any(t.kind == "speech" and t.speaker is None for t in doc.turns)
            for s in doc.meta.speakers:
                if s.name not in spoken:
                    if unmarked:
                        e = recorded.setdefault(s.name, SpeakerEntry(s.name, s.role, org=s.org))
                        e.docs.add(doc.doc_id)
                        e.aliases.update(a for a in s.aliases if a)
                    continue
                e = speakers.setdefault(s.name, SpeakerEntry(s.name, s.role, org=s.org))
                e.docs.add(doc.doc_id)
                e.aliases.update(a for a in s.aliases if a)
            for name in spoken - {s.name for s in doc.meta.speakers}:
                speakers.setdefault(name, SpeakerEntry(name, "unknown")).docs.add(doc.doc_id)
        # every name and alias, once: checked for each title person, grown as aliases are added
        known = {normalize(n) for e in [*speakers.values(), *recorded.values()] for n in (e.name, *e.aliases)}
        for doc in docs.values():
            _link_title_people(doc, speakers, recorded, known)
        return cls(docs, speakers, recorded)

    def recorded_only(self, name: str) -> set[str]:
        """The unmarked recordings `name` is in, when no transcript marks any words as theirs."""
        e = self.recorded.get(name)
        return set(e.docs) if e is not None and name not in self.speakers else set()

    def titles(self) -> dict[str, str]:
        return {d: doc.meta.title for d, doc in sorted(self.docs.items())}

    def split_speakers(self, question: str) -> tuple[list[str], str]:
        """(canonical names of the people the question names, by name, alias or role word; the
        question without those names): once retrieval filters on the person, the name only adds
        noise to the topic match (and would match every turn of theirs)."""
        mentions = self._mentions(question)
        names = [name for name, _ in mentions]
        if not names:
            return names, question
        return names, _without(normalize(question), [span for _, span in mentions if span])

    def topic_for(self, question: str, name: str) -> str:
        """What `name`'s own turns are searched for, of a question naming several people: the
        topic of `split_speakers`, except for a person named by a role word. "主持人" beside a named
        person means the host of their interview, asked about that person ("主持人怎么介绍罗福莉":
        the host's words about 罗福莉, which hold her name), so only the role word comes out. Two
        people named by name ("A 和 B 各怎么看") are each asked about the topic, not the other."""
        q = normalize(question)
        mentions = self._mentions(question)
        own = [span for n, span in mentions if n == name and span]
        if not any(q[s:e] in _ROLE_LABELS for s, e in own):
            return _without(q, [span for _, span in mentions if span])
        return _without(q, own)

    def mentions(self, question: str) -> list[tuple[str, tuple[int, int] | None]]:
        """(canonical name, span in the normalised question) of each person the question names."""
        return self._mentions(question)

    def catalog(self) -> list[dict]:
        """The collection as plain data, for the "what's in here" answer and the UI's library view:
        per interview its title, date, source, speakers (role, organisation, how much they say),
        length and sections (with the offset where each starts)."""
        out = []
        for doc_id, doc in sorted(self.docs.items()):
            said: dict[str, list[int]] = {}
            sections: list[dict] = []
            for t in doc.turns:
                if t.speaker and t.kind == "speech":
                    n = said.setdefault(t.speaker, [0, 0])
                    n[0] += 1
                    n[1] += t.end - t.start
                if t.section and (not sections or sections[-1]["title"] != t.section):
                    sections.append({"title": t.section, "start": t.start})
            listed = {s.name: s for s in doc.meta.speakers}
            speakers = [{"name": name, "role": listed[name].role if name in listed else "unknown",
                         "org": listed[name].org if name in listed else None, "turns": n[0], "chars": n[1]}
                        for name, n in sorted(said.items(), key=lambda kv: (kv[0] not in listed,
                                                                             list(listed).index(kv[0])
                                                                             if kv[0] in listed else 0))]
            out.append({"doc_id": doc_id, "file": doc.file, "title": doc.meta.title, "date": doc.meta.date,
                        "source": doc.meta.source, "chars": len(doc.text),
                        "turns": sum(1 for t in doc.turns if t.kind == "speech"),
                        "speakers": speakers, "sections": sections})
        return out

    def _entry(self, name: str) -> SpeakerEntry:
        return self.speakers.get(name) or self.recorded[name]

    def _mentions(self, question: str) -> list[tuple[str, tuple[int, int] | None]]:
        q = normalize(question)
        found: list[tuple[int, str, tuple[int, int] | None]] = []
        for e in [*self.speakers.values(), *(e for n, e in self.recorded.items() if n not in self.speakers)]:
            # longest first: "Yiwen Li" must win over "Yiwen", so the whole name is stripped
            for label in sorted({e.name, *e.aliases}, key=len, reverse=True):
                lab = normalize(label)
                if len(lab) < 2:
                    continue
                pat = re.escape(lab)
                if lab.isascii():  # whole words for Latin names: "Li" must not match "light"
                    pat = rf"(?<![a-z]){pat}(?![a-z])"
                m = re.search(pat, q)
                if m:
                    found.append((m.start(), e.name, m.span()))
                    break
        # "出门问问那位讲者", "面壁智能的 CEO": an organisation followed by a word for a person
        # names that organisation's speaker, when exactly one speaker has it.
        by_org: dict[str, list[str]] = {}
        for e in self.speakers.values():
            if e.org:
                by_org.setdefault(normalize(e.org), []).append(e.name)
        for org, names in by_org.items():
            if len(names) != 1 or len(org) < 2:
                continue
            m = re.search(re.escape(org) + _PERSON_AFTER_ORG, q)
            if m:
                found.append((m.start(), names[0], m.span()))
        # "《大模型的下半场》演讲者": a quoted title of a one-speaker talk names its speaker.
        for m in re.finditer(r"《([^》]{2,60})》", q):
            for doc in self.docs.values():
                voices = {t.speaker for t in doc.turns if t.speaker}
                if len(voices) == 1 and m.group(1) in normalize(doc.meta.title):
                    found.append((m.start(), voices.pop(), m.span()))
        # "主持人": the hosts; beside a named person ("主持人怎么介绍罗福莉"), the hosts of their interviews
        docs = {d for _, name, _ in found for d in self._entry(name).docs}
        for role, words in ROLE_WORDS.items():
            for w in words:
                pat = rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w)
                m = re.search(pat, q)
                if m:
                    found.extend((m.start(), e.name, m.span()) for e in self.speakers.values()
                                 if e.role == role and (not docs or e.docs & docs))
                    break
        out: list[tuple[str, tuple[int, int] | None]] = []
        for _, name, span in sorted(found, key=lambda f: f[0]):
            if name not in [n for n, _ in out]:
                out.append((name, span))
        return out


def _without(q: str, spans: list[tuple[int, int]]) -> str:
    """`q` without the spans (a person's name or role word); `q` itself when nothing else is left."""
    stripped = re.sub(r"\s+", " ", cut_spans(q, spans)).strip()
    return stripped if re.search(r"\w", stripped) else q


def _link_title_people(doc: CleanDoc, speakers: dict[str, SpeakerEntry], recorded: dict[str, SpeakerEntry],
                       known: set[str]) -> None:
    """A person the title names ("…with Kate Darling", "对话周鸿祎") whom no label or alias names:
    the guest who speaks most, when the transcript labels them by another name (红衣大叔) used in
    this interview only; a person in the recording, when the transcript marks no speakers."""
    said: dict[str, int] = {}
    unmarked = False
    for t in doc.turns:
        if t.kind == "speech":
            if t.speaker:
                said[t.speaker] = said.get(t.speaker, 0) + t.end - t.start
            else:
                unmarked = True
    roles = {s.name: s.role for s in doc.meta.speakers}
    for person in title_people(doc.meta.title):
        if normalize(person) in known:
            continue
        forms = {person, *pinyin_names(person)}
        known.update(normalize(f) for f in forms)
        if not said:
            if unmarked:
                e = recorded.setdefault(person, SpeakerEntry(person, "guest"))
                e.docs.add(doc.doc_id)
                e.aliases.update(forms - {person})
            continue
        guests = [n for n in said if roles.get(n) != "host"]
        guest = max(guests, key=lambda n: said[n], default=None)
        entry = speakers.get(guest) if guest else None
        # a label several interviews use (发言人 2, 嘉宾, A) would carry the name into all of them
        if entry is None or len(entry.docs) != 1:
            continue
        entry.aliases.update(forms)
