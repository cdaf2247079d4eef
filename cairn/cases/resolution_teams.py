"""Which teams are Resolution Teams, and which one takes a division's cases.

The rule is data (settings), so a force re-draws it without code:

- ``CAIRN_RESOLUTION_TEAM_PREFIX`` (default "Resolution Team"): a team whose
  name starts with it is a Resolution Team.
- ``CAIRN_RESOLUTION_TEAM_FOR_DIVISION`` (default empty): division code ->
  team name, for a division served by a named team (one outside the division,
  or one of several).

A case goes to the named team for its division if there is one, else to a
Resolution Team in its division, else to the Resolution Team with the fewest
open cases (so a division without its own team spreads its work).
"""

from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from cairn.accounts.models import Team

DEFAULT_PREFIX = "Resolution Team"


def _prefix() -> str:
    return getattr(settings, "CAIRN_RESOLUTION_TEAM_PREFIX", DEFAULT_PREFIX) or DEFAULT_PREFIX


def _named_routes() -> dict[str, str]:
    return dict(getattr(settings, "CAIRN_RESOLUTION_TEAM_FOR_DIVISION", None) or {})


def resolution_team_q(prefix: str = "team__") -> Q:
    """A filter for rows whose team (``<prefix>name``) is a Resolution Team."""
    q = Q(**{f"{prefix}name__startswith": _prefix()})
    named = set(_named_routes().values())
    if named:
        q |= Q(**{f"{prefix}name__in": sorted(named)})
    return q


def resolution_teams():
    return Team.objects.filter(resolution_team_q(prefix=""))


def is_resolution_team(team: Team | None) -> bool:
    if team is None:
        return False
    return team.name.startswith(_prefix()) or team.name in set(_named_routes().values())


def in_a_resolution_team(user: Any) -> bool:
    """Whether this member of staff works in a Resolution Team."""
    return is_resolution_team(getattr(user, "team", None))


def resolution_team_for(division_code: str | None) -> Team | None:
    """The Resolution Team that takes a case of this division; None when there is none at all."""
    if division_code:
        named = _named_routes().get(division_code)
        if named:
            team = Team.objects.filter(name=named).first()
            if team is not None:
                return team
        local = resolution_teams().filter(division_id=division_code).order_by("name").first()
        if local is not None:
            return local
    return (
        resolution_teams()
        .annotate(open_cases=Count("cases", filter=~Q(cases__status="closed")))
        .order_by("open_cases", "name")
        .first()
    )
