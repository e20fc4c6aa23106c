"""A real SMTP server on loopback (aiosmtpd) that keeps the messages it is sent, as a relay
would take them; it can refuse (an SMTP reply given instead of 250) or hold a message until
the test lets it through, and speak STARTTLS with a login. Runs its own event loop in a
thread, like the other fakes."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, List, Optional, Tuple

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from stack.processes import free_port


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: List[str]
    message: EmailMessage


class _Mailbox:
    def __init__(self) -> None:
        self.received: List[ReceivedMail] = []
        # SMTP replies given to the next messages instead of taking them ("451 4.3.0 …").
        self.refusals: List[str] = []
        self.released = threading.Event()
        self.released.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        await asyncio.to_thread(self.released.wait, 60)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos),
                                          message))  # type: ignore[arg-type]
        return "250 2.0.0 OK"


class LoopbackSmtp:
    def __init__(self, tls: Optional[Tuple[Path, Path]] = None,
                 login: Optional[Tuple[str, str]] = None) -> None:
        """`tls`: certificate and key files, for STARTTLS (then required); `login`: the only
        user name and password accepted (then required, over TLS only)."""
        self.port = free_port()
        self.mailbox = _Mailbox()
        self._login = login
        context = None
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, tls_context=context,
            require_starttls=tls is not None, auth_required=login is not None,
            auth_require_tls=True, authenticator=self._authenticate if login else None)

    @property
    def received(self) -> List[ReceivedMail]:
        return self.mailbox.received

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode()) \
            if isinstance(auth_data, LoginPassword) else None
        # handled=False: the server answers 535 itself (True would leave the client waiting).
        return AuthResult(success=given == self._login, handled=False)

    def __enter__(self) -> LoopbackSmtp:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.mailbox.released.set()
        self._controller.stop()


def self_signed_certificate(directory: Path) -> Tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA (the client trusts it as its CA file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
