"""SOQL and SOSL query engine of the Salesforce sandbox emulator (pure Python, no HTTP).

The REST layer calls execute_soql / execute_sosl with a QuerySource giving access to the org's schema and
rows; the engine answers with records already in the REST API's JSON shape, or raises SoqlError.
"""

from app.sandbox.salesforce.soql.ast import SoqlQuery, SoslQuery
from app.sandbox.salesforce.soql.evaluate import QueryResult, execute_soql
from app.sandbox.salesforce.soql.parser import parse_soql, parse_sosl
from app.sandbox.salesforce.soql.sosl import execute_sosl
from app.sandbox.salesforce.soql.source import ChildRelationship, FieldInfo, QuerySource, SoqlError

__all__ = [
    "ChildRelationship",
    "FieldInfo",
    "QueryResult",
    "QuerySource",
    "SoqlError",
    "SoqlQuery",
    "SoslQuery",
    "execute_soql",
    "execute_sosl",
    "parse_soql",
    "parse_sosl",
]
