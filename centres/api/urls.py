from rest_framework.routers import DefaultRouter

from centres.api.views import ReferralViewSet, TransferCentreViewSet

router = DefaultRouter()
router.register("transfer-centres", TransferCentreViewSet, basename="transfer-centre")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
