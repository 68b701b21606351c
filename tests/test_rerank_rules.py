"""The two retrieval rules that are not plain fusion: a host's question hands its score to the
reply that follows it, and the spellings of one name (谷歌 / Google) count as one word."""

from __future__ import annotations

import numpy as np
from llama_index.core.schema import NodeWithScore, TextNode

from bot.index.keyword import KeywordIndex
from bot.retrieval.relevance import coverage
from bot.retrieval.rerank import HostQuestionDemotion, ReplyLift
from bot.text.aliases import expand, forms
from bot.text.tokenize import stem, tokenize

RECORDS = [
    # (id, doc, turn, part, speaker, role, text)
    ("q", "d1", 4, 0, "主持人", "host", "一个应用要多大的日活才能挑战手机生态?"),
    ("a0", "d1", 5, 0, "嘉宾", "guest", "这主要看规模。现在 1000 万 DAU 的 APP 显然不够格。"),
    ("a1", "d1", 5, 1, "嘉宾", "guest", "到 10 亿 DAU 量级会有本质的变化。"),
    ("x", "d1", 2, 0, "嘉宾", "guest", "谷歌给了这家公司很多钱。"),
    ("y", "d2", 5, 0, "别人", "guest", "Google 和 AWS 又给了 Anthropic 60 亿美金。"),
    ("z", "d2", 6, 0, "别人", "guest", "今天天气很好。"),
]


def _index() -> KeywordIndex:
    recs = [{"text": t, "doc_id": d, "turn": turn, "part": part, "speaker": s, "role": role}
            for _, d, turn, part, s, role, t in RECORDS]
    return KeywordIndex.build([r[0] for r in RECORDS], [r[-1] for r in RECORDS], ["主持人", "嘉宾"], "fp", recs)


def _lift_replies(found, kw, allowed, speakers):
    return ReplyLift(keyword=kw, allowed=allowed, speakers=speakers, lift=0.9).postprocess_nodes(found)


def _demote_host_questions(found, speakers):
    return HostQuestionDemotion(speakers=speakers, factor=0.8).postprocess_nodes(found)


def _node(kw: KeywordIndex, cid: str, score: float) -> NodeWithScore:
    rec = kw.record(cid)
    meta = {k: v for k, v in rec.items() if k != "text"}
    return NodeWithScore(node=TextNode(id_=cid, text=rec["text"], metadata=meta), score=score)


def test_reply_to_is_the_first_chunk_of_the_next_turn():
    kw = _index()
    assert kw.reply_to("q") == "a0"
    assert kw.reply_to("a1") is None            # the last turn of d1
    assert kw.reply_to("y") == "z"               # documents don't run into each other
    assert kw.reply_to("nope") is None


def test_a_matching_host_question_lifts_its_answer_above_itself():
    kw = _index()
    found = [_node(kw, "q", 1.0), _node(kw, "x", 0.5)]
    out = _demote_host_questions(_lift_replies(found, kw, None, []), [])
    ids = [n.node.node_id for n in out]
    assert ids[0] == "a0", ids                   # the reply was not among the hits at all
    assert abs(out[0].score - 0.9) < 1e-9
    assert ids.index("q") > ids.index("a0") and ids.index("x") > ids.index("q")


def test_the_lift_respects_filters_and_questions_about_the_host():
    kw = _index()
    only_d2 = np.array([r[1] == "d2" for r in RECORDS])
    out = _lift_replies([_node(kw, "q", 1.0)], kw, only_d2, [])
    assert [n.node.node_id for n in out] == ["q"]
    # the user asks what the host said: the host's own turn is the answer, nothing to lift
    out = _lift_replies([_node(kw, "q", 1.0)], kw, None, ["主持人"])
    assert [n.node.node_id for n in out] == ["q"]
    # an already-found reply keeps the better of its own score and the lifted one
    out = _lift_replies([_node(kw, "q", 1.0), _node(kw, "a0", 0.95)], kw, None, [])
    assert next(n.score for n in out if n.node.node_id == "a0") == 0.95


def test_names_keep_their_chinese_form_whole_and_match_their_latin_one():
    assert {"谷歌", "英伟达"} <= set(tokenize("谷歌和英伟达怎么样"))
    # Latin spellings in index form: stemmed, as the keyword index holds them
    assert forms("谷歌") == ("谷歌", "googl") and forms("模型") == ("模型",)
    assert expand(["亚马逊", "钱"]) == ["亚马逊", "钱", "amazon", stem("aws")]
    kw = _index()
    hits = kw.search("", 3, tokens=tokenize("Anthropic 从亚马逊那拿了多少钱"))   # searched in every spelling
    assert hits[0][0] == "y"
    # without the other spelling the passage that says AWS shares only "Anthropic" with the question
    assert kw.search("", 3, groups=[(t,) for t in tokenize("亚马逊那拿了多少钱")]) == []


def test_coverage_counts_either_spelling_of_a_name():
    kw = _index()
    assert coverage(["谷歌"], ["Google 和 AWS 又给了钱"], kw.idf) == 1.0
    assert coverage(["google"], ["谷歌给了这家公司很多钱"], kw.idf) == 1.0
    assert coverage(["微软"], ["谷歌给了这家公司很多钱"], kw.idf) == 0.0


def test_a_reply_too_short_to_hold_an_answer_is_not_lifted():
    recs = [("q", "d", 1, 0, "主持人", "host", "你们用什么工具把录音转成文字?"), ("a", "d", 2, 0, "嘉宾", "guest", "對。"),
            ("b", "d", 3, 0, "嘉宾", "guest", "就是用 Whisper,OpenAI 那一支。")]
    kw = KeywordIndex.build([r[0] for r in recs], [r[-1] for r in recs], ["主持人", "嘉宾"], "fp",
                            [{"text": t, "doc_id": d, "turn": turn, "part": part, "speaker": s, "role": role}
                             for _, d, turn, part, s, role, t in recs])
    out = _lift_replies([_node(kw, "q", 1.0), _node(kw, "b", 0.5)], kw, None, [])
    assert [n.node.node_id for n in out] == ["q", "b"]


def test_a_fragment_ranks_below_passages_that_can_hold_an_answer():
    from bot.retrieval.rerank import FragmentDemotion

    kw = _index()
    frag = NodeWithScore(node=TextNode(id_="f", text="對。", metadata={}), score=0.7)
    out = FragmentDemotion(max_chars=10, factor=0.5).postprocess_nodes([frag, _node(kw, "a0", 0.5)])
    assert [n.node.node_id for n in out] == ["a0", "f"]


def test_passages_of_interviews_that_never_name_the_subject_rank_below():
    from bot.retrieval.relevance import question_names
    from bot.retrieval.rerank import NameAnchor

    kw = _index()
    names = question_names("Anthropic 拿了多少钱?")
    assert kw.docs_holding(names[0]) == {"d2"}
    found = [_node(kw, "x", 0.9), _node(kw, "z", 0.5), _node(kw, "y", 0.6)]
    out = NameAnchor(keyword=kw, names=names, factor=0.5).postprocess_nodes(found)
    assert [n.node.node_id for n in out] == ["y", "z", "x"]   # d1 never names Anthropic
    # a name no interview holds says nothing about which one is meant
    kept = [_node(kw, "x", 0.9), _node(kw, "y", 0.6)]
    out = NameAnchor(keyword=kw, names=question_names("Moshi 有多少参数?"), factor=0.5).postprocess_nodes(kept)
    assert [n.node.node_id for n in out] == ["x", "y"]
