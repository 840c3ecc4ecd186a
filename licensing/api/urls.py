from rest_framework.routers import DefaultRouter

from licensing.api.views import LicenceViewSet, OpenLicenceOfferViewSet

router = DefaultRouter()
router.register("open-licences", OpenLicenceOfferViewSet, basename="open-licence")
router.register("licences", LicenceViewSet, basename="licence")

urlpatterns = router.urls
