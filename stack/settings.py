"""The environment every kefu process gets: ports, URLs and secrets."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = PROJECT_ROOT / "var"
SECRETS_FILE = VAR_DIR / "secrets.env"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "kefu.tar.gz"
# Generated on first run when the operator has not set them.
GENERATED_SECRETS = ("KEFU_RASA_TOKEN", "KEFU_SERVICE_TOKEN", "KEFU_OTP_SECRET")


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    handoff: int = 8080
    redis: int = 6380

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Ports:
        defaults = cls()
        return cls(
            rasa=int(environ.get("KEFU_RASA_PORT", defaults.rasa)),
            actions=int(environ.get("KEFU_ACTION_PORT", defaults.actions)),
            handoff=int(environ.get("KEFU_HANDOFF_PORT", defaults.handoff)),
            redis=int(environ.get("KEFU_REDIS_PORT", defaults.redis)),
        )


def load_or_create_secrets(path: Path = SECRETS_FILE) -> Dict[str, str]:
    """Tokens from var/secrets.env, created (mode 600) on first use."""
    stored = _read_env_file(path) if path.exists() else {}
    missing = [name for name in GENERATED_SECRETS if name not in stored]
    if missing:
        stored.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name}={value}\n" for name, value in stored.items()))
        path.chmod(0o600)
    return stored


def _read_env_file(path: Path) -> Dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def process_environment(
    *,
    base: Mapping[str, str],
    ports: Ports,
    redis_url: str,
    model_path: Path,
    tokens: Mapping[str, str],
    bind_host: str = "127.0.0.1",
) -> Dict[str, str]:
    """The environment for Rasa, the action server and the handoff service."""
    redis = urlsplit(redis_url)
    environment = dict(base)
    environment.update({name: base.get(name) or tokens[name] for name in GENERATED_SECRETS})
    environment.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
            "PYTHONPATH": str(PROJECT_ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            # Rasa's dependencies warn on import about their own dependencies.
            "PYTHONWARNINGS": base.get("PYTHONWARNINGS", "ignore::DeprecationWarning"),
            "HF_HUB_OFFLINE": "1",
            "REDIS_URL": redis_url,
            "KEFU_REDIS_HOST": redis.hostname or "127.0.0.1",
            "KEFU_REDIS_PORT": str(redis.port or 6379),
            "KEFU_REDIS_DB": (redis.path or "/0").lstrip("/") or "0",
            "KEFU_REDIS_PASSWORD": redis.password or "",
            "KEFU_BIND_HOST": bind_host,
            "KEFU_RASA_PORT": str(ports.rasa),
            "KEFU_ACTION_PORT": str(ports.actions),
            "KEFU_HANDOFF_PORT": str(ports.handoff),
            "KEFU_ACTION_URL": f"http://{bind_host}:{ports.actions}/webhook",
            "KEFU_HANDOFF_URL": f"http://{bind_host}:{ports.handoff}",
            "KEFU_RASA_URL": f"http://{bind_host}:{ports.rasa}",
            "KEFU_MODEL": str(model_path),
            # Plain HTTP on loopback here; behind TLS in production, set it to true.
            "KEFU_SECURE_COOKIES": base.get("KEFU_SECURE_COOKIES", "false"),
        }
    )
    return environment


def rasa_url(environment: Mapping[str, str]) -> str:
    return f"http://{environment['KEFU_BIND_HOST']}:{environment['KEFU_RASA_PORT']}"


def service_urls(environment: Mapping[str, str]) -> Dict[str, str]:
    """Health-check URL of each process, by Procfile name."""
    host = environment["KEFU_BIND_HOST"]
    return {
        "rasa": f"{rasa_url(environment)}/",
        "actions": f"http://{host}:{environment['KEFU_ACTION_PORT']}/health",
        "handoff": f"http://{host}:{environment['KEFU_HANDOFF_PORT']}/health",
    }
