"""Required materials named before 报送 (issue 17 point 4), in a real browser at both sizes: the checklist on
the draft page, several files in one upload, what is missing said in Chinese on the submit page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import log_in, notice, submit
from tests.browser.screens import DESKTOP, PHONE, open_context, shoot, sideways, wider_than_screen
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.browser


def _file(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": text.encode()}


def _upload(page: Any, kind: str, files: list[dict[str, Any]]) -> None:
    form = page.locator("form[action$='/materials']")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=file]").set_input_files(files)
    submit(page, form.get_by_role("button", name="上传"))


@pytest.mark.parametrize(("viewport", "case"), [(DESKTOP, "materials_wide"), (PHONE, "materials_narrow")],
                         ids=["1440", "390"])
def test_the_checklist_and_several_files_in_one_upload(browser: Any, live_server: LiveServer, screenshots: Path,
                                                       viewport: dict[str, int], case: str) -> None:
    page = open_context(browser, live_server, viewport).new_page()
    page.goto("/login")
    log_in(page, "zhang.wei")
    case_id = live_server.cases[case]
    page.goto(f"/cases/{case_id}/draft#materials")
    checklist = page.locator("ul.checklist")
    expect(checklist.locator("li.missing")).to_have_count(3)
    expect(page.locator("#missing-materials")).to_contain_text(
        "尚缺 3 项必需材料：案件调查终结报告、证据材料、拟作出的决定文书")

    # two evidence files in one upload: two materials, the file names listed before sending
    form = page.locator("form[action$='/materials']")
    expect(form.get_by_role("button", name="选择文件")).to_be_visible()  # not the browser's "Choose Files"
    expect(form.locator(".file-none")).to_have_text("未选择文件")
    form.locator("input[name=file]").set_input_files([_file("现场检查笔录.pdf", "笔录"), _file("询问笔录.pdf", "询问")])
    expect(form.locator(".file-list li")).to_have_text(["现场检查笔录.pdf", "询问笔录.pdf"])
    expect(form.locator(".file-none")).to_be_hidden()
    form.locator("select[name=kind]").select_option("evidence")
    submit(page, form.get_by_role("button", name="上传"))
    assert "已上传 2 份材料" in notice(page)
    expect(checklist.locator("li.present")).to_have_count(1)
    expect(checklist.locator("li.present")).to_contain_text("现场检查笔录、询问笔录")
    assert sideways(page) == 0, wider_than_screen(page)
    shoot(page, screenshots, "draft-materials")

    # the submit page says what is missing before 报送 is pressed, and again (in Chinese) if it is
    page.goto(f"/cases/{case_id}/submit")
    expect(page.locator("#missing-materials")).to_contain_text("尚缺 2 项必需材料：案件调查终结报告、拟作出的决定文书")
    assert sideways(page) == 0, wider_than_screen(page)
    shoot(page, screenshots, "submit-checklist")
    page.locator("input[name=attest]").check()
    response = submit(page, "报送")
    assert response.status == 422
    said = notice(page)
    assert "缺少案件调查终结报告、拟作出的决定文书" in said and "materials" not in page.inner_text("main")

    # the rest, one upload each; then the list is complete and 报送 goes through
    page.goto(f"/cases/{case_id}/draft#materials")
    _upload(page, "investigation_report", [_file("调查终结报告.pdf", "报告")])
    _upload(page, "decision_draft", [_file("行政处罚决定书（草稿）.docx", "决定")])
    expect(page.locator("#missing-materials")).to_contain_text("必需的送审材料已齐全")
    page.goto(f"/cases/{case_id}/submit")
    page.locator("input[name=attest]").check()
    response = submit(page, "报送")
    assert response.status == 200 and page.url.endswith(f"/cases/{case_id}"), notice(page)
    page.context.close()
