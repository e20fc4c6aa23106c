"""A short mark that tells unverified customers apart in the agents' console ("未验证客户
#4F2A"), as contact-center consoles number their visitors. Derived from the handoff's own
random id: stable while the conversation is handed over (reloads, transfers, reassignment),
and it says nothing of the customer. Never from the conversation id, which for a text is the
customer's phone number: a short digest of it, beside the masked number, would narrow it down."""

from __future__ import annotations

import hashlib
from typing import Optional

# Bytes of digest, shown as twice as many hex digits: 65,536 marks, enough to tell apart the
# few unverified customers an agent or a supervisor sees at once.
MARK_BYTES = 2


def customer_mark(handoff_id: str) -> Optional[str]:
    """"4F2A" for a handoff; None when the record has no handoff id."""
    if not handoff_id:
        return None
    return hashlib.blake2b(handoff_id.encode(), digest_size=MARK_BYTES).hexdigest().upper()
