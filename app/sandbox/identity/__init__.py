"""The vendors' identity providers (Salesforce, Microsoft, Google): OAuth 2.0 and OpenID Connect, signed by the
sandbox's own key. Routers are assembled in :mod:`app.sandbox.identity.routes`."""
