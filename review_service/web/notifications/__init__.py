"""The notification inbox (站内提醒): the user's reminders, marking them read, the unread count in the header."""
