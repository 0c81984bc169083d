"""OpenAPI description of the shop key authentication (loaded by CatalogConfig)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ShopKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "catalog.authentication.ShopKeyAuthentication"
    name = "shopKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A shop API key: `Authorization: Bearer sw_<prefix>_<secret>`."
            ),
        }
