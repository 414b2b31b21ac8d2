"""Loading an agency's template: checked, trial-rendered within the render bounds, installed atomically, audited.

``review-service template check|load --kind KIND FILE``. A template is refused (with the reason in
Chinese) when it is not a valid ``.docx``, when it tries to leave the sandbox (the static check of
:func:`~review_service.documents.rendering.load_template`), or when rendering it breaks a bound
(:mod:`review_service.documents.budget`) on either of two sample contexts: a typical case, and one
whose every text is as long as the forms allow. A template that passes is written beside the
others as ``<instance>/opinion_templates/<kind>.docx`` through a temporary file renamed into place
(a reader sees the old file or the new one, never half of one) and the ``template_loaded`` event
records its kind, SHA-256 and size (actor: the system, the operator at the terminal).

A file put into that folder by other means is still checked when it is used: the same bounds
stop its render and the action fails with ``invalid`` (nothing recorded).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.documents.docx_parts import MAX_TEMPLATE_BYTES
from review_service.documents.models import KIND_LABELS
from review_service.documents.rendering import TemplateRefused, compile_sources, load_template, render
from review_service.review.points import FINDING_LABELS, TEN_POINTS

# the longest texts the forms accept (cases/schemas.py, review/schemas.py, replies/operations.py)
_LONGEST = {"facts": 50_000, "opinion": 10_000, "remedy": 5_000, "reason": 2_000, "summary": 20_000,
            "explanation": 10_000, "title": 300, "name": 200, "decision": 2_000, "benchmark": 300}
_TEXT = "经查，当事人于2025年3月至5月间销售不符合食品安全标准的食品，货值金额12,800元，违法所得3,400元。"


class TemplateFileError(Exception):
    """The file to load cannot be read or the kind is unknown; the message is for the terminal."""


@dataclass(frozen=True)
class CheckedTemplate:
    """A template that passed: its SHA-256, size and the slowest trial render (milliseconds)."""

    kind: str
    sha256: str
    size: int
    render_ms: float


def _text(key: str, largest: bool, typical: str = _TEXT) -> str:
    if not largest:
        return typical
    length = _LONGEST.get(key, 2_000)
    return (typical * (length // len(typical) + 1))[:length]


def sample_context(kind: str, *, largest: bool = False) -> dict[str, Any]:
    """Every field any kind's template may use (documents/context.py), with plausible values.

    ``largest``: each free text as long as the forms allow, lists as long as a case can make them:
    a template that fits its bounds on this context fits them on any real case.
    """
    text = lambda key, typical=_TEXT: _text(key, largest, typical)  # noqa: E731
    agency = "西安市市场监督管理局"
    citations = ["《中华人民共和国食品安全法》第一百二十四条"] * (30 if largest else 2)
    points = [{"number": number, "key": key, "label": label, "finding": "problem",
               "finding_label": FINDING_LABELS["problem"], "opinion": text("opinion"), "citations": citations,
               "citations_text": "；".join(citations), "remedy": text("remedy"), "reason": text("reason")}
              for number, (key, label) in enumerate(TEN_POINTS.items(), start=1)]
    responses = [{"number": point["number"], "key": point["key"], "label": point["label"], "action": "disputed",
                  "action_label": "有异议", "explanation": text("explanation"), "opinion": point["opinion"],
                  "remedy": point["remedy"]} for point in points]
    people: list[dict[str, Any]] = [{"number": number, "name": f"委员{number}", "view": text("opinion")}
                                    for number in range(1, (20 if largest else 5) + 1)]
    discussion = {"date": "2026年3月2日", "participants": "、".join(p["name"] for p in people),
                  "minutes": text("summary")}
    legal_basis = ["《中华人民共和国食品安全法》第一百二十四条第一款"] * (50 if largest else 2)
    sha = "0" * 64
    materials = [{"number": number, "title": text("title", title), "kind_label": label, "received_on": "2026年2月20日"}
                 for number, (title, label) in enumerate(
                     [("行政处罚决定书（草稿）", "决定书草稿"), ("案件调查终结报告", "调查终结报告"),
                      ("现场检查笔录", "证据材料"), ("抽样检验报告", "证据材料"), ("询问笔录", "证据材料"),
                      ("行政处罚听证告知书送达回证", "程序材料")] * (8 if largest else 1), start=1)]
    signatures = {
        "opinion": [("审核人员", "李娜"), ("审核人员", "陈静"), ("审核机构负责人", "王刚"), ("法律顾问", "王律师")],
        "reply": [("承办人员", "张伟"), ("承办机构负责人", "孙磊")],
        "coordination": [("主持人", "赵强"), ("记录人", "刘洋")],
        "collective_discussion": [("主持人", "赵强"), ("记录人", "刘洋")],
        "approval": [("审批人", "赵强")], "termination": [("审批人", "赵强")], "transfer": [("决定人", "赵强")],
        "accountability": [("调查人员", "周敏"), ("调查人员", "吴昊"), ("决定人", "赵强")],
    }.get(kind, [("负责人", "赵强")])
    numbers = {"opinion": "西市监法审〔2026〕12号", "reply": "西市监稽复〔2026〕7号",
               "coordination": "西市监协〔2026〕3号", "collective_discussion": "西市监集〔2026〕4号",
               "approval": "西市监审批〔2026〕21号",
               "termination": "西市监终〔2026〕2号", "transfer": "西市监移〔2026〕3号",
               "accountability": "西市监责〔2026〕1号", "penalty_decision": ""}
    fine = "人民币叁拾伍万元整（¥350,000.00）"
    confiscation = "人民币叁仟肆佰元整（¥3,400.00）"
    evidence = [{"number": number, "title": title} for number, title in enumerate(
        ["现场检查笔录及现场照片", "抽样检验报告（西市检〔2026〕0315号）", "当事人进货单据及销售记录", "询问笔录",
         "当事人营业执照复印件"] * (10 if largest else 1), start=1)]
    return {
        "kind": kind, "kind_label": KIND_LABELS.get(kind, kind), "round": 2, "sequence": 1,
        "agency": agency, "unit": f"{agency}稽查支队", "review_body": f"{agency}法规科",
        "requesting_unit": f"{agency}稽查支队", "case_number": "西市监立〔2026〕123号",
        "document_number": numbers.get(kind, "西市监〔2026〕1号"), "signed_on": "二〇二六年三月二日",
        "printed_on": "2026年3月2日", "issuer": f"{agency}办公室",
        "cc": text("name", f"{agency}稽查支队，西安市人民政府行政执法监督局"),
        "verify_url": "https://review.example.gov.cn/verify",
        "signatures": [{"label": label, "name": name} for label, name in signatures * (5 if largest else 1)],
        "title": text("title", "关于某食品有限公司销售不合格食品案的处罚决定"),
        "cause": text("title", "销售不合格食品"),
        "case_name": text("title", "某食品有限公司销售不合格食品案"),
        "decision_type": "penalty", "decision_type_label": "行政处罚",
        "counterparty": {"kind": "company", "kind_label": "法人", "name": text("name", "某食品有限公司"),
                         "id_label": "统一社会信用代码", "id_number": "91610100MA6U000000",
                         "address": text("name", "陕西省西安市雁塔区科技路1号"),
                         "legal_representative": text("name", "王某某")},
        "facts": text("facts"),
        "proposed_decision": {"summary": text("decision", "没收违法所得，并处罚款。"), "fine_text": fine,
                              "confiscation_text": confiscation},
        "legal_basis": legal_basis, "legal_basis_text": "；".join(legal_basis),
        "discretion": {"benchmark": text("benchmark", "较重"), "level": "B"},
        "discretion_text": text("benchmark", "较重，B"), "handler": "张伟", "draft_version": 3,
        "draft_sha256": sha, "date": "2026年3月2日", "issued_at": "2026-03-02T10:00:00+08:00",
        "materials": materials,
        "review_period_text": "2026年2月20日收件，2026年3月2日出具，用时4个工作日（规定5个工作日）",
        "points": points, "conclusion": "amend", "conclusion_label": "存在问题，修改后重新报送",
        "summary": text("summary"), "reviewer": "李娜", "advisors": "王律师", "submitted_on": "2026年2月20日",
        "reply_due": "2026年3月9日", "responses": responses, "disputed": True,
        "reason": text("reason"), "reason_label": "承办机构对审核意见有异议", "outcome": "upheld",
        "outcome_label": "维持审核意见", "reasoning": text("summary"), "head": "赵强", "disputes": responses,
        "collective_discussion": discussion, "comment": text("summary"), "decision_number": "西市监罚〔2026〕45号",
        "doc_title": "重大执法决定审批表",
        "decided_at": "2026年3月5日", "clearance": "review", "clearance_text": "经第2轮法制审核，审核结论为“同意”。",
        "publish_due": "2026年3月12日", "held_on": "2026年3月2日", "chair": "赵强", "source": "approval",
        "source_label": "审批前", "participants": people, "participant_names": discussion["participants"],
        "minutes": text("summary"), "recorded_by": "刘洋", "reason_code": "death", "requested_by": "张伟",
        "requested_at": "2026年3月1日", "receiving_organ": "西安市公安局", "transferred_on": "2026年3月3日",
        "file_number": "西市监移〔2026〕3号",
        "inquiry": {"reason": "revoked", "reason_label": "被撤销", "authority": "西安市人民政府",
                    "date": "2026年4月1日", "opened_at": "2026年4月2日 09:00", "grounds": "证据不足、事实不清",
                    "received_on": "2026年4月2日"},
        "chain": [{"stage": "法制审核", "user": "李娜", "role": "法制审核人员", "action": "提交审核意见",
                   "at": "2026年3月2日 10:00", "draft_sha256": sha, "statement": text("explanation")}
                  for _ in range(40 if largest else 6)],
        "findings": [{"number": "一二三四五六七八九十"[n % 10], "user": "李娜", "role": "法制审核人员",
                      "stages": "受理审查、法制审核", "grounds": "证据不足",
                      "why": "第2轮审核意见第5项“证据是否合法充分”认定无问题", "responsibility_label": "直接责任",
                      "finding": "dereliction", "finding_label": "玩忽职守", "exemption_label": "无",
                      "sanction_label": "责令书面检查", "reasoning": text("explanation"), "proposed_by": "周敏",
                      "proposed_at": "2026年4月20日", "decided_by": "赵强", "decided_at": "2026年4月22日"}
                     for n in range(10 if largest else 3)],
        "auditor": "周敏", "inquiry_conclusion": "经调查，法制审核人员李娜对本案证据不足负直接责任，责令书面检查。",
        "inquiry_body": "本案决定被撤销，撤销理由为证据不足、事实不清。对各环节人员逐一调查，由调查人员提出认定意见，"
                        "经决定人决定，认定如下。",
        # penalty_decision (行政处罚决定书（代拟稿）)
        "decision_number_hint": "", "legal_representative": text("name", "王某某"),
        "case_source_text": text("summary", "本机关于2026年1月15日对当事人涉嫌销售不符合食品安全标准的食品一案"
                                 "立案调查，现已调查终结。"),
        "evidence": evidence,
        "penalty_items": [{"number": 1, "text": f"没收违法所得{confiscation}；"},
                          {"number": 2, "text": f"罚款{fine}。"}],
        "payment_text": text("summary", "当事人应当自收到本决定书之日起十五日内，将罚没款缴至指定银行或者通过电子支付"
                                        "系统缴纳。到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款。"),
        "remedy_text": text("summary", "当事人如不服本行政处罚决定，可以在收到本决定书之日起六十日内向西安市人民政府"
                                       "申请行政复议，也可以在六个月内依法向西安市雁塔区人民法院提起行政诉讼。"),
    }


def check_template(kind: str, data: bytes) -> CheckedTemplate:
    """Check ``data`` as the ``kind`` template: statically, then by rendering it on both sample contexts.

    Raises :class:`TemplateRefused` with the reason (``unsafe``: it tried to leave the sandbox;
    ``exceeded``: it broke a bound) and :class:`TemplateFileError` for an unknown kind.
    """
    if kind not in KIND_LABELS:
        raise TemplateFileError(f"未知的文书种类“{kind}”，可选：{'、'.join(KIND_LABELS)}")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(kind, "模板文件过大", source="instance", unsafe=False)
    with tempfile.TemporaryDirectory(prefix="review-template-") as folder:
        path = Path(folder) / f"{kind}.docx"
        path.write_bytes(data)
        template = load_template(path, kind, "instance")
        compile_sources(template)
        slowest = 0.0
        for largest in (False, True):
            started = time.perf_counter()
            render(template, sample_context(kind, largest=largest))
            slowest = max(slowest, (time.perf_counter() - started) * 1000)
    return CheckedTemplate(kind=kind, sha256=template.sha256, size=len(data), render_ms=slowest)


def read_template_file(path: Path) -> bytes:
    """The bytes of the file to load; :class:`TemplateFileError` when it cannot be read or is too large."""
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise TemplateFileError(f"模板文件过大（上限 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB）：{path}")
        return path.read_bytes()
    except OSError as error:
        raise TemplateFileError(f"无法读取模板文件 {path}：{error.strerror or error}") from None


def override_path(instance_path: Path, kind: str) -> Path:
    """Where the agency's ``kind`` template lives (the path ``documents.storage.template_file`` looks at)."""
    return instance_path / "opinion_templates" / f"{kind}.docx"


def install_template(instance_path: Path, checked: CheckedTemplate, data: bytes,
                     transaction: Callable[[], AbstractContextManager[Session]]) -> None:
    """Write ``data`` as the instance's ``checked.kind`` template and audit ``template_loaded``, together.

    The bytes go to a temporary file in the same folder (fsynced), the event is written, the file is
    renamed over the old one and the transaction commits; if the commit fails the old file is put back.
    """
    target = override_path(instance_path, checked.kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.exists() else None
    with _temporary_beside(target, data) as temporary:
        try:
            with transaction() as session:
                payload = {"kind": checked.kind, "sha256": checked.sha256, "size": checked.size,
                           "previous_sha256": sha256(previous).hexdigest() if previous else None}
                signals.emit(Action.TEMPLATE_LOADED, session=session, actor=None, role="system", agency_id=None,
                             case_id=None, payload=payload)
                os.replace(temporary, target)
                _sync_folder(target.parent)
        except BaseException:
            if target.exists() and sha256(target.read_bytes()).hexdigest() == checked.sha256:
                _restore(target, previous)
            raise


def _restore(target: Path, previous: bytes | None) -> None:
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        with _temporary_beside(target, previous) as temporary:
            os.replace(temporary, target)
    _sync_folder(target.parent)


class _temporary_beside(AbstractContextManager[Path]):
    """A fsynced temporary file holding ``data`` in ``target``'s folder; removed on exit if still there."""

    def __init__(self, target: Path, data: bytes) -> None:
        self.target, self.data = target, data
        self.path: Path | None = None

    def __enter__(self) -> Path:
        descriptor, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        self.path = Path(name)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(self.data)
            handle.flush()
            os.fsync(handle.fileno())
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
