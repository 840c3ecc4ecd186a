from tests.security.world import world  # noqa: F401  (module-scoped seeded demo data)
