"""A real SMTP server for the e2e suite: aiosmtpd with STARTTLS required and AUTH (PLAIN, LOGIN) required."""
import email
import email.policy
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "relay-user"
PASSWORD = "relay-pässword"  # non-ASCII on purpose: AUTH must send UTF-8 bytes


class Mailbox:
    """Collects every accepted message, parsed by Python's `email` package."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.raw = []  # the bytes as they arrived, beside each parsed message
        self.auth_ok = 0
        self.auth_failed = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.raw.append(envelope.original_content)
        return "250 OK stored"

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def raw_for(self, message):
        """The bytes that arrived for a parsed message of this mailbox."""
        with self.lock:
            return next(raw for (_, parsed), raw in zip(self.messages, self.raw) if parsed is message)


def authenticator(mailbox):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
            and auth_data.password.decode() == PASSWORD
        with mailbox.lock:
            if ok:
                mailbox.auth_ok += 1
            else:
                mailbox.auth_failed += 1
        return AuthResult(success=ok)
    return check


class Receiver:
    """Start, stop and start again on the same port (an SMTP server that is down for a while).

    mode: "starttls" (STARTTLS and AUTH required), "implicit" (TLS from the first byte, AUTH required) or
    "plain" (no TLS offered, no AUTH)."""

    def __init__(self, tls, port, mode="starttls"):
        self.port = port
        self.mode = mode
        self.mailbox = Mailbox()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(tls["cert"], tls["key"])
        self.controller = None

    def start(self):
        if self.mode == "starttls":
            options = dict(tls_context=self.context, require_starttls=True, auth_required=True, auth_require_tls=True,
                           authenticator=authenticator(self.mailbox))
        elif self.mode == "implicit":
            options = dict(ssl_context=self.context, auth_required=True, auth_require_tls=False,
                           authenticator=authenticator(self.mailbox))
        else:
            options = {}
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, ident="e2e-mail", **options)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None
