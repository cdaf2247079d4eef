"""``Server-Timing: app;dur=…`` on every response, for bench/ (mounted when CAIRN_BENCH=1).

The benchmarks report *server* time: from the first middleware to the
response leaving the last, on the server's own clock. What the client sees
adds the loopback, granian and the ASGI hop, which are not what a page costs.
"""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.2f}"
        return response
