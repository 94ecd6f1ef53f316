"""In a real browser, with the site's Content-Security-Policy (scripts from our static files only):
no page breaks it (htmx, the inbox's select-all, the print page, the API docs' Swagger UI), and a
form's submit button is disabled while the form is on its way, back after an htmx error or when
the person returns to the page."""

import pytest
from playwright.sync_api import expect

from casework.choices import CaseStage
from tests.factories.cases import active_task, clinic, flagged_case, unit_at, walk
from workflows.choices import TaskType

from .conftest import sign_in, with_password

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def watch_csp(page) -> list[str]:
    """Every Content-Security-Policy violation the page reports, from the console and the DOM event."""
    seen = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return seen


def test_no_page_breaks_the_content_security_policy(page):
    violations = watch_csp(page)
    team = clinic("Anantnag")
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = active_task(case, TaskType.FIELD_VISIT)
    flagged_case(unit_at("Anantnag"))  # a second task in the queue, for select-all
    unit = case.enterprise
    sign_in(page, with_password(team.officer))

    page.goto("/inbox/?tab=queue")
    boxes = page.locator("input[name=task]")
    assert boxes.count() >= 2
    page.get_by_label("select all").check()  # static/js/app.js, no inline handler
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()
    row = page.locator(f"#task-{task.pk}")
    row.get_by_role("button", name="Claim").click()  # htmx swaps the row
    expect(row).to_contain_text("me")

    for path in (
        f"/tasks/{task.pk}/",
        f"/cases/{case.pk}/",
        "/cases/",
        "/units/",
        f"/units/{unit.udyam_number}/",
        f"/units/{unit.udyam_number}/print/",
        "/notifications/",
        "/notifications/preferences/",
        "/no-such-page/",
    ):
        page.goto(path)
        expect(page.locator("body")).not_to_be_empty()

    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("JKMHC case engine API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []


def test_a_posted_form_is_sent_once_and_its_button_comes_back(page):
    team = clinic("Anantnag")
    sign_in(page, with_password(team.officer))
    held = []
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.route(
        "**/notifications/read-all/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    # The page reports its state by fetching a URL the test answers: while a navigation is under
    # way the test cannot read the page itself.
    page.route("**/__probe*", lambda route: route.fulfill(status=204))
    page.goto("/notifications/")
    with page.expect_request("**/__probe*") as probe:
        page.evaluate(
            """() => {
                const button = document.querySelector("form[action$='read-all/'] button");
                button.click();  // the POST goes out, and is held by the test
                setTimeout(() => {  // after app.js's own handling of the submit
                    button.form.requestSubmit();  // Enter, or a second click
                    fetch('/__probe?disabled=' + button.disabled);
                }, 0);
            }"""
        )
    assert "disabled=true" in probe.value.url  # disabled while the form is on its way
    for _ in range(100):  # until the held POST reaches the test's handler (events flow while it waits)
        if held:
            break
        page.wait_for_timeout(100)
    with page.expect_response("**/notifications/read-all/") as answered, page.expect_event("load"):
        held[0].continue_()  # sent: redirected to the notification centre, loaded afresh
    assert answered.value.status == 302
    assert len(held) == len(posts) == 1  # the second submit sent nothing
    page.go_back()  # the page as it was left (from the browser's cache, or loaded again)
    expect(page.get_by_role("button", name="Mark all read")).to_be_enabled()


def test_an_htmx_form_s_button_is_disabled_while_sent_and_back_after_an_error(page):
    team = clinic("Anantnag")
    case = walk(flagged_case(unit_at("Anantnag", branch=team.branch)), CaseStage.FIELD_VISIT, team)
    task = active_task(case, TaskType.FIELD_VISIT)
    sign_in(page, with_password(team.officer))
    held = []
    page.route(f"**/tasks/{task.pk}/claim/", lambda route: held.append(route))
    page.goto("/inbox/?tab=queue")
    claim = page.locator(f"#task-{task.pk}").get_by_role("button", name="Claim")
    claim.click()
    expect(claim).to_be_disabled()
    assert len(held) == 1 and held[0].request.headers.get("hx-request") == "true"
    held[0].fulfill(status=503, headers={"Retry-After": "5"}, body="busy")  # the database was busy
    expect(claim).to_be_enabled()
    expect(page.locator(f"#task-{task.pk}")).to_contain_text("queue")  # nothing was swapped
