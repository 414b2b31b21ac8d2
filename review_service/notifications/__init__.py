"""Reminders: in-app notifications, and e-mail sent from an outbox after commit (DESIGN.md §5)."""
