"""Django's Redis cache backend, keeping one redis-py client per connection pool, and carrying
on while Redis is unreachable.

Django builds a new `redis.Redis` object for every cache call; with redis-py 5+ that costs more
than the round trip to a local Redis (it fills a table of ~170 response callbacks each time),
and a signed-in page makes several calls. The clients are thread-safe and share the pool.

The cache is a shortcut, so an outage must not turn pages into errors: while Redis cannot be
reached, reads are misses and writes are skipped (and logged, at most every 30 seconds), and
pages are built from the database (sessions are cached_db). Requests that write are refused
before they start instead (institute.middleware.ReadOnlyWithoutRedisMiddleware), because they
enqueue work on Redis and change what the cache holds.
"""

import functools
import logging
import time
import uuid

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)

# A refused or timed-out connection (BusyLoadingError, Redis starting, is one too).
REDIS_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
LOG_EVERY_SECONDS = 30
_last_logged = 0.0


class _Client(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _or(fallback):
    """While Redis is unreachable, answer `fallback(*args, **kwargs)` instead."""

    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except REDIS_UNREACHABLE as error:
                global _last_logged
                if time.monotonic() - _last_logged > LOG_EVERY_SECONDS:
                    _last_logged = time.monotonic()
                    logger.warning("cache unavailable, carrying on without it: %s", error)
                return fallback(*args, **kwargs)

        return call

    return decorate


def _miss(key, default=None, version=None):
    return default


# A sliding log of hits in one sorted set, read and written in one step inside Redis, so that
# concurrent requests in every web process count exactly: drop hits older than the window; if
# fewer than the limit remain, add this one (0: allowed); else answer the seconds until the
# oldest leaves the window. Numbers go back as text (Lua would round them to integers).
_RATE_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window))
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
        self._rate_script = None  # _RATE_HIT, registered once: later calls send its hash only

    def available(self) -> bool:
        """Whether Redis answers now (one round trip)."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except REDIS_UNREACHABLE:
            return False

    @_or(lambda *args, **kwargs: 0.0)
    def rate_hit(self, key: str, *, limit: int, window: float) -> float:
        """Count one hit for `key` against `limit` hits in any `window` seconds, atomically
        for every process sharing this Redis. Returns 0 when the hit is allowed (and counted),
        otherwise the seconds to wait. While Redis is unreachable every hit is allowed: the
        service is read-only then (writes are refused) and a limit must not become an outage."""
        client = self._cache.get_client(write=True)
        if self._rate_script is None:
            self._rate_script = client.register_script(_RATE_HIT)
        answer = self._rate_script(
            keys=[self.make_and_validate_key(key)],
            args=[time.time(), window, limit, uuid.uuid4().hex],
            client=client,
        )
        return max(0.0, float(answer))

    get = _or(_miss)(DjangoRedisCache.get)
    get_many = _or(lambda keys, version=None: {})(DjangoRedisCache.get_many)
    has_key = _or(lambda key, version=None: False)(DjangoRedisCache.has_key)
    set = _or(lambda *args, **kwargs: None)(DjangoRedisCache.set)
    add = _or(lambda *args, **kwargs: False)(DjangoRedisCache.add)
    touch = _or(lambda *args, **kwargs: False)(DjangoRedisCache.touch)
    set_many = _or(lambda data, *args, **kwargs: list(data))(DjangoRedisCache.set_many)
    delete = _or(lambda *args, **kwargs: False)(DjangoRedisCache.delete)
    delete_many = _or(lambda *args, **kwargs: None)(DjangoRedisCache.delete_many)
