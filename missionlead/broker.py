"""The Celery broker's Redis transport, with one repair to kombu 5.7.

When Redis goes away, the worker's consumer closes its broken connection. Closing the channel
gives back the messages the worker holds unacknowledged, which needs a Redis client made from
the connection's details; but kombu has already detached the connection from the transport,
so building that client fails with ``AttributeError: 'NoneType' object has no attribute
'hostname'``. Nothing catches an ``AttributeError`` there: the worker logs "Unrecoverable
error" and exits with its pool, and reminders stop until someone restarts it (``make chaos``,
`redis-killed-*`, 3 of 16 Redis kills).

Here the channel answers that case as what it is, a broker that cannot be reached: a
connection error, which kombu's close ignores. The worker then reconnects as it does after any
other broker error, and the messages stay in Redis's unacknowledged set, which hands them out
again after the visibility timeout.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise RedisConnectionError("The broker connection is closed.")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
