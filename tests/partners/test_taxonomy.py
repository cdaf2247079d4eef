"""The service taxonomy is loaded strictly: a bad file stops the service, naming the key."""

import pytest

from cairn.partners.taxonomy import PartnerPolicyError, parse_policy, partner_policy

GOOD = """
version: 1
service_types:
  housing: {label: Housing, description: Help with a home.}
outcomes:
  support_provided: Support provided
"""


def test_the_shipped_policy_has_the_expected_types_and_outcomes():
    policy = partner_policy()
    assert {
        "distress_brief_intervention",
        "social_work",
        "nhs24",
        "victim_support",
        "domestic_abuse_advocacy",
        "housing",
        "drug_alcohol",
        "youth",
    } <= set(policy.service_types)
    assert "support_provided" in policy.outcomes


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD.replace("version: 1", "version: 2"), "version must be 1"),
        (GOOD.replace("housing:", "Housing Help:"), "service_types.Housing Help"),
        (GOOD.replace(", description: Help with a home.", ""), "needs exactly"),
        (GOOD.replace("Support provided", "''"), "outcomes.support_provided"),
        (GOOD + "extra: 1\n", "expected exactly"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_key(text, complaint):
    assert parse_policy(GOOD).service_types["housing"].label == "Housing"
    with pytest.raises(PartnerPolicyError, match=complaint):
        parse_policy(text)
