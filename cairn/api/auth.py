from ninja.security import HttpBearer

from cairn.accounts.api_keys import client_for_key


class ApiKey(HttpBearer):
    """``Authorization: Bearer cairn_…``: the request acts as that integrator."""

    openapi_description = "An integrator's API key, sent as `Authorization: Bearer KEY`."

    def authenticate(self, request, token: str):
        return client_for_key(token)
