"""Fused nodes as the answer layer's passages, and several searches' results taken in turn."""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore

from bot.schema import Passage


def to_passage(n: NodeWithScore) -> Passage:
    m = n.node.metadata
    return Passage(
        node_id=n.node.node_id, doc_id=m.get("doc_id", ""), doc_file=m.get("doc_file", ""),
        title=m.get("title", ""), speaker=m.get("speaker") or None, role=m.get("role", "unknown"),
        kind=m.get("kind", "speech"), section=m.get("section") or None, turn=int(m.get("turn", 0)),
        start=int(m.get("start", 0)), end=int(m.get("end", 0)), text=n.node.get_content(),
        score=float(n.score or 0.0), question=m.get("question") or None,
        time=float(m["time"]) if isinstance(m.get("time"), (int, float)) and m["time"] >= 0 else None,
        media_url=m.get("media_url") or None, people=m.get("people") or None,
    )


def interleave(runs: list[list[NodeWithScore]]) -> list[NodeWithScore]:
    out: list[NodeWithScore] = []
    seen: set[str] = set()
    for i in range(max((len(r) for r in runs), default=0)):
        for r in runs:
            if i < len(r) and r[i].node.node_id not in seen:
                seen.add(r[i].node.node_id)
                out.append(r[i])
    return out
