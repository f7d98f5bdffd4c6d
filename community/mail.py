"""Sending email. By default the message is printed to the log; SMTP when MAIL_SERVER is set."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_email(to: str, subject: str, body: str, *, message_id: str | None = None) -> None:
    """Send one email; `message_id` ('<...@...>') lets a resend be recognised as the same message."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    server = current_app.config["MAIL_SERVER"]
    if not server:
        current_app.logger.info("Email (not sent: MAIL_SERVER is not set)\n%s", message)
        return
    with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
        if current_app.config["MAIL_USE_TLS"]:
            smtp.starttls()
        if current_app.config["MAIL_USERNAME"]:
            smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
