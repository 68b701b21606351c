"""One company or person, two spellings: Chinese transcripts say 谷歌 in one sentence and Google in
the next (the seeds: 谷歌 12 times, Google 44; 微软 10, Microsoft 4; 苹果 15, Apple 7), and an English
question says Google where the speaker said 谷歌. Keyword search treats the spellings of one name as
one word; jieba also learns the Chinese forms, which it would otherwise cut apart (谷 / 歌, 英 / 伟达).

Only proper names whose spellings mean the same thing in this domain belong here; common words
(phone → 手机) do not: their translations are many and a wrong one pulls in noise.
"""

from __future__ import annotations

from functools import lru_cache

# Simplified Chinese, lower-case Latin (see bot.text.normalize), single tokens; the Latin ones are
# looked up by their stem (bot.text.tokenize), as keyword search sees them.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("谷歌", "google"), ("亚马逊", "amazon", "aws"), ("微软", "microsoft"), ("苹果", "apple"),
    ("英伟达", "nvidia", "辉达"), ("脸书", "facebook"), ("特斯拉", "tesla"), ("字节跳动", "bytedance"),
    ("腾讯", "tencent"), ("阿里巴巴", "alibaba"), ("百度", "baidu"), ("华为", "huawei"),
    ("小米", "xiaomi"), ("抖音", "douyin", "tiktok"), ("推特", "twitter"), ("英特尔", "intel"),
    ("高通", "qualcomm"), ("台积电", "tsmc"), ("三星", "samsung"), ("斯坦福", "stanford"),
    ("马斯克", "musk"), ("奥特曼", "altman"), ("黄仁勋", "jensen"), ("扎克伯格", "zuckerberg"),
    ("深度求索", "deepseek"), ("智谱", "zhipu"), ("月之暗面", "moonshot"),
    ("百川智能", "baichuan"), ("通义千问", "qwen"), ("文心一言", "ernie"),
)


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    from bot.text.tokenize import stem  # Latin forms in index form: stemmed, as tokenize emits them

    out: dict[str, tuple[str, ...]] = {}
    for group in GROUPS:
        group = tuple(stem(f) for f in group)
        for form in group:
            out[form] = tuple(dict.fromkeys(out.get(form, ()) + group))
    return out


def forms(token: str) -> tuple[str, ...]:
    """Every spelling of the name `token` is one of, itself first; just (token,) for other words."""
    group = _index().get(token)
    return (token, *(f for f in group if f != token)) if group else (token,)


def chinese_forms() -> list[str]:
    """The Chinese spellings, for jieba's dictionary."""
    return [f for f in _index() if not f.isascii()]


def expand(tokens: list[str]) -> list[str]:
    """The query's tokens plus the other spellings of any name among them (each added once)."""
    out = list(tokens)
    seen = set(tokens)
    for t in tokens:
        for f in forms(t)[1:]:
            if f not in seen:
                seen.add(f)
                out.append(f)
    return out
