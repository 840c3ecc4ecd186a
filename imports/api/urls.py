from rest_framework.routers import DefaultRouter

from imports.api.views import ImportRunViewSet, ImportSourceViewSet

router = DefaultRouter()
router.register("imports", ImportRunViewSet, basename="import-run")
router.register("import-sources", ImportSourceViewSet, basename="import-source")

urlpatterns = router.urls
