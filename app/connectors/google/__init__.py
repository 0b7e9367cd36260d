"""Google: the People API contact store (``contacts_store``), its mapping and its client."""
