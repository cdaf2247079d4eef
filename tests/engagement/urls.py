"""The site's URLs with /staff/feedback/ mounted, for tests of the feedback pages.

cairn/workspace/urls.py gets ``path("feedback/", include("cairn.workspace.feedback.urls"))``
from the lead; until then (and harmlessly after) tests use this conf.
"""

from django.urls import include, path

from cairn import urls as root
from cairn.workspace import urls as workspace

FEEDBACK = "feedback/"


def _workspace_with_feedback():
    patterns = list(workspace.urlpatterns)
    if not any(str(pattern.pattern) == FEEDBACK for pattern in patterns):
        patterns.append(path(FEEDBACK, include("cairn.workspace.feedback.urls")))
    return include((patterns, workspace.app_name))


urlpatterns = [
    path("staff/", _workspace_with_feedback()) if str(pattern.pattern) == "staff/" else pattern
    for pattern in root.urlpatterns
]
