import re

from cairn.audit.context import acting_as

# Accept a proxy's request id only when it looks like one (no injection into logs).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id and makes it the audit context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else None
        if request.path.startswith(("/api/", "/open311/")):
            # An API request acts for an integrator (its key), never for a
            # browser session that happens to come with it: no staff actor,
            # and no session read to find one.
            channel, acting_request = "api", None
        else:
            channel, acting_request = "web", request
        with acting_as(channel, request=acting_request, request_id=request_id) as context:
            request.request_id = context.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = context.request_id
        return response
