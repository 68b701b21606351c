"""`python -m bot.eval --questions FILE --out FILE --mode offline|llm [--data-dir DIR] [--source DIR] [--baseline]`.

Answers every question of a golden set through the real chat engine, writes one JSON line per
question, and prints hit@5, MRR@10, evidence recall@5, who the evidence passage is credited to,
speaker attribution, refusal accuracy and latency, for the tuning and held-out parts separately.
`--source` measures a question set over another folder of transcripts (indexed into `--data-dir`,
which should then be a store of its own). With --baseline it also runs a plain
LlamaIndex pipeline (default splitter, same embedding model, vector search only) on the same
questions and prints both tables side by side.

A question set of kinds (tests/eval/kinds.jsonl: summaries, comparisons, the collection,
follow-ups) is scored on what the answer must contain (`bot.eval.metrics.kind_metrics`); a
question with a `history` (earlier questions of the conversation) is asked after them, each
answered by the engine in turn, as a user would.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from bot.eval.metrics import kind_metrics, summarize
from bot.settings import PROJECT_ROOT, Settings

METRICS = ["hit@5", "cross_hit@5", "mrr@10", "evidence_recall@5", "evidence_speaker@5", "speaker_attribution", "answer_evidence",
           "refusal_accuracy", "kind_accuracy", "required_evidence", "names_present", "refused", "new_evidence",
           "kept_apart", "absent_said",
           "retrieve_p50_ms", "retrieve_p95_ms"]


def load_questions(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError as exc:
                raise SystemExit(f"{path}:{n}: not JSON ({exc})") from exc
    return items


def ensure_index(settings: Settings) -> None:
    from bot.index.keyword import KeywordIndex

    if KeywordIndex.current_fingerprint(settings.keyword_dir) is None:
        from ingest.pipeline import run_ingest

        print(f"store in {settings.data_dir} is empty: ingesting {settings.seeds_dir} first", file=sys.stderr)
        run_ingest(settings)


def run_engine(settings: Settings, items: list[dict], mode: str, indexed: set[str] | None = None) -> list[dict]:
    """Every question through the chat engine. `indexed`, when given, receives the file names
    the store holds (a question set may ask about files the loader cannot read)."""
    from bot.answer.engine import ChatEngine
    from bot.answer.llm import make_llm
    from bot.retrieval.live import build_services

    llm = make_llm(settings) if mode == "llm" else None
    if mode == "llm" and llm is None:
        raise SystemExit("--mode llm needs OPENAI_API_KEY and/or OPENAI_BASE_URL")
    services = build_services(settings)
    if indexed is not None:
        indexed.update(doc.file for doc in services.library.docs.values())
    engine = ChatEngine(settings, services.retriever, llm=llm)
    engine.ask("warm-up")  # load the embedding model and jieba outside the measured questions
    rows = []
    for item in items:
        history: list[dict] = []
        previous = None
        for turn in item.get("history") or []:   # earlier questions, answered in turn
            previous = engine.ask(turn, history=list(history))
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": previous.text}]
        t = time.perf_counter()
        ans = engine.ask(item["question"], history=history or None)
        total_ms = (time.perf_counter() - t) * 1000
        rows.append(record(item, ans, previous, total_ms))
    return rows


def record(item: dict, ans, previous=None, total_ms: float | None = None) -> dict:
    """One result line. `refused` is the final decision: retrieval's, or (LLM mode) the model's own
    refusal; `notice` says what the user was told (cut off, filtered, LLM unavailable, …)."""
    return {
        "id": item.get("id"), "question": item["question"], "answer": ans.text, "refused": ans.refused,
        "mode": ans.mode, "notice": ans.notice, "llm_error": ans.llm_error, "error": ans.error,
        "kind": ans.kind, "standalone_question": ans.standalone_question, "suggestions": ans.suggestions,
        "previous_quotes": [c.quote for c in previous.citations] if previous else None,
        "citations": [{"n": c.n, "doc": c.doc, "title": c.title, "speaker": c.speaker, "quote": c.quote,
                       "start": c.start, "end": c.end, "verified": c.verified, "passage": c.passage}
                      for c in ans.citations],
        "passages": [{"rank": i, "doc": p.doc_file, "speaker": p.speaker, "role": p.role, "time": p.time,
                      "text": p.text, "start": p.start, "end": p.end, "score": round(p.score, 4)}
                     for i, p in enumerate(ans.passages[:10], 1)],
        "timings_ms": {**ans.timings_ms, **({"total": round(total_ms, 1)} if total_ms is not None else {})},
    }


def run_baseline(settings: Settings, items: list[dict]) -> list[dict]:
    """The plain LlamaIndex way: SimpleDirectoryReader + default SentenceSplitter + vector top-k."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from bot.index.embeddings import make_embedder

    embedder = make_embedder(settings)
    docs = SimpleDirectoryReader(str(settings.seeds_dir), required_exts=[".txt", ".md", ".srt", ".vtt", ".pdf"]).load_data()
    index = VectorStoreIndex.from_documents(docs, embed_model=embedder)
    retriever = index.as_retriever(similarity_top_k=10)
    retriever.retrieve("warm-up")
    rows = []
    for item in items:
        t = time.perf_counter()
        found = retriever.retrieve(item["question"])
        ms = (time.perf_counter() - t) * 1000
        rows.append({"id": item.get("id"), "passages": [{"text": n.node.get_content()} for n in found],
                     "refused": None, "citations": None, "timings_ms": {"retrieve": ms}})
    return rows


def score_rows(items: list[dict], rows: list[dict]) -> list[dict]:
    out = []
    for item, row in zip(items, rows):
        out.append({**item, "texts": [p["text"] for p in row["passages"]], "refused": row["refused"],
                    "speakers": [p["speaker"] for p in row["passages"]] if row["citations"] is not None else None,
                    "answer": row.get("answer"), "kind_got": row.get("kind"),
                    "previous_quotes": row.get("previous_quotes"),
                    "cited_speakers": None if row["citations"] is None else [c["speaker"] for c in row["citations"]],
                    "quotes": None if row["citations"] is None else [c["quote"] for c in row["citations"]],
                    "retrieve_ms": row["timings_ms"].get("retrieve", 0.0),
                    "answer_ms": row["timings_ms"].get("answer"), "total_ms": row["timings_ms"].get("total")})
    return out


def print_table(title: str, columns: dict[str, dict[str, float]]) -> None:
    names = list(columns)
    print(f"\n{title}")
    print("| metric | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for m in METRICS + ["answer_p50_ms", "answer_p95_ms", "total_p50_ms", "total_p95_ms", "total_max_ms", "questions"]:
        if not any(m in c for c in columns.values()):
            continue
        cells = []
        for c in columns.values():
            v = c.get(m)
            cells.append("n/a" if v is None or v != v else (f"{v:.0f}" if m == "questions" else
                                                            f"{v:.1f}" if m.endswith("_ms") else f"{v:.3f}"))
        print(f"| {m} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.eval")
    ap.add_argument("--questions", type=Path, default=PROJECT_ROOT / "tests/eval/golden.jsonl")
    ap.add_argument("--out", type=Path, default=Path("eval-results.jsonl"))
    ap.add_argument("--mode", choices=["offline", "llm"], default="offline")
    ap.add_argument("--data-dir", type=Path, help="store to use (default: DATA_DIR)")
    ap.add_argument("--source", type=Path, help="transcripts to ingest into an empty store (default: SEEDS_DIR)")
    ap.add_argument("--baseline", action="store_true", help="also run a plain LlamaIndex pipeline for comparison")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    overrides = {k: v for k, v in (("data_dir", args.data_dir), ("seeds_dir", args.source)) if v}
    settings = Settings(**overrides)
    items = load_questions(args.questions)
    ensure_index(settings)
    indexed: set[str] = set()
    rows = run_engine(settings, items, args.mode, indexed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    scored = score_rows(items, rows)
    splits = sorted({i.get("split", "all") for i in items})
    cols = {f"ours ({s})": summarize([r for r in scored if r.get("split", "all") == s]) for s in splits}
    cols["ours (all)"] = summarize(scored)
    # Questions about files the store does not hold (a format the loader skips) cannot be answered;
    # the figures over the others say how the rest does.
    readable = [r for r in scored if set(r.get("expected_docs") or []) <= indexed]
    if len(readable) < len(scored):
        cols["ours (readable files)"] = summarize(readable)
    if any("expected_kind" in i for i in items):   # a kinds set: its own metrics, by kind
        cols = {f"ours ({k})": kind_metrics([r for r in scored if r.get("expected_kind") == k])
                for k in sorted({i.get("expected_kind", "narrow") for i in items})}
        cols["ours (all)"] = kind_metrics(scored)
    if args.baseline:
        base = score_rows(items, run_baseline(settings, items))
        for s in splits:
            cols[f"plain LlamaIndex ({s})"] = summarize([r for r in base if r.get("split", "all") == s])
        cols["plain LlamaIndex (all)"] = summarize(base)
        if len(readable) < len(scored):
            cols["plain LlamaIndex (readable files)"] = summarize(
                [r for r in base if set(r.get("expected_docs") or []) <= indexed])
    print_table(f"{args.mode} mode, {len(items)} questions ({args.questions.name}); results in {args.out}", cols)
    return 0

