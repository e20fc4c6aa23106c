"""Sending an e-mail through the bank's SMTP relay (KEFU_SMTP_*), with the standard library in a
worker thread: STARTTLS and a login when configured, a bounded retry when the failure is
temporary (a 4xx answer, a dropped or refused connection)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping, Optional

# Three attempts in all, 0.2 s then 0.4 s apart, as the SMS gateway retries.
ATTEMPTS = 3


class EmailNotSent(RuntimeError):
    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.temporary = temporary


@dataclass(frozen=True)
class SmtpSettings:
    host: Optional[str] = None
    port: int = 25
    # The From header: "银行客服 <service@bank.example>" or an address alone.
    sender: Optional[str] = None
    starttls: bool = False
    username: Optional[str] = None
    password: Optional[str] = None
    # A private CA that signed the relay's certificate; the system's CAs otherwise.
    ca_file: Optional[str] = None
    timeout_seconds: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SmtpSettings:
        starttls = (environ.get("KEFU_SMTP_STARTTLS") or "false").lower() in ("true", "1", "yes")
        port = environ.get("KEFU_SMTP_PORT") or ("587" if starttls else "25")
        if not port.isdigit():
            raise ValueError(f"KEFU_SMTP_PORT must be a port number, not {port!r}")
        return cls(host=environ.get("KEFU_SMTP_HOST") or None, port=int(port),
                   sender=environ.get("KEFU_SMTP_FROM") or None, starttls=starttls,
                   username=environ.get("KEFU_SMTP_USERNAME") or None,
                   password=environ.get("KEFU_SMTP_PASSWORD") or None,
                   ca_file=environ.get("KEFU_SMTP_CA_FILE") or None)

    def check(self) -> None:
        """Refuse settings that would send a password in clear (raised at start)."""
        if self.username and not self.password:
            raise ValueError("KEFU_SMTP_USERNAME needs KEFU_SMTP_PASSWORD")
        if self.password and not self.starttls:
            raise ValueError("KEFU_SMTP_PASSWORD needs KEFU_SMTP_STARTTLS=true: "
                             "credentials are never sent in clear")


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        """EmailNotSent when the relay did not take it after the attempts allowed."""
        for attempt in range(ATTEMPTS):
            try:
                # smtplib blocks: each attempt runs in a worker thread, off the event loop.
                await asyncio.to_thread(self._send_once, message)
                return
            except EmailNotSent as error:
                if not error.temporary or attempt == ATTEMPTS - 1:
                    raise
            await asyncio.sleep(0.2 * 2 ** attempt)

    def _send_once(self, message: EmailMessage) -> None:
        settings = self._settings
        try:
            with smtplib.SMTP(settings.host or "", settings.port,
                              timeout=settings.timeout_seconds) as smtp:
                if settings.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=settings.ca_file))
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise EmailNotSent(f"recipient refused ({','.join(map(str, codes))})",
                               temporary=all(400 <= code < 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            # The code only: the relay's words may quote the address.
            raise EmailNotSent(f"relay answered {error.smtp_code}",
                               temporary=400 <= error.smtp_code < 500) from None
        except (smtplib.SMTPNotSupportedError, ssl.SSLError) as error:
            raise EmailNotSent(type(error).__name__, temporary=False) from None
        except (smtplib.SMTPException, OSError) as error:
            # Refused, dropped or timed-out connections: the relay may take it next time.
            raise EmailNotSent(type(error).__name__, temporary=True) from None
