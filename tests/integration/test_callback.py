"""Nobody on shift: the customer is offered a callback instead of an open-ended wait."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import Ticket, as_utc
from handoff.keys import QUEUE_KEY, conversation_key
from tests.bilingual import response_text


@pytest.fixture(autouse=True)
def nobody_on_shift(stack) -> None:
    stack.reset_handoffs()


def _offer(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_no_agents", language, queue_position="@",
                             callback_hours="@")
    return re.compile(re.escape(template).replace("@", r"(\d+)"))


def test_a_callback_is_booked_as_a_ticket_and_the_wait_ends(stack) -> None:
    sender = f"callback-zh-{uuid.uuid4().hex[:8]}"
    [offer] = stack.say(sender, "我要转人工")
    assert _offer("zh").fullmatch(offer), offer
    assert stack.redis.zrank(QUEUE_KEY, sender) is not None  # waiting meanwhile

    [booked] = stack.say(sender, '/inform{"choice": "callback"}')
    number = re.search(r"KF-\d{8}-\d{5}", booked).group(0)
    # Not verified, not by SMS: no number to call; the reply comes in this conversation.
    assert booked == response_text("utter_callback_booked_here", "zh", ticket_number=number,
                                   callback_hours=4)
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert (ticket.kind, ticket.sender_id, ticket.status) == ("callback", sender, "open")
    assert ticket.contact_preference == "this_channel"
    assert "/inform" not in ticket.description and "我要转人工" in ticket.description
    assert as_utc(ticket.sla_due_at) - as_utc(ticket.created_at) == dt.timedelta(hours=4)
    assert stack.redis.zrank(QUEUE_KEY, sender) is None
    assert stack.redis.hget(conversation_key(sender), "status") == b"cancelled"
    # The bot is still here.
    assert stack.say(sender, "谢谢") == [response_text("utter_you_are_welcome", "zh")]


def test_waiting_instead_keeps_the_place_and_pauses_the_bot(stack) -> None:
    sender = f"callback-en-{uuid.uuid4().hex[:8]}"
    [offer] = stack.say(sender, "can I talk to a real person")
    assert _offer("en").fullmatch(offer), offer
    assert stack.say(sender, '/inform{"choice": "wait"}') == [
        response_text("utter_handoff_keep_waiting", "en")]
    assert stack.redis.zrank(QUEUE_KEY, sender) == 0
    assert stack.tracker_in_redis(sender)["events"][-1]["event"] == "pause"
    assert stack.say(sender, "hello?") == []
