"""Where casework hands over to the apps above it (core/hooks.py; connected in config/apps.py)."""

from core.hooks import Hook

# Documents asked of a unit's owner are in: called with `request` (a DocumentRequest), `actor` and
# `status`, answers the request as closed. The case engine closes it and, when no other request is
# open, resumes the case's clocks (workflows.services.document_request_close).
document_request_close = Hook("casework.document_request_close", single=True)

# The tasks of `case` that `user` may see (called with `user` and `case`): a bank's finance side
# is the remedies its tasks are about. The case engine answers with a queryset of its tasks, of
# which casework reads `pk` and `remedy_id` only (workflows.visibility.case_tasks_seen_by).
case_tasks_seen_by = Hook("casework.case_tasks_seen_by", single=True)
