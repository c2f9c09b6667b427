"""The SMTP backend: one reused connection that delivers one copy at a time.

Temporary failures (4xx, dropped connections, timeouts) are retried with back-off, reconnecting
when the connection was lost; permanent ones (5xx) come back as a failed Delivery. A server that
cannot be reached, or that refuses the login or the sender, raises backends.Stop. Server replies
are cut to one short line, and the password never appears in them. Progress goes to a callback.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from email.headerregistry import Address

from ..config import CONFIG_FILE, Smtp
from .backends import Delivery, Stop

PASSWORD_ENV = "NOTEPRESS_SMTP_PASSWORD"
ENHANCED_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}\s+")

Progress = Callable[[str], None]


def open_connection(smtp: Smtp) -> smtplib.SMTP:
    """A connected client per `smtp.security` (starttls | ssl | none), not yet logged in."""
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            client.starttls(context=ssl.create_default_context())
        except BaseException:
            client.close()
            raise
        client.ehlo()
    return client


class SmtpBackend:
    """One reused connection; delivers one copy at a time, retrying what is temporary.

    `connect(smtp)` returns a connected, not logged-in client (default: `open_connection`);
    `backoff` is the delay in seconds before each retry."""

    def __init__(self, smtp: Smtp, password: str, sender: Address, *, backoff=(0.5, 2.0, 8.0),
                 progress: Progress | None = None, connect: Callable[[Smtp], smtplib.SMTP] = open_connection):
        self.smtp, self.password, self.sender = smtp, password, sender
        self.backoff, self.progress, self.connect = tuple(backoff), progress or (lambda message: None), connect
        self.client: smtplib.SMTP | None = None
        self.where = f"{smtp.host}:{smtp.port}"

    def clean(self, text: str) -> str:
        """A server reply or error as one short line, never containing the password."""
        text = " ".join(text.split())
        if self.password:
            text = text.replace(self.password, "***")
        return text[:200]

    def open(self) -> None:
        """Connect and log in, retrying with the back-off; raises Stop when it cannot."""
        last = ""
        for delay in (0, *self.backoff):
            if delay:
                time.sleep(delay)
            client = None
            try:
                client = self.connect(self.smtp)
                if self.smtp.username and self.password:
                    self._login(client)
                self.client = client
                return
            except Stop:
                self._close(client)
                raise
            except smtplib.SMTPNotSupportedError:  # from connect: no STARTTLS
                raise Stop(f"{CONFIG_FILE}: smtp.security: {self.where} does not offer STARTTLS "
                           "(use security: ssl with port 465, or none only for a local relay)")
            except ssl.SSLCertVerificationError as e:
                raise Stop(f"{CONFIG_FILE}: smtp.host: {self.where}: {self.clean(e.verify_message or str(e))} "
                           "(check smtp.host and smtp.security)")
            except OSError as e:  # refused, unreachable, timeouts, TLS errors, an unexpected greeting
                self._close(client)
                last = self._describe(e)
        raise Stop(f"cannot connect to {self.where} ({last})")

    def _login(self, client: smtplib.SMTP) -> None:
        try:
            client.login(self.smtp.username, self.password)
        except smtplib.SMTPAuthenticationError as e:
            raise Stop(f"{CONFIG_FILE}: smtp.username: {self.where} refused the login for {self.smtp.username} "
                       f"({e.smtp_code} {self._reply(e.smtp_error)}) (check the username and {PASSWORD_ENV})")
        except smtplib.SMTPNotSupportedError:
            raise Stop(f"{CONFIG_FILE}: smtp.username: {self.where} offers no login on this connection "
                       "(use security: starttls or ssl, or remove smtp.username)")

    def deliver(self, to: Address, data: bytes, eight_bit: bool, label: str) -> Delivery:
        """Sent, or failed after the retries; raises Stop when sending cannot go on at all."""
        address, code, error = to.addr_spec, None, ""
        for delay in (*self.backoff, None):
            if self.client is None:
                self.progress(f"{label} reconnecting to {self.where}")
                self.open()
            try:
                self.client.sendmail(self.sender.addr_spec, [address], data, self._options(address, eight_bit))
                return Delivery(address, "sent", 250)
            except smtplib.SMTPRecipientsRefused as e:
                code, reply = next(iter(e.recipients.values()), (None, b""))
                error = self._reply(reply)
            except smtplib.SMTPSenderRefused as e:
                code, error = e.smtp_code, self._reply(e.smtp_error)
                if 500 <= code < 600:
                    raise Stop(f"{self.where} refused the sender {self.sender.addr_spec} ({code} {error}) "
                               "(check newsletter.sender in notepress.yml)")
            except smtplib.SMTPResponseException as e:  # DATA refused, and the rest with a reply code
                code, error = e.smtp_code, self._reply(e.smtp_error)
            except smtplib.SMTPNotSupportedError as e:
                return Delivery(address, "failed", None, self.clean(str(e)))
            except OSError as e:  # disconnected, reset, timed out: the connection is unusable
                code, error = None, self._describe(e)
                self._close(self.client)
                self.client = None
            if self.client is not None and self.client.sock is None:  # smtplib closed it (421)
                self.client = None
            if code is not None and 500 <= code < 600:
                return Delivery(address, "failed", code, error)
            if delay is None:
                break
            self.progress(f"{label} {address}: {f'{code} ' if code else ''}{error}; retrying in {delay:g}s")
            time.sleep(delay)
        return Delivery(address, "failed", code, error)

    def close(self) -> None:
        """QUIT, or just drop the connection when the server is gone."""
        if self.client is not None:
            try:
                self.client.quit()
            except OSError:
                self._close(self.client)
            self.client = None

    def _options(self, address: str, eight_bit: bool) -> list[str]:
        options = []
        if eight_bit and self.client.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (address + self.sender.addr_spec).isascii():
            options.append("SMTPUTF8")
        return options

    def _reply(self, reply) -> str:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return self.clean(ENHANCED_STATUS.sub("", text))

    def _describe(self, error: OSError) -> str:
        if isinstance(error, TimeoutError):
            return f"no answer within {self.smtp.timeout:g}s"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"{error.smtp_code} {self._reply(error.smtp_error)}"
        return self.clean(error.strerror or str(error) or type(error).__name__)

    @staticmethod
    def _close(client) -> None:
        if client is not None:
            try:
                client.close()
            except OSError:
                pass
