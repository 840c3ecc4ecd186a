from rest_framework.routers import DefaultRouter

from catalog.api.views import CategoryViewSet

router = DefaultRouter()
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
