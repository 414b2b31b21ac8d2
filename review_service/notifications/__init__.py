"""Reminders: in-app notifications, and e-mail sent from an outbox after commit (DESIGN.md §5).

The reminders of a deadline's fired timers are written by :mod:`.receivers` on ``deadline_stage_reached``.
"""
