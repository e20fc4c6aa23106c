"""`make bench`: every benchmark that exists so far."""

from __future__ import annotations

from bench import channels, emotion, handoff, nlu, stack_latency


def main() -> None:
    print("stack:", stack_latency.main())
    print("nlu:", nlu.main())
    print("emotion:", emotion.main())
    print("handoff:", handoff.main())
    print("channels:", channels.main())


if __name__ == "__main__":
    main()
