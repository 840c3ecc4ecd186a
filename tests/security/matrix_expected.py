EXPECTED: dict[str, dict[str, int]] = {}
