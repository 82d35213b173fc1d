"""A small SMTP server on loopback for the load and fault tests: it records every message it
accepts, and can be told to refuse (4xx or 5xx), to close its port, or to stall a session at
the DATA command until released, so a client can be killed in the middle of a send.

A message counts as delivered only when the server has replied ``250`` to the end of its data,
as a real mail server commits it; a session killed before then delivers nothing."""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from dataclasses import dataclass, field

ACCEPT = "accept"
REFUSE_TEMPORARY = "refuse-4xx"  # "451 try again later" to MAIL FROM: greylisting, a full queue
REFUSE_PERMANENT = "refuse-5xx"  # "554" greeting: the server will not talk to us
STALL = "stall"  # hold the session at DATA until release() (or the client goes away)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Message:
    sender: str
    recipients: list[str]
    data: str

    @property
    def uuids(self) -> list[str]:
        return UUID.findall(self.data)


@dataclass
class _State:
    mode: str = ACCEPT
    messages: list[Message] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        state: _State = self.server.state  # type: ignore[attr-defined]
        if state.mode == REFUSE_PERMANENT:
            with state.lock:
                state.refused += 1
            self.reply("554 5.3.2 Service not available, closing the channel")
            return
        self.reply("220 loopback test SMTP ready")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 loopback")
            elif verb == "MAIL":
                if state.mode == REFUSE_TEMPORARY:
                    with state.lock:
                        state.refused += 1
                    self.reply("451 4.3.0 Mail server temporarily unavailable, try again later")
                    continue
                sender, recipients = line.split(":", 1)[1].strip().strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                if state.mode == STALL:
                    state.stalled.set()
                    while not state.release.wait(0.05):
                        if self._peer_gone():
                            return  # the client died: nothing was delivered
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    if chunk in (b".\r\n", b".\n"):
                        break
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with state.lock:
                    state.messages.append(Message(sender, recipients, b"".join(lines).decode("utf-8", "replace")))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _peer_gone(self) -> bool:
        try:
            self.connection.setblocking(False)
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            except BlockingIOError:
                return False
            except OSError:
                return True
        finally:
            self.connection.setblocking(True)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPServer:
    """``with SMTPServer() as smtp:`` — ``smtp.port``, ``smtp.messages``, ``smtp.mode = ...``.
    ``close_port()`` stops listening (connections are refused); ``open_port()`` listens again
    on the same port."""

    def __init__(self, port: int = 0):
        self.state = _State()
        self._port = port
        self._server: _Server | None = None
        self.open_port()

    def open_port(self) -> None:
        self._server = _Server(("127.0.0.1", self._port), _Handler)
        self._server.state = self.state  # type: ignore[attr-defined]
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close_port(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def mode(self) -> str:
        return self.state.mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value == STALL:
            self.state.stalled.clear()
            self.state.release.clear()
        elif self.state.mode == STALL:
            self.state.release.set()
        self.state.mode = value

    @property
    def messages(self) -> list[Message]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def refused(self) -> int:
        with self.state.lock:
            return self.state.refused

    def wait_until_stalled(self, timeout: float) -> bool:
        return self.state.stalled.wait(timeout)

    def close(self) -> None:
        self.state.release.set()
        self.close_port()

    def __enter__(self) -> SMTPServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
