"""kefu's contact-center handoff service (aiohttp)."""
