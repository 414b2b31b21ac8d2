"""The ten-point opinion as posted (API.md ``POST /api/v1/cases/{id}/review``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from review_service.cases.schemas import parse_input
from review_service.core.errors import Invalid
from review_service.review.points import TEN_POINTS


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    finding: Literal["ok", "problem", "not_applicable"]
    opinion: str = Field(default="", max_length=10_000)
    citations: list[str] = Field(default_factory=list, max_length=30)
    remedy: str = Field(default="", max_length=5_000)
    reason: str = Field(default="", max_length=2_000)  # why a point does not apply


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    points: dict[str, PointIn]
    conclusion: Literal["approve", "amend", "reject"]
    summary: str = Field(default="", max_length=20_000)
    advisor_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list, max_length=20)


def parse_opinion(data: Any) -> OpinionIn:
    """Validate an opinion; every one of the ten points is required and written out."""
    opinion = parse_input(OpinionIn, data)
    fields: dict[str, str] = {}
    for key in opinion.points:
        if key not in TEN_POINTS:
            fields[f"points.{key}"] = "不是审核要点"
    for key, label in TEN_POINTS.items():
        point = opinion.points.get(key)
        if point is None:
            fields[f"points.{key}"] = f"缺少审核要点：{label}"
            continue
        if not point.opinion:
            fields[f"points.{key}.opinion"] = "请写明审核意见"
        if point.finding == "problem":
            if not [c for c in point.citations if c.strip()]:
                fields[f"points.{key}.citations"] = "存在问题的要点须列明依据的法律条款"
            if not point.remedy:
                fields[f"points.{key}.remedy"] = "存在问题的要点须写明修改要求"
        if point.finding == "not_applicable" and not point.reason:
            fields[f"points.{key}.reason"] = "不适用的要点须说明理由"
    if opinion.conclusion == "approve":
        for key, point in opinion.points.items():
            if point.finding == "problem":
                fields.setdefault(f"points.{key}.finding", "结论为同意时不能有存在问题的要点")
    elif not any(point.finding == "problem" for point in opinion.points.values()):
        fields["conclusion"] = "结论为修改或不同意时，至少应有一个存在问题的要点"
    if fields:
        raise Invalid("审核意见不完整或有矛盾，请按提示修改。", fields=fields)
    return opinion


TRANSFER_POINT = "criminal_transfer"  # point 10: a yes/no finding ("problem" = 涉嫌犯罪、需要移送)


def refuse_hollow(opinion: OpinionIn, substantive: list[str]) -> None:
    """Refuse 不适用 on points that always apply (``substantive``, per agency and decision type) and on point 10.

    An opinion whose 主体、程序、事实、证据 and 法律适用 are all "not applicable" reviews nothing;
    point 10 asks whether the conduct is suspected of a crime, which has an answer in every case.
    """
    fields: dict[str, str] = {}
    for key in [*substantive, TRANSFER_POINT]:
        point = opinion.points.get(key)
        if point is not None and point.finding == "not_applicable":
            fields[f"points.{key}.finding"] = (
                "本要点须作出“是”或“否”的认定，不能为不适用" if key == TRANSFER_POINT
                else f"“{TEN_POINTS.get(key, key)}”是每个执法决定都须审查的要点，不能为不适用")
    if fields:
        raise Invalid("审核意见对必须审查的要点作出了“不适用”，请逐项审查后再提交。", fields=fields)


def transfer_suggested(opinion: OpinionIn) -> bool:
    """Point 10 answered yes: the conduct is suspected of a crime and the case should go to the judicial organs."""
    point = opinion.points.get(TRANSFER_POINT)
    return point is not None and point.finding == "problem"

