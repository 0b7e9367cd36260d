"""HTTP emulators of Salesforce, Microsoft Graph and Google, and the sandbox control API (see DESIGN.md)."""
