from rest_framework.routers import DefaultRouter

from facilities.api.views import BookingViewSet, FacilityViewSet

router = DefaultRouter()
router.register("facilities", FacilityViewSet, basename="facility")
router.register("facility-bookings", BookingViewSet, basename="facility-booking")

urlpatterns = router.urls
