"""Render the benchmark results (a dict, also saved as results.json) as benchmarks/results.md."""

from __future__ import annotations

from typing import Any

PAST_ONE_MACHINE = """\
## (d) Past one machine

- **What is per machine today.** The embedded store (DATA_DIR/chroma) is a SQLite file plus HNSW
  files that one process at a time should write; the keyword index (DATA_DIR/bm25) and the
  cleaned documents (DATA_DIR/docs) are plain files each app process loads into memory
  (BM25 matrix, records, Library). The local e5 model runs on the app's CPU.
- **First step: a Chroma server** (`chroma run --path DIR --host 127.0.0.1 --port 8000`, then
  `CHROMA_HOST`/`CHROMA_PORT` for ingest and app; copy an existing store with
  `python -m ingest.migrate --to-host H --to-port P`, no re-embedding). Several app processes
  or machines then share one vector store, and ingest writes to it while they answer (the
  embedded store tolerates that only with reopen-and-retry, see tests/test_living_data.py).
  Each app still needs the same DATA_DIR/bm25 and DATA_DIR/docs: ship them with the release or
  put DATA_DIR on shared storage; apps notice a new keyword index by its CURRENT file and reopen.
- **Costs that grow with the corpus, per app process** (from the tables above): the keyword index
  and records in RAM, BM25 scoring (sparse, milliseconds at 100k), Chroma's filtered HNSW query.
  Past a few hundred thousand chunks, move BM25 into a search service (e.g. OpenSearch with a
  Chinese analyzer) or Chroma's own full-text/sparse search, so app processes stay small and
  stateless.
- **Embedding** is the slowest part of ingest (see (a)): for a large backlog run it on more
  cores or an OpenAI-compatible embedding server (`EMBED_BACKEND=openai`); queries need one
  short embedding each (~10-20 ms on this CPU).
- **Answers in LLM mode** are dominated by the LLM; what the project adds before the first token is
  retrieval (see (c)), so app replicas behind a load balancer scale it; the Gradio queue
  (`concurrency_limit`) bounds work per process.
"""


NOTES = """\
Notes. *Vectors/s* is the speed of storing precomputed vectors (HNSW insertion), not embedding.
Server mode runs `chroma run` on the same machine (HTTP on 127.0.0.1), sharing the 2 cores with
the benchmark. A question that names a speaker searches twice with filters (that speaker; every
non-host voice): before 2026-11-22 those were Chroma metadata filters, which Chroma evaluates row by
row (about 5 µs per matching row), and 100k chunks measured p50 24 ms / **p95 604 ms** (vector side
194 ms, BM25 filter loop 17 ms per question). Now the filter's chunk ids come from the keyword
index's in-memory records (numpy masks) and go to Chroma as `ids=` (same results, checked
question by question), giving the figures above. Against a server the ids are sent only up to
20,000 per query (bigger lists fall back to the metadata filter, which is why server mode at 100k
is slower)."""


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    parts = [
        "# Benchmarks",
        "",
        "Produced by `.venv/bin/python -m benchmarks.run` (writes this file and results.json; "
        f"this run took {r.get('total_minutes', '?')} min).",
        "",
        f"Measured {m['date']} on {m['cpu']}, nproc {m['nproc']}, {m['memory']} RAM, Python {m['python']} "
        f"({m['platform']}).",
        "",
    ]
    ing = r["ingest"]
    parts += [
        "## (a) Ingest of the seeds (local e5 model)",
        "",
        _table(["chunks", "sentences", "cold ingest s", "chunks/s", "unchanged re-ingest s",
                "bare model on the same texts s", "bare texts/s", "cold ÷ bare"],
               [[ing["chunks"], ing.get("sentences", 0), ing["cold_s"], ing["cold_chunks_per_s"], ing["unchanged_s"],
                 ing["bare_model_s"], ing.get("bare_texts_per_s", ing.get("bare_chunks_per_s")),
                 ing["cold_over_bare"]]]),
        "",
        f"Model load {ing['model_load_s']} s (apart). Cold phases (s): "
        + ", ".join(f"{k} {v}" for k, v in ing["cold_phases_s"].items())
        + f". The unchanged re-run embedded {ing['unchanged_added']} chunks. Peak RSS {ing['peak_rss_mb']} MB.",
        "",
        "## (b) Retrieval (HybridRetriever.retrieve, every golden question twice, top_k 8)",
        "",
        "Synthetic corpora: chunks made of the seeds' sentences, stored as ingest stores them, with 384-d "
        "stand-in vectors (character-bigram hashing) for passages *and* queries, so the corpus size, not "
        "the model, is measured. The seeds rows embed queries with the real e5 model (included in the times). "
        "The synthetic stores hold no sentence vectors, so their rows measure passages and keywords only; "
        "the seeds rows include the sentence vectors.",
        "",
    ]
    rows, split_rows = [], []
    for row in r["retrieval"]:
        b = row.get("build", {})
        if "vectors_per_s" in b:
            bm25 = "BM25 index reused" if row["mode"] == "server" else f"BM25 {b['keyword_index_s']} s"
            build = f"{b['vectors_per_s']:,} vectors/s, {bm25}"
        else:
            build = f"ingest.migrate {b['migrate_s']} s" if "migrate_s" in b else "ingest (a)"
        rows.append([row["corpus"], row["mode"], row["chunks"], row["p50_ms"], row["p95_ms"], row["max_ms"],
                     row["load_s"], row["rss_loaded_mb"], row["peak_rss_mb"], build])
        split_rows.append([row["corpus"], row["mode"],
                           "; ".join(f"{k} {v}" for k, v in row["mean_parts_ms"].items())])
    parts += [
        _table(["corpus", "store", "chunks", "p50 ms", "p95 ms", "max ms", "open s", "RSS after open MB",
                "peak RSS MB", "build"], rows),
        "",
        NOTES,
        "",
        "Where the time goes (mean ms per question):",
        "",
        _table(["corpus", "store", "parts"], split_rows),
        "",
    ]
    a = r["answer"]
    off, llm = a["offline"], a["llm"]
    parts += [
        "## (c) Answers",
        "",
        f"Offline (extractive) answers through ChatEngine.ask, seeds store, all {off['n']} golden questions: "
        f"p50 {off['p50_ms']} ms, p95 {off['p95_ms']} ms, max {off['max_ms']} ms (mean retrieve "
        f"{off['mean_parts_ms']['retrieve']} ms, answer {off['mean_parts_ms']['answer']} ms).",
        "",
        f"LLM mode against the stand-in server (tests/llm_server.py), {llm['answered_by_llm']} questions answered "
        "by it; the same request replayed straight to the server with the openai client gives the LLM's own time:",
        "",
        _table(["", "p50 ms", "p95 ms"],
               [["first token through the engine", llm["engine_first_token"]["p50_ms"], llm["engine_first_token"]["p95_ms"]],
                ["first token, LLM alone", llm["llm_alone_first_token"]["p50_ms"], llm["llm_alone_first_token"]["p95_ms"]],
                ["**added by the project before the first token**", llm["added_before_first_token"]["p50_ms"],
                 llm["added_before_first_token"]["p95_ms"]],
                ["whole answer through the engine", llm["engine_total"]["p50_ms"], llm["engine_total"]["p95_ms"]],
                ["whole answer, LLM alone", llm["llm_alone_total"]["p50_ms"], llm["llm_alone_total"]["p95_ms"]]]),
        "",
        f"Mean retrieval inside those answers: {llm['retrieve_mean_ms']} ms; the rest is prompt building, "
        "redaction and citation checks.",
        "",
    ]
    if "kinds" in a:
        ko, kl = a["kinds"]["offline"], a["kinds"]["llm"]
        parts += [
            "Question kinds (tests/eval/kinds.jsonl without a history), offline, wall and CPU time per answer:",
            "",
            _table(["kind", "n", "wall p50 / p95 ms", "CPU p50 / p95 ms"],
                   [[k, v["wall"]["n"], f"{v['wall']['p50_ms']} / {v['wall']['p95_ms']}",
                     f"{v['cpu']['p50_ms']} / {v['cpu']['p95_ms']}"] for k, v in ko.items()]),
            "",
            "LLM mode (stand-in server): time to the first answer token through the engine, the last request "
            "replayed alone, and the difference (the kind call, the digests or each side's search, prompts):",
            "",
            _table(["", "LLM requests", "engine first token p50 / p95", "LLM alone p50", "added p50 / p95"],
                   [[k, v["llm_requests_per_question"],
                     f"{v['engine_first_token']['p50_ms']} / {v['engine_first_token']['p95_ms']}",
                     v["llm_alone_first_token"]["p50_ms"],
                     f"{v['added_before_first_token']['p50_ms']} / {v['added_before_first_token']['p95_ms']}"]
                    for k, v in kl.items()]),
            "",
        ]
    if "load" in r:
        ld = r["load"]
        parts += [
            "## Load (tests/test_load.py, last run)",
            "",
            f"{ld['sessions']} concurrent gradio_client sessions × {ld['questions_per_session']} held-back questions "
            f"against `python app.py` (offline): p50 {ld['latency_p50_s']} s, p95 {ld['latency_p95_s']} s, "
            f"{ld['answers_per_s']} answers/s; app RSS {ld['rss_before_mb']} → {ld['rss_after_mb']} MB. "
            "Latency there is mostly queueing: the /chat endpoint runs 4 answers at a time.",
            "",
        ]
    parts.append(PAST_ONE_MACHINE)
    return "\n".join(parts)
