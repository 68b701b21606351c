"""Shared test fixtures: every test runs against its own empty state and no real services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The project is not installed into the venv: make `import bot` / `import ingest` (and
# `from tests.x import ...`) work under plain `pytest`, and let tests `import llm_server`.
for _p in (Path(__file__).resolve().parent.parent, Path(__file__).resolve().parent):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from llm_server import FakeLLMServer  # noqa: E402

# Fixtures that ingest the seeds with the real model or start the real app: a test using one is
# "slow", so `pytest -m "not slow and not browser and not load"` is the fast loop (README).
_SLOW_FIXTURES = {"seeded", "app", "locked_app"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point all state at tmp_path and forget any real LLM or Chroma server from the environment."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    # A developer's .env must not put a real key or server back into the tests.
    from bot.settings import Settings

    monkeypatch.setitem(Settings.model_config, "env_file", None)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """One real ingest of the seeds (local e5 model) shared by every test that needs it:
    (settings, services, ingest report). Read-only: copy `settings.data_dir` to change anything."""
    from bot.retrieval.live import build_services
    from bot.settings import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded") / "data", openai_api_key=None,
                        openai_base_url=None, chroma_host=None)
    report = run_ingest(settings)
    return settings, build_services(settings), report


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    """A running stand-in OpenAI-compatible server; script behaviours with .script(...)."""
    with FakeLLMServer() as server:
        yield server


# --- realistic passages, cut from the seed transcripts ------------------------------------------
# Each fixture document stands in for a cleaned document: passages carry offsets into it, and
# `doc[p.start:p.end] == p.text` holds, as it does for passages from the real pipeline.

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TITLE_001 = "拾象科技李广密:硅谷大模型的融资由巨头主导、复现GPT-4是大模型竞赛的关键门槛"
TITLE_002 = "林凡對話面壁智能李大海:OpenAI o1內化Agent能力,中美差距有1到2年"
TITLE_000 = "MiniMax 闫俊杰专访"


def clean_002(text: str) -> str:
    """Drop the converter's pinyin glosses ("內(nèi)" -> "內"), as ingestion does."""
    import re

    return re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)", "", text)


def make_passage(doc: str, doc_id: str, title: str, snippet: str, speaker: str | None, role: str,
                 kind: str = "speech", turn: int = 0, score: float = 0.5, question: str | None = None):
    from bot.schema import Passage

    start = doc.index(snippet)
    return Passage(node_id=f"{doc_id}:{start}", doc_id=doc_id, doc_file=f"{doc_id}.txt", title=title,
                   speaker=speaker, role=role, kind=kind, section=None, turn=turn, start=start,
                   end=start + len(snippet), text=snippet, score=score, question=question)


@pytest.fixture(scope="session")
def docs() -> dict[str, str]:
    return {
        "001": (SEEDS / "001_b96526bf4526be4e.txt").read_text(encoding="utf-8"),
        "002": clean_002((SEEDS / "002_dc7046a9a6216149.txt").read_text(encoding="utf-8")),
        "000": (SEEDS / "000_7c025ce395f4bbe9.txt").read_text(encoding="utf-8"),
    }


@pytest.fixture
def passages(docs: dict[str, str]) -> list:
    """Ranked passages for "GPT-4 的训练成本是多少?": 李广密 (guest), 张小珺 (host), 002's editors, 闫俊杰."""
    d1, d2, d0 = docs["001"], docs["002"], docs["000"]
    host_q = "现在 GPT-4 的训练成本是多少?下一代模型的训练成本会是多少?"
    return [
        make_passage(d1, "001_b96526bf4526be4e", TITLE_001,
                     "之前有一些关于 GPT-4 的成本分析,认为 GPT-4 用了 2.2 万张 A100、训练了 100 天,花了接近 8000 万美金,"
                     "这个属于大规模训练的成本,就是我们说的「发射」,但模型最大的成本在前期实验,这个环节也要用到很多张卡,"
                     "因为要做成百上千个实验探索数据配比、架构等等,足够的实验量和实错率,而且大模型的训练失败率是很高的,"
                     "如果训练失败了,还得再从头再来。",
                     "李广密", "guest", turn=31, score=0.9, question=host_q),
        make_passage(d1, "001_b96526bf4526be4e", TITLE_001,
                     "这里可以做一个简单科普,训练成本其实是分两个部分,一部分是实验成本,一部分是最终大规模训练的成本。",
                     "李广密", "guest", turn=31, score=0.8, question=host_q),
        make_passage(d1, "001_b96526bf4526be4e", TITLE_001,
                     "现在 GPT-4 的训练成本是多少?下一代模型的训练成本会是多少?你提到 GPU 成本会大幅下降,为什么训练成本会大幅提高?",
                     "张小珺", "host", turn=30, score=0.7),
        make_passage(d2, "002_dc7046a9a6216149", TITLE_002,
                     "6.云端模型,中美差距還在1到2年,主要體現在如今國內的所有云端大模型,還沒有誰顯著的達到或者超過GPT-4。",
                     None, "editor", kind="summary", score=0.4),
        make_passage(d0, "000_7c025ce395f4bbe9", TITLE_000,
                     "我觉得你这个概述还是挺好的,之前没想到这样,确实更像是一个必答题。",
                     "闫俊杰", "guest", turn=12, score=0.3),
    ]
