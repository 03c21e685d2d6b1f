"""Every job test starts with no recorded runs and no gates left over from another test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.jobs import support


@pytest.fixture(autouse=True)
def _fresh_probe() -> Iterator[None]:
    support.reset()
    yield
    for gate in support.GATES.values():
        gate.set()  # never leave a handler waiting past its test
