from core.navigation import navigation_for


def navigation(request):
    return {"workspace_navigation": navigation_for(request.user)}
