"""Who a contact says the reporter is, in the normalised form matching compares.

Normalising here, once, is what lets blocking use plain equality on phone
numbers and email addresses and trigram similarity on names: "Ms Siobhán
O'Neill" and "siobhan oneill" are the same string to the matcher.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers

PHONE_REGION = "GB"

# Titles and honorifics a reporter may type before or after a name.
TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "jr", "sr", "snr", "jnr"}
)
# Particles that belong to the family name: "Mary de la Cruz".
PARTICLES = frozenset({"de", "da", "del", "della", "der", "di", "du", "la", "le", "van", "von"})


@dataclass(frozen=True)
class Identity:
    """The identity details of one person as given, normalised."""

    given_name: str = ""  # normalised: lower case, accents folded
    family_name: str = ""
    date_of_birth: date | None = None
    phones: tuple[str, ...] = ()  # E.164
    emails: tuple[str, ...] = ()  # lower case
    address: str = ""  # normalised
    postcode: str = ""  # "EH1 1YZ"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def is_empty(self) -> bool:
        """Nothing to match on: a name alone is not enough to look anyone up by."""
        located = self.date_of_birth or self.address or self.postcode
        return not (self.phones or self.emails or (self.full_name and located))


# Latin letters that carry their mark in the letter itself, so NFKD cannot take it off.
UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "þ": "th",
        "ð": "d",
    }
)


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters, digits and spaces dropped."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(UNDECOMPOSABLE))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.lower().replace("'", "").replace("’", "")
    return re.sub(r"[^\w]+|_", " ", plain).strip()


def normalise_name(given: str, family: str = "") -> str:
    """The string PersonName.normalised holds and blocking compares: 'given family'."""
    return f"{fold(given)} {fold(family)}".strip()


def split_typed_name(full_name: str) -> tuple[str, str]:
    """'Dr Mary de la Cruz' -> ('Mary', 'de la Cruz'); 'Smith, John' -> ('John', 'Smith').

    The words keep the case they were typed in (for the record); titles are dropped.
    """
    text = full_name or ""
    if "," in text:
        family, _, given = text.partition(",")
        text = f"{given} {family}"
    words = [w for w in text.split() if fold(w) and fold(w) not in TITLES]
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    family_start = len(words) - 1
    while family_start > 1 and fold(words[family_start - 1]) in PARTICLES:
        family_start -= 1
    return " ".join(words[:family_start]), " ".join(words[family_start:])


def split_full_name(full_name: str) -> tuple[str, str]:
    """Like ``split_typed_name``, normalised: 'Dr Mary de la Cruz' -> ('mary', 'de la cruz')."""
    given, family = split_typed_name(full_name)
    return fold(given), fold(family)


def normalise_phone(value: str) -> str:
    """E.164 for a possible number, '' for anything else (matching never fails on bad input).

    "Possible" (the right length for its country) rather than "valid": a
    number from a range newer than the library's data, or Ofcom's drama
    range (07700 900xxx) used in demonstrations, is still the person's number.
    """
    try:
        number = phonenumbers.parse(value or "", PHONE_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    """Lower case and trimmed; '' unless it looks like local@domain.tld."""
    value = (value or "").strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return ""
    return value


def normalise_address(value: str) -> str:
    return fold(value)


def parse_date_of_birth(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def identity_of(
    *,
    name: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: object = None,
    phones: tuple[str, ...] | list[str] = (),
    emails: tuple[str, ...] | list[str] = (),
    address: str = "",
    postcode: str = "",
) -> Identity:
    """Build a normalised Identity from raw values as a person or handler typed them."""
    if name and not (given_name or family_name):
        given, family = split_full_name(name)
    else:
        given, family = fold(given_name), fold(family_name)
    return Identity(
        given_name=given,
        family_name=family,
        date_of_birth=parse_date_of_birth(date_of_birth),
        phones=tuple(dict.fromkeys(p for p in map(normalise_phone, phones) if p)),
        emails=tuple(dict.fromkeys(e for e in map(normalise_email, emails) if e)),
        address=normalise_address(address),
        postcode=re.sub(r"\s+", " ", (postcode or "").strip().upper()),
    )


def identity_of_contact(contact) -> Identity:
    """The reporter's identity as the contact gives it (empty for an anonymous contact)."""
    if contact.anonymous:
        return Identity()
    details = contact.reporter_details or {}
    return identity_of(
        name=contact.reporter_name,
        date_of_birth=details.get("date_of_birth"),
        phones=[contact.reporter_phone] if contact.reporter_phone else [],
        emails=[contact.reporter_email] if contact.reporter_email else [],
        address=details.get("address", ""),
        postcode=details.get("postcode", ""),
    )
