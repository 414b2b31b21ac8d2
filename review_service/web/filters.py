"""Template filters shared by every page: Beijing time, file sizes, audit action names in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from review_service.core.actions import Action
from review_service.core.clock import BEIJING, as_utc

# The Chinese name of each audited action on the pages (an action without one shows its value); keys are
# Action members, str-typed as the filter looks up stored actions.
ACTION_LABELS: dict[str, str] = {
    Action.CASE_CREATED: "创建案件", Action.DRAFT_UPDATED: "修改草稿", Action.MATERIAL_ATTACHED: "上传材料",
    Action.CASE_SUBMITTED: "报送法制审核", Action.SUBMISSION_SIGNED_OFF: "承办机构负责人签核",
    Action.SUBMISSION_SENT_BACK: "承办机构负责人退回", Action.REVIEWER_ASSIGNED: "分配审核人员",
    Action.INTAKE_RECORDED: "受理审查", Action.MATERIALS_SUPPLEMENTED: "补充材料",
    Action.OPINION_SUBMITTED: "提交审核意见", Action.REPLY_SUBMITTED: "书面回复", Action.CASE_RESUBMITTED: "重新报送",
    Action.CASE_ABANDONED: "不再作出决定", Action.CASE_COORDINATED: "协调", Action.DECISION_MADE: "作出决定",
    Action.CASE_RETURNED: "负责人退回", Action.WORKFLOW_CONTINUED: "流程续接", Action.DECISION_PUBLISHED: "公开决定",
    Action.DEADLINES_UPDATED: "更新期限", Action.DOCUMENT_ISSUED: "生成文书", Action.DECISION_REVOKED: "决定被撤销",
    Action.DECISION_WITHDRAWN: "撤回公开", Action.COLLECTIVE_DISCUSSION_RECORDED: "记录集体讨论",
    Action.CASE_FLAGGED_COMPLEX: "认定情节复杂", Action.CASE_SUSPENDED: "中止案件", Action.CASE_RESUMED: "恢复办理",
    Action.RECUSAL_DECLARED: "回避声明", Action.REVIEWER_REASSIGNED: "重新分配审核人员",
    Action.CASE_REASSIGNED: "改派承办人", Action.SUBMISSION_WITHDRAWN: "撤回送审",
    Action.TERMINATION_REQUESTED: "申请终止", Action.CASE_TERMINATED: "终止案件",
    Action.TERMINATION_REFUSED: "不予终止", Action.CASE_TRANSFERRED: "移送司法机关",
    Action.TRANSFER_DECLINED: "决定不移送", Action.CATALOG_LOADED: "加载目录清单",
    Action.CATALOG_CONFIRMED: "确认目录清单新版本", Action.CATALOG_REFUSED: "退回目录清单",
    Action.DOWNGRADE_REQUESTED: "申请确认降级", Action.DOWNGRADE_CONFIRMED: "确认降级",
    Action.DOWNGRADE_REFUSED: "不同意降级", Action.POSSIBLE_SPLIT_FLAGGED: "提示疑似拆分案件",
    Action.REVIEW_DEADLINE_EXTENDED: "延长审核期限", Action.DEADLINE_RECOMPUTED: "重新计算期限",
    Action.DEADLINE_REMINDED: "期限提醒", Action.DEADLINE_TIMERS_FIRED: "期限计时触发",
    Action.FINDING_RECORDED: "记录责任认定", Action.INQUIRY_OPENED: "启动责任追究",
    Action.INQUIRY_CLOSED: "责任追究结案", Action.STORAGE_SWEPT: "清理存储遗留文件",
    Action.TEMPLATE_LOADED: "载入文书模板", Action.USER_ADDED: "新增用户", Action.ROLE_GRANTED: "授予角色",
    Action.ROLE_REVOKED: "撤销角色", Action.USER_DISABLED: "停用用户",
}


def beijing(value: datetime | None) -> str:
    """A stored (UTC) time as Beijing time, to the minute."""
    if value is None:
        return "—"
    return as_utc(value).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def filesize(value: Any) -> str:
    size = int(value or 0)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(value)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def init_app(app: Flask) -> None:
    app.add_template_filter(beijing)
    app.add_template_filter(filesize)
    app.add_template_filter(action_label)
