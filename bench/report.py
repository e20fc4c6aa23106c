"""Machine description, percentiles and the docs/benchmarks.md section writer."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
from datetime import date
from pathlib import Path
from typing import Any, Dict, List

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
BENCHMARKS_DOC = PROJECT_ROOT / "docs" / "benchmarks.md"


def shared_data(name: str) -> Path:
    """A public dataset the benchmarks read: $KEFU_SHARED_DATA/<name>, by default
    ../shared/data/<name> next to the checkout."""
    root = Path(os.environ.get("KEFU_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data")
    path = root / name
    if not path.is_dir():
        raise SystemExit(
            f"bench: {path} is missing. Set KEFU_SHARED_DATA to the folder holding banking77/ "
            f"and goemotions/ (docs/benchmarks.md says where to get them).")
    return path


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {memory_gib:.0f} GiB, {platform.platform()}"


def percentile(samples: List[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_summary(samples_ms: List[float]) -> Dict[str, float]:
    return {
        "p50_ms": round(percentile(samples_ms, 0.50), 2),
        "p95_ms": round(percentile(samples_ms, 0.95), 2),
        "mean_ms": round(statistics.fmean(samples_ms), 2),
        "count": len(samples_ms),
    }


def write_results(name: str, figures: Dict[str, Any], section_markdown: str) -> None:
    """bench/results/<name>.json and the '## <name>' section of docs/benchmarks.md."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamped = {**figures, "machine": machine(), "date": date.today().isoformat()}
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(stamped, indent=2) + "\n")
    header = f"## {name}\n\nMeasured {stamped['date']} on {stamped['machine']}.\n\n"
    section = header + section_markdown.strip() + "\n"
    existing = BENCHMARKS_DOC.read_text() if BENCHMARKS_DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: section + "\n", existing)
    else:
        updated = existing.rstrip() + "\n\n" + section
    BENCHMARKS_DOC.write_text(updated.rstrip() + "\n")
