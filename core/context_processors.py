from django.conf import settings

from core.navigation import navigation_for
from core.uploads import MAX_UPLOAD_BYTES


def navigation(request):
    # The switcher names each language in its own name, as settings spell them (Django's
    # get_available_languages would translate them into the page's language).
    return {
        "workspace_navigation": navigation_for(request.user),
        "interface_languages": settings.LANGUAGES,
    }


def upload_limits(request):
    """The sizes the server refuses, so a page can say so before a large file is sent."""
    return {
        "upload_limits": {
            "file": MAX_UPLOAD_BYTES,
            "request": settings.MAX_REQUEST_BYTES,
            "file_megabytes": MAX_UPLOAD_BYTES // 1024 // 1024,
            "request_megabytes": settings.MAX_REQUEST_BYTES // 1024 // 1024,
        }
    }
