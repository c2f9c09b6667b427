"""A real SMTP server on 127.0.0.1 for tests and benchmarks: aiosmtpd in a thread, with fault injection.

    with LocalSmtpServer() as server:
        server.reply_to_rcpt("bob@example.com", "550 5.1.1 mailbox unavailable")
        server.reply_to_rcpt("eve@example.com", "451 4.3.0 try again later", times=1)
        server.drop_after = 2           # each connection is cut when a 3rd message starts
        ... send to 127.0.0.1:server.port ...
        server.count("ann@example.com")  # copies accepted for ann
        server.messages_for("ann@example.com")[0]["Subject"]
        server.connections              # SMTP sessions that said EHLO/HELO

Importable by ad-hoc scripts too (it needs only aiosmtpd, not pytest).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes  # exactly as received, CRLF line endings
    connection: int  # which connection (1, 2, ...) carried it

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


class _Handler:
    """aiosmtpd hooks: record envelopes, answer RCPT as configured, cut connections on demand."""

    def __init__(self, server: LocalSmtpServer):
        self.server = server

    async def handle_EHLO(self, smtpd, session, envelope, hostname, responses):
        self.server._greeted(session)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, smtpd, session, envelope, hostname):
        self.server._greeted(session)
        session.host_name = hostname
        return f"250 {smtpd.hostname}"

    async def handle_MAIL(self, smtpd, session, envelope, address, mail_options):
        limit = self.server.drop_after
        if limit is not None and getattr(session, "np_delivered", 0) >= limit:
            self.server.drops += 1
            smtpd.transport.close()  # abrupt: the client sees the connection drop, no reply
            return "421 4.4.2 closing connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, smtpd, session, envelope, address, rcpt_options):
        reply = self.server._rcpt_reply(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtpd, session, envelope):
        session.np_delivered = getattr(session, "np_delivered", 0) + 1
        with self.server._lock:
            self.server.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                                                 bytes(envelope.original_content or envelope.content),
                                                 session.np_connection))
        return "250 2.0.0 accepted"


class _QuietSession(Session):
    """aiosmtpd itself sets the deprecated `login_data` on every login; keep that warning out of test runs."""

    @property
    def login_data(self):
        return self._login_data

    @login_data.setter
    def login_data(self, value):
        self._login_data = value


class _Smtp(SMTP):
    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _Controller(Controller):
    """Binds port 0 (a free port chosen by the kernel) and records the real port before `start` returns."""

    def __init__(self, handler, **smtp_kwargs):
        super().__init__(handler, hostname=HOST, port=0, **smtp_kwargs)

    def _create_server(self):
        async def create():
            server = await self.loop.create_server(self._factory_invoker, host=self.hostname, port=0)
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()

    def factory(self):
        return _Smtp(self.handler, **self.SMTP_kwargs)


class LocalSmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, storing every accepted message.

    `auth=(username, password)` offers AUTH (without TLS) and accepts only that pair.
    """

    def __init__(self, auth: tuple[str, str] | None = None):
        self.received: list[Received] = []
        self.connections = 0  # sessions that greeted (EHLO/HELO); the controller's own probe is not one
        self.drops = 0  # connections cut by `drop_after`
        self.drop_after: int | None = None
        self.logins: list[str] = []  # usernames that authenticated
        self._replies: dict[str, list] = {}  # address -> [reply, times left or None]
        self._lock = threading.Lock()
        kwargs = {}
        if auth is not None:
            kwargs = dict(authenticator=self._authenticator(*auth), auth_require_tls=False)
        self._controller = _Controller(_Handler(self), **kwargs)

    # set-up -------------------------------------------------------------------------------------

    def reply_to_rcpt(self, address: str, reply: str, times: int | None = None) -> None:
        """Answer RCPT TO:<address> with `reply` (e.g. "550 5.1.1 mailbox unavailable"), always or `times` times."""
        with self._lock:
            self._replies[address.lower()] = [reply, times]

    def forget_rcpt(self, address: str) -> None:
        """Accept `address` normally again."""
        with self._lock:
            self._replies.pop(address.lower(), None)

    def start(self) -> LocalSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (the port is closed: a client then gets "connection refused"). Idempotent."""
        if self._controller._thread is not None:
            self._controller.stop()

    def __enter__(self) -> LocalSmtpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        return self._controller.port

    # results ------------------------------------------------------------------------------------

    def messages_for(self, address: str) -> list[EmailMessage]:
        """Every accepted copy whose envelope recipients include `address`, parsed."""
        with self._lock:
            found = [r for r in self.received if address.lower() in (t.lower() for t in r.rcpt_tos)]
        return [r.message for r in found]

    def count(self, address: str) -> int:
        with self._lock:
            return sum(address.lower() in (t.lower() for t in r.rcpt_tos) for r in self.received)

    def counts(self) -> dict[str, int]:
        """envelope recipient (lower case) -> copies accepted."""
        out: dict[str, int] = {}
        with self._lock:
            for r in self.received:
                for t in r.rcpt_tos:
                    out[t.lower()] = out.get(t.lower(), 0) + 1
        return out

    # internals ------------------------------------------------------------------------------------

    def _greeted(self, session) -> None:
        if not hasattr(session, "np_connection"):
            with self._lock:
                self.connections += 1
                session.np_connection = self.connections

    def _rcpt_reply(self, address: str) -> str | None:
        with self._lock:
            rule = self._replies.get(address.lower())
            if rule is None:
                return None
            reply, times = rule
            if times is None:
                return reply
            if times <= 0:
                return None
            rule[1] = times - 1
            return reply

    def _authenticator(self, username: str, password: str):
        def check(smtpd, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == username.encode() and auth_data.password == password.encode())
            if ok:
                self.logins.append(username)
            return AuthResult(success=ok, handled=False)  # a failure answers 535

        return check
