"""The documents name the agency's real internal units (内设机构) as 主送 and 落款 (issue 18), and the old
made-up names only while an agency has entered none."""

from __future__ import annotations

from review_service.cases.models import Case
from review_service.documents.context import case_context
from review_service.organization.units import add_unit, assign_unit
from review_service.review.operations import submit_opinion
from tests.fixtures.documents import documents, docx_text, file_of
from tests.fixtures.world import AGENCY, World, opinion


def _opinion_text(world: World, case_id: int) -> str:
    issued = [item for item in documents(world, case_id) if item["kind"] == "opinion"]
    assert len(issued) == 1
    return docx_text(file_of(world, case_id, issued[0]))


def _units(world: World, *, place_handler: bool = True) -> None:
    with world.uow() as session:
        add_unit(session, actor=None, agency=AGENCY, name="执法一大队", kind="handling")  # the agency's first
        squad = add_unit(session, actor=None, agency=AGENCY, name="稽查支队", kind="handling")
        add_unit(session, actor=None, agency=AGENCY, name="法规科", kind="legal_review")
        add_unit(session, actor=None, agency=AGENCY, name="办公室", kind="office")
        if place_handler:
            assign_unit(session, actor=None, user_id=world.ids["handler"], unit_id=squad.id)


def test_the_opinion_is_addressed_to_the_handlers_unit_and_signed_by_the_review_body(world: World) -> None:
    _units(world)
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    text = _opinion_text(world, case_id)
    assert "\n西安市市场监督管理局稽查支队：" in text  # 主送
    assert "\n西安市市场监督管理局法规科\n" in text  # 落款
    assert "执法一大队" not in text
    assert "西安市市场监督管理局法制审核机构" not in text and "西安市市场监督管理局承办机构" not in text


def test_a_handler_in_no_unit_is_answered_at_the_agencys_first_handling_unit(world: World) -> None:
    _units(world, place_handler=False)
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    text = _opinion_text(world, case_id)
    assert "\n西安市市场监督管理局执法一大队：" in text and "\n西安市市场监督管理局法规科\n" in text


def test_without_units_the_documents_keep_the_generic_names(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    text = _opinion_text(world, case_id)
    assert "\n西安市市场监督管理局承办机构：" in text
    assert "\n西安市市场监督管理局法制审核机构\n" in text


def test_the_issuer_is_the_office_and_a_full_name_is_not_prefixed_twice(world: World) -> None:
    with world.uow() as session:
        add_unit(session, actor=None, agency=AGENCY, name=f"{AGENCY}稽查支队", kind="handling")
        add_unit(session, actor=None, agency=AGENCY, name="办公室", kind="office")
    case_id = world.new_case()
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        context = case_context(session, case, kind="reply", round=1)
    assert (context["unit"], context["requesting_unit"], context["review_body"], context["issuer"]) == (
        f"{AGENCY}稽查支队", f"{AGENCY}稽查支队", f"{AGENCY}法制审核机构", f"{AGENCY}办公室")
