"""Starting the web page's server: bind the port (a clear message when taken), print the address, run uvicorn."""

from __future__ import annotations

import errno
import logging
import socket
import sys

from xl_tools.errors import XlToolsError
from xl_tools.web import DEFAULT_PORT  # noqa: F401  (re-exported: the port the CLI and the docs name)


class PortTaken(XlToolsError):
    """The port is used by another program (or another xl-tools serve)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; PortTaken with a Chinese message when it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if sys.platform != "win32":          # as uvicorn does; on Windows it would let two servers share a port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1), errno.EACCES):
            raise PortTaken(f"端口 {port} 已被占用（可能已经开着一个 xl-tools serve）：请关闭那个程序，"
                            f"或用 --port 换一个端口，如 xl-tools serve --port {port + 1}") from exc
        raise PortTaken(f"无法在 {host}:{port} 上启动（{exc.strerror or exc}）：请检查 --host 和 --port") from exc
    sock.set_inheritable(True)
    return sock


def lan_address() -> str | None:
    """This computer's address on the office network (the interface a packet to the LAN would leave by)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))          # UDP connect: picks a route, sends nothing
            ip = probe.getsockname()[0]
        if not ip.startswith("127.") and ip != "0.0.0.0":
            return ip
    except OSError:
        pass
    try:
        ip = socket.gethostbyname(socket.gethostname())
        return None if ip.startswith("127.") else ip
    except OSError:
        return None


def address(host: str, port: int) -> str:
    """The address to type into a browser (the machine's own address when bound to every interface)."""
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = lan_address() or "本机IP地址"
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"


def make_server(app, *, log_level: str = "warning"):
    """A uvicorn Server for ``app`` that leaves signals to its caller: set ``should_exit`` to stop it.

    Run it with ``server.run(sockets=[sock])`` on a socket from ``bind``.
    """
    import contextlib

    import uvicorn

    class Server(uvicorn.Server):
        def capture_signals(self):        # uvicorn's own re-raises Ctrl+C as a traceback after shutting down
            return contextlib.nullcontext()

    log = logging.getLogger("xl_tools.web")
    log.setLevel(logging.INFO)
    if not log.handlers:                  # the server window is the log: time, level, message (and traces)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        log.addHandler(handler)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on",
                            timeout_graceful_shutdown=5)
    return Server(config)


def stop_on_signals(server) -> None:
    """Ctrl+C (and SIGTERM) stop ``server`` cleanly; a second Ctrl+C stops it without waiting."""
    import signal

    def handle(signum, frame):
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    signal.signal(signal.SIGINT, handle)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, handle)
    if hasattr(signal, "SIGBREAK"):           # Ctrl+Break in a Windows console
        signal.signal(signal.SIGBREAK, handle)
