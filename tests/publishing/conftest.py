"""The sample site built once for the publishing checks.

The build goes to a temporary folder with a fixed clock, never to the repository's public/.
"""

from __future__ import annotations

import pytest

from tests.publishing.sample import SampleSite, build_sample


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSite:
    return build_sample(tmp_path_factory.mktemp("publishing") / "public")
