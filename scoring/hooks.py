"""Where scoring hands over to the apps above it (core/hooks.py; connected in config/apps.py)."""

from core.hooks import Hook

# SCORING.md §5, what a flag does: called with `run_id` once a scoring run is done. The case
# engine opens cases for the units the run flagged and looks for revival evidence.
scoring_run_done = Hook("scoring.run_done")

# For an IIM mentor, the units they see through their work: called with `user_id` and
# `organisation_ids` (their IIM memberships), answers a queryset of enterprise ids. Visibility
# of units (scoring/visibility.py) follows the case engine's tasks for mentors only.
units_worked_by_mentor = Hook("scoring.units_worked_by_mentor", single=True)

# An owner withdrew consent to a source, or gave it again after a withdrawal: called with the new
# `consent` row (scoring.models.DataConsent), inside its transaction.
consent_changed = Hook("scoring.consent_changed")
