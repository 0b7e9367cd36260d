"""The contact projection every connector maps to: the field names the sync engine compares and merges.

Each connector's ``mapping.py`` turns its vendor's contact into a mapping with these keys (absent or empty
values are simply left out) and back. Only what both Salesforce and the mailbox can hold is here, so that a
field synced one way can come back the other way unchanged:

- Salesforce Contact has one ``Email``; the mailbox's primary (first) address maps to it, and an update
  leaves the mailbox's other addresses alone.
- ``phones`` is a set (merged as a set): Salesforce ``Phone`` and ``OtherPhone``, Graph ``businessPhones``,
  People numbers of any type but mobile and home.
- ``company`` is the Account's name on the Salesforce side (a contact created from the mailbox gets its
  Account by the Company rule); the mailbox's company name elsewhere.
- The address is the mailing address in Salesforce, the business address in Outlook, the work address
  (else the first) in Google.
"""

from __future__ import annotations

FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
PHONES = "phones"
MOBILE_PHONE = "mobile_phone"
HOME_PHONE = "home_phone"
COMPANY = "company"
TITLE = "title"
DEPARTMENT = "department"
STREET = "street"
CITY = "city"
STATE = "state"
POSTAL_CODE = "postal_code"
COUNTRY = "country"

#: Fields merged as sets.
MULTI_VALUED: frozenset[str] = frozenset({PHONES})
#: The fields whose values adopt an unlinked mailbox contact and Salesforce contact as one.
MATCH_KEY: tuple[str, ...] = (EMAIL,)
