"""The indicators' fixture: the data set with known answers (:mod:`tests.fixtures.indicators`)."""

from __future__ import annotations

import pytest

from tests.fixtures.indicators import Known, build_known
from tests.fixtures.world import World


@pytest.fixture
def known(world: World) -> Known:
    return build_known(world)
