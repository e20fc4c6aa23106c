"""A customer as actions see them: plain values, never a live SQLAlchemy object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from actions.store.models import Customer


@dataclass(frozen=True)
class CustomerView:
    id: int
    customer_number: str
    display_name: str
    segment: str
    preferred_language: str
    phone: Optional[str]
    email: Optional[str]
    address: Optional[str]
    contact_preference: str
    marketing_consent: bool
    relationship_manager: Optional[str]
    relationship_manager_agent_id: Optional[str]

    @classmethod
    def of(cls, customer: Customer) -> CustomerView:
        return cls(
            id=customer.id, customer_number=customer.customer_number,
            display_name=customer.display_name, segment=customer.segment,
            preferred_language=customer.preferred_language, phone=customer.phone,
            email=customer.email, address=customer.address,
            contact_preference=customer.contact_preference,
            marketing_consent=bool(customer.marketing_consent),
            relationship_manager=customer.relationship_manager,
            relationship_manager_agent_id=customer.relationship_manager_agent_id,
        )

    @property
    def is_key_customer(self) -> bool:
        return self.segment in ("affluent", "private")
