"""POST /api/v1/triage/suggest: the CAM engine's suggestion for a contact-like payload.

(Filled in with the engine: see cairn/triage/engine.py.)
"""

from ninja import Router

from cairn.api.auth import ApiKey

router = Router(tags=["triage"], auth=ApiKey())
