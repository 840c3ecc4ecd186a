"""OpenAPI descriptions of the API's two authentication classes (drf-spectacular)."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.tokens.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A per-device token from POST /api/v1/auth/token/, sent as `Token <token>`; "
                "it expires and is revoked on logout and password change."
            ),
        }


class ProjectSessionScheme(SessionScheme):
    target_class = "accounts.tokens.authentication.SessionAuthentication"
