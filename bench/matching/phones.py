"""Phone numbers for synthetic people: valid UK numbers per ``phonenumbers``, never reused.

Mobiles come from the 071-075 and 077-079 ranges, landlines from the
dialling code of the person's postcode area; each range is checked block by
block against ``phonenumbers``' metadata once. Numbers are handed out by an
affine walk over the range, so they look random, are unique within one
generator and cost nothing to remember.
"""

import itertools
from collections.abc import Sequence
from functools import cache

import phonenumbers


@cache
def mobile_blocks() -> tuple[str, ...]:
    """Five-digit national prefixes (07100…07999 without 076) valid as UK mobiles."""
    blocks = []
    for block in itertools.chain(range(71000, 76000), range(77000, 80000)):
        number = phonenumbers.parse(f"+44{block}12345")
        if phonenumbers.is_valid_number_for_region(number, "GB"):
            blocks.append(str(block))
    return tuple(blocks)


@cache
def landline_blocks(area_code: str) -> tuple[str, ...]:
    """Area code plus the two first local digits (2-9 first), valid as UK geographic numbers."""
    free = 10 - len(area_code) - 2
    blocks = []
    for first in range(20, 100):
        number = phonenumbers.parse(f"+44{area_code}{first}{'5' * free}")
        if phonenumbers.is_valid_number_for_region(number, "GB"):
            blocks.append(f"{area_code}{first}")
    return tuple(blocks)


class UniqueNumbers:
    """Phone numbers that are never handed out twice: an affine walk over the range."""

    def __init__(self, blocks: Sequence[str], free_digits: int, offset: int):
        self.blocks = blocks
        self.free = free_digits
        self.capacity = len(blocks) * 10**free_digits
        self.stride = 7_919_993  # prime, so coprime with the capacity unless it divides it
        while self.capacity % self.stride == 0:
            self.stride += 2
        self.position = offset % self.capacity
        self.used = 0

    def next(self) -> str:
        if self.used >= self.capacity:
            raise RuntimeError("phone number range exhausted")
        self.used += 1
        self.position = (self.position + self.stride) % self.capacity
        block, rest = divmod(self.position, 10**self.free)
        return f"+44{self.blocks[block]}{rest:0{self.free}d}"
