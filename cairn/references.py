"""Human references (CRN-…, CAS-…, APT-…) made by the database, never by a Python counter.

Each is a SQL function its app's migration creates: it takes the next number
from the app's sequence and writes ``PREFIX-YYMMDD-NNNNN`` (the London date,
the number zero-padded to at least five digits and never cut, so past 99,999 it
simply grows). A model uses it as ``db_default``, so the INSERT makes the
reference and ``refresh_from_db(fields=["reference"])`` reads it back.
"""

from django.db import models


class DatabaseReference(models.Func):
    """``<function_name>()`` as a column default; a subclass names the function."""

    function_name = ""
    output_field = models.CharField()

    def __init__(self):
        if not self.function_name:
            raise TypeError("a DatabaseReference names its SQL function")
        super().__init__()

    @property
    def template(self) -> str:
        return f"{self.function_name}()"
