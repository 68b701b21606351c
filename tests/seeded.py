"""One real ingest of the seeds (local e5 model) shared by every test that needs it.

Import the fixture into a test module with `from tests.seeded import seeded  # noqa: F401`.

pytest registers an imported fixture once per importing module, so "session" scope alone would
ingest once per module (about 30 s each); the result is cached here, once per process. Tests
must treat it as read-only (copy `settings.data_dir` to change anything).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings

_CACHE: dict[str, Any] = {}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    if "seeded" not in _CACHE:
        from bot.services import build_services
        from ingest.pipeline import run_ingest

        settings = Settings(data_dir=tmp_path_factory.mktemp("seeded") / "data", openai_api_key=None,
                            openai_base_url=None, chroma_host=None)
        report = run_ingest(settings)
        services = build_services(settings)
        _CACHE["seeded"] = (settings, services, report)
    return _CACHE["seeded"]
