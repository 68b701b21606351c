"""Per-language text rules: one sentence splitter for English, Chinese and mixed text, one
stopword list per language, English stems, and the CC-CEDICT bridge between the two languages."""

from __future__ import annotations

from bot.text.bilingual import bridge
from bot.text.sentences import sentence_units, split_sentences
from bot.text.stopwords import STOP_EN, STOP_ZH, is_stopword
from bot.text.tokenize import stem, tokenize


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_english_sentences_end_at_real_ends_only():
    assert _split("Mr. Smith met Dr. Jones at 3.5 p.m. sharp. Then they left!") == [
        "Mr. Smith met Dr. Jones at 3.5 p.m. sharp.", "Then they left!"]
    assert _split("J. K. Rowling wrote it. The U.S. government agreed, e.g. by voting. It cost $3.5 billion.") == [
        "J. K. Rowling wrote it.", "The U.S. government agreed, e.g. by voting.", "It cost $3.5 billion."]
    # a closing quote belongs to the sentence it closes; an ellipsis before a lower-case word goes on
    assert _split('He said "we are done." Then he left. Yes... well... maybe. OK.') == [
        'He said "we are done."', "Then he left.", "Yes... well... maybe.", "OK."]
    assert _split("It ranks No. 1 in approx. five lists. Version 2.0 shipped.") == [
        "It ranks No. 1 in approx. five lists.", "Version 2.0 shipped."]


def test_chinese_and_mixed_text_split_as_before():
    assert _split("6.GPT-3.5 到 GPT-4 难度会增加 5-10 倍。Character.AI 也是模型公司!真的吗?是的. Next one") == [
        "6.GPT-3.5 到 GPT-4 难度会增加 5-10 倍。", "Character.AI 也是模型公司!", "真的吗?", "是的.", "Next one"]
    assert _split("云端模型很贵;但是端侧便宜。好的……我想想。We agree; it works.") == [
        "云端模型很贵;", "但是端侧便宜。", "好的……我想想。", "We agree; it works."]


def test_long_sentences_come_in_pieces_that_never_start_with_a_comma():
    zh = "我们" + ",然后我们又做了很多很多的实验和测试" * 12 + "。"
    pieces = _split(zh)
    assert len(pieces) > 1 and all(not p.startswith((",", ",")) and len(p) <= 160 for p in pieces)
    en = "We raised money, and then, in those three countries, we launched a product that " * 3 + "worked."
    assert _split(en) == [en]            # an English sentence under 450 characters stays whole
    long_en = ("We raised money in many places, and then " * 20).strip() + " we stopped."
    parts = _split(long_en)
    assert len(parts) > 1 and all(p[0] not in ",; " for p in parts)


def test_sentence_units_are_unions_of_quote_sentences():
    text = "Yes. Right. This is a longer English sentence about costs. 对。这是一个比较长的中文句子,超过二十个字符了吧。"
    sents = split_sentences(text)
    units = sentence_units(text)
    assert [text[s:e] for s, e in units][0] == "Yes. Right. This is a longer English sentence about costs."
    for s, e in sents:                    # every quote lies inside exactly one sentence vector's span
        assert sum(1 for a, b in units if a <= s and e <= b) == 1


def test_one_stopword_list_per_language():
    assert {"the", "what", "did", "say", "according"} <= STOP_EN and {"的", "什么", "怎么看", "认为"} <= STOP_ZH
    assert is_stopword("discuss") and not is_stopword("cost") and not is_stopword("成本")


def test_english_tokens_are_stemmed_without_stopwords_and_chinese_stays_jieba():
    assert tokenize("What did they say about the training costs of GPT-4?") == ["train", "cost", "gpt", "4"]
    assert tokenize("李广密怎么看GPT-4的训练成本?")[-2:] == ["训练", "成本"]
    assert stem("models") == stem("model") and stem("costing") == "cost"


def test_bridge_translates_only_into_words_the_corpus_holds():
    vocab = set(tokenize("训练成本很高,融资也很难。Audio codecs compress speech to a low frame rate."))
    b = bridge(vocab)
    assert "成本" in b["cost"] and "训练" in b[stem("training")]
    assert stem("compress") in b["压缩"] and "audio" in b["音频"]
    assert "火车" not in b.get("train", [])   # a translation the corpus lacks is never offered
    assert all(t in vocab for targets in b.values() for t in targets)
