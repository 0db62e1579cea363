"""Fan-out in one process and, with real Redis, across brokers (as across processes)."""

import asyncio

import pytest

from kefu.realtime.broker import QUEUE_LIMIT, InProcessBroker, RedisBroker


async def next_event(subscription, timeout: float = 2.0):
    return await asyncio.wait_for(subscription.get(), timeout)


def test_in_process_delivery_to_every_subscriber_of_the_channel() -> None:
    async def scenario() -> None:
        broker = InProcessBroker()
        agent = await broker.subscribe("conv:1", "agent:kf01")
        buyer = await broker.subscribe("conv:1")
        other = await broker.subscribe("conv:2")
        await broker.publish("conv:1", {"seq": 1, "text": "在吗"})
        assert await next_event(agent) == {"seq": 1, "text": "在吗"}
        assert await next_event(buyer) == {"seq": 1, "text": "在吗"}
        assert other.queue.empty()
        await buyer.close()
        await broker.publish("conv:1", {"seq": 2})
        assert buyer.queue.empty()
        assert (await next_event(agent))["seq"] == 2

    asyncio.run(scenario())


def test_slow_subscriber_drops_oldest_and_counts_it() -> None:
    async def scenario() -> None:
        broker = InProcessBroker()
        slow = await broker.subscribe("conv:1")
        for seq in range(QUEUE_LIMIT + 5):
            await broker.publish("conv:1", {"seq": seq})
        assert slow.dropped == 5
        assert (await next_event(slow))["seq"] == 5

    asyncio.run(scenario())


@pytest.mark.redis
def test_redis_broker_crosses_processes(redis_url: str) -> None:
    """Two brokers stand for two server processes: A publishes, B's subscriber receives."""

    async def scenario() -> None:
        process_a, process_b = RedisBroker(redis_url), RedisBroker(redis_url)
        await process_a.start()
        await process_b.start()
        try:
            agent_on_b = await process_b.subscribe("conv:42")
            await asyncio.sleep(0.1)  # the SUBSCRIBE reaches Redis before the PUBLISH
            await process_a.publish("conv:42", {"seq": 7, "text": "亲，这就帮您查"})
            assert await next_event(agent_on_b) == {"seq": 7, "text": "亲，这就帮您查"}
            await agent_on_b.close()
        finally:
            await process_a.stop()
            await process_b.stop()

    asyncio.run(scenario())
