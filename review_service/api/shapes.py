"""API-only shapes: the few request bodies the domain takes as plain arguments, and every response.

Request bodies that the domain validates itself (``DraftIn``, ``OpinionIn``, ``ReplyIn``,
``CoordinationIn``, ``ApprovalIn``) are imported from their domains, never copied here.
The response models exist to describe responses in the OpenAPI document (and to check
responses against it in the tests); the domain's ``queries`` build the data.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from review_service.cases.models import CaseStatus
from review_service.core.input import Id


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenIn(_In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class SubmitIn(_In):
    """Submitting is the handler's attestation (材料真实、准确、完整); ``attest`` defaults to true."""

    attest: bool = True


class AssignIn(_In):
    reviewer_id: Id
    advisor_ids: list[Id] = Field(default_factory=list, max_length=20)


class IntakeIn(_In):
    complete: bool
    missing: list[Annotated[str, Field(max_length=300)]] = Field(default_factory=list, max_length=50)


class SignoffIn(_In):
    approve: bool
    comment: str = Field(default="", max_length=20_000)


class SupplementIn(_In):
    note: str = Field(default="", max_length=20_000)


class AbandonIn(_In):
    reason: str = Field(min_length=1, max_length=20_000)


class CaseQuery(_In):
    """Query parameters of ``GET /api/v1/cases``."""

    status: CaseStatus | None = None
    agency: Id | None = None
    q: str | None = Field(default=None, max_length=200)
    page: int = Field(default=1, ge=1, le=100_000)


class MaterialForm(_In):
    """The form fields of a material upload (``file`` is the multipart file part)."""

    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)


# ---- responses -------------------------------------------------------------------------------------------------


class Ref(BaseModel):
    id: str
    name: str


class Me(BaseModel):
    id: str
    username: str
    name: str
    agency: Ref
    roles: list[str]


class TokenOut(BaseModel):
    token: str
    expires_at: str


class MatchedRule(BaseModel):
    rule_id: str | None
    category: str | None
    reason: str | None


class CatalogRef(BaseModel):
    id: str
    version: int | None


class ClassificationOut(BaseModel):
    major: bool
    catalog: CatalogRef | None
    matched_rules: list[MatchedRule]


class DraftOut(BaseModel):
    """The draft fields as posted, with the version number and the SHA-256 of its canonical JSON."""

    model_config = ConfigDict(extra="allow")
    version: int
    sha256: str


class TaskOut(BaseModel):
    id: str | None
    kind: str
    assignee: Ref | None
    candidates: list[str]
    due_date: str | None
    overdue: bool
    provisional: bool = False
    suspended: bool = False


class Advice(BaseModel):
    point: str
    message: str


class ReviewOut(BaseModel):
    round: int
    draft_sha256: str
    reviewer: Ref | None
    conclusion: Literal["approve", "amend", "reject"]
    summary: str
    points: dict[str, Any]
    quality: list[Advice]
    submitted_at: str


class ReplyOut(BaseModel):
    round: int
    responses: dict[str, Any]
    summary: str
    disputed: bool
    submitted_at: str


class CoordinationOut(BaseModel):
    round: int
    reason: str
    outcome: str
    reasoning: str
    collective_discussion: dict[str, Any] | None
    coordinated_at: str


class MaterialOut(BaseModel):
    id: str
    kind: str
    title: str
    filename: str
    sha256: str
    size: int
    uploaded_at: str


class DecisionOut(BaseModel):
    number: str
    decided_at: str
    draft_sha256: str


class DeadlineOut(BaseModel):
    kind: str
    due_date: str
    met_at: str | None
    provisional: bool = False
    overdue: bool = False
    state: Literal["open", "met", "cancelled"] = "open"
    start_date: str | None = None
    working_days: int | None = None
    extended: bool = False
    extension_reason: str | None = None
    decision_limit: str | None = None
    beyond_decision_limit: bool = False
    paused: bool = False  # the case is suspended (中止): the count stopped
    paused_days: int = 0  # working days the due date moved back by suspensions


class SuspensionOut(BaseModel):
    """The suspension (中止) in force: its legal reason, since when, decided by whom."""

    id: str
    reason: str
    reason_label: str
    reason_text: str
    since: str
    at_task: str | None
    by: Ref
    role: str


class RecusalOut(BaseModel):
    """A reviewer's or advisor's recusal declaration (回避声明) on an assignment."""

    user_id: str
    assignment_id: str
    capacity: Literal["reviewer", "advisor"]
    declaration: Literal["no_conflict", "decline"]
    label: str
    reason: str
    declared_at: str


class _CaseHead(BaseModel):
    """What every case answer starts with (the full case and a list row)."""

    id: str
    version: int
    status: CaseStatus
    title: str
    case_number: str | None
    agency: Ref
    decision_type: str


class CaseOut(_CaseHead):
    handler: Ref | None
    classification: ClassificationOut | None
    draft: DraftOut | None
    round: int
    tasks: list[TaskOut]
    reviews: list[ReviewOut]
    replies: list[ReplyOut]
    coordinations: list[CoordinationOut]
    materials: list[MaterialOut]
    decision: DecisionOut | None
    deadlines: list[DeadlineOut]
    suspended: bool = False
    suspension: SuspensionOut | None = None
    recusals: list[RecusalOut] = Field(default_factory=list)
    created_at: str
    updated_at: str


class CaseWithQuality(CaseOut):
    """The case after an opinion, with the quality advice on that opinion (indicator (105))."""

    quality: list[Advice]


class CaseSummary(_CaseHead):
    major: bool | None
    round: int
    current_task: str | None
    updated_at: str


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int


class MaterialCreated(BaseModel):
    id: str
    sha256: str
    size: int


class TaskItem(BaseModel):
    id: str | None
    case_id: str
    kind: str
    title: str
    status: CaseStatus
    due_date: str | None
    overdue: bool
    provisional: bool
    suspended: bool = False
    # issue 19: the art. 60 limit of a penalty case ({due_date, days_left (calendar days), overdue, paused …})
    decision_limit: dict[str, Any] | None = None


class TaskList(RootModel[list[TaskItem]]):
    pass


class AuditEventOut(BaseModel):
    seq: int
    at: str
    actor: str | None
    role: str
    action: str
    outcome: str
    payload: Any
    hash: str


class AuditEventList(RootModel[list[AuditEventOut]]):
    pass


class VerifyOut(BaseModel):
    ok: bool
    events: int
    checkpoint: dict[str, Any] | None = None
    first_bad_seq: int | None = None
    reason: str | None = None
    reason_code: str | None = None


class UserOut(BaseModel):
    id: str
    username: str
    name: str
    active: bool


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    error: ErrorBody
