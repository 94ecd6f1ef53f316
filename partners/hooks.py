"""Where partners hands over to the apps above it (core/hooks.py; connected in config/apps.py)."""

from core.hooks import Hook

# The words for the units an owner's memberships name (partners holds their ids only: it sits
# below scoring). Called with `ids`, answers {id: "name (Udyam number)"}.
unit_labels = Hook("partners.unit_labels", single=True)
