"""etl test fixtures: per-test Settings overrides (`@pytest.mark.settings(...)`) on top of the suite's."""

from __future__ import annotations

import pytest

from stockwise.config import Settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**fields): Settings overrides for this test's app")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    marker = request.node.get_closest_marker("settings")
    return settings.model_copy(update=marker.kwargs) if marker else settings
