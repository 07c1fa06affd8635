"""The worker survives Redis going away (missionlead/broker.py).

Reproduces in one process what `make chaos` saw in 3 of 16 Redis kills: the consumer's
connection is detached from its transport, then its channel closes while it still holds an
unacknowledged message. kombu's own transport raises ``AttributeError`` there, which nothing
catches, and the worker exits; ours raises a connection error, which the close ignores.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from kombu import Connection, Exchange, Queue
from kombu.transport import redis as kombu_redis

from missionlead.broker import Transport

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="needs the Redis broker"
)


def close_after_losing_the_broker(transport: type) -> None:
    """Take a message without acknowledging it, detach the connection as kombu does when the
    broker drops it, and close: what the consumer does on a lost connection."""
    queue = Queue("broker-test", Exchange("broker-test"), routing_key="broker-test")
    with Connection(settings.CELERY_BROKER_URL, transport=transport) as connection:
        producer = connection.Producer()
        producer.publish(
            {"n": 1}, exchange=queue.exchange, routing_key="broker-test", declare=[queue]
        )
        channel = connection.default_channel
        message = queue(channel).get(no_ack=False)
        assert message is not None and channel.qos._delivered
        connection._do_close_transport()
        connection.maybe_close_channel(channel)


def test_kombus_own_transport_fails_here() -> None:
    """The failure this module repairs, so that the test below cannot pass by accident."""
    with pytest.raises(AttributeError, match="hostname"):
        close_after_losing_the_broker(kombu_redis.Transport)


def test_the_products_transport_closes_cleanly() -> None:
    close_after_losing_the_broker(Transport)


def test_celery_uses_it() -> None:
    from missionlead.celery import app

    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
