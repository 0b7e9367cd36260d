"""The Salesforce emulator: a sandbox org at ``sandbox.my.salesforce.com`` and its control API.

Importing the package registers the org as the ``"salesforce"`` backend and mounts its routers.
"""

from app.sandbox.backends import BACKEND_FACTORIES, HOST_ROUTERS
from app.sandbox.hosts import SALESFORCE_INSTANCE_HOST
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.salesforce.org_control import router as control_router
from app.sandbox.salesforce.urls import router as api_router

BACKEND_FACTORIES["salesforce"] = SalesforceOrg
if not any(router is api_router for _, router in HOST_ROUTERS):
    HOST_ROUTERS.append((SALESFORCE_INSTANCE_HOST, api_router))
    HOST_ROUTERS.append(("_sandbox/salesforce", control_router))

__all__ = ["SalesforceOrg"]
