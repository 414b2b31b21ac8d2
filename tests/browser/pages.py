"""What the browser tests do on the pages: log in and out, send a form, read a notice."""

from __future__ import annotations

from typing import Any

from review_service.demo import DEMO_PASSWORD

#: How long one Playwright action or expectation may wait (ms): pages answer in well under a second.
TIMEOUT_MS = 10_000


def submit(page: Any, button: str | Any) -> Any:
    """Click a form's submit button (by its label, or a locator) and wait for the page it leads to.

    Returns the navigation's response, so a test can check the status (401, 409, 422 …).
    """
    locator = page.get_by_role("button", name=button, exact=True) if isinstance(button, str) else button
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def log_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
    """Fill and send the login form; returns the response of the page it leads to."""
    if "/login" not in page.url:
        page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    return submit(page, "登录")


def log_out(page: Any) -> Any:
    """Press 退出 in the top bar."""
    return submit(page, "退出")


def notice(page: Any) -> str:
    """The text of the page's notices (flash messages, form errors, conflicts)."""
    return " ".join(page.locator(".notice").all_inner_texts())


def open_task(page: Any, title: str, task: str) -> Any:
    """Find the case's task in the user's 待办 (by case title and task label) and press 办理."""
    page.goto("/todo")
    row = (page.locator("table.todo tbody tr").filter(has_text=title)
           .filter(has=page.get_by_role("cell", name=task, exact=True)))
    assert row.count() == 1, f"{task} for {title} not in the to-do list of this user: {page.inner_text('main')[:500]}"
    with page.expect_navigation():
        row.get_by_role("link", name="办理").click()
    return page


def fill_opinion(page: Any, findings: dict[str, str], *, conclusion: str | None, summary: str = "") -> None:
    """Fill the ten-point opinion form: ``findings`` maps a point key to ok/problem/not_applicable."""
    from review_service.review.points import TEN_POINTS

    for key, finding in findings.items():
        label = TEN_POINTS[key]
        page.locator(f"input[name='points-{key}-finding'][value='{finding}']").check()
        if finding == "problem":
            page.locator(f"[name='points-{key}-opinion']").fill(f"{label}方面：现有证据不足以支持认定，需补充证据。")
            page.locator(f"[name='points-{key}-citations']").fill("《中华人民共和国行政处罚法》第四十条")
            page.locator(f"[name='points-{key}-remedy']").fill("补充调取进货单据和销售台账，核实货值金额")
        elif finding == "not_applicable":
            page.locator(f"[name='points-{key}-reason']").fill("本案不涉及该事项")
            page.locator(f"[name='points-{key}-opinion']").fill(f"本案不涉及{label}的审查。")
        else:
            page.locator(f"[name='points-{key}-opinion']").fill(f"经审查，{label}，符合法律规定，未发现问题。")
    if conclusion:
        page.locator(f"input[name='conclusion'][value='{conclusion}']").check()
    if summary:
        page.locator("[name='summary']").fill(summary)
