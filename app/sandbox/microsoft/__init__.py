"""An emulator of Microsoft Graph's Outlook APIs (contacts, calendar, To Do, mail), one mailbox per sandbox user.

See COVERAGE.md for what is emulated and the documentation each behaviour follows.
"""

from app.sandbox.microsoft.urls import register

register()
