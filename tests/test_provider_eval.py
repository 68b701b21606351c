"""Issue 14's acceptance check over the golden and blind sets in LLM mode, against stand-ins that write
like providers (benchmarks/providers.py): a declining model, a strict one, and a reasoning model with
odd marker styles and cut-off answers under several provider presets. Slow: a real ingest of the
seeds (shared with the other seeded tests), then about 900 questions through the engine."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.slow


def test_llm_mode_over_both_question_sets(seeded):  # noqa: F811
    from benchmarks.providers import measure, table

    settings, services, _ = seeded
    results = measure(settings, services)
    print("\n" + table(results))
    for name, r in results.items():
        if name.endswith("offline"):
            continue
        which = name.split()[0]
        assert r["asked_llm"] > 0, name
        assert r["reasoning_leaks"] == 0, name                     # no reasoning in any delta or answer
        assert r["marker_recall"] >= 0.95, name                    # every marker it meant is a citation
        assert r["unmeant_citations"] == 0, name                   # nor any it did not (source lists, reasoning)
        assert r["false_flags"] == 0, name                         # its (verbatim) quotes are not flagged
        assert r["cut_said_so"] == r["cut"], name                  # every cut answer says so
        assert r["declines_refused"] == r["declined"], name        # every decline is a refusal
        assert r["answers_refused"] == 0, name                     # and no answer is taken for one
        if " strict " not in name:
            offline = results[f"{which} offline"]["refusal_accuracy"]
            assert math.isclose(r["refusal_accuracy"], offline), (name, r["refusal_accuracy"], offline)
    assert any(r.get("cut") for r in results.values())
    assert any(r.get("declined") for r in results.values())
