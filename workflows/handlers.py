"""What completing a task records, per task type: the casework service of its artefact, given the
values its form or serializer parsed and the task's id. Called by task_complete (and by the
task-bound services of workflows/services/work.py) after the task's type and holder are checked:
casework decides whether the values are good, the work engine whether this person may record them.

Each returns the files it stored, so that a completion that then fails removes them again."""

from casework import services as artefacts


def consultation(task, user, values: dict) -> tuple:
    artefacts.consultation_record(case=task.case, mentor=user, task_id=task.pk, **values)
    return ()


def field_visit(task, user, values: dict) -> tuple:
    artefacts.field_visit_report_record(case=task.case, officer=user, task_id=task.pk, **values)
    return ()


def diagnostic_report(task, user, values: dict) -> tuple:
    report = artefacts.diagnostic_report_submit(case=task.case, mentor=user, task_id=task.pk, **values)
    return (report.document,)


def bank_referral(task, user, values: dict) -> tuple:
    artefacts.bank_referral_record(remedy=task.remedy, officer=user, task_id=task.pk, **values)
    return ()


def bank_decision(task, user, values: dict) -> tuple:
    artefacts.bank_decision_record(remedy=task.remedy, officer=user, task_id=task.pk, **values)
    return ()


def check_in(task, user, values: dict) -> tuple:
    artefacts.check_in_record(case=task.case, officer=user, task_id=task.pk, **values)
    return ()
