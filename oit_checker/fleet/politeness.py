"""One crawl per server at a time across the whole fleet: a Redis lock keyed by the IP the
site's host resolves to, so agencies on one shared hosting server are never crawled by two
workers at once (each audit's own per-host limit cannot see the other workers).

The lock expires unless refreshed, so a killed worker's lock frees itself; a live audit
refreshes it every third of its life from a thread, whatever the audit is busy with.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from types import TracebackType
from urllib.parse import urlsplit

import redis

log = logging.getLogger(__name__)

# Compare-and-act on the lock's owner token, atomically in Redis.
_REFRESH = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def server_ip(url: str) -> str:
    """The IP the site's host resolves to; the host name itself when it does not resolve (the
    audit will say so; two such sites of one name still take turns)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        return socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)[0][4][0]
    except (OSError, UnicodeError):
        return host


class ServerLock:
    """``if lock.acquire(): with lock: ...``: held by one worker, refreshed while held."""

    def __init__(self, client: redis.Redis, ip: str, seconds: float, owner: str) -> None:
        self.client, self.key = client, f"oit:server:{ip}"
        self.ttl_ms = max(1000, int(seconds * 1000))
        self.token = f"{owner} {uuid.uuid4().hex}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def holder(self) -> str:
        value = self.client.get(self.key)
        return value.decode().rsplit(" ", 1)[0] if value else ""

    def __enter__(self) -> ServerLock:
        self._thread = threading.Thread(target=self._refresh, daemon=True, name=self.key)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError as error:  # it expires by itself
            log.warning("could not release %s: %s", self.key, error)

    def _refresh(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                if not self.client.eval(_REFRESH, 1, self.key, self.token, self.ttl_ms):
                    log.warning("lost %s (expired while Redis was away?)", self.key)
                    # Take it back when free: the audit is running whatever happens.
                    self.client.set(self.key, self.token, nx=True, px=self.ttl_ms)
            except redis.RedisError as error:  # Redis restarting: try again next time
                log.warning("could not refresh %s: %s", self.key, error)
