"""Accountability fixtures: a world whose agency requires the unit head's sign-off, with an auditor, and
a case revoked after two rounds and a coordination (:mod:`tests.fixtures.accountability`). The shared
``app`` and ``api`` fixtures run on this world."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from review_service.cases.storage import BlobStore
from review_service.organization.operations import add_user
from review_service.runtime import connect_receivers
from tests.fixtures.accountability import RevokedCase, revoke, two_rounds_and_coordination
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD, World, build_world


@pytest.fixture
def world(uow: Callable[[], AbstractContextManager[Session]], tmp_path: Path) -> World:
    """The usual world, the unit head's sign-off required, plus an auditor here and one in another agency."""
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path / "blobs"), settings={"signoff_required": True})
    with uow() as session:
        for name, agency in (("auditor", AGENCY), ("other_auditor", OTHER_AGENCY)):
            world.ids[name] = add_user(session, actor=None, username=name, name=f"{name}姓名", agency=agency,
                                       roles=["auditor"], password=PASSWORD, qualification="none").id
    return world


@pytest.fixture
def revoked(world: World) -> RevokedCase:
    case = two_rounds_and_coordination(world)
    revoke(world, case.case_id)
    return case
