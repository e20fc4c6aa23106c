"""`make bench`: every benchmark that exists so far."""

from __future__ import annotations

from bench import stack_latency


def main() -> None:
    print("stack:", stack_latency.main())


if __name__ == "__main__":
    main()
