"""Where casework hands over to the apps above it (core/hooks.py; connected in config/apps.py)."""

from core.hooks import Hook

# Documents asked of a unit's owner are in: called with `request` (a DocumentRequest), `actor` and
# `status`, answers the request as closed. The case engine closes it and, when no other request is
# open, resumes the case's clocks (workflows.services.document_request_close).
document_request_close = Hook("casework.document_request_close", single=True)
