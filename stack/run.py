"""`make run`: start Redis (unless REDIS_URL is set), migrate, run every process, print the URLs."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Mapping

from actions.identity.demo import DEMO_CUSTOMERS, seed_demo_customers
from actions.store.database import database_url, migrate, session_factory
from handoff.agents import seed_demo_agents
from stack.processes import (
    StackFailed,
    port_is_free,
    start_processes,
    stop_processes,
    wait_until_healthy,
    warm_up_nlu,
)
from stack.redis_server import RedisServer
from stack.settings import (
    AGENT_PASSWORDS_FILE,
    DEFAULT_MODEL,
    SECRETS_FILE,
    VAR_DIR,
    Ports,
    load_or_create_secrets,
    process_environment,
    rasa_url,
    read_env_file,
    service_urls,
    write_private_env_file,
)


def _stop_like_ctrl_c(signum: int, _frame: object) -> None:
    # `kill`, systemd and container runtimes send SIGTERM: stop everything, Redis last.
    raise KeyboardInterrupt(signal.Signals(signum).name)


def keep_private(var_dir: Path) -> None:
    """Files kefu writes (database, SMS outbox with one-time codes, Redis dump, logs) readable
    by this user only: from now on (umask), and those left by an earlier run."""
    os.umask(0o077)
    if var_dir.is_dir():
        for path in var_dir.rglob("*"):
            if path.is_file() and not path.is_symlink():
                path.chmod(0o600)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    keep_private(VAR_DIR)
    started = time.monotonic()
    ports = Ports.from_environment(os.environ)
    busy = [f"{name} {port}" for name, port in vars(ports).items() if not port_is_free(port)]
    if os.environ.get("REDIS_URL"):
        busy = [entry for entry in busy if not entry.startswith("redis")]
    if busy:
        print(f"kefu: ports already in use: {', '.join(busy)} (set KEFU_*_PORT)", file=sys.stderr)
        return 1
    redis_server = None
    redis_url = os.environ.get("REDIS_URL")
    try:
        if not redis_url:
            redis_server = RedisServer(port=ports.redis, data_dir=VAR_DIR / "redis")
            redis_server.start()
            redis_url = redis_server.url
        return run_stack(redis_url, ports, started)
    except KeyboardInterrupt:
        return 0
    finally:
        if redis_server is not None:
            redis_server.stop()


def run_stack(redis_url: str, ports: Ports, started: float) -> int:
    """Migrate, seed, start every process and wait; they are stopped however this ends."""
    migrate()
    seed_demo_customers(session_factory(database_url()))
    agent_passwords = demo_agent_passwords()
    environment = process_environment(
        base=development_defaults(os.environ),
        ports=ports,
        redis_url=redis_url,
        model_path=DEFAULT_MODEL,
        tokens=load_or_create_secrets(),
    )
    runner = start_processes(environment)
    try:
        wait_until_healthy(service_urls(environment), runner)
        warm_up_nlu(rasa_url(environment), environment["KEFU_RASA_TOKEN"])
        print_banner(environment, agent_passwords, time.monotonic() - started)
        return runner.wait()
    except StackFailed as failure:
        print(f"kefu: {failure}", file=sys.stderr)
        return 1
    finally:
        stop_processes(runner)


def development_defaults(environ: Mapping[str, str]) -> dict[str, str]:
    """Without an SMS gateway (KEFU_TWILIO_*), one-time codes go to a local outbox file, and
    without an Official Account (KEFU_WECHAT_APP_ID) WeChat's API messages go to another; the
    demo's agents work around the clock unless KEFU_AGENT_HOURS says otherwise."""
    defaults = {"KEFU_AGENT_HOURS": "00:00-24:00"}
    if not (environ.get("KEFU_TWILIO_ACCOUNT_SID") or environ.get("KEFU_SMS_OUTBOX")):
        defaults["KEFU_SMS_OUTBOX"] = str(VAR_DIR / "sms-outbox.jsonl")
    if not (environ.get("KEFU_WECHAT_APP_ID") or environ.get("KEFU_WECHAT_OUTBOX")):
        defaults["KEFU_WECHAT_OUTBOX"] = str(VAR_DIR / "wechat-outbox.jsonl")
    return {**defaults, **environ}


def demo_agent_passwords() -> dict[str, str]:
    """The demo team's accounts; passwords generated once, kept in var/ (mode 600)."""
    stored = read_env_file(AGENT_PASSWORDS_FILE) if AGENT_PASSWORDS_FILE.exists() else {}
    passwords = seed_demo_agents(session_factory(database_url()), stored)
    if passwords != stored:
        write_private_env_file(AGENT_PASSWORDS_FILE, passwords)
    return passwords


def print_banner(environment: dict[str, str], agent_passwords: dict[str, str],
                 seconds: float) -> None:
    host = environment["KEFU_BIND_HOST"]
    rasa = rasa_url(environment)
    print(
        "\n".join(
            [
                "",
                f"  Chat (REST)     POST {rasa}/webhooks/rest/webhook",
                f"  Rasa HTTP API   {rasa}  (token: KEFU_RASA_TOKEN in {SECRETS_FILE})",
                f"  Action server   http://{host}:{environment['KEFU_ACTION_PORT']}/health",
                f"  Handoff API     {environment['KEFU_HANDOFF_URL']}/api/v1/queue"
                f"  (bearer: KEFU_SERVICE_TOKEN)",
                f"  Agent console   {environment['KEFU_HANDOFF_URL']}/console",
                "  Agents          " + ", ".join(
                    f"{agent_id} / {password}" for agent_id, password in agent_passwords.items())
                + f"  (also in {AGENT_PASSWORDS_FILE})",
                f"  Web chat page   {rasa}/webhooks/web/chat  (socket.io: {rasa}/socket.io,"
                " rasa-webchat protocol)",
                f"  Redis           {environment['REDIS_URL']}",
                f"  Database        {database_url()}",
                "  Demo customers  " + ", ".join(
                    f"{c['display_name']} {c['phone']} ({c['segment']})" for c in DEMO_CUSTOMERS),
                "  Text messages   " + (environment.get("KEFU_SMS_OUTBOX")
                                        or environment.get("KEFU_TWILIO_BASE_URL",
                                                           "https://api.twilio.com")),
                f"  WeChat          {rasa}/webhooks/wechat/webhook  (token: KEFU_WECHAT_TOKEN; "
                + "replies by API to " + (environment.get("KEFU_WECHAT_OUTBOX")
                                          or environment.get("KEFU_WECHAT_API_BASE",
                                                             "https://api.weixin.qq.com")) + ")",
                "",
                f"kefu ready in {seconds:.1f} s (Ctrl-C stops everything)",
            ]
        ),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
