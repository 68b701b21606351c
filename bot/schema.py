"""The shapes the bot passes around: passages in, answers and citations out.

Retrieval returns `Passage`s; answering turns them into an `Answer` whose `[n]` markers map to
`Citation`s. The chat engine streams `StreamEvent`s; `ChatEngine.ask` joins the stream.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, Protocol, TypeVar

_T = TypeVar("_T")


def _known(cls: type[_T], data: dict[str, Any]) -> _T:
    """An instance from a dict (e.g. to_dict() output kept in a browser), ignoring unknown keys:
    data saved by an older or newer version of these classes still loads."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Filters:
    """Restrict retrieval. Empty lists mean no restriction."""

    docs: list[str] = field(default_factory=list)       # doc ids (file name without suffix)
    speakers: list[str] = field(default_factory=list)   # canonical speaker names

    def is_empty(self) -> bool:
        return not self.docs and not self.speakers


@dataclass
class Passage:
    node_id: str
    doc_id: str          # "001_b96526bf4526be4e"
    doc_file: str        # "001_b96526bf4526be4e.txt"
    title: str
    speaker: str | None  # None for editor text (summaries, narration) and for unmarked speech
    role: str            # host | guest | speaker | editor | unknown | unmarked (speakers not marked: raw ASR)
    kind: str            # speech | summary | narration | heading
    section: str | None
    turn: int
    start: int           # offsets into the cleaned document text
    end: int
    text: str            # cleaned original text == cleaned_doc[start:end]
    score: float = 0.0
    question: str | None = None   # the host's question this answer responds to (context, not the speaker's words)
    time: float | None = None     # seconds into the recording where the passage starts (timed transcripts)
    media_url: str | None = None  # the recording, when the manifest or front matter names it
    people: str | None = None     # for unmarked speech: who is in the recording ("A, B"), not who says it

    @property
    def unmarked(self) -> bool:
        """Speech from a transcript that does not mark who speaks: nobody's words in particular."""
        return self.speaker is None and self.kind == "speech"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return _known(cls, data)


@dataclass
class Citation:
    n: int               # the [n] marker in the answer
    doc: str             # file name
    doc_id: str
    title: str
    speaker: str | None
    role: str
    quote: str           # the exact text quoted from the passage (a substring of the cleaned document)
    start: int           # offsets of `quote` in the cleaned document
    end: int
    verified: bool = True  # False when the answer quoted words that are not in the cited passage
    passage: int | None = None  # index into Answer.passages of the passage quoted (markers are renumbered
                                # in reading order, so `n` is a display number, not a position)
    time: float | None = None       # seconds into the recording of the cited passage
    media_url: str | None = None    # the recording; with `time`, a link to the moment (bot.text.timecode)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return _known(cls, data)


@dataclass
class Answer:
    question: str
    text: str
    mode: Literal["offline", "llm"]
    refused: bool = False
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    notice: str | None = None       # shown to the user, e.g. "LLM unavailable, offline answer below"
    llm_error: str | None = None
    error: str | None = None        # for an unusable question (empty, ...)
    standalone_question: str | None = None  # the follow-up rewritten before retrieval
    reasoning: str | None = None    # the LLM's thinking, never part of `text` (shown folded, if at all)
    # what the question asks for (`bot.answer.kinds`): "narrow" (who said what: the top passages),
    # "summary" (a person's / an interview's / everything's main points), "compare" (two or more
    # people or interviews side by side), "collection" (what interviews there are)
    kind: str = "narrow"
    suggestions: list[str] = field(default_factory=list)  # follow-up questions the evidence can answer
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        answer = _known(cls, data)
        answer.citations = [Citation.from_dict(c) if isinstance(c, dict) else c for c in answer.citations]
        answer.passages = [Passage.from_dict(p) if isinstance(p, dict) else p for p in answer.passages]
        return answer


@dataclass
class StreamEvent:
    """One step of a streamed answer.

    kind == "status": a progress line (e.g. "searching…"), not part of the answer.
    kind == "delta":  the next piece of answer text.
    kind == "final":  the complete `Answer` (its `text` is the whole answer, possibly corrected,
                      e.g. with unverified quotes flagged); always the last event.
    """

    kind: Literal["status", "delta", "final"]
    text: str = ""
    answer: Answer | None = None


@dataclass
class Retrieval:
    """What retrieval found for one question.

    `weak` is retrieval's judgement that the best evidence is too weak to answer from (the engine
    then refuses and shows `passages` as "closest"). `reason` is a code saying why
    (`bot.retrieval.hybrid.REASON_*`, e.g. "speaker_absent": the named speaker never talks about
    the topic); the answer layer words it (`bot.answer.messages`). `speaker` is the person the
    question names, if any.
    """

    query: str
    passages: list[Passage]
    weak: bool = False
    reason: str | None = None
    speaker: str | None = None
    missing: str | None = None    # reason "unknown_term": the term no transcript holds
    # People named in the question who are in unmarked recordings only (name -> doc ids): the answer
    # says the passages come from a recording that does not mark its speakers, so they are not
    # necessarily that person's words (bot.answer.messages.recorded_caveat).
    recorded: dict[str, list[str]] = field(default_factory=dict)
    # A person named in the question (唐凤) who does not discuss it, answered instead by someone in
    # an interview of the other language whose Latin name carries the same surname (Audrey Tang),
    # who may be the same person: named -> that speaker; the answer says so.
    maybe_same: dict[str, str] = field(default_factory=dict)
    # every person the question names (canonical speaker names; `speaker` is the first)
    named: list[str] = field(default_factory=list)
    # the question's words (index tokens) -> their other spellings and the translations the corpus
    # holds (bot.index.keyword.KeywordIndex.forms); the offline answer matches sentences with them.
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # passage node_id -> [(start, end, cosine to the question)] of its sentences (offsets into
    # Passage.text); empty without sentence vectors. The offline answer uses it to pick sentences.
    sentence_scores: dict[str, list[tuple[int, int, float]]] = field(default_factory=dict)


class Retriever(Protocol):
    """The contract between retrieval and everything that uses it (engine, eval, UI)."""

    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval: ...
