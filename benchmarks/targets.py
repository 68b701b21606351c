"""The targets of the benchmark (issue 15) checked against one run's results: one row each of
(target, what was measured, met / missed / not measured). Shared by results.md and the README."""

from __future__ import annotations

from typing import Any

RETRIEVAL_P95_MS = 150
INGEST_RATIO = 1.1
REINGEST_SHARE = 0.05
PAGE_S = 20
SUMMARY_S = 1.0
LOAD_P95_FACTOR = 3


def _ok(good: bool) -> str:
    return "met" if good else "**missed**"


def _row(results: dict[str, Any], corpus: str, mode: str) -> dict[str, Any] | None:
    rows = results.get("retrieval")
    if not isinstance(rows, list):
        return None
    return next((r for r in rows if r["corpus"] == corpus and r["mode"] == mode), None)


def largest(results: dict[str, Any], mode: str) -> dict[str, Any] | None:
    rows = [r for r in results.get("retrieval") or [] if isinstance(r, dict) and r.get("mode") == mode
            and r["corpus"].startswith("synthetic")] if isinstance(results.get("retrieval"), list) else []
    return max(rows, key=lambda r: r["chunks"], default=None)


def check(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    emb, srv = largest(results, "embedded"), largest(results, "server")
    if emb:
        out.append((f"retrieval p95 ≤ {RETRIEVAL_P95_MS} ms, {emb['chunks']:,} passages with sentence vectors, "
                    "embedded", f"p95 {emb['p95_ms']} ms (p50 {emb['p50_ms']})", _ok(emb["p95_ms"] <= RETRIEVAL_P95_MS)))
    else:
        out.append((f"retrieval p95 ≤ {RETRIEVAL_P95_MS} ms at 100k, embedded", "not measured", "not measured"))
    if srv:
        top = next(iter(srv["mean_parts_ms"].items()))
        out.append((f"server-mode figure at {srv['chunks']:,} passages and what dominates it",
                    f"p95 {srv['p95_ms']} ms (p50 {srv['p50_ms']}); largest part: {top[0]} {top[1]} ms mean",
                    "reported"))
    for key, label in (("ingest", "local e5"), ("ingest-openai", "EMBED_BACKEND=openai")):
        ing = results.get(key)
        if not isinstance(ing, dict) or "sizes" not in ing:
            out.append((f"cold ingest ≤ {INGEST_RATIO}× bare model, {label}", "not measured", "not measured"))
            continue
        ratios = [(r["transcripts"], r["cold_over_bare"], r["cold_over_model_inside"]) for r in ing["sizes"]]
        worst = max(v for _, v, _ in ratios)
        out.append((f"cold ingest ≤ {INGEST_RATIO}× the bare model at every size, {label}",
                    "; ".join(f"{n} transcripts: {v:.2f}× (its own model calls: {w:.2f}×)" for n, v, w in ratios),
                    _ok(worst <= INGEST_RATIO)))
        shares = [(r["transcripts"], r["reingest_share"]) for r in ing["sizes"]]
        out.append((f"re-ingest of unchanged files ≤ {REINGEST_SHARE:.0%} of cold, {label}",
                    ", ".join(f"{n}: {v:.1%}" for n, v in shares), _ok(max(v for _, v in shares) <= REINGEST_SHARE)))
    start = results.get("start")
    if isinstance(start, dict) and "empty" in start:
        e = start["empty"]
        out.append((f"page answers ≤ {PAGE_S} s after start, empty store",
                    f"page {e['page_s']} s, first answer {e['first_answer_s']} s", _ok(e["page_s"] <= PAGE_S)))
    else:
        out.append((f"page answers ≤ {PAGE_S} s after start, empty store", "not measured", "not measured"))
    ans = results.get("answer")
    if isinstance(ans, dict) and "by_kind" in ans:
        s = ans["by_kind"]["summary"]
        out.append((f"summary answers ≤ {SUMMARY_S:g} s offline (seeds, e5)",
                    f"p95 {s['p95_ms']} ms, max {s['max_ms']} ms", _ok(s["max_ms"] <= SUMMARY_S * 1000)))
    if emb and "kinds" in emb:
        s = emb["kinds"]["summary"]
        out.append((f"summary answers ≤ {SUMMARY_S:g} s offline ({emb['chunks']:,} passages, embedded)",
                    f"p95 {s['p95_ms']} ms, max {s['max_ms']} ms", _ok(s["max_ms"] <= SUMMARY_S * 1000)))
    load = results.get("load")
    if isinstance(load, dict) and "single" in load:
        errs = load["burst"]["errors"] + load["paced"]["errors"]
        out.append(("load: 0 errors", f"{errs} in {load['burst']['answers'] + load['paced']['answers']} answers",
                    _ok(errs == 0)))
        for k in ("paced", "burst"):
            f = load["p95_over_single"].get(k)
            out.append((f"load p95 within {LOAD_P95_FACTOR}× a single user's ({k})",
                        f"{load[k]['p95_s']} s vs {load['single']['p95_s']} s: {f}×",
                        _ok(f is not None and f <= LOAD_P95_FACTOR)))
    else:
        out.append(("load: 0 errors, p95 within 3× a single user's", "not measured", "not measured"))
    mins = results.get("total_minutes")
    if mins is not None:
        out.append(("`python -m benchmarks.run` under 20 minutes", f"{mins} min", _ok(mins < 20)))
    return out
