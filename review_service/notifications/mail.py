"""SMTP settings from the environment (``REVIEW_SERVICE_SMTP_*``); e-mail is off when no host is set.

``REVIEW_SERVICE_SMTP_HOST``, ``_PORT`` (default 587), ``_USER``, ``_PASSWORD``, ``_FROM``
(default the user), ``_SECURITY`` (``starttls`` default, ``ssl`` or ``none``), ``_TIMEOUT`` (seconds, 10).
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

PREFIX = "REVIEW_SERVICE_SMTP_"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "review-service@localhost"
    security: str = "starttls"
    timeout: float = 10.0


def smtp_settings() -> SmtpSettings | None:
    """The configured SMTP server, or None (e-mail off)."""
    host = os.environ.get(PREFIX + "HOST", "").strip()
    if not host:
        return None
    user = os.environ.get(PREFIX + "USER") or None
    return SmtpSettings(host=host, port=int(os.environ.get(PREFIX + "PORT", "587")), user=user,
                        password=os.environ.get(PREFIX + "PASSWORD") or None,
                        sender=os.environ.get(PREFIX + "FROM") or user or "review-service@localhost",
                        security=os.environ.get(PREFIX + "SECURITY", "starttls").lower(),
                        timeout=float(os.environ.get(PREFIX + "TIMEOUT", "10")))


def send_smtp(recipient: str, subject: str, body: str, settings: SmtpSettings | None = None) -> None:
    """Send one plain-text e-mail; raises on any failure (the outbox retries)."""
    config = settings or smtp_settings()
    if config is None:
        raise RuntimeError("SMTP is not configured")
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if config.security == "ssl" else smtplib.SMTP
    with smtp_class(config.host, config.port, timeout=config.timeout) as client:
        if config.security == "starttls":
            client.starttls()
        if config.user and config.password:
            client.login(config.user, config.password)
        client.send_message(message)
