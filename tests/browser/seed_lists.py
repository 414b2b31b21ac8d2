"""Cases and reminders for the list tests (test_browser_lists.py): three reviews of 陈静 due yesterday (已逾期),
on the next working day (即将到期) and in five working days, and the review deadlines' reminders.

Run as ``python -m tests.browser.seed_lists`` against the running server's instance (the same environment
as ``tests.browser.seed``); prints ``{"name": case_id}`` as JSON. Due dates are set on the rows themselves:
the server reads them on every request, and waiting days for a deadline to pass is not a test.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from review_service.calendar.queries import calendar_from_db
from review_service.core.clock import beijing_today
from review_service.deadlines.models import Deadline, DeadlineState
from review_service.notifications.operations import remind
from review_service.organization.models import User
from review_service.runtime import open_runtime
from tests.browser.seed import PARTS, _draft
from tests.fixtures.world import World

#: name → title (案号 西市监处〔2026〕986号 … 988号: numbers no other browser seed uses).
LIST_CASES = {"late": "列表测试：已逾期的审核案", "soon": "列表测试：即将到期的审核案",
              "later": "列表测试：期限充裕的审核案"}


def main() -> None:
    runtime = open_runtime()
    try:
        with runtime.transaction() as session:
            ids = {part: session.scalars(select(User.id).where(User.username == username)).one()
                   for part, username in PARTS.items()}
        world = World(uow=runtime.transaction, blobs=runtime.blobs, ids=ids)
        cases = {name: world.in_review(_draft(title, 86 + number))
                 for number, (name, title) in enumerate(LIST_CASES.items())}
        with runtime.transaction() as session:
            calendar = calendar_from_db(session)
            today = beijing_today()
            yesterday = today - timedelta(days=1)
            due = {"late": yesterday, "soon": calendar.add_working_days(today, 1).date}
            for name, day in due.items():
                session.execute(update(Deadline).where(Deadline.case_id == cases[name],
                                                       Deadline.state == DeadlineState.OPEN.value)
                                .values(start_on=day - timedelta(days=10), due_on=day, remind_on=day))
            for name, stage in (("soon", "due_soon"), ("late", "overdue")):
                deadline = session.scalars(select(Deadline).where(Deadline.case_id == cases[name],
                                                                  Deadline.state == DeadlineState.OPEN.value)).one()
                remind(session, deadline, stage, case_title=LIST_CASES[name])
    finally:
        runtime.close()
    print(json.dumps(cases))


if __name__ == "__main__":
    main()
