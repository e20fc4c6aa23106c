"""Demo customers for `make run` and the tests: one per segment, fictional numbers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Customer

DEMO_CUSTOMERS = (
    dict(customer_number="C0001", display_name="王女士", segment="private",
         preferred_language="zh", phone="13800138001", email="wang@example.com",
         address="上海市浦东新区世纪大道100号", contact_preference="phone",
         relationship_manager="李经理", relationship_manager_agent_id="rm-li"),
    dict(customer_number="C0002", display_name="Mr. Chen", segment="affluent",
         preferred_language="en", phone="13900139002", email="chen@example.com",
         address="88 Century Avenue, Pudong, Shanghai", contact_preference="email",
         relationship_manager="Ms. Zhou", relationship_manager_agent_id="rm-zhou"),
    dict(customer_number="C0003", display_name="张先生", segment="mass",
         preferred_language="zh", phone="13700137003", email=None,
         address="北京市朝阳区建国路1号", contact_preference="sms"),
)


def seed_demo_customers(sessions: sessionmaker[Session]) -> int:
    """Insert the demo customers that are missing; returns how many were added."""
    added = 0
    with sessions.begin() as session:
        for values in DEMO_CUSTOMERS:
            exists = session.execute(select(Customer.id).where(
                Customer.customer_number == values["customer_number"])).first()
            if not exists:
                session.add(Customer(**values))
                added += 1
    return added
