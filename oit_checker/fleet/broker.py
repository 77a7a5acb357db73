"""The Redis broker, checked before use: a wrong URL or a Redis that is down must end as one
clear line and an exit code, not a traceback from deep inside a worker thread."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
from dramatiq.brokers.redis import RedisBroker

from oit_checker.errors import EXIT_SERVICE, EXIT_USAGE, OitError
from oit_checker.fleet.tuning import Tuning

# Out of a million broker commands, how many also look for dead workers' messages. Dramatiq's
# default (1,000) can leave a killed worker's job waiting many minutes on a quiet fleet; the
# check is one small Lua script.
MAINTENANCE_CHANCE = 100_000


def redis_client(url: str) -> redis.Redis:
    """A client for ``url`` (redis://, rediss:// or unix://), refused early when malformed."""
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        raise OitError(f"broker URL must be redis://host:port/db (got {url!r})", EXIT_USAGE)
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
    except ValueError as exc:
        raise OitError(f"bad broker URL {url!r}: {exc}", EXIT_USAGE) from None


def check_broker(url: str) -> redis.Redis:
    """A client that has answered PING; OitError (exit 4) when Redis cannot be reached."""
    client = redis_client(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise OitError(
            f"ติดต่อ Redis ไม่ได้ (broker unreachable) {shown(url)}: {exc}", EXIT_SERVICE
        ) from None
    return client


def make_broker(url: str, tuning: Tuning) -> RedisBroker:
    return RedisBroker(
        url=url,
        heartbeat_timeout=int(tuning.heartbeat * 1000),
        maintenance_chance=MAINTENANCE_CHANCE,
    )


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
    return url
