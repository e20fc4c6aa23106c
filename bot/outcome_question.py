"""The question a complaint's outcome text asks ("do you accept it?"), as the customer's SMS
conversation holds it: outcome_form waiting for the verdict on the ticket texted, exactly as
after the bot asked it itself (actions/ticket_outcome.py). A plain "接受", "yes" or "no, I
don't accept" then answers it, without the ticket's number.

Put by the Rasa server (bot/channels/agent_bridge.py) when the text goes into a conversation
that is running, and by action_session_start when one starts within REPLY_WINDOW of the
text. Free of Rasa: both the Rasa server and the action server build their events from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

OUTCOME_FORM = "outcome_form"
TICKET_SLOT, ACCEPTED_SLOT, COMMENT_SLOT = "outcome_ticket", "outcome_accepted", "outcome_comment"
REQUESTED_SLOT = "requested_slot"
# A plain answer is taken as the verdict for this long after the text: texts are often read
# hours later or the next day; after three days a bare "yes" is unlikely to answer it, and
# the text's own instruction (quote the case number) still works at any time.
REPLY_WINDOW = dt.timedelta(hours=72)


def question_events(number: str) -> List[Dict[str, Any]]:
    """The events (as JSON) that leave the conversation waiting for the verdict on `number`."""
    return [
        {"event": "slot", "name": TICKET_SLOT, "value": number},
        {"event": "slot", "name": ACCEPTED_SLOT, "value": None},
        {"event": "slot", "name": COMMENT_SLOT, "value": None},
        {"event": "active_loop", "name": OUTCOME_FORM},
        {"event": "slot", "name": REQUESTED_SLOT, "value": ACCEPTED_SLOT},
    ]


def may_ask(active_loop: Optional[str], requested_slot: Optional[str]) -> bool:
    """Whether the conversation is free for the question: no form running, or only the
    outcome question itself (a newer text replaces it). A form asking something else, or
    "what is still wrong?" after a "no", is left to finish."""
    if active_loop is None:
        return True
    return active_loop == OUTCOME_FORM and requested_slot == ACCEPTED_SLOT
