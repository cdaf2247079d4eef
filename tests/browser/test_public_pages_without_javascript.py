import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


def test_home_page_and_language_switch_work_without_javascript(page, live_server):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact the police")
    page.get_by_role("link", name="Gàidhlig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cuir fios dha na poileis")
