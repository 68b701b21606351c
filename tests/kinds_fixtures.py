"""A small made-up collection for the question-kind tests: two interviews with names and titles
nothing was tuned on, their chunks, digests built from fake vectors, and a hand-written retriever
that finds passages by shared character pairs (so no model is needed)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.index.digests import DigestStore
from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn
from bot.index.library import Library, SpeakerEntry
from bot.schema import Filters, Passage, Retrieval
from bot.settings import Settings
from ingest.chunking import chunk_document, sentence_units
from ingest.digest import update_digests
from ingest.pipeline import sentence_rows

TITLE_A = "王小明对话赵大力:量子芯片的冷却成本与人才"
TITLE_B = "钱多多的演讲:机器人、电池与续航"

# (speaker or None for a heading, text); a heading starts a section
TURNS_A = [
    (None, "谈成本:冷却成本五年内会下降一半"),
    ("王小明", "量子芯片最大的难点是什么?"),
    ("赵大力", "最大的难点是稀释制冷机的冷却成本,一台设备就要几百万美元,而且维护很贵。"
               "我认为五年内冷却成本会下降一半,因为国产制冷机已经能量产了。"
               "另外芯片本身的良率也在提高,良率每提高一成,单比特成本就下降不少。"),
    ("王小明", "那么资金从哪里来?"),
    ("赵大力", "我们的资金主要来自产业资本,财务投资人很少愿意等十年。"
               "所以我们和制冷机厂商一起分摊研发投入,这样冷却设备的采购价格也能谈下来。"),
    (None, "谈人才:量子人才要从物理系里找"),
    ("王小明", "人才是不是更难找?"),
    ("赵大力", "量子人才非常稀缺,全国能做低温测控的工程师可能不到五百人。"
               "我们的办法是从物理系直接招博士生,自己培养两三年再上岗。"
               "人才的培养周期比设备的采购周期还长,这是真正的瓶颈。"),
]
TURNS_B = [
    (None, "一、机器人的电池是最大的短板"),
    ("钱多多", "大家好,今天我讲机器人、电池与续航。现在的人形机器人只能连续工作两个小时,电池是最大的短板。"
               "固态电池量产以后,机器人的续航可以翻一倍,成本也会跟着下降。"),
    (None, "二、机器人先进工厂再进家庭"),
    ("钱多多", "机器人一定是先进工厂,再进家庭,因为工厂的环境是结构化的。"
               "家庭环境太复杂,机器人要学会叠衣服可能还要十年。我的演讲到此结束,谢谢大家。"),
]


def make_doc(doc_id: str, title: str, turns: list[tuple[str | None, str]], speakers: list[SpeakerInfo]) -> CleanDoc:
    text, out, section = "", [], None
    for i, (who, words) in enumerate(turns):
        start = len(text)
        text += words + "\n"
        if who is None:
            section = words
            out.append(Turn(i, "heading", None, start, start + len(words), section))
        else:
            out.append(Turn(i, "speech", who, start, start + len(words), section))
    return CleanDoc(doc_id, f"{doc_id}.txt", text, out, DocMeta(title=title, date="2025-03-01", speakers=speakers))


def make_docs() -> list[CleanDoc]:
    a = make_doc("a_quantum", TITLE_A, TURNS_A, [SpeakerInfo("王小明", "host", "量子周刊"),
                                                  SpeakerInfo("赵大力", "guest", "极冷科技", ["Zhao Dali"])])
    b = make_doc("b_robots", TITLE_B, TURNS_B, [SpeakerInfo("钱多多", "speaker", "飞轮机器人", ["Qian Duoduo"])])
    return [a, b]


def make_library(docs: list[CleanDoc]) -> Library:
    speakers: dict[str, SpeakerEntry] = {}
    for d in docs:
        for s in d.meta.speakers:
            e = speakers.setdefault(s.name, SpeakerEntry(s.name, s.role, org=s.org))
            e.docs.add(d.doc_id)
            e.aliases.update(s.aliases)
    return Library({d.doc_id: d for d in docs}, speakers)


def fake_vector(text: str):
    from fakes import FakeEmbedder

    return FakeEmbedder(dim=64).vector(text)


def build(tmp_path: Path) -> tuple[Settings, Library, list, DigestStore]:
    """Settings over tmp_path, the library, every chunk, and the digests built from fake vectors."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", top_k=4)
    docs = make_docs()
    chunks = [c for d in docs for c in chunk_document(d, 80, 160)]
    vectors = {sid: fake_vector(text) for c in chunks for sid, text, _ in sentence_rows(c)}
    update_digests(settings, [(d, f"sha-{d.doc_id}") for d in docs], chunks,
                   lambda ids: {i: vectors[i] for i in ids if i in vectors})
    return settings, make_library(docs), chunks, DigestStore(settings.digests_dir)


def _pairs(text: str) -> set[str]:
    t = re.sub(r"\W", "", text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


class PairRetriever:
    """Implements bot.schema.Retriever over the chunks: passages ranked by shared character pairs
    with the question (names cut out, as retrieval does), restricted to a named person or to the
    filters; weak when the best passage shares fewer than two pairs. Records every call."""

    def __init__(self, chunks: list, library: Library) -> None:
        self.chunks, self.library = chunks, library
        self.calls: list[tuple[str, Filters | None, int]] = []

    def retrieve(self, query: str, filters: Filters | None = None, top_k: int = 10) -> Retrieval:
        self.calls.append((query, filters, top_k))
        named, topic = self.library.split_speakers(query)
        speakers = named or (filters.speakers if filters else [])
        docs = filters.docs if filters else []
        q = _pairs(topic)
        scored = []
        for c in self.chunks:
            if c.kind != "speech" or (speakers and c.speaker not in speakers) or (docs and c.doc_id not in docs):
                continue
            scored.append((len(q & _pairs(c.text)), c))
        scored.sort(key=lambda sc: -sc[0])
        doc = {d.doc_id: d for d in self.library.docs.values()}
        passages = [Passage(node_id=c.id, doc_id=c.doc_id, doc_file=f"{c.doc_id}.txt", title=doc[c.doc_id].meta.title,
                            speaker=c.speaker, role=c.role, kind=c.kind, section=c.section, turn=c.turn,
                            start=c.start, end=c.end, text=c.text, score=float(s)) for s, c in scored[:top_k]]
        weak = not scored or scored[0][0] < 2
        return Retrieval(query=query, passages=passages, weak=weak, speaker=named[0] if named else None)


def units(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_units(text)]
