"""A transcript that does not mark speakers is one turn cut every few hundred characters: the
passage after a matching one inherits a share of its score (`ContinuationLift`)."""

from __future__ import annotations

import numpy as np
from llama_index.core.schema import NodeWithScore, TextNode

from bot.index.keyword import KeywordIndex
from bot.retrieval.rerank import ContinuationLift

RECORDS = [
    # (id, doc, turn, part, speaker, role, text)
    ("u0", "asr", 2, 0, None, "unmarked", "So Guido and I wanted to arrange a workshop for people interested in Python."),
    ("u1", "asr", 2, 1, None, "unmarked", "November 1994, Gaithersburg, Maryland. We had 20 people."),
    ("u2", "asr", 2, 2, None, "unmarked", "Ok."),
    ("u3", "asr", 2, 3, None, "unmarked", "Later the conferences grew much larger than that."),
    ("h", "talk", 1, 0, "Host", "host", "Where was the first workshop held?"),
    ("g0", "talk", 2, 0, "Guest", "guest", "We arranged the first workshop ourselves."),
    ("g1", "talk", 2, 1, "Guest", "guest", "It was in a government building near Washington."),
    ("g2", "talk", 3, 0, "Host", "host", "And then?"),
]


def _index() -> KeywordIndex:
    recs = [{"text": t, "doc_id": d, "turn": turn, "part": part, "speaker": s, "role": role}
            for _, d, turn, part, s, role, t in RECORDS]
    return KeywordIndex.build([r[0] for r in RECORDS], [r[-1] for r in RECORDS], ["Host", "Guest"], "fp", recs)


def _node(kw: KeywordIndex, cid: str, score: float) -> NodeWithScore:
    rec = kw.record(cid)
    meta = {k: v for k, v in rec.items() if k != "text"}
    return NodeWithScore(node=TextNode(id_=cid, text=rec["text"], metadata=meta), score=score)


def _lift(found, kw, allowed=None):
    return ContinuationLift(keyword=kw, allowed=allowed, lift=0.9, min_chars=10).postprocess_nodes(found)


def test_next_part_stays_within_the_turn_and_the_document():
    kw = _index()
    assert kw.next_part("u0") == "u1" and kw.next_part("u2") == "u3"
    assert kw.next_part("u3") is None           # the document's last chunk
    assert kw.next_part("g0") == "g1"
    assert kw.next_part("g1") is None           # the next chunk is another turn (the host's)
    assert kw.next_part("h") is None and kw.next_part("nope") is None


def test_the_passage_after_a_match_in_an_unmarked_transcript_inherits_its_score():
    kw = _index()
    out = _lift([_node(kw, "u0", 1.0), _node(kw, "g0", 0.8)], kw)
    assert [n.node.node_id for n in out] == ["u0", "u1", "g0"]   # u1 was not found at all
    assert abs(out[1].score - 0.9) < 1e-9
    # one step only, and a passage already found keeps the better of its own and the lifted score
    out = _lift([_node(kw, "u0", 1.0), _node(kw, "u1", 0.95)], kw)
    assert [(n.node.node_id, n.score) for n in out] == [("u0", 1.0), ("u1", 0.95)]


def test_marked_turns_fragments_and_filters_are_left_alone():
    kw = _index()
    # where speakers are marked, a turn's context is the host's question (ReplyLift), not this rule
    assert [n.node.node_id for n in _lift([_node(kw, "g0", 1.0)], kw)] == ["g0"]
    # a fragment ("Ok.") cannot hold an answer
    assert [n.node.node_id for n in _lift([_node(kw, "u1", 1.0)], kw)] == ["u1"]
    # the next chunk is outside the filter
    only_first = np.array([r[0] == "u0" for r in RECORDS])
    assert [n.node.node_id for n in _lift([_node(kw, "u0", 1.0)], kw, only_first)] == ["u0"]
