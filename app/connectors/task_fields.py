"""The task projection every connector maps to.

Each tasks store turns its vendor's task into a mapping with these keys (empty values left out) and back:

- ``subject``: the To Do / Google Tasks title, the Salesforce Subject.
- ``notes``: plain text (the To Do body as text, the Google notes, the Salesforce Description without
  crmbridge's marker line).
- ``due``: the due date as ``YYYY-MM-DD`` (To Do ``dueDateTime``'s date in its own zone, Google ``due``'s date,
  Salesforce ``ActivityDate``).
- ``completed``: ``"true"`` for a done task (To Do ``status`` completed, Google ``status`` completed,
  Salesforce ``IsClosed``), absent for an open one. Writing an open task leaves an open vendor status as it is
  (In Progress stays In Progress) and reopens a closed one (To Do notStarted, Google needsAction, Salesforce's
  default open Status).
- ``important``: ``"true"`` for high priority (To Do ``importance`` high, Salesforce ``Priority`` High), absent
  otherwise. Google Tasks has no priority: its store reports what it holds without it.
"""

from __future__ import annotations

SUBJECT = "subject"
NOTES = "notes"
DUE = "due"
COMPLETED = "completed"
IMPORTANT = "important"

#: The value of a true flag field (``completed``, ``important``).
TRUE = "true"
#: The list (To Do) or task list (Google) that holds synced tasks under Manual selection in Google, and the
#: name shown for the synced list.
TASK_LIST_NAME = "Salesforce Tasks"
