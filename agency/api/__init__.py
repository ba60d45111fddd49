"""Base API classes, the exception handler and the tenancy endpoints of the REST API."""
