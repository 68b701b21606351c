"""load_manifest() / meta_for(): valid, missing, broken, unknown roles; and the seeds' manifest facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.index.documents import DocMeta
from ingest.manifest import ManifestError, guess_title, load_manifest, meta_for

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

VALID = '''
["001_x.txt"]
title = "标题"
date = "2023"
source = "某公众号"
notes = "备注"
[["001_x.txt".speakers]]
name = "李广密"
role = "guest"
org = "拾象科技"
aliases = ["Li Guangmi", "Guangmi Li"]
note = "CEO"
[["001_x.txt".speakers]]
name = "张小珺"
role = "host"

["sub/004_y.txt"]
default_speaker = "演讲者(未具名)"
'''


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "manifest.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_valid_manifest(tmp_path: Path) -> None:
    m = load_manifest(_write(tmp_path, VALID))
    meta = m["001_x.txt"]
    assert (meta.title, meta.date, meta.source, meta.notes) == ("标题", "2023", "某公众号", "备注")
    assert [(s.name, s.role, s.org) for s in meta.speakers] == [("李广密", "guest", "拾象科技"), ("张小珺", "host", None)]
    assert meta.speakers[0].aliases == ["Li Guangmi", "Guangmi Li"] and meta.speakers[0].note == "CEO"
    other = m["sub/004_y.txt"]
    assert other.default_speaker == "演讲者(未具名)" and other.date == "not stated" and other.speakers == []


def test_missing_manifest_is_empty(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize("text, problem", [
    ('["a.txt"\ntitle = "x"', "not valid TOML"),
    ('["a.txt"]\ntitle = 3', "'title' must be a string"),
    ('["a.txt"]\ntitel = "x"', "unknown field(s) ['titel']"),
    ('title = "x"', "expected a table"),
    ('["a.txt"]\nspeakers = "张三"', "array of tables"),
    ('[["a.txt".speakers]]\nrole = "guest"', "'name' is required"),
    ('[["a.txt".speakers]]\nname = "张三"\nrole = "moderator"', "unknown role 'moderator'"),
    ('[["a.txt".speakers]]\nname = "张三"\nrol = "guest"', "unknown field(s) ['rol']"),
    ('[["a.txt".speakers]]\nname = "张三"\naliases = "Zhang San"', "'aliases' must be a list"),
    ('[["a.txt".speakers]]\nname = "张三"\n[["a.txt".speakers]]\nname = "张三"', "listed twice"),
    ('[["a.txt".speakers]]\nname = "张三"\naliases = ["Z"]\n[["a.txt".speakers]]\nname = "李四"\naliases = ["z"]', "names both"),
])
def test_broken_manifest_names_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ManifestError) as err:
        load_manifest(_write(tmp_path, text))
    assert problem in str(err.value)
    assert str(tmp_path / "manifest.toml") in str(err.value)
    assert isinstance(err.value, ValueError)


def test_manifest_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_bytes('["a.txt"]\ntitle = "標題"\n'.encode("big5"))
    with pytest.raises(ManifestError, match="not UTF-8"):
        load_manifest(tmp_path)


def test_meta_for_entry_default_and_title_fallback(tmp_path: Path) -> None:
    m = load_manifest(_write(tmp_path, VALID))
    assert meta_for("001_x.txt", m, "正文").title == "标题"
    assert meta_for("sub/004_y.txt", m, "大模型的下半场\n\n正文。").title == "大模型的下半场"  # entry without title
    default = meta_for("other.txt", m, "\n\n林凡對話李大海:中美差距有1到2年\n\n正文。")
    assert default == DocMeta(title="林凡對話李大海:中美差距有1到2年")
    assert meta_for("other.txt", {}, "这是一个很长的问题吗?\n答。").title == "other"


def test_guess_title() -> None:
    assert guess_title("", "a/b.txt") == "b"
    assert guess_title("一句完整的话。\n", "x.md") == "x"
    assert guess_title("很" * 61, "x.md") == "x"
    assert guess_title("  短标题  \n正文", "x.md") == "短标题"


# --- the seeds' manifest -------------------------------------------------------------------------
def test_seed_manifest_covers_every_seed_with_facts_marked() -> None:
    m = load_manifest(SEEDS)
    assert set(m) == {p.name for p in SEEDS.glob("*.txt")}
    assert m["002_dc7046a9a6216149.txt"].date == "2024-09-25"
    assert m["003_ce162c0d91173b95.txt"].date == "2023-12-08"
    for name in ("000_7c025ce395f4bbe9.txt", "001_b96526bf4526be4e.txt", "004_4afa1a6a78a1a4ce.txt"):
        assert m[name].date.startswith(("inferred:", "not stated")), name  # the text gives no date
    for meta in m.values():
        assert meta.title and meta.speakers
        for sp in meta.speakers:
            assert sp.role in ("host", "guest", "speaker")


def test_seed_manifest_never_names_the_004_speaker() -> None:
    meta = load_manifest(SEEDS)["004_4afa1a6a78a1a4ce.txt"]
    assert meta.default_speaker == "演讲者(未具名,出门问问)"
    (sp,) = meta.speakers
    assert sp.name == meta.default_speaker and sp.role == "speaker" and "not stated" in (sp.note or "")
    text = (SEEDS / "manifest.toml").read_text(encoding="utf-8")
    assert "李志飞" not in text  # a real-world guess would be presented as fact


def test_seed_manifest_speakers_and_aliases() -> None:
    m = load_manifest(SEEDS)

    def names(prefix: str) -> dict[str, tuple[str, list[str]]]:
        meta = next(v for k, v in m.items() if k.startswith(prefix))
        return {s.name: (s.role, s.aliases) for s in meta.speakers}

    assert names("000") == {"闫俊杰": ("guest", ["Yan Junjie", "Junjie Yan"]), "张鹏": ("host", ["Zhang Peng", "Peng Zhang"])}
    assert names("001")["李广密"][1][0] == "Li Guangmi" and names("001")["张小珺"][0] == "host"
    assert names("002")["AI光年"][0] == "host" and "Lin Fan" in names("002")["林凡"][1] and "Li Dahai" in names("002")["李大海"][1]
    assert {"Monica", "Xuezhi Wang", "Yizhou Zheng", "Yiwen Li"} <= set(names("003"))


def test_to_clean_doc_finds_the_entry_of_a_file_in_a_subfolder(tmp_path: Path) -> None:
    from ingest.loader import load_file
    from ingest.parse import to_clean_doc

    _write(tmp_path, VALID)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "004_y.txt").write_text("大家好。\n\n1.第一部分\n\n内容。 |", encoding="utf-8")
    loaded = load_file(tmp_path / "sub" / "004_y.txt", tmp_path)
    doc = to_clean_doc(loaded, load_manifest(tmp_path))
    assert (doc.doc_id, doc.file) == ("sub__004_y", "sub/004_y.txt")
    assert doc.text == "大家好。\n\n1.第一部分\n\n内容。"
    assert [(t.kind, t.speaker) for t in doc.turns] == [("speech", "演讲者(未具名)"), ("heading", None), ("speech", "演讲者(未具名)")]
