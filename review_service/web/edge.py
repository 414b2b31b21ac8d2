"""The edge of a page request: the actor in a transaction, one operation, errors mapped onto form fields.

Views only parse, authorize and call one operation (DESIGN.md §5). A write runs in
:func:`acting` (the write turn on SQLite, one transaction committed once: ``review_service.edge``, shared
with the API); a read in :func:`reading` (a snapshot). A service error becomes what a person wants to see:
``Invalid`` puts its reasons next to the form's fields, ``Conflict`` shows the fresh case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 lacks it (3.3)

from review_service.core.errors import BadRequest, Invalid, ServiceError, Unauthenticated
from review_service.edge import Planned, runtime, writing
from review_service.organization.models import User
from review_service.organization.queries import user_by_id


def _actor(session: Session) -> User:
    user = user_by_id(session, current_user.id)
    if user is None or not user.active or user.session_version != current_user.session_version:
        raise Unauthenticated("会话已失效，请重新登录。")
    return user


@contextmanager
def acting(step: Planned | None = None) -> Iterator[tuple[Session, User]]:
    """One write transaction for this request, with the acting user loaded in it.

    Begun in the write turn, as the API's writes are (``edge.writing``); ``step``, the step the posted
    form asks for, is worked out before the turn as the API's is (``edge.ahead``: step ahead).
    """
    with writing(client_addr=request.remote_addr, step=step) as session:
        yield session, _actor(session)


@contextmanager
def reading() -> Iterator[tuple[Session, User]]:
    """A read-only snapshot with the current user loaded in it."""
    with runtime().reading() as session:
        yield session, _actor(session)


def expected_version() -> int | None:
    """The case version the form was rendered with (hidden ``expected_version``); None if absent."""
    raw = (request.form.get("expected_version") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise BadRequest("表单中的案件版本号不正确，请刷新页面后重试。")
    return int(raw)


def field_name(path: str) -> str:
    """A service field path (``points.facts_clear.opinion``) as the form field name (``points-facts_clear-opinion``)."""
    return path.replace(".", "-")


@dataclass
class Failure:
    """What went wrong with a form, to show next to its fields."""

    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, error: ServiceError) -> Failure:
        fields = {}
        if isinstance(error, Invalid):
            fields = {field_name(path): reason for path, reason in error.fields.items()}
        return cls(message=error.message, fields=fields)

    @classmethod
    def from_form(cls, form: Any) -> Failure:
        """WTForms' own validation errors (required fields …) in the same shape."""
        fields: dict[str, str] = {}

        def walk(errors: Any, prefix: str) -> None:
            if isinstance(errors, dict):
                for key, value in errors.items():
                    walk(value, f"{prefix}-{key}" if prefix and key is not None else prefix or str(key))
            elif isinstance(errors, list) and errors:
                if all(isinstance(e, str) for e in errors):
                    fields[prefix] = "；".join(errors)
                else:
                    for e in errors:
                        walk(e, prefix)

        walk(form.errors, "")
        return cls(message="提交的内容有误，请按提示修改。" if fields else "", fields=fields)

    def __bool__(self) -> bool:
        return bool(self.message or self.fields)


def field_labels(form: Any, prefix: str = "") -> dict[str, str]:
    """Every field of a (nested) form by name, with its label (a group's label before its fields')."""
    labels: dict[str, str] = {}
    for item in form:
        text = str(item.label.text) if item.label else ""
        labels[item.name] = f"{prefix}{text}" if text else item.name
        if item.type == "FormField":  # a group labelled "" only groups: its fields keep their own labels
            labels |= field_labels(item.form, f"{prefix}{text} · " if text else prefix)
    return labels


def lines(text: str | None) -> list[str]:
    """A textarea holding one item per line as a list (blank lines dropped)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Choices of a select or radio field from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
