from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteRateThrottle(SimpleRateThrottle):
    """Limit unsafe requests (POST, PUT, PATCH, DELETE) per user, or per IP when anonymous.

    Reads have their own limits (`anon`, `user`); writes cost more and are what spam and
    scripted abuse consist of, so they get the tighter `write` rate.
    """

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in SAFE_METHODS:
            return None
        if request.user and request.user.is_authenticated:
            ident = request.user.pk
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
