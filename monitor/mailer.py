"""Sending one email through the configured SMTP server (MONITOR_SMTP_*): the weekly digest
and the instant alerts share it."""

from __future__ import annotations

import smtplib
import ssl
from email import policy
from email.message import EmailMessage

from .config import Settings

__all__ = ["send_message", "new_message", "MailError"]

# Headers are not folded at 78 characters: Python's folding of a long Vietnamese subject puts
# a space between two encoded words, where readers drop it ("Cửa khẩuHữu Nghị").
POLICY = policy.SMTP.clone(max_line_length=998)


class MailError(Exception):
    """The message could not be handed to the SMTP server; the text says why."""


def new_message() -> EmailMessage:
    """An empty message with the project's header policy."""
    return EmailMessage(policy=POLICY)


def send_message(msg: EmailMessage, settings: Settings, timeout: float = 30) -> None:
    """Hand ``msg`` to MONITOR_SMTP_HOST (STARTTLS, TLS or plain, with a login when set)."""
    host, port, mode = settings.smtp_host, settings.smtp_port, settings.smtp_tls
    if not host:
        raise MailError("MONITOR_SMTP_HOST is not set")
    context = ssl.create_default_context()
    try:
        smtp = (smtplib.SMTP_SSL(host, port, context=context, timeout=timeout) if mode == "tls"
                else smtplib.SMTP(host, port, timeout=timeout))  # fmt: skip
        with smtp:
            if mode == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{host}:{port}: {type(exc).__name__}: {exc}") from None
