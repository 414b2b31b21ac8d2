"""The case read model, above the domains (issue 16 point 6): it reads every domain's rows.

- :mod:`.read`: what a case read needs from the database, in one statement (:func:`~.read.read_case`), with
  the plain reads it is pinned to (:func:`~.read.plain_case`).
- :mod:`.view`: the case JSON (:func:`~.view.case_view`, :func:`~.view.visible_case_view`,
  :func:`~.view.render_case_view`).
- :mod:`.todo`: the caller's to-do list (:func:`~.todo.open_tasks`).
"""
