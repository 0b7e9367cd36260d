"""Salesforce through its REST API: ``client`` (the only module that imports simple-salesforce) and ``mapping``
(pure functions between Salesforce JSON and our records, and the escaping of every value put into SOQL or SOSL)."""
