"""Jobs: the periodic work a process runs outside any request, at the edge beside ``api``, ``web`` and ``cli``.

- :mod:`.tick`: ``review-service tick``: fire due timers, check deadlines, send reminders and the
  outbox, bring the indicator summary up to date, checkpoint the audit log. It drives many domains
  (workflow, deadlines, notifications, indicators, audit), so it sits above all of them.
"""
