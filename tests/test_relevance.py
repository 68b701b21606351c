"""The weak-evidence judge on hand-made evidence: each rule flips the verdict."""

from __future__ import annotations

from bot.retrieval.relevance import Evidence, Verdict, coverage, judge, speaker_absent
from bot.settings import RetrievalParams

IDF = {"营收": 5.0, "大": 0.1, "模型": 0.2, "palm": 4.0, "2025": 3.0}.get

P = RetrievalParams()


def ev(cos: float, tokens: list[str], texts: list[str], chinese: bool = True) -> Evidence:
    return Evidence(query="q", query_tokens=tokens, vector=[("a", cos)], keyword=[], top_texts=texts,
                    idf=IDF, chinese=chinese)


def test_coverage_weighs_rare_words_and_counts_unknown_chinese_against():
    assert coverage(["营收", "大", "模型"], ["大模型"], IDF) < 0.1          # the rare word decides
    assert coverage(["营收", "大"], ["营收很大"], IDF) == 1.0
    assert coverage(["红烧肉"], ["大模型"], IDF) == 0.0                    # no transcript has it
    assert coverage(["bread"], ["大模型"], IDF) == 1.0                     # unmeasurable: no evidence against
    assert coverage(["2026"], ["2025 年"], IDF) == 0.0                     # unknown numbers count


def test_chinese_needs_similarity_and_words():
    assert not judge(ev(0.91, ["营收"], ["营收"]), P).weak
    assert judge(ev(0.91, ["营收", "大"], ["大"]), P).weak                    # close, but the key word is absent
    assert judge(ev(0.85, ["营收"], ["营收"]), P).weak                        # words alone are not enough
    assert not judge(ev(0.88, ["营收", "大"], ["营收"]), P, named=True).weak   # named speaker: lower bar
    assert judge(ev(0.88, ["营收", "大"], ["大"]), P, named=True).weak


def test_english_needs_a_corpus_word_below_the_strong_similarity():
    assert not judge(ev(0.81, ["bread"], [], chinese=False), P).weak
    assert judge(ev(0.78, ["bread"], [], chinese=False), P).weak
    assert not judge(ev(0.78, ["palm"], [], chinese=False), P).weak
    assert judge(ev(0.75, ["palm"], [], chinese=False), P).weak


def test_speaker_absent_when_others_answer_clearly_better():
    named, others = Verdict(False, 0.88, 0.3, 0.1), Verdict(False, 0.92, 0.8, 0.7)
    assert speaker_absent(named, others, P)
    assert not speaker_absent(Verdict(False, 0.91, 0.8, 0.6), others, P)     # their own turn covers it
    assert not speaker_absent(named, Verdict(True, 0.95, 0.1, 0.1), P)       # nobody really covers it


def test_speaker_absent_when_others_hold_the_question_s_words_and_cosines_tie():
    # 闫俊杰 asked about X.ai, which only 李广密 discusses: e5 finds 闫俊杰's nearest turn almost as
    # close (0.889 vs 0.903), but others' passages hold twice the question's words.
    named, others = Verdict(False, 0.889, 0.24, 0.09), Verdict(False, 0.903, 0.50, 0.16)
    assert speaker_absent(named, others, P)
    assert not speaker_absent(Verdict(False, 0.889, 0.24, 0.4), others, P)    # their best turn has the words
    assert not speaker_absent(Verdict(False, 0.889, 0.35, 0.09), others, P)   # the coverages are close
    # English questions share few words with Chinese text: coverage says nothing there
    en_named, en_others = (Verdict(False, 0.80, 0.0, 0.0, chinese=False),
                           Verdict(False, 0.81, 1.0, 0.0, chinese=False))
    assert not speaker_absent(en_named, en_others, P)


def test_middle_band_needs_one_passage_that_holds_the_words_by_itself():
    # "面壁智能 融资 多少钱": each word is somewhere in the top three, none holds them together
    idf = {"面壁智能": 4.0, "融资": 4.0, "多少钱": 1.0}.get
    scattered = Evidence(query="q", query_tokens=["面壁智能", "融资", "多少钱"], vector=[("a", 0.883)], keyword=[],
                         top_texts=["面壁智能的李大海", "硅谷公司的融资", "花了多少钱"], idf=idf)
    together = Evidence(query="q", query_tokens=["面壁智能", "融资", "多少钱"], vector=[("a", 0.883)], keyword=[],
                        top_texts=["面壁智能这轮融资", "别的", "别的"], idf=idf)
    assert judge(scattered, P).coverage == 1.0 and judge(scattered, P).weak
    assert not judge(together, P).weak
    # a very close passage still only needs the words somewhere among the three
    assert not judge(Evidence(**{**scattered.__dict__, "vector": [("a", 0.91)]}), P).weak


def test_a_question_asking_for_a_figure_needs_one_it_does_not_state_itself():
    from bot.retrieval.relevance import asks_for_figure, has_figure

    assert asks_for_figure("苹果公司2024年的营收是多少?") and asks_for_figure("How many loaves a day?")
    assert asks_for_figure("工厂一共有几家?") and not asks_for_figure("闫俊杰怎么看多模态?")
    assert not asks_for_figure("Why did she switch to sourdough?")
    q = "苹果公司2024年的营收是多少?"
    assert not has_figure("2024 年苹果的手机内存会变大。", q)        # the question's own year is no answer
    assert has_figure("营收大约是三千亿美元,比去年多了两成。", q)
    assert has_figure("We bake about 400 loaves a day.") and has_figure("It took us two years.")
    assert not has_figure("We bake bread every morning for the neighbours.")


def test_rules_follow_the_best_passage_s_language():
    # a Chinese question whose best passage is English is judged on the cross-language scale
    cross = Evidence(query="q", query_tokens=["营收"], vector=[("a", 0.82), ("b", 0.86)], keyword=[],
                     top_texts=["revenue grew"], idf=IDF, chinese=True, top_lang="en",
                     cos_by_lang={"en": 0.82, "zh": 0.86})
    v = judge(cross, P)
    assert v.cos == 0.82 and not v.chinese and not v.weak           # cosine with a word the corpus holds
    low = Evidence(**{**cross.__dict__, "cos_by_lang": {"en": 0.75, "zh": 0.86}})
    assert judge(low, P).weak                                         # the Chinese passages' 0.86 does not count


def test_numerals_that_count_nothing_are_no_figure():
    from bot.retrieval.relevance import has_figure

    q = "绿轮电动车去年的净利润是多少?"
    assert not has_figure("第三个大生意是终端,手机和车。", q)        # an ordinal
    assert not has_figure("下一个开源模型重要的方向是端侧。", q)      # 一个 is how Chinese says "a"
    assert not has_figure("That is one of the hardest problems.")
    assert has_figure("我们一共卖了三个型号。", "他们卖了几个型号?") and has_figure("利润大概是 1200 万。", q)


def test_a_figure_question_names_what_the_figure_is_of():
    from bot.retrieval.relevance import holds_name, question_names

    assert question_names("MiniMax 2025 年的营收是多少") == [("minimax",)]
    assert ("苹果", "appl") in question_names("苹果公司2024年的营收是多少?")
    names = question_names("How many parameters does Google's PaLM have?")
    assert ("palm",) in names and not any("how" in n for n in names)
    assert holds_name("谷歌的 PaLM 有 5400 亿参数", names)
    assert not holds_name("云厂商拿未来每年营收的 3-5 成", question_names("MiniMax 2025 年的营收是多少"))


def test_a_question_asking_for_money_needs_a_sum():
    from bot.retrieval.relevance import asks_for_money, has_figure

    q = "绿轮电动车那轮融资拿了多少钱?"
    assert asks_for_money(q) and asks_for_money("How much money did the bakery raise?")
    assert not asks_for_money("工厂每个月生产多少辆?")
    # a price-like word asks for a sum too; paying users are counted, not priced
    assert asks_for_money("Figma 拿到了多少分手费?") and asks_for_money("每个月的服务费是多少?")
    assert asks_for_money("How much is the monthly cloud fee for Sony's new Aibo?")
    assert not asks_for_money("有多少人付费?") and not asks_for_money("付费用户有多少?")
    assert not asks_for_money("How much did chain of thought improve the accuracy?")
    assert not has_figure("我们把 90% 的时间花在三家客户上。", q)
    assert has_figure("那一轮拿了 3000 万人民币。", q) and has_figure("They raised $2m last year.", "How much money did they raise?")
    # a magnitude is a sum after a number, not as a manner of speaking (zh_en tune z025)
    fee = "Aibo 机器狗每个月的云服务要多少钱?"
    assert not has_figure("I can think of a million examples, like Sony's new robot dog.", fee)
    assert has_figure("They raised 50 million last year.", fee) and has_figure("It cost two billion.", fee)


def test_speaker_absent_compares_cosines_within_the_named_person_s_language():
    # a Chinese question: the named person speaks English (0.80), others' best is Chinese (0.89)
    # but their best English passage is no closer than the named person's
    named = Verdict(False, 0.80, 0.1, 0.1, chinese=False, lang="en", cos_by_lang={"en": 0.80})
    others = Verdict(False, 0.89, 0.6, 0.5, lang="zh", cos_by_lang={"zh": 0.89, "en": 0.81})
    assert not speaker_absent(named, others, P)
    others_en = Verdict(False, 0.89, 0.6, 0.5, lang="zh", cos_by_lang={"zh": 0.89, "en": 0.86})
    assert speaker_absent(named, others_en, P)


def test_a_how_many_question_needs_the_counted_word_beside_the_figure():
    from bot.retrieval.relevance import has_figure

    q = "这家公司有多少付费用户?"
    assert not has_figure("用户上传的所有照片,不管是 20 张还是多少张,都会删除。", q)   # 20 photos
    assert has_figure("现在大约有 3 万付费用户。", q)
    assert not has_figure("公司发布了 24 亿参数的模型。", "公司现在有多少员工?")
    # the measure word of the question answers with the noun left out
    assert has_figure("规模还挺大的,大概有接近一千家。", "平台上大概有多少家客户")
    assert not has_figure("大概有接近一千个人。", "平台上大概有多少家客户")
    # one-character units (人, 行, 瓦) set no condition
    assert has_figure("超过 1000 行就该拆。", "一个 PR 最多写多少行?")
    assert has_figure("The model has 540 billion parameters.", "How many parameters does PaLM have?")
    assert not has_figure("About 40 workshops ran last year.", "How many people attended the workshop?")


def test_the_counted_words_may_come_before_you_you_duo_shao():
    from bot.retrieval.relevance import has_figure

    q = "这个应用的日活跃用户有多少?"
    assert not has_figure("其月收入是12万美金,只是它的12倍。", q)
    assert has_figure("现在日活跃用户大概 30 万。", q)
    assert has_figure("人的大脑只有15瓦到25瓦。", "人脑的功耗大概是多少瓦?")   # a unit after 多少: no condition
