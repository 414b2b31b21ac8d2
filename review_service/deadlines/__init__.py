"""Deadlines in Chinese working days (DESIGN.md §8): what each task is due by, and whether it is late.

- :mod:`.models`: one row per tracked deadline (review, reply, publish, withdraw);
- :mod:`.plan`: computing due dates and the timer times the BPMN process reads;
- :mod:`.tracking`: the deadline side of each step (``step_prepared`` / ``step_completed``);
- :mod:`.operations`: extending a review, recomputing provisional deadlines;
- :mod:`.queries`: due dates for the to-do list and the case view, overdue lists;
- :mod:`.receivers`: how deadlines follow the steps, suspensions and the calendar (``core.signals``).

Firing due timers and deadline checks, safely from several processes, is the edge's job
``review_service.jobs.tick``.
"""
