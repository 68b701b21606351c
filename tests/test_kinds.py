"""Question kinds over a made-up collection (names and titles nothing was tuned on): recognition,
digests at ingest, summaries, comparisons, the collection, follow-ups and suggestions, offline and
with the stand-in LLM server."""

from __future__ import annotations

import json

import pytest
from kinds_fixtures import TITLE_A, TITLE_B, PairRetriever, build, make_docs, make_library
from llm_server import reply

from bot.answer.engine import ChatEngine
from bot.answer.followup import rule_condense
from bot.answer.kinds import parse_llm_kind, recognise
from bot.answer.llm import LLM
from bot.answer.suggest import starters
from bot.index.digests import DigestStore, load_digest
from bot.index.documents import SpeakerInfo
from bot.schema import Filters
from ingest.digest import update_digests


@pytest.fixture
def world(tmp_path):
    settings, library, chunks, digests = build(tmp_path)
    retriever = PairRetriever(chunks, library)
    return settings, library, chunks, digests, retriever


@pytest.fixture(scope="module")
def library():
    return make_library(make_docs())


# --- recognising the kind ------------------------------------------------------------------------

@pytest.mark.parametrize("question,kind,people,docs,everything", [
    ("总结一下赵大力的主要观点", "summary", ["赵大力"], [], False),
    ("Summarize Zhao Dali's main points", "summary", ["赵大力"], [], False),
    ("赵大力的主要观点是什么?", "summary", ["赵大力"], [], False),
    ("What did Qian Duoduo say?", "summary", ["钱多多"], [], False),
    ("赵大力的访谈讲了什么?", "summary", [], ["a_quantum"], False),
    ("飞轮机器人的演讲讲了什么?", "summary", [], ["b_robots"], False),
    (f"总结一下《{TITLE_B}》", "summary", [], ["b_robots"], False),
    ("总结一下这两个访谈", "summary", [], [], True),
    ("Summarize all the interviews", "summary", [], [], True),
    ("赵大力和钱多多对成本的看法有什么不同?", "compare", ["赵大力", "钱多多"], [], False),
    ("Compare Zhao Dali and Qian Duoduo on cost", "compare", ["赵大力", "钱多多"], [], False),
    ("有哪些访谈?", "collection", [], [], False),
    ("What interviews do you have?", "collection", [], [], False),
    ("这里都收录了哪些访谈和嘉宾?", "collection", [], [], False),
    ("赵大力怎么看冷却成本?", "narrow", ["赵大力"], [], False),
    ("哪些访谈谈到了电池?", "narrow", [], [], False),
    ("量子芯片的冷却成本是多少?", "narrow", [], [], False),
])
def test_kinds_are_recognised_by_rule(library, question, kind, people, docs, everything):
    k = recognise(question, library)
    assert (k.kind, k.people, k.docs, k.everything) == (kind, people, docs, everything), k


def test_topic_is_what_is_left_in_the_questions_own_words(library):
    assert recognise("飞轮机器人的演讲里讲了电池的哪些问题?", library).topic == "电池的问题"
    assert recognise("总结一下赵大力关于人才的观点", library).topic == "人才"
    assert recognise("How do Zhao Dali and Qian Duoduo differ on the cost of batteries?", library).topic == \
        "cost of batteries"
    assert recognise("赵大力的主要观点是什么?", library).topic == ""


def test_a_summary_without_a_name_takes_the_interview_filter(library):
    k = recognise("总结一下", library, Filters(docs=["a_quantum"]))
    assert (k.kind, k.docs, k.everything) == ("summary", ["a_quantum"], False)


def test_the_llms_kind_is_checked_against_the_library(library):
    rule = recognise("总结一下", library)
    got = parse_llm_kind('```json\n{"kind": "compare", "people": ["Zhao Dali", "钱多多", "Nobody"], '
                         '"interviews": [], "topic": "成本"}\n```', library, rule)
    assert (got.kind, got.people, got.topic, got.source) == ("compare", ["赵大力", "钱多多"], "成本", "llm")
    assert parse_llm_kind('{"kind": "compare", "people": ["赵大力"]}', library, rule) is None   # one side
    assert parse_llm_kind('{"kind": "poem"}', library, rule) is None
    assert parse_llm_kind("not json", library, rule) is None
    got = parse_llm_kind(json.dumps({"kind": "summary", "interviews": [TITLE_A]}), library, rule)
    assert got.docs == ["a_quantum"]


# --- digests at ingest ---------------------------------------------------------------------------

def test_digests_quote_verbatim_and_cover_each_section(world):
    settings, library, _, digests, _ = world
    a = digests.get("a_quantum")
    assert set(a.speakers) == {"赵大力"}                    # the host's questions are no one's points
    doc = library.docs["a_quantum"]
    for p in a.interview + a.speakers["赵大力"]:
        assert doc.text[p.start:p.end] == p.quote            # verbatim, with its place
        assert doc.text[p.chunk_start:p.chunk_end].find(p.quote) >= 0
        assert not p.quote.endswith("?")
    assert {p.section for p in a.interview} == {"谈成本:冷却成本五年内会下降一半", "谈人才:量子人才要从物理系里找"}
    # the sentence making a section heading's claim is among its points
    assert any("五年内冷却成本会下降一半" in p.quote for p in a.interview)
    assert a.sentences["赵大力"] >= len(a.speakers["赵大力"]) and len(a.interview) <= settings.overview.interview_points


def test_digests_are_rebuilt_only_when_a_file_changes(world):
    settings, library, chunks, _, _ = world
    docs = make_docs()
    (settings.digests_dir / "written").mkdir()
    (settings.digests_dir / "written" / "x.json").write_text("{}")
    vectors = lambda ids: {}  # noqa: E731 - nothing may be read when nothing changed
    assert update_digests(settings, [(d, f"sha-{d.doc_id}") for d in docs], chunks, vectors) == 0
    assert (settings.digests_dir / "written" / "x.json").exists()
    before = load_digest(settings.digests_dir, "b_robots")
    assert update_digests(settings, [(docs[0], "sha-a_quantum")], [c for c in chunks if c.doc_id == "a_quantum"],
                          vectors) == 0
    assert load_digest(settings.digests_dir, "b_robots") is None and before is not None   # file gone
    assert not (settings.digests_dir / "written").exists()   # written summaries rest on old digests
    assert update_digests(settings, [(docs[0], "changed")], chunks, vectors) == 1


# --- answers of each kind, offline -----------------------------------------------------------------

def test_summary_of_a_person_quotes_their_digest_and_searches_nothing(world):
    settings, _, _, digests, retriever = world
    answer = ChatEngine(settings, retriever).ask("总结一下赵大力的主要观点")
    assert answer.kind == "summary" and not answer.refused and retriever.calls == []
    assert "赵大力" in answer.text and "谈成本" in answer.text and "谈人才" in answer.text
    quotes = {p.quote for p in digests.get("a_quantum").speakers["赵大力"]}
    # each citation is digest quotes (adjacent ones of one passage merge into one citation)
    assert all(any(q in c.quote for q in quotes) for c in answer.citations) and len(answer.citations) >= 2
    assert all(c.verified and c.speaker == "赵大力" for c in answer.citations)
    assert answer.suggestions and all("?" in s or "总结" in s for s in answer.suggestions)


def test_summary_of_everything_names_each_interview(world):
    settings, _, _, _, retriever = world
    answer = ChatEngine(settings, retriever).ask("Summarize all the interviews")
    assert not answer.refused and TITLE_A in answer.text and TITLE_B in answer.text
    assert {c.doc_id for c in answer.citations} == {"a_quantum", "b_robots"}


def test_a_summary_lists_at_most_summary_interviews_and_counts_the_rest(world):
    settings, _, _, _, retriever = world
    settings = settings.model_copy(update={"overview": settings.overview.model_copy(update={"summary_interviews": 1})})
    answer = ChatEngine(settings, retriever).ask("Summarize all the interviews")
    assert not answer.refused and (TITLE_A in answer.text) != (TITLE_B in answer.text)
    assert len({c.doc_id for c in answer.citations}) == 1
    assert "1 more interviews not listed" in answer.text


def test_suggestions_draw_on_the_first_quotes_only(world, monkeypatch):
    import bot.answer.suggest as suggest_mod

    settings, _, _, _, retriever = world
    seen: list[int] = []
    real = suggest_mod._terms
    monkeypatch.setattr(suggest_mod, "_terms", lambda texts, *a, **kw: seen.append(len(texts)) or real(texts, *a, **kw))
    settings = settings.model_copy(update={"overview": settings.overview.model_copy(update={"suggest_texts": 1})})
    answer = ChatEngine(settings, retriever).ask("总结一下赵大力的主要观点")
    assert len(answer.citations) >= 2 and seen and max(seen) == 1


def test_summary_on_a_topic_searches_within_the_interview(world):
    settings, _, _, _, retriever = world
    answer = ChatEngine(settings, retriever).ask("飞轮机器人的演讲里讲了电池的哪些问题?")
    assert answer.kind == "summary" and not answer.refused
    assert retriever.calls[0][1] == Filters(docs=["b_robots"], speakers=[])
    assert any("电池" in c.quote for c in answer.citations)
    nothing = ChatEngine(settings, retriever).ask("飞轮机器人的演讲里讲了哪些关于量子纠缠的内容?")
    assert nothing.refused and "量子纠缠" in nothing.text   # says the interview does not discuss it


def test_comparison_searches_each_side_and_says_who_did_not_discuss_it(world):
    settings, _, _, _, retriever = world
    answer = ChatEngine(settings, retriever).ask("赵大力和钱多多对冷却设备的看法有什么不同?")
    assert answer.kind == "compare" and not answer.refused
    assert [q for q, _, _ in retriever.calls] == ["赵大力 冷却设备", "钱多多 冷却设备"]
    lines = answer.text.splitlines()
    assert any(ln.startswith("- 赵大力:") and "[1]" in ln for ln in lines)
    assert any(ln.startswith("- 钱多多:") and "没有谈到" in ln for ln in lines)
    assert {c.speaker for c in answer.citations} == {"赵大力"}


def test_collection_lists_titles_speakers_dates_and_sections(world):
    settings, _, _, _, retriever = world
    answer = ChatEngine(settings, retriever).ask("有哪些访谈?")
    assert answer.kind == "collection" and not answer.refused and retriever.calls == []
    for text in (TITLE_A, TITLE_B, "赵大力(嘉宾,极冷科技)", "王小明(主持人,量子周刊)", "2025-03-01", "谈人才"):
        assert text in answer.text
    assert "总结一下赵大力的主要观点" in answer.suggestions
    en = ChatEngine(settings, retriever).ask("What interviews do you have?")
    assert "There are 2 interviews" in en.text and "Summarize Zhao Dali's main points" in en.suggestions


def test_example_questions_are_made_from_the_library(library):
    zh, en = starters(library, "zh", 4), starters(library, "en", 4)
    assert zh[0] == "有哪些访谈?" and en[0] == "What interviews are there?"
    guests = {"赵大力", "钱多多"}   # the host 王小明 is never offered
    assert any(q.startswith("总结一下") and any(g in q for g in guests) for q in zh), zh
    assert not any("王小明" in q for q in zh + en)
    assert any("Zhao Dali" in q or "Qian Duoduo" in q for q in en) and not any("赵大力" in q for q in en)
    # the two guests are in different interviews: a comparison on a word both of them use
    differ = [q for q in zh if "看法有什么不同" in q]
    assert differ and all(g in differ[0] for g in guests), zh
    assert starters(None, "zh", 4) == [] and len(starters(library, "zh", 2)) == 2


def test_numbered_labels_are_not_offered_as_people():
    # the same two interviews, as a meeting recorder labels them
    label = {"王小明": "发言人 1", "赵大力": "发言人 2", "钱多多": "发言人 2"}
    docs = make_docs()
    for d in docs:
        d.meta.speakers = [SpeakerInfo(name=label[s.name], role=s.role) for s in d.meta.speakers]
        for t in d.turns:
            t.speaker = label.get(t.speaker or "", t.speaker)
    zh = starters(make_library(docs), "zh", 4)
    assert zh and not any("看法有什么不同" in q for q in zh), zh   # one label, two strangers


# --- follow-ups ------------------------------------------------------------------------------------

NAMES = {"赵大力", "Zhao Dali", "钱多多", "Qian Duoduo", "王小明"}
FIRST = [("user", "赵大力怎么看冷却成本?"), ("assistant", "…")]


@pytest.mark.parametrize("question,want", [
    ("人才", "人才"),                                    # a new topic is not glued to the person
    ("那人才呢?", "赵大力 人才"),                         # the same person, another topic
    ("那钱多多呢?", "钱多多 冷却成本"),                   # another person, the same topic
    ("What about Qian Duoduo?", "Qian Duoduo 冷却成本"),
    ("为什么?", "赵大力 冷却成本 为什么?"),
    ("他还说了什么?", "赵大力 冷却成本 他还说了什么?"),
    ("钱多多怎么看电池?", "钱多多怎么看电池?"),          # standalone already
])
def test_rule_condense(question, want):
    assert rule_condense(question, FIRST, NAMES) == want


def test_why_brings_new_evidence_not_the_same_answer(world):
    settings, _, _, _, retriever = world
    engine = ChatEngine(settings, retriever)
    first = engine.ask("赵大力怎么看冷却成本?")
    history = [{"role": "user", "content": "赵大力怎么看冷却成本?"}, {"role": "assistant", "content": first.text}]
    why = engine.ask("为什么?", history=history)
    assert why.standalone_question == "赵大力 冷却成本 为什么?"
    assert why.citations and not {c.quote for c in why.citations} <= {c.quote for c in first.citations}
    assert retriever.calls[-1][2] == settings.top_k * settings.overview.more_depth   # a deeper search


def test_a_new_topic_after_a_follow_up_is_searched_as_typed(world):
    settings, _, _, _, retriever = world
    history = [{"role": "user", "content": "赵大力怎么看冷却成本?"}, {"role": "assistant", "content": "…"}]
    answer = ChatEngine(settings, retriever).ask("机器人", history=history)
    assert retriever.calls[-1][0] == "机器人" and answer.standalone_question is None
    assert {c.speaker for c in answer.citations} == {"钱多多"}


# --- with an LLM (the stand-in server) -------------------------------------------------------------

def llm_engine(settings, retriever, server):
    s = settings.model_copy(update={"openai_base_url": server.base_url, "openai_api_key": "k", "llm_retries": 0,
                                    "llm_timeout": 5})
    return ChatEngine(s, retriever, llm=LLM(s, base_delay=0.01))


def test_llm_summary_is_written_from_the_digest_once_and_cached(world, llm_server):
    settings, _, _, digests, retriever = world
    llm_server.script(reply('{"kind": "summary", "people": ["赵大力"], "interviews": [], "topic": ""}'),
                      reply("赵大力认为冷却成本会下降[1],人才是瓶颈[2]。"),
                      reply('{"kind": "summary", "people": ["赵大力"], "interviews": [], "topic": ""}'))
    engine = llm_engine(settings, retriever, llm_server)
    first = engine.ask("总结一下赵大力的主要观点")
    assert first.mode == "llm" and first.kind == "summary" and [c.n for c in first.citations] == [1, 2]
    kind_req, summary_req = (r["json"]["messages"] for r in llm_server.chat_requests)
    assert "赵大力" in kind_req[-1]["content"] and TITLE_A in kind_req[-1]["content"]
    assert "代表性发言" in summary_req[0]["content"]                        # the summary prompt
    digest_quotes = [p.quote for p in digests.get("a_quantum").speakers["赵大力"]]
    assert all(q in summary_req[-1]["content"] for q in digest_quotes)       # the digest's passages
    second = engine.ask("总结一下赵大力的主要观点")
    assert len(llm_server.chat_requests) == 3                                 # only the kind, no new summary
    assert second.text == first.text and second.citations == first.citations and retriever.calls == []


def test_llm_comparison_gets_each_sides_passages_and_the_absent_side(world, llm_server):
    settings, _, _, _, retriever = world
    llm_server.script(reply('{"kind": "compare", "people": ["赵大力", "钱多多"], "topic": "冷却设备"}'),
                      reply("- 赵大力:冷却设备很贵[1]。\n- 钱多多:没有谈到这一点。"))
    answer = llm_engine(settings, retriever, llm_server).ask("赵大力和钱多多对冷却设备的看法有什么不同?")
    compare_req = llm_server.chat_requests[-1]["json"]["messages"]
    assert "比较" in compare_req[0]["content"]
    assert "没有谈到这一点的一方:钱多多" in compare_req[-1]["content"] and "冷却设备" in compare_req[-1]["content"]
    assert answer.kind == "compare" and answer.mode == "llm" and [c.speaker for c in answer.citations] == ["赵大力"]


def test_llm_kind_failure_falls_back_to_the_rule(world, llm_server):
    settings, _, _, _, retriever = world
    llm_server.script(reply("I think it is a summary."), reply("赵大力认为冷却成本会下降[1]。"))
    answer = llm_engine(settings, retriever, llm_server).ask("总结一下赵大力的主要观点")
    assert answer.kind == "summary" and answer.citations


def test_digest_store_rereads_a_changed_file(tmp_path):
    store = DigestStore(tmp_path)
    assert store.get("x") is None
    (tmp_path / "x.json").write_text(json.dumps({"doc_id": "x", "fingerprint": "1"}))
    assert store.get("x").fingerprint == "1"
    (tmp_path / "x.json").write_text(json.dumps({"doc_id": "x", "fingerprint": "22"}))
    assert store.get("x").fingerprint == "22"


# --- the page: the searched question, its undo, suggestions, the chat's clear icon ----------------

def test_searched_question_undo_and_suggestions_under_an_answer():
    from bot.schema import Answer
    from bot.ui.render import UNDO, answer_options, assistant_message

    a = Answer(question="为什么?", text="李广密认为…", mode="offline", standalone_question="李广密 <b>开源</b> 为什么?",
               suggestions=["总结一下李广密的主要观点"])
    html = assistant_message(a.text, "zh", a)
    assert "搜索：李广密 &lt;b&gt;开源&lt;/b&gt; 为什么?" in html and "<b>" not in html
    assert answer_options(a, "zh") == [{"label": "↶ 按原话搜索：为什么?", "value": UNDO + "为什么?"},
                                       {"label": "总结一下李广密的主要观点", "value": "总结一下李广密的主要观点"}]
    plain = Answer(question="q", text="t", mode="offline")
    assert answer_options(plain, "en") == [] and "Searched" not in assistant_message("t", "en", plain)


def test_the_chats_clear_icon_and_option_buttons_are_wired():
    from app_fixtures import FakeEngine, FakeRuntime
    from app_fixtures import make_library as ui_library

    from bot.settings import Settings
    from bot.ui.blocks import build_ui

    demo = build_ui(FakeRuntime(FakeEngine(), ui_library()), Settings(_env_file=None), "offline")
    chat_id = next(c["id"] for c in demo.config["components"] if c.get("props", {}).get("elem_id") == "chat")
    events = {tuple(t) for d in demo.config["dependencies"] for t in d["targets"]}
    assert (chat_id, "clear") in events and (chat_id, "option_select") in events


def test_the_engine_loads_the_suggestions_tagger_in_the_background_once(world):
    import sys

    import bot.answer.suggest as suggest_mod

    settings, _, _, _, retriever = world
    ChatEngine(settings, retriever)
    first = suggest_mod._warming
    ChatEngine(settings, retriever)
    assert first is not None and suggest_mod._warming is first and first.daemon
    first.join(30)
    assert not first.is_alive() and "jieba.posseg" in sys.modules
