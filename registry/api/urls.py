from rest_framework.routers import SimpleRouter

from registry.api.views import ContractRecordViewSet

router = SimpleRouter()
router.register("contract-records", ContractRecordViewSet, basename="contract-record")

urlpatterns = router.urls
