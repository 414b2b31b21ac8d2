"""Template filters shared by every page: dates and times as documents write them (Beijing time), file sizes,
audit action names in Chinese."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from review_service.core.actions import Action
from review_service.web.cases.wording import cn_date, cn_datetime
from review_service.web.edge import field_labels

# The Chinese name of each audited action on the pages (tests/web checks every Action has one); keys are
# Action members, str-typed as the filter looks up stored actions.
ACTION_LABELS: dict[str, str] = {
    Action.CASE_CREATED: "创建案件", Action.DRAFT_UPDATED: "修改草稿", Action.MATERIAL_ATTACHED: "上传材料",
    Action.CASE_SUBMITTED: "报送法制审核", Action.SUBMISSION_SIGNED_OFF: "承办机构负责人签核",
    Action.SUBMISSION_SENT_BACK: "承办机构负责人退回", Action.REVIEWER_ASSIGNED: "分配审核人员",
    Action.INTAKE_RECORDED: "受理审查", Action.MATERIALS_SUPPLEMENTED: "补充材料",
    Action.OPINION_DRAFT_SAVED: "暂存审核意见",
    Action.OPINION_SUBMITTED: "提交审核意见", Action.REPLY_SUBMITTED: "书面回复", Action.CASE_RESUBMITTED: "重新报送",
    Action.CASE_ABANDONED: "不再作出决定", Action.CASE_COORDINATED: "协调", Action.DECISION_MADE: "作出决定",
    Action.CASE_RETURNED: "负责人退回", Action.WORKFLOW_CONTINUED: "流程续接",
    Action.PROCESS_MIGRATED: "迁移流程版本", Action.DECISION_PUBLISHED: "公开决定",
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
    Action.DEADLINE_PAUSED: "审核期限暂停计算（补充材料）", Action.DEADLINE_RESUMED: "审核期限恢复计算",
    Action.REVIEW_EXTENSION_REQUESTED: "申请延长审核期限", Action.REVIEW_EXTENSION_REFUSED: "不同意延长审核期限",
    Action.REVIEW_MATERIALS_REQUESTED: "审查中要求补充材料", Action.REVIEW_MATERIALS_ANSWERED: "答复补充材料要求",
    Action.REVIEW_MATERIALS_LAPSED: "补充材料要求随审查结束",
    Action.DECISION_LIMIT_EXTENDED: "延长办案期限（第六十条）",
    Action.EXCLUDED_PERIOD_RECORDED: "登记不计入办案期限的期间",
    Action.PUBLICATION_EXEMPTED: "决定依规定无需公开",
    Action.DEADLINE_REMINDED: "期限提醒", Action.DEADLINE_TIMERS_FIRED: "期限计时触发",
    Action.FINDING_RECORDED: "提出责任认定意见", Action.FINDING_DECIDED: "决定责任认定",
    Action.FINDING_RETURNED: "退回责任认定意见", Action.INQUIRY_GROUNDS_RECORDED: "登记撤销理由",
    Action.INQUIRY_OPENED: "启动责任追究",
    Action.INQUIRY_CLOSED: "责任追究结案", Action.STORAGE_SWEPT: "清理存储遗留文件",
    Action.TEMPLATE_LOADED: "载入文书模板", Action.USER_ADDED: "新增用户", Action.ROLE_GRANTED: "授予角色",
    Action.ROLE_REVOKED: "撤销角色", Action.USER_DISABLED: "停用用户",
    Action.CALENDAR_YEAR_LOADED: "载入工作日历", Action.INDICATOR_FIGURE_RECORDED: "记录指标数据",
    Action.DISCRETION_BENCHMARK_LOADED: "载入裁量基准",
    Action.LAW_LIBRARY_LOADED: "载入法律法规库",
    Action.AGENCY_ADDED: "新增机关", Action.TOKEN_ISSUED: "签发接口令牌", Action.TOKEN_REVOKED: "吊销接口令牌",
    Action.USER_LOGGED_IN: "登录", Action.USER_LOGGED_OUT: "退出登录", Action.LOGIN_FAILED: "登录失败",
    Action.ACCOUNT_LOCKED: "锁定账户", Action.PASSWORD_RESET: "重置密码", Action.ACCOUNT_UNLOCKED: "解锁账户",
    Action.PASSWORD_CHANGED: "修改密码", Action.AGENCY_SETTINGS_CHANGED: "修改机关设置",
    Action.UNIT_ADDED: "新增内设机构", Action.UNIT_RENAMED: "更改内设机构名称", Action.UNIT_DEACTIVATED: "撤销内设机构",
    Action.USER_UNIT_ASSIGNED: "调整用户所在内设机构",
    Action.NOTIFICATIONS_READ: "阅读通知",
}


def beijing(value: datetime | str | None) -> str:
    """A stored (UTC) time as Beijing time, to the minute, as a document writes it: ``2026年12月7日 14:05``."""
    return cn_datetime(value)


def filesize(value: Any) -> str:
    size = int(value or 0)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(value)


def yuan(value: Any) -> str:
    """A decimal string of yuan as a reader writes it: 350,000 元 (cents only when there are any)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value or "")
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


def action_label(action: str) -> str:
    """The action's Chinese name; an action without one (added later) reads 其他操作, never its code."""
    return ACTION_LABELS.get(action, "其他操作")


_ACTION_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_COMMAND = re.compile(r"review-service [^）)]*")


def in_words(text: str | None) -> Markup:
    """A domain's explanatory text for a page: audit action codes it names (``case_created``) in their Chinese
    names, a command line it quotes for the operator (``review-service …``) set as code the reader types."""
    escaped = str(escape(text or ""))
    escaped = _COMMAND.sub(lambda m: f'<code data-ascii-ok>{m.group(0)}</code>', escaped)
    parts = re.split(r"(<code data-ascii-ok>.*?</code>)", escaped)
    return Markup("".join(part if part.startswith("<code") else
                          _ACTION_CODE.sub(lambda m: ACTION_LABELS.get(m.group(0), m.group(0)), part)
                          for part in parts))


def init_app(app: Flask) -> None:
    app.add_template_filter(beijing)
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_datetime)
    app.add_template_filter(filesize)
    app.add_template_filter(yuan)
    app.add_template_filter(action_label)
    app.add_template_filter(in_words)
    app.add_template_global(field_labels)  # the error summary names a nested form's fields (macros.html)
