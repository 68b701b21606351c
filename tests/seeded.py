"""One real ingest of the seeds (local e5 model) shared by every test that needs it.

Import the fixture into a test module with `from tests.seeded import seeded  # noqa: F401`.
"""

from __future__ import annotations

import pytest

from bot.settings import Settings


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    from bot.services import build_services
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded") / "data", openai_api_key=None,
                        openai_base_url=None, chroma_host=None)
    report = run_ingest(settings)
    services = build_services(settings)
    return settings, services, report
