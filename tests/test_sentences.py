"""Sentence vectors: ingest keeps them in step with the passages, and retrieval finds a passage by
its best sentence, in memory or through Chroma, within filters."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from bot.index.sentences import SentenceIndex
from bot.index.store import make_chroma_client, open_collection, sentences_collection
from bot.retrieval.live import build_services
from bot.settings import PROJECT_ROOT, Settings
from ingest.chunking import sentence_units
from ingest.pipeline import run_ingest
from tests.fakes import FakeEmbedder

SEEDS = PROJECT_ROOT / "seeds"
A, B = "000_7c025ce395f4bbe9.txt", "004_4afa1a6a78a1a4ce.txt"


def _src(tmp_path: Path, names: list[str]) -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for n in names:
        shutil.copy(SEEDS / n, src / n)
    shutil.copy(SEEDS / "manifest.toml", src / "manifest.toml")
    return src


def _sentences(settings: Settings, emb) -> dict:
    col = open_collection(settings, emb, name=sentences_collection(settings.collection))
    got = col.get(include=["metadatas", "documents"])
    return {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}


def test_sentence_units_cover_the_text_and_join_short_sentences():
    text = "对。是的。这是一个比较长的句子,超过二十个字符了吧,应该是的。短句。另一个很长很长很长很长很长的句子在这里结束!尾"
    units = sentence_units(text)
    assert [text[s:e] for s, e in units] == ["对。是的。这是一个比较长的句子,超过二十个字符了吧,应该是的。",
                                             "短句。另一个很长很长很长很长很长的句子在这里结束!尾"]
    assert sentence_units("") == [] and sentence_units("短") == [(0, 1)]


def test_ingest_stores_every_sentence_once_and_follows_removals(tmp_path):
    src = _src(tmp_path, [A, B])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    first = run_ingest(settings, src, embedder=emb)
    rows = _sentences(settings, emb)
    chunks = open_collection(settings, emb).get(include=["documents"])
    expected = sum(len(sentence_units(d)) for d in chunks["documents"])
    assert first.sentences_added == len(rows) == expected > first.chunks_total
    assert len(emb.embedded) == first.chunks_added + first.sentences_added
    for sid, (text, meta) in rows.items():      # each row points at its passage, by id and span
        assert sid.startswith(meta["chunk_id"] + "#") and meta["doc_id"] and text

    again = run_ingest(settings, src, embedder=FakeEmbedder())
    assert again.sentences_added == again.sentences_deleted == 0

    (src / B).unlink()
    gone = run_ingest(settings, src, embedder=FakeEmbedder())
    left = _sentences(settings, emb)
    assert gone.sentences_deleted == len(rows) - len(left) > 0
    assert {m["doc_id"] for _, m in left.values()} == {A.removesuffix(".txt")}


def test_rebuild_drops_the_sentences_too(tmp_path):
    src = _src(tmp_path, [B])
    settings = Settings(data_dir=tmp_path / "data")
    run_ingest(settings, src, embedder=FakeEmbedder())
    n = len(_sentences(settings, FakeEmbedder()))
    again = run_ingest(settings, src, embedder=FakeEmbedder(), rebuild=True)
    assert again.sentences_added == n == len(_sentences(settings, FakeEmbedder()))


def test_memory_and_chroma_searches_agree_and_respect_filters(tmp_path, monkeypatch):
    src = _src(tmp_path, [A, B])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    services = build_services(settings, emb)
    keyword = services.retriever.keyword
    col = open_collection(settings, emb, name=sentences_collection(settings.collection))
    memory, chroma = SentenceIndex.open(col, keyword), SentenceIndex.open(col, keyword, memory_max=0)
    assert memory.vectors is not None and chroma.vectors is None
    q = emb.get_query_embedding("语音比文字便宜,因为语音慢")
    top_m, top_c = memory.search(q, 5), chroma.search(q, 5)
    assert [c for c, _ in top_m] == [c for c, _ in top_c]
    assert np.allclose([s for _, s in top_m], [s for _, s in top_c], atol=1e-4)
    assert "语音" in keyword.record(top_m[0][0])["text"]
    # the passage's score is its best sentence's, not the passage's own vector
    rec = keyword.record(top_m[0][0])
    best = max(float(np.dot(q, emb.get_text_embedding(keyword_text)))
               for keyword_text in [rec["text"][s:e] for s, e in sentence_units(rec["text"])])
    assert abs(top_m[0][1] - best) < 0.02

    doc_b = B.removesuffix(".txt")
    allowed = keyword.mask_where([doc_b], [])
    where = {"doc_id": {"$in": [doc_b]}}
    for idx in (memory, chroma):
        hits = idx.search(q, 5, allowed, where)
        assert hits and all(keyword.record(c)["doc_id"] == doc_b for c, _ in hits)
    # Chroma path, restricted four ways (a few allowed sentences' vectors fetched by id and all
    # scored; unfiltered hits kept by the mask; the allowed sentences' ids; Chroma's metadata
    # filter): each gives what the in-memory search gives
    want = [c for c, _ in memory.search(q, 5, allowed, where)]
    assert [c for c, _ in chroma.search(q, 5, allowed, where)] == want
    calls = []
    monkeypatch.setattr(chroma, "_query", lambda *a, **kw: calls.append(a) or SentenceIndex._query(chroma, *a, **kw))
    chroma.search(q, 5, allowed, where)
    assert calls == []   # few allowed: no HNSW query at all
    monkeypatch.undo()
    chroma.params = chroma.params.model_copy(update={"sentence_exact_max": 0})
    assert [c for c, _ in chroma.search(q, 5, allowed, where)] == want
    chroma.params = chroma.params.model_copy(update={"sentence_id_filter_max": 0})
    assert [c for c, _ in chroma.search(q, 5, allowed, where)] == want
    monkeypatch.setattr(chroma, "_query", lambda e, n, where=None, ids=None: SentenceIndex._query(
        chroma, e, n, where, ids) if where else [])   # nothing allowed among the nearest
    assert [c for c, _ in chroma.search(q, 5, allowed, where)] == want


def test_a_store_without_sentence_vectors_still_answers(tmp_path):
    # a store built before sentence vectors existed: retrieval goes on with passages and keywords
    src = _src(tmp_path, [A])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    make_chroma_client(settings).delete_collection(sentences_collection(settings.collection))
    services = build_services(settings, emb)
    assert services.retriever.sentences is None
    r = services.retriever.retrieve("语音为什么比文字便宜", top_k=5)
    assert r.passages and any("语音" in p.text for p in r.passages)
    # the next ingest puts them back, and a refresh picks them up
    run_ingest(settings, src, embedder=emb)
    services.refresh(force=True)
    assert services.retriever.sentences is not None


def test_a_sentence_buried_in_a_long_turn_lifts_its_passage(tmp_path):
    # The answer is one sentence at the end of a long turn about something else: the passage's
    # own vector barely moves, its best sentence matches.
    src = tmp_path / "src"
    src.mkdir()
    filler = "我们公司这几年一直在做制造业的视觉检测项目,客户大多是工厂,数据质量参差不齐。" * 4
    (src / "talk.txt").write_text(
        "王小明:请介绍一下你自己。\n\n"
        f"赵大力:{filler}顺便一提,我朋友做的 Draw Things 是第一个把扩散模型编译到手机上的应用。\n\n"
        "王小明:还有别的吗?\n\n"
        f"赵大力:{filler}我们也做过很多农业的项目,效果不错。\n", encoding="utf-8")
    (src / "manifest.toml").write_text(
        '["talk.txt"]\ntitle = "访谈"\n[["talk.txt".speakers]]\nname = "王小明"\nrole = "host"\n'
        '[["talk.txt".speakers]]\nname = "赵大力"\nrole = "guest"\n', encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    services = build_services(settings, emb)
    keyword = services.retriever.keyword
    q = emb.get_query_embedding("我朋友做的 Draw Things 是第一个把扩散模型编译到手机上的应用")
    (cid, score), = services.retriever.sentences.search(q, 1)
    text = keyword.record(cid)["text"]
    assert "Draw Things" in text and score > 0.85
    whole = float(np.dot(q, emb.get_text_embedding(text)))
    assert whole < score - 0.3, (whole, score)   # what the passage vector alone would have scored


def test_sentence_scores_cover_the_passages_and_agree_in_memory_and_chroma(tmp_path):
    src = _src(tmp_path, [B])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    services = build_services(settings, emb)
    r = services.retriever.retrieve("语音助手", top_k=5)
    assert set(r.sentence_scores) == {p.node_id for p in r.passages}
    for p in r.passages:
        spans = r.sentence_scores[p.node_id]
        assert [(s, e) for s, e, _ in spans] == sentence_units(p.text)
    col = open_collection(settings, emb, name=sentences_collection(settings.collection))
    q = emb.get_query_embedding("语音助手")
    ids = [p.node_id for p in r.passages]
    a = SentenceIndex.open(col, services.retriever.keyword).sentence_scores(q, ids)
    b = SentenceIndex.open(col, services.retriever.keyword, memory_max=0).sentence_scores(q, ids)
    assert a.keys() == b.keys()
    for cid in a:
        assert sorted((s, e) for s, e, _ in a[cid]) == sorted((s, e) for s, e, _ in b[cid])
        assert np.allclose(sorted(c for *_, c in a[cid]), sorted(c for *_, c in b[cid]), atol=1e-4)


def test_the_question_is_embedded_in_the_form_passages_were(tmp_path):
    # passages are embedded normalised (simplified, lower case): the question must be too, or
    # "GPT-4" and "訓練" would not meet "gpt-4" and "训练"
    src = _src(tmp_path, [A])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    build_services(settings, emb).retriever.retrieve("GPT-4 的訓練成本", top_k=3)
    assert emb.queries[-1] == "gpt-4 的训练成本"


def _retriever_and_filter_to_b(tmp_path):
    """A retriever over A and B (fake vectors) and a filter to B alone."""
    from bot.schema import Filters

    src = _src(tmp_path, [A, B])
    settings = Settings(data_dir=tmp_path / "data")
    emb = FakeEmbedder()
    run_ingest(settings, src, embedder=emb)
    return build_services(settings, emb).retriever, Filters(docs=[B.removesuffix(".txt")])


def test_a_search_restricted_to_most_passages_may_go_unfiltered_with_the_same_results(tmp_path):
    # past remote_id_filter_max allowed passages the passage search fetches more hits unfiltered
    # and keeps the allowed ones (cheaper than a long id list or a metadata filter)
    from bot.settings import RetrievalParams

    retriever, only_b = _retriever_and_filter_to_b(tmp_path)
    by_ids = retriever.retrieve("语音比文字便宜,因为语音慢", only_b, top_k=8)
    retriever.params = RetrievalParams(remote_id_filter_max=0)
    unfiltered = retriever.retrieve("语音比文字便宜,因为语音慢", only_b, top_k=8)
    assert [p.node_id for p in unfiltered.passages] == [p.node_id for p in by_ids.passages]
    assert by_ids.passages and all(p.doc_id == only_b.docs[0] for p in unfiltered.passages)


def test_a_search_restricted_to_a_few_passages_scores_them_exactly_with_the_same_results(tmp_path):
    # up to exact_max allowed passages their vectors are fetched by id and all scored, instead of an
    # id-restricted HNSW query (slow in Chroma when the ids are few among many)
    from bot.settings import RetrievalParams

    retriever, only_b = _retriever_and_filter_to_b(tmp_path)
    question = "语音比文字便宜,因为语音慢"
    exact = retriever.retrieve(question, only_b, top_k=8)
    retriever.params = RetrievalParams(exact_max=0)
    by_ids = retriever.retrieve(question, only_b, top_k=8)
    assert exact.passages and [p.node_id for p in exact.passages] == [p.node_id for p in by_ids.passages]
    assert all(p.doc_id == only_b.docs[0] for p in exact.passages)
    assert [round(p.score, 4) for p in exact.passages] == [round(p.score, 4) for p in by_ids.passages]


def test_a_restricted_chroma_sentence_search_widens_by_the_configured_growth():
    # a named guest whose nearest sentences are all others': the unfiltered fetch grows by
    # sentence_overfetch_growth up to sentence_overfetch_max, then finds theirs
    from bot.settings import RetrievalParams

    passages = [f"c{i}" for i in range(100)]
    sids = [f"{c}#{s}-{s + 1}" for c in passages for s in range(4)]
    allowed = np.array([i < 30 for i in range(100)])
    # nearest first: every sentence of a passage not allowed, then the allowed ones
    order = sorted(range(len(sids)), key=lambda j: (bool(allowed[j // 4]), j))

    class Keyword:
        ids = passages

        def position(self, cid):
            return int(cid[1:]) if cid[1:].isdigit() else None

    class Collection:
        def __init__(self):
            self.asked = []

        def query(self, query_embeddings, n_results, where=None, ids=None, include=()):
            self.asked.append(n_results)
            hits = order[:n_results]
            return {"ids": [[sids[j] for j in hits]], "distances": [[0.1 + 0.001 * r for r in range(len(hits))]]}

    for growth, expected in ((3, [17, 51, 153, 400]), (2, [17, 34, 68, 136, 272, 400])):
        col = Collection()
        index = SentenceIndex(col, Keyword(), None, np.repeat(np.arange(100), 4), ids=sids)
        index.params = RetrievalParams(sentence_exact_max=0, sentence_id_filter_max=0, sentence_overfetch=1,
                                       sentence_hits_per_passage=1, sentence_overfetch_max=400,
                                       sentence_overfetch_growth=growth)
        found = index.search([1.0, 0.0], 5, allowed)
        assert col.asked == expected
        assert [c for c, _ in found] == ["c0", "c1", "c2", "c3", "c4"]
