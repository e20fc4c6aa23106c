"""Run the handoff service: python -m handoff --host 127.0.0.1 --port 8080."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.pii import PiiMaskingFilter
from handoff.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(PiiMaskingFilter())
    web.run_app(create_app(), host=arguments.host, port=arguments.port, print=None)


if __name__ == "__main__":
    main()
