"""An agency's template override: used when safe, refused (running nothing) when it tries to leave the sandbox."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from docx import Document as Docx
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.cases.models import Case
from review_service.core.errors import Invalid
from review_service.documents.models import Document
from review_service.documents.rendering import TemplateRefused
from review_service.documents.storage import PACKAGED_TEMPLATES
from review_service.review.models import Review
from review_service.review.operations import submit_opinion
from tests.fixtures.documents import PROBLEM, documents, docx_text, file_of
from tests.fixtures.world import opinion


def template_with(body: str) -> bytes:
    """A minimal .docx whose body paragraph holds ``body`` (a Jinja text)."""
    doc = Docx()
    doc.add_paragraph("本机关自定义意见书")
    doc.add_paragraph(body)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def override(instance: Path, kind: str, data: bytes) -> None:
    folder = instance / "opinion_templates"
    folder.mkdir(exist_ok=True)
    (folder / f"{kind}.docx").write_bytes(data)


class Marker:
    """A value whose every use leaves a trace: proof of whether the template ran."""

    calls: ClassVar[list[str]] = []

    def __str__(self) -> str:
        Marker.calls.append("str")
        return "marker"


def test_a_safe_override_is_used_and_named(world: Any, instance: Path) -> None:
    override(instance, "opinion", template_with("{{ case_number }}：{% for p in points %}{{ p.label }}="
                                                "{{ p.finding_label }}；{% endfor %}{{ conclusion_label }}"))
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (item,) = documents(world, case_id)
    content = docx_text(file_of(world, case_id, item))
    assert "本机关自定义意见书" in content and "证据是否合法充分=存在问题" in content
    with world.uow() as session:
        row = session.get(Document, int(item["id"]))
        assert row is not None and row.template_source == "instance"


MALICIOUS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ points.__class__ }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ conclusion|attr('__class__') }}",
    "{{ points['__class__'] }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{% extends '/etc/hosts' %}",
    "{{ self._TemplateReference__context }}",
    "{{ '{0.__class__}'.format(conclusion) }}",
]


@pytest.mark.parametrize("body", MALICIOUS)
def test_a_template_escaping_the_sandbox_is_refused_and_runs_nothing(world: Any, instance: Path, body: str) -> None:
    # the marker sits *before* the malicious tag: had any of the template run, the marker would have been used
    override(instance, "opinion", template_with("{{ reviewer }}{{ marker }}" + body))
    case_id = world.in_review()
    before = world.case(case_id)
    with world.uow() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    Marker.calls.clear()
    from review_service.documents import context as contexts

    original = contexts.opinion_context
    contexts.opinion_context = lambda *a, **k: {**original(*a, **k), "marker": Marker()}
    try:
        with pytest.raises(TemplateRefused) as refused:
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    finally:
        contexts.opinion_context = original
    error = refused.value
    assert isinstance(error, Invalid) and error.unsafe and "安全沙箱" in error.message and "已拒绝" in error.message
    assert Marker.calls == []  # nothing of the template ran
    assert not (Path.cwd() / "MARKER").exists()
    with world.uow() as session:  # and nothing changed: no opinion, no document, no event, same case version
        assert session.scalar(select(func.count()).select_from(Review).where(Review.case_id == case_id)) == 0
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
        case = session.get(Case, case_id)
        assert case is not None and case.version == before.version and case.status == "in_review"


def test_a_broken_template_is_refused_with_a_clear_error(world: Any, instance: Path) -> None:
    case_id = world.in_review()
    for data, words in ((b"not a zip", "不是有效的 .docx"), (template_with("{% for p in points %}"), "模板语法错误")):
        override(instance, "opinion", data)
        with pytest.raises(TemplateRefused) as refused:
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
        assert words in refused.value.message and not refused.value.unsafe
    assert documents(world, case_id) == []


def test_runaway_templates_stop(world: Any, instance: Path) -> None:
    override(instance, "opinion", template_with("{{ 'x' * 100000000 }}"))
    case_id = world.in_review()
    with pytest.raises(TemplateRefused):
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))


def test_packaged_templates_are_reproducible() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_templates", PACKAGED_TEMPLATES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for kind in module.KINDS:
        assert module.build(kind) == (PACKAGED_TEMPLATES / f"{kind}.docx").read_bytes(), kind
        names = zipfile.ZipFile(PACKAGED_TEMPLATES / f"{kind}.docx").namelist()
        assert "word/stylesWithEffects.xml" not in names  # lean: rendering stays fast
