"""Signing out of the API and the list of signed-in devices (one token each)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import ApiTokenSerializer, LogoutAllResponseSerializer
from accounts.tokens import selectors, services
from accounts.tokens.authentication import ApiTokenAuthentication
from accounts.tokens.models import ApiToken
from core.api.schema import ERROR_RESPONSES
from core.api.views import BaseViewSet


class LogoutView(APIView):
    """Revoke the token this request is sent with (sign this device out)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):  # None only when a test forces the user in
            services.api_token_revoke(user=request.user, token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every API token of the signed-in user (sign out everywhere)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: LogoutAllResponseSerializer})
    def post(self, request):
        revoked = services.api_tokens_revoke_all(user=request.user)
        return Response(LogoutAllResponseSerializer({"revoked": revoked}).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, BaseViewSet):
    """The signed-in user's own devices: name (User-Agent), created, expiry, last use. Another
    user's token is 404."""

    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        return selectors.api_tokens_of(user=self.request.user)

    @extend_schema(responses={204: None, 404: ERROR_RESPONSES[404]})
    def destroy(self, request, *args, **kwargs):
        token_id = self.kwargs["pk"]
        if not str(token_id).isdigit() or not services.api_token_revoke(
            user=request.user, token_id=int(token_id)
        ):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
