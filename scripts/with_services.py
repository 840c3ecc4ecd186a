#!/usr/bin/env python3
"""Run a command with PostgreSQL and Redis available.

    python scripts/with_services.py pytest -x

When DATABASE_URL / REDIS_URL are unset, embedded servers are started (see scripts/services.py),
the URLs are exported to the command, and whatever was started here is stopped afterwards.
The command's exit code is propagated.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import ServiceError, run


def main() -> int:
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "--":
        arguments = arguments[1:]
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return run(arguments)
    except ServiceError as error:
        print(f"[services] error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
