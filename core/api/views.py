from rest_framework import viewsets


class BaseViewSet(viewsets.GenericViewSet):
    """Shared behaviour of every API viewset.

    Querysets come from each app's `*_visible_to(user)` selector, so rows a user may not see are
    404, never 403. Error bodies and the 409 mapping of workflow refusals live in
    core.api.exceptions.
    """
