"""The document store reads stores written before its models were pydantic ones.

tests/fixtures/docstore_v1 was written by the dataclass-era `bot.index.docstore` (commit 432b761):
`sub__001_x.json` with every field of that time, `002_y.json` shaped like a store from before
times, layouts, links, media URLs and turn times were recorded (the old reader filled those in).
"""

from __future__ import annotations

from pathlib import Path

from bot.index import docstore
from bot.index.documents import CleanDoc, DocMeta, SpeakerInfo, Turn

OLD = Path(__file__).resolve().parent / "fixtures" / "docstore_v1"
TEXT = "张小珺:成本会降吗?\n\n李广密:会的，一年降十倍。"


def _expected() -> CleanDoc:
    return CleanDoc(
        doc_id="sub__001_x", file="sub/001_x.txt", text=TEXT,
        turns=[Turn(index=0, kind="speech", speaker="张小珺", start=4, end=10, section="01 成本", time=0.0),
               Turn(index=1, kind="speech", speaker="李广密", start=16, end=len(TEXT), section="01 成本", time=62.5)],
        meta=DocMeta(title="成本", date="2024-09-25", media_url="https://example.org/a.mp3", links=["https://example.org/a"],
                     speakers=[SpeakerInfo(name="张小珺", role="host"),
                               SpeakerInfo(name="李广密", role="guest", org="拾象科技", aliases=["Li Guangmi"], note="CEO")]),
        times=[(0, 0.0), (12, 62.5)],
        layout={"layout": "prefix", "why": "2 paragraphs start with a speaker label", "labels": {"张小珺": "张小珺"}})


def test_an_old_store_opens_unchanged_and_is_not_rewritten(tmp_path: Path) -> None:
    loaded = docstore.load_doc(OLD, "sub__001_x")
    assert loaded == _expected()
    assert loaded.times == [(0, 0.0), (12, 62.5)] and isinstance(loaded.turns[0].time, float)
    # the hash the old code stored is the hash of what it reads back: the next ingest keeps the file
    assert docstore.doc_hash(OLD, "sub__001_x") == docstore.content_hash(loaded)
    # and writing it again gives the same bytes: the format did not change
    docstore.save_doc(tmp_path, loaded, docstore.content_hash(loaded))
    assert (tmp_path / "sub__001_x.json").read_bytes() == (OLD / "sub__001_x.json").read_bytes()


def test_a_store_from_before_times_and_layouts_gets_their_defaults() -> None:
    doc = docstore.load_doc(OLD, "002_y")
    assert doc == CleanDoc(doc_id="002_y", file="002_y.txt", text="演讲者:大家好。",
                           turns=[Turn(index=0, kind="speech", speaker="演讲者", start=4, end=8)],
                           meta=DocMeta(title="演讲", speakers=[SpeakerInfo(name="演讲者", role="speaker")]))
    assert doc.times == [] and doc.layout == {} and doc.meta.links == [] and doc.turns[0].time is None


def test_missing_or_broken_files_read_as_absent(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"doc_id": "broken"', encoding="utf-8")
    assert docstore.load_doc(tmp_path, "broken") is None and docstore.doc_hash(tmp_path, "broken") is None
    assert docstore.load_doc(tmp_path, "absent") is None and docstore.doc_hash(tmp_path, "absent") is None
    assert docstore.list_doc_ids(tmp_path) == ["broken"]
    docstore.remove_doc(tmp_path, "broken")
    assert docstore.list_doc_ids(tmp_path) == []
