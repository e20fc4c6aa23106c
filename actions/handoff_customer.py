"""The verified customer and their open tickets, as a handoff's context shows them (masked)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy.orm import Session, sessionmaker

from actions.identity.profile import linked_customer, mask_phone
from actions.tickets.lookup import TicketLookup
from actions.tickets.records import OPEN_TICKET_STATUSES


def customer_context(
    sessions: sessionmaker[Session], channel: str, sender_id: str
) -> Tuple[Optional[Dict[str, Any]], List[Dict[str, Any]]]:
    """(the customer linked to this sender or None, their open tickets on any channel)."""
    customer = linked_customer(sessions, channel, sender_id)
    tickets = TicketLookup(sessions).recent(channel, sender_id,
                                             customer.id if customer else None)
    profile = None if customer is None else {
        "display_name": customer.display_name,
        "customer_number": customer.customer_number,
        "segment": customer.segment,
        "preferred_language": customer.preferred_language,
        "phone": mask_phone(customer.phone),
        "relationship_manager": customer.relationship_manager,
        "relationship_manager_agent_id": customer.relationship_manager_agent_id,
    }
    return profile, [
        {"number": ticket.number, "category": ticket.category, "status": ticket.status,
         "priority": ticket.priority, "channel": ticket.channel,
         "due_at": ticket.sla_due_at.isoformat()}
        for ticket in tickets if ticket.status in OPEN_TICKET_STATUSES]
