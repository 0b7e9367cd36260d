"""The use cases: each module holds one area's logic; services never commit (the request or job boundary does)."""
