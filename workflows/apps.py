from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"

    def ready(self):
        # The work engine's part of a case's page (casework/pages.py): casework, below workflows,
        # offers the hook and never names workflows; the app above plugs in.
        from casework.pages import CASE_PAGE_PARTS

        from .case_pages import case_page_work

        if case_page_work not in CASE_PAGE_PARTS:
            CASE_PAGE_PARTS.append(case_page_work)
