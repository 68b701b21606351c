"""What a chunk becomes in the store: the text the embedder reads, the flat metadata Chroma
keeps, the LlamaIndex node, its sentences' rows (the sentence collection) and the text the keyword
index reads. One definition of each, for the pipeline, the digests and the benchmarks.
"""

from __future__ import annotations

from typing import Any

from bot.index.documents import CleanDoc
from bot.text.normalize import normalize
from ingest.chunking import UNMARKED, Chunk, sentence_units


def embed_text(chunk: Chunk) -> str:
    """What the embedder reads: the normalised words alone. Not the speaker's name: retrieval
    filters on the speaker a question names, and a name in every vector would make "what did X
    say about Y" match all of X's turns about anything."""
    return normalize(chunk.text)


def chunk_metadata(chunk: Chunk, doc: CleanDoc) -> dict[str, Any]:
    # Flat scalars only (Chroma's rule); "" stands for "none" so filters can match on it, and -1
    # for "no time". `people`: who is in a recording that does not mark its speakers.
    unmarked = chunk.role == UNMARKED
    return {
        "doc_id": doc.doc_id, "doc_file": doc.file, "title": doc.meta.title, "date": doc.meta.date,
        "speaker": chunk.speaker or "", "role": chunk.role, "kind": chunk.kind,
        "section": chunk.section or "", "turn": chunk.turn, "part": chunk.part,
        "start": chunk.start, "end": chunk.end, "question": chunk.question or "",
        "time": round(chunk.time, 3) if chunk.time is not None else -1.0,
        "media_url": doc.meta.media_url or "",
        "people": ", ".join(sp.name for sp in doc.meta.speakers) if unmarked else "",
    }


def to_node(chunk: Chunk, meta: dict[str, Any], embedding: list[float] | None = None):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    node = TextNode(id_=chunk.id, text=chunk.text, metadata=meta, embedding=embedding,
                    start_char_idx=chunk.start, end_char_idx=chunk.end)
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=chunk.doc_id)
    return node


def sentence_rows(chunk: Chunk) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, text to embed, metadata) of each sentence of a chunk. The id holds the chunk's id
    (a content hash) and the span, so it changes exactly when the sentence does."""
    return [(f"{chunk.id}#{s}-{e}", normalize(chunk.text[s:e]),
             {"chunk_id": chunk.id, "doc_id": chunk.doc_id, "speaker": chunk.speaker or "", "role": chunk.role})
            for s, e in sentence_units(chunk.text)]


def node_fields(pair: tuple[Chunk, CleanDoc]) -> tuple[Chunk, dict[str, Any]]:
    return pair[0], chunk_metadata(*pair)


def keyword_text(chunk: Chunk) -> str:
    # The speaker's name is searchable ("李广密 GPT-4"), and so is the question a guest answers:
    # "how did X respond to Sam's claim" names the question's words, not the answer's. This only
    # finds the chunk; quotes and credit come from the chunk's own text.
    return f"{chunk.speaker or ''} {chunk.text} {chunk.question or ''}"
