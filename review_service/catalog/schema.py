"""The shape of a catalog file (目录清单) as pydantic models, and its condition tree.

A rule's ``when`` is written in YAML as a mapping (DESIGN.md §6) and turned
into the condition tree below by :mod:`review_service.catalog.loader`, which
also reports every fault with its line. The tree is plain data: nothing from a
catalog is ever evaluated as code.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator, model_validator


class Category(enum.StrEnum):
    """The five kinds of major decision that 118号 and indicator (92) require every catalog to cover."""

    PUBLIC_INTEREST = "public_interest"
    SOCIAL_IMPACT = "social_impact"
    MAJOR_RIGHTS = "major_rights"
    AFTER_HEARING = "after_hearing"
    COMPLEX = "complex"


CATEGORY_LABELS: dict[str, str] = {
    "public_interest": "涉及重大公共利益",
    "social_impact": "可能造成重大社会影响或引发社会风险",
    "major_rights": "直接关系行政相对人或第三人重大权益",
    "after_hearing": "经过听证程序作出",
    "complex": "案件情况疑难复杂、涉及多个法律关系",
}

Scalar = bool | Decimal | str
Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Compare(_Node):
    """``field <op> value``; ``value`` is a tuple for ``in`` and ``not_in``."""

    kind: Literal["compare"] = "compare"
    field: str
    op: Operator
    value: Scalar | tuple[Scalar, ...]


class AllOf(_Node):
    kind: Literal["all"] = "all"
    items: tuple[Condition, ...]


class AnyOf(_Node):
    kind: Literal["any"] = "any"
    items: tuple[Condition, ...]


class NotOf(_Node):
    kind: Literal["not"] = "not"
    item: Condition


Condition = Annotated[Compare | AllOf | AnyOf | NotOf, Field(discriminator="kind")]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()

RuleId = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
CatalogId = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Text = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AppliesTo(_Model):
    """The enforcement systems (执法系统) and/or agencies (by exact name) a catalog applies to."""

    systems: tuple[Text, ...] = ()
    agencies: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> AppliesTo:
        if not self.systems and not self.agencies:
            raise ValueError("applies_to 须至少列出一个执法系统（systems）或行政执法机关（agencies）")
        return self


class RuleSpec(_Model):
    """One rule of the catalog: when ``when`` holds, the decision is major for ``category``."""

    id: RuleId
    category: Category
    description: Text
    legal_basis: str = ""
    when: Condition

    @field_validator("legal_basis", mode="before")
    @classmethod
    def _join_basis(cls, value: object) -> object:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return "；".join(value)
        return value


class CatalogSpec(_Model):
    """A validated catalog file."""

    id: CatalogId
    version: Annotated[StrictInt, Field(ge=1)]
    title: Text
    effective_from: date
    applies_to: AppliesTo
    rules: Annotated[tuple[RuleSpec, ...], Field(min_length=1)]

    @field_validator("effective_from", mode="before")
    @classmethod
    def _plain_date(cls, value: object) -> object:
        if isinstance(value, datetime) or not isinstance(value, date | str):
            raise ValueError(f"“effective_from” 应为日期（YYYY-MM-DD），而不是 {value}")
        return value

    def applies(self, *, agency_name: str, system: str | None) -> bool:
        """Whether this catalog names the agency or the agency's enforcement system."""
        return agency_name in self.applies_to.agencies or (
            system is not None and system in self.applies_to.systems
        )
