"""Rasa's stock RestInput under another URL prefix, so it can sit beside kefu's channel."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput


class StockRestInput(RestInput):
    """Unchanged stock behaviour at /webhooks/stock_rest/webhook."""

    @classmethod
    def name(cls) -> str:
        return "stock_rest"
