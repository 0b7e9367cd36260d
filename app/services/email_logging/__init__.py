"""Email logging from the sidebars: look up an email's people, log it once, attach its files, add people.

Shared by the Outlook add-in and, later, the Gmail add-on. Every Salesforce call is made with the rep's own
connection (``RepSalesforce``); nothing here commits the database session.
"""

from app.services.email_logging.context import LoggingContext, OrgProfiles
from app.services.email_logging.log_email import attach_file, log_email
from app.services.email_logging.lookup import lookup
from app.services.email_logging.people import create_person, match_account, search_related

__all__ = [
    "LoggingContext",
    "OrgProfiles",
    "attach_file",
    "create_person",
    "log_email",
    "lookup",
    "match_account",
    "search_related",
]
