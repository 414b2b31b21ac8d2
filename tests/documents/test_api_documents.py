"""``GET /api/v1/cases/{id}/documents`` and the download: listed, served as .docx, 404 outside the scope."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from review_service import create_app
from review_service.core.clock import beijing_today
from review_service.documents.models import DOCX_TYPE
from review_service.review.operations import submit_opinion
from tests.fixtures.api import Api, error_code
from tests.fixtures.documents import PROBLEM, docx_text
from tests.fixtures.world import MAJOR_DRAFT, opinion


@pytest.fixture
def api(database_url: str, world: Any, instance: Path) -> Iterator[Api]:
    application: Flask = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": database_url, "TESTING": True})
    yield Api(application.test_client(), world)
    application.extensions["review_service"].close()


def test_list_and_download(api: Api, world: Any) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    listed = api.as_("handler").get(f"/cases/{case_id}/documents")
    assert listed.status_code == 200
    (item,) = listed.get_json()
    assert {"kind", "round", "sha256", "url"} <= set(item) and (item["kind"], item["round"]) == ("opinion", 1)
    assert item["number"].endswith(f"法审〔{beijing_today().year}〕1号")  # its own 文号 (documents.numbering)
    response = api.client.get(item["url"], headers={"Authorization": f"Bearer {api.token('handler')}"})
    assert response.status_code == 200 and response.mimetype == DOCX_TYPE
    data = response.get_data()
    assert hashlib.sha256(data).hexdigest() == item["sha256"] and response.headers["ETag"] == f'"{item["sha256"]}"'
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"case-") and disposition.isascii()
    expected = f"{MAJOR_DRAFT['case_number']}-法制审核意见书-第1轮.docx"
    assert f"filename*=UTF-8''{quote(expected, safe='')}" in disposition
    assert MAJOR_DRAFT["facts"] in docx_text(data)
    # the spec lists both routes
    paths = api.get("/openapi.json").get_json()["paths"]
    assert "/api/v1/cases/{case_id}/documents" in paths and "/api/v1/cases/{case_id}/documents/download" in paths


def test_outside_the_scope_is_404(api: Api, world: Any) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (item,) = api.as_("head").get(f"/cases/{case_id}/documents").get_json()
    outsider = api.as_("outsider")
    assert error_code(outsider.get(f"/cases/{case_id}/documents")) == "not_found"
    token = {"Authorization": f"Bearer {api.token('outsider')}"}
    assert api.client.get(item["url"], headers=token).status_code == 404
    other_case = world.in_review()  # a document id under another case's path is not found either
    own = {"Authorization": f"Bearer {api.token('handler')}"}
    wrong = api.client.get(f"/api/v1/cases/{other_case}/documents/download?id={item['id']}", headers=own)
    assert wrong.status_code == 404 and error_code(wrong) == "not_found"
    assert api.client.get(item["url"]).status_code == 401
    assert error_code(api.client.get(f"/api/v1/cases/{case_id}/documents/download", headers=own)) == "invalid"
