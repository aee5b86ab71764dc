"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django builds a new `redis.Redis` object for every cache call; with redis-py 5+ that costs more
than the round trip to a local Redis (it fills a table of ~170 response callbacks each time),
and a signed-in page makes several calls. The clients are thread-safe and share the pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
