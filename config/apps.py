from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The top layer wires the apps' hooks (docs/decisions/0005-layers.md): a lower app offers a
    hook where it must set off work above it, and only here is the higher app connected to it."""

    name = "config"
    verbose_name = "Configuration"

    def ready(self):
        from casework import hooks as casework_hooks
        from casework.audit import consent_on_case_timeline
        from casework.pages import CASE_PAGE_PARTS
        from casework.portal import messages as portal_messages
        from notifications import messages
        from notifications.choices import NotificationEvent
        from partners import hooks as partners_hooks
        from scoring import hooks as scoring_hooks
        from scoring.messages import import_rejects
        from scoring.selectors import enterprise_labels
        from workflows import digest, visibility
        from workflows import messages as workflow_messages
        from workflows import services as workflow_services
        from workflows.case_pages import case_page_work

        partners_hooks.unit_labels.connect(enterprise_labels)
        scoring_hooks.scoring_run_done.connect(workflow_services.cases_after_scoring)
        scoring_hooks.units_worked_by_mentor.connect(visibility.units_worked_by_mentor)
        scoring_hooks.consent_changed.connect(consent_on_case_timeline)
        casework_hooks.document_request_close.connect(workflow_services.document_request_close)
        casework_hooks.case_tasks_seen_by.connect(visibility.case_tasks_seen_by)
        # The work engine's part of a case's page (tasks, clocks, moves, documents asked).
        if case_page_work not in CASE_PAGE_PARTS:
            CASE_PAGE_PARTS.append(case_page_work)

        # The words of each notification, from the app that knows what it speaks of.
        for event, render in {**workflow_messages.WORDS, **portal_messages.WORDS}.items():
            messages.register(event, render)
        messages.register(NotificationEvent.IMPORT_REJECTS, import_rejects)
        messages.subjects_load.connect(workflow_messages.subjects_load)
        messages.digest_sections.connect(digest.digest_sections)
