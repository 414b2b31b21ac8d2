"""The action catalogue (``core.actions``): every action documented and typed, every rule naming real actions.

How a rule that names a missing action fails: the rules name actions as ``Action.X``, so a typo is an
``AttributeError`` when the module is imported (every test below imports them). What that cannot catch is a
plain string slipped back into a rule's set, or a literal action name anywhere in the code: the rule tables
are checked member by member, and the source of ``review_service`` is scanned for literal action names.
The payload types are pinned to reality by running a real lifecycle and checking every stored payload.
"""

from __future__ import annotations

import ast
import json
import types
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from blinker import Signal
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.accountability import queries as accountability_queries
from review_service.accountability.operations import close_inquiry, decide_finding, record_finding
from review_service.accountability.queries import chain_people, responsibility_chain
from review_service.audit import schedule
from review_service.audit.models import AuditEvent
from review_service.cases.downgrades import decide_downgrade, request_downgrade
from review_service.cases.operations import sign_off, supplement_materials, update_draft
from review_service.cases.reassignment import reassign_case
from review_service.cases.storage import BlobStore
from review_service.cases.suspension import resume_case, suspend_case
from review_service.coordination.discussion_records import flag_complex, record_collective_discussion
from review_service.core import signals
from review_service.core.actions import PAYLOADS, Action, ChainAction
from review_service.core.clock import beijing_today, utcnow
from review_service.core.errors import Unauthenticated
from review_service.deadlines.limit_operations import extend_decision_limit, record_excluded_period
from review_service.deadlines.operations import decide_review_extension, extend_review
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, withdraw_decision
from review_service.indicators import record_measures, summary
from review_service.organization import queries as organization_queries
from review_service.organization.auth import MAX_FAILURES, disable_user, log_out, login, revoke_token, session_login
from review_service.organization.operations import add_user, change_agency_settings, grant_role, revoke_role
from review_service.organization.units import add_unit, assign_unit, deactivate_unit, rename_unit
from review_service.paths.operations import (
    decide_termination,
    decline_transfer,
    request_termination,
    transfer_case,
    withdraw_submission,
)
from review_service.replies.operations import abandon_case, reply_to_opinion
from review_service.review.operations import assign_reviewer, reassign_reviewer, record_intake, submit_opinion
from review_service.runtime import connect_receivers
from review_service.web import filters
from review_service.web.cases import page as case_page
from tests.fixtures.accountability import revoke, two_rounds_and_coordination
from tests.fixtures.world import AGENCY, PASSWORD, World, build_world, minor_draft, opinion, replies

PACKAGE = Path(__file__).resolve().parents[2] / "review_service"

# Every rule that matches actions, as the sets it matches.
RULES: dict[str, Iterable[Any]] = {
    "audit.schedule.DECISION_ACTIONS": schedule.DECISION_ACTIONS,
    "indicators.record_measures.EVENT_ACTIONS": [a for actions in record_measures.EVENT_ACTIONS.values()
                                                 for a in actions],
    "indicators.summary.EVENT_ACTIONS": summary.EVENT_ACTIONS,
    "indicators.summary.UNRELATED_ACTIONS": summary.UNRELATED_ACTIONS,
    "accountability.queries.STAGES": accountability_queries.STAGES,
    "accountability.queries.DRAFT_NAMING": accountability_queries.DRAFT_NAMING,
    "organization.queries.ACCOUNT_ACTIONS": organization_queries.ACCOUNT_ACTIONS,
    "web.filters.ACTION_LABELS": filters.ACTION_LABELS,
    "web.cases.page.STEP_OF_ACTION": case_page.STEP_OF_ACTION,
}
# Literal strings that equal an action's value but are something else: (file under review_service, value).
# core/signals declares blinker signals named as the action they follow (decision_revoked, case_suspended …):
# a signal's name there is not an action spelled as a string
SIGNAL_NAMES = {signal.name for signal in vars(signals).values() if isinstance(signal, Signal)}
PROBLEM = ("evidence_sufficient",)


@pytest.mark.parametrize("action", [*Action, *ChainAction], ids=str)
def test_every_action_is_documented(action: Action | ChainAction) -> None:
    doc = action.__doc__
    assert doc and doc.strip() and doc != type(action).__doc__, f"{action!r} has no documentation"


def test_every_action_has_a_payload_type() -> None:
    assert set(PAYLOADS) == set(Action), f"no payload type: {sorted(set(Action) - set(PAYLOADS))}"
    for action, payload in PAYLOADS.items():
        assert is_typeddict(payload), f"{action!r}: {payload!r} is not a TypedDict"


def test_values_are_unique_and_chain_actions_are_not_emitted() -> None:
    assert len({a.value for a in Action}) == len(Action)
    assert not {a.value for a in ChainAction} & {a.value for a in Action}


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_names_catalogued_actions(rule: str) -> None:
    named = list(RULES[rule])
    assert named, f"{rule} names no action"
    strays = [a for a in named if not isinstance(a, Action)]
    assert not strays, f"{rule} names {strays}, not members of core.actions.Action"


def test_no_action_is_spelled_as_a_literal_string() -> None:
    """Code names actions as ``Action.X`` (a typo fails at import); a string literal would fail silently."""
    names = {a.value for a in Action} | {a.value for a in ChainAction}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("migrations/") or relative == "core/actions.py":
            continue  # migrations are frozen history; the catalogue itself declares the values
        declared = SIGNAL_NAMES if relative.startswith("core/signals/") else set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
                    and node.value not in declared):
                found.append(f"{relative}:{node.lineno} {node.value!r}")
    assert not found, "use core.actions.Action instead of: " + ", ".join(found)


def test_emit_refuses_a_plain_string(uow: Callable[[], AbstractContextManager[Session]],
                                     audited: list[dict[str, Any]]) -> None:
    with uow() as session:
        for action in ("storage_swept", "storage_swpet"):
            with pytest.raises(TypeError, match="Action"):
                signals.emit(action, session=session, actor=None, role="system",  # type: ignore[arg-type]
                             agency_id=None, case_id=None, payload={})
        assert audited == []  # refused before anything was sent
        signals.emit(Action.STORAGE_SWEPT, session=session, actor=None, role="system", agency_id=None, case_id=None,
                     payload={})
    assert [event["action"] for event in audited] == ["storage_swept"]


# --- the payload types against a real lifecycle -------------------------------------------------------------------


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value (as stored) fits a payload annotation."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if is_typeddict(hint):
        return isinstance(value, dict) and not _problems(hint, value)
    if origin is list:
        return isinstance(value, list) and all(_fits(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(_fits(k, args[0]) and _fits(v, args[1]) for k, v in value.items())
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _problems(declared: Any, payload: dict[str, Any]) -> list[str]:
    keys = set(payload)
    problems = [f"missing {key!r}" for key in sorted(declared.__required_keys__ - keys)]
    problems += [f"undeclared {key!r}" for key in sorted(keys - declared.__required_keys__
                                                          - declared.__optional_keys__)]
    hints = get_type_hints(declared)
    problems += [f"{key!r}={payload[key]!r} is not {hints[key]}" for key in sorted(keys & set(hints))
                 if not _fits(payload[key], hints[key])]
    return problems


def _reviewing(world: World, draft: dict[str, Any] | None = None) -> int:
    """Submitted, signed off, assigned to ``reviewer`` (no conflict declared), materials complete."""
    case_id = world.submitted(draft)
    world.act(sign_off, "unit_head", case_id=case_id, approve=True, comment="材料属实")
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    return case_id


def _other_paths(world: World) -> None:
    """The side paths of the process: suspension, extension, recusal, transfer, termination, withdrawal …"""
    today = beijing_today().isoformat()
    case_id = _reviewing(world)
    world.act(suspend_case, "head", case_id=case_id, data={"reason": "appraisal", "reason_text": "产品送检。"})
    world.act(resume_case, "head", case_id=case_id, data={"note": "检验报告已出具"})
    world.act(extend_review, "lead", case_id=case_id, data={"days": 2, "reason": "案情复杂"})
    world.act(decide_review_extension, "head", case_id=case_id, data={"approve": True})  # issue 19: approved
    world.act(record_excluded_period, "handler", case_id=case_id,
              data={"kind": "hearing", "start_on": "2026-06-20", "end_on": "2026-06-21", "note": "听证"})
    world.act(extend_decision_limit, "head", case_id=case_id, data={"reason": "案情复杂"})
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("criminal_transfer",)))
    world.act(decline_transfer, "head", case_id=case_id, data={"reason": "涉案金额未达立案追诉标准"})
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(("criminal_transfer",)))

    declined = world.submitted()
    world.act(sign_off, "unit_head", case_id=declined, approve=True, comment="材料属实")
    world.act(assign_reviewer, "lead", case_id=declined, reviewer_id=world.ids["reviewer"])
    world.declare(declined, "reviewer", "decline", "本人与当事人法定代表人系近亲属。")
    world.act(reassign_reviewer, "lead", case_id=declined, reviewer_id=world.ids["reviewer2"])
    world.declare(declined, "reviewer2")
    world.act(record_intake, "reviewer2", case_id=declined, complete=False, missing=["送达回证"])
    world.act(supplement_materials, "handler", case_id=declined, note="已补充送达回证")
    world.act(record_intake, "reviewer2", case_id=declined, complete=True)
    world.act(submit_opinion, "reviewer2", case_id=declined, data=opinion("reject", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=declined, data=replies(PROBLEM))
    world.act(abandon_case, "handler", case_id=declined, reason="接受审核意见，不予处罚。")

    transferred = _reviewing(world)
    world.act(submit_opinion, "reviewer", case_id=transferred, data=opinion("approve"))
    world.act(transfer_case, "head", case_id=transferred,
              data={"receiving_organ": "西安市公安局", "reason": "涉嫌生产销售伪劣产品罪",
                    "file_number": "西市监移〔2026〕1号", "transferred_on": today})

    returned = _reviewing(world)
    world.act(submit_opinion, "reviewer", case_id=returned, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=returned, data={"approve": False, "comment": "请重新考虑罚款数额"})
    world.act(update_draft, "handler", case_id=returned, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    world.act(request_downgrade, "handler", case_id=returned, reasons="罚款已降低")
    world.act(decide_downgrade, "lead", case_id=returned, confirm=True, reasons="同意降级")

    discussed = _reviewing(world)
    world.act(flag_complex, "reviewer", case_id=discussed, data={"reason": "案情复杂"})
    world.act(submit_opinion, "reviewer", case_id=discussed, data=opinion("approve"))
    heads = [world.ids["head"], world.ids["head2"], world.ids["multi"]]
    world.act(record_collective_discussion, "head2", case_id=discussed,
              data={"date": today, "participants": heads, "chair": heads[0],
                    "views": {str(p): "同意依法从重处罚。" for p in heads}, "conclusion": "同意作出决定。"})
    world.act(approve_decision, "head", case_id=discussed, data={"approve": True})

    terminated = world.new_case()
    world.act(reassign_case, "unit_head", case_id=terminated, data={"handler": "multi", "reason": "改由 multi 办理"})
    world.act(request_termination, "multi", case_id=terminated,
              data={"reason_code": "legal_person_terminated", "reason": "当事人已注销。"})
    world.act(decide_termination, "head", case_id=terminated, data={"approve": False, "comment": "请补充注销证明"})
    world.act(request_termination, "multi", case_id=terminated,
              data={"reason_code": "legal_person_terminated", "reason": "已补充注销证明。"})
    world.act(decide_termination, "head", case_id=terminated, data={"approve": True, "comment": "同意终止"})

    withdrawn = world.submitted()
    world.act(sign_off, "unit_head", case_id=withdrawn, approve=True, comment="材料属实")
    world.act(withdraw_submission, "handler", case_id=withdrawn, data={"reason": "发现证据遗漏，补充后重新报送"})


@pytest.fixture
def lifecycle(uow: Callable[[], AbstractContextManager[Session]], tmp_path: Path) -> Any:
    """A world with the unit head's sign-off and an auditor; a case decided after two rounds and a coordination,
    published, revoked, its publication withdrawn, every person found on and the inquiry closed; then sign-in,
    tokens and account administration."""
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path / "blobs"), settings={"signoff_required": True})
    with uow() as session:
        world.ids["auditor"] = add_user(session, actor=None, username="auditor", name="审计", agency=AGENCY,
                                        roles=["auditor"], password=PASSWORD, qualification="none").id
    case = two_rounds_and_coordination(world)
    world.act(publish_decision, "handler", case_id=case.case_id,
              data={"url": "https://scjg.xa.gov.cn/xzcf/2026/123", "published_at": utcnow().isoformat()})
    revoke(world, case.case_id)
    world.act(withdraw_decision, "handler", case_id=case.case_id, data={"withdrawn_at": utcnow().isoformat()})
    with uow() as session:
        people = chain_people(responsibility_chain(session, case.case_id))
    for user_id in people:
        world.act(record_finding, "auditor", case_id=case.case_id,
                  data={"user_id": user_id, "finding": "no_fault", "reasons": "经调查核实。"})
        world.act(decide_finding, "head2" if user_id == world.ids["head"] else "head", case_id=case.case_id,
                  data={"user_id": user_id, "decision": "confirm"})
    world.act(close_inquiry, "auditor", case_id=case.case_id, data={"conclusion": "无过错。"})

    sent_back = world.submitted(minor_draft())
    world.act(sign_off, "unit_head", case_id=sent_back, approve=False, comment="请补充证据")
    _other_paths(world)

    token, _expires = login(uow, username="handler", password=PASSWORD)
    session_login(uow, username="handler", password=PASSWORD)
    world.act(log_out, "handler")
    for _attempt in range(MAX_FAILURES):
        with pytest.raises(Unauthenticated):
            login(uow, username="reviewer2", password="wrong")
    with pytest.raises(Unauthenticated):
        login(uow, username="handler", password="wrong")
    with pytest.raises(Unauthenticated):
        login(uow, username="nobody", password="wrong")
    world.act(revoke_token, "handler", token=token)
    with uow() as session:
        grant_role(session, actor=None, username="rookie", role="advisor")
        revoke_role(session, actor=None, username="rookie", role="advisor")
        disable_user(session, actor=None, user_id=world.ids["handler2"])
    with uow() as session:  # internal units and agency settings (issue 18)
        unit = add_unit(session, actor=None, agency=AGENCY, name="稽查支队", kind="handling")
        rename_unit(session, actor=None, unit_id=unit.id, name="执法稽查支队")
        assign_unit(session, actor=None, user_id=world.ids["handler"], unit_id=unit.id)
        deactivate_unit(session, actor=None, unit_id=unit.id)
        change_agency_settings(session, actor=None, agency=AGENCY,
                               changes={"round_cap": 4, "document_numbers.prefix": "西市监"})
    return world


def test_a_lifecycle_records_catalogued_actions_with_their_declared_payloads(lifecycle: Any) -> None:
    with lifecycle.uow() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    problems = []
    for event in events:
        assert event.action in set(Action), f"#{event.seq} {event.action!r} is not in the catalogue"
        declared = PAYLOADS[Action(event.action)]
        problems += [f"#{event.seq} {event.action}: {p}" for p in _problems(declared, json.loads(event.payload))]
    assert not problems, "\n".join(problems)
    seen = {event.action for event in events}
    expected = {Action.CATALOG_LOADED, Action.USER_ADDED, Action.AGENCY_ADDED, Action.CASE_SUBMITTED,
                Action.SUBMISSION_SIGNED_OFF, Action.SUBMISSION_SENT_BACK, Action.OPINION_SUBMITTED,
                Action.REPLY_SUBMITTED, Action.CASE_COORDINATED, Action.CASE_RESUBMITTED, Action.DECISION_MADE,
                Action.DECISION_PUBLISHED, Action.DECISION_REVOKED, Action.DECISION_WITHDRAWN, Action.INQUIRY_OPENED,
                Action.FINDING_RECORDED, Action.FINDING_DECIDED, Action.INQUIRY_CLOSED, Action.DOCUMENT_ISSUED,
                Action.DEADLINES_UPDATED,
                Action.TOKEN_ISSUED, Action.LOGIN_FAILED, Action.TOKEN_REVOKED, Action.ROLE_GRANTED,
                Action.ROLE_REVOKED, Action.USER_DISABLED, Action.USER_LOGGED_IN, Action.USER_LOGGED_OUT,
                Action.ACCOUNT_LOCKED, Action.CASE_SUSPENDED, Action.CASE_RESUMED, Action.REVIEW_DEADLINE_EXTENDED,
                Action.TRANSFER_DECLINED, Action.RECUSAL_DECLARED, Action.REVIEWER_REASSIGNED,
                Action.MATERIALS_SUPPLEMENTED, Action.CASE_ABANDONED, Action.CASE_TRANSFERRED, Action.CASE_RETURNED,
                Action.CASE_REASSIGNED, Action.TERMINATION_REQUESTED, Action.TERMINATION_REFUSED,
                Action.CASE_TERMINATED, Action.SUBMISSION_WITHDRAWN, Action.DOWNGRADE_REQUESTED,
                Action.DOWNGRADE_CONFIRMED, Action.CASE_FLAGGED_COMPLEX, Action.COLLECTIVE_DISCUSSION_RECORDED,
                Action.UNIT_ADDED, Action.UNIT_RENAMED, Action.USER_UNIT_ASSIGNED, Action.UNIT_DEACTIVATED,
                Action.AGENCY_SETTINGS_CHANGED}
    assert expected <= seen, f"the lifecycle no longer reaches {sorted(expected - seen)}"
