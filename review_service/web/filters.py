"""Template filters shared by every page: Beijing time, file sizes, audit action names in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from review_service.core.clock import BEIJING, as_utc

ACTION_LABELS = {
    "case_created": "创建案件", "draft_updated": "修改草稿", "material_attached": "上传材料",
    "case_submitted": "报送法制审核", "submission_signed_off": "承办机构负责人签核",
    "submission_sent_back": "承办机构负责人退回", "reviewer_assigned": "分配审核人员", "intake_recorded": "受理审查",
    "materials_supplemented": "补充材料", "opinion_submitted": "提交审核意见", "reply_submitted": "书面回复",
    "case_resubmitted": "重新报送", "case_abandoned": "不再作出决定", "case_coordinated": "协调",
    "decision_made": "作出决定", "case_returned": "负责人退回", "workflow_continued": "流程续接",
    "decision_published": "公开决定", "deadlines_updated": "更新期限", "document_issued": "生成文书",
    "deadline_extended": "延长审核期限", "reminder_sent": "发送提醒", "decision_revoked": "决定被撤销",
    "decision_withdrawn": "撤回公开",
    "collective_discussion_recorded": "记录集体讨论", "case_flagged_complex": "认定情节复杂",
    "case_suspended": "中止案件", "case_resumed": "恢复办理", "recusal_declared": "回避声明",
    "reviewer_reassigned": "重新分配审核人员", "case_reassigned": "改派承办人",
    "submission_withdrawn": "撤回送审", "termination_requested": "申请终止", "case_terminated": "终止案件",
    "termination_refused": "不予终止", "case_transferred": "移送司法机关", "transfer_declined": "决定不移送",
    "catalog_loaded": "加载目录清单", "catalog_confirmed": "确认目录清单新版本", "catalog_refused": "退回目录清单",
    "downgrade_requested": "申请确认降级", "downgrade_confirmed": "确认降级", "downgrade_refused": "不同意降级",
    "possible_split_flagged": "提示疑似拆分案件", "review_deadline_extended": "延长审核期限",
    "deadline_recomputed": "重新计算期限", "deadline_reminded": "期限提醒", "deadline_timers_fired": "期限计时触发",
    "finding_recorded": "记录责任认定", "inquiry_opened": "启动责任追究", "inquiry_closed": "责任追究结案",
    "storage_swept": "清理存储遗留文件", "template_loaded": "载入文书模板",
    "user_added": "新增用户", "role_granted": "授予角色", "role_revoked": "撤销角色", "user_disabled": "停用用户",
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
