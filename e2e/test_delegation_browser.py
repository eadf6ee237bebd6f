"""Delegation in a real browser: an MSSP analyst requests access, the MSSP's approver approves, the analyst works the
customer's queue through ?tid= and sees only the permitted device groups; the customer revokes and the analyst's next
page load is refused; the customer's audit log holds all of it."""
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import user_for
from test_portal_browser import browser, left_page, sign_in, wait_for  # noqa: F401 (the fixture is used by name)

CONTOSO = "2b7e1d40-5c8a-4f36-9e12-7a3d6b0c8e21"
PASSWORD = "e2e-delegation-Passw0rd"


def user_token(server, tenant, upn, password):
    r = requests.post(f"{server.base}/{tenant}/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27", "username": upn,
        "password": password, "scope": "api://rampart/.default"}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def click_and_wait(browser, element, next_id):
    element.click()
    WebDriverWait(browser, 30).until(left_page(element))
    return wait_for(browser, next_id)


def sign_out(browser):
    browser.find_element(By.ID, "signout").click()
    wait_for(browser, "username")


def test_request_approve_work_revoke(server, demo, browser, artifacts):
    mssp_admin = user_for(demo, "admin@fabrikam-mssp.example")
    token = user_token(server, "fabrikam-mssp.example", mssp_admin["upn"], mssp_admin["password"])
    r = requests.post(f"{server.base}/manage/v1/users", headers={"Authorization": f"Bearer {token}"},
                      json={"userPrincipalName": "analyst3@fabrikam-mssp.example", "password": PASSWORD}, timeout=30)
    assert r.status_code == 201, r.text

    # The analyst has no role at home: sign-in lands on My access, which offers Contoso's packages.
    sign_in(browser, server, "analyst3@fabrikam-mssp.example", PASSWORD, expect="my-access")
    offered = browser.find_element(By.ID, "offered-packages")
    form = click_and_wait(browser, offered.find_element(By.LINK_TEXT, "MSSP SOC analysts"), "request-form")
    assert browser.find_element(By.ID, "request-tenant").text == "Contoso Ltd"
    form.find_element(By.NAME, "justification").send_keys("Covering the Contoso night shift")
    click_and_wait(browser, browser.find_element(By.ID, "request-submit"), "request-sent")
    assert "Pending approval" in browser.find_element(By.ID, "my-requests").text
    # Not approved yet: the customer's portal is closed.
    browser.get(f"{server.base}/alerts?tid={CONTOSO}")
    assert wait_for(browser, "no-access").text == "You have no access to this tenant"
    sign_out(browser)

    # The MSSP's approver (a guest of Contoso through the approvers package) decides.
    approver = user_for(demo, "approver@fabrikam-mssp.example")
    sign_in(browser, server, approver["upn"], approver["password"], expect="my-access")
    queue_link = browser.find_element(By.CLASS_NAME, "approvals-link")
    table = click_and_wait(browser, queue_link, "approvals")
    row = next(r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if "analyst3@" in r.text)
    assert "Covering the Contoso night shift" in row.text
    browser.save_screenshot(str(artifacts / "approvals-en.png"))
    approve = row.find_element(By.CSS_SELECTOR, "button.approve")
    approve.click()
    WebDriverWait(browser, 30).until(left_page(approve))
    assert "analyst3@" not in browser.page_source
    sign_out(browser)

    # The analyst works Contoso's queue and sees only the Servers device group.
    sign_in(browser, server, "analyst3@fabrikam-mssp.example", PASSWORD, expect="my-access")
    browser.get(f"{server.base}/alerts?tid={CONTOSO}")
    queue = wait_for(browser, "alert-queue")
    assert "Contoso Ltd" in browser.find_element(By.ID, "current-tenant").text
    devices = [row.find_elements(By.TAG_NAME, "td")[2].text for row in queue.find_elements(By.CSS_SELECTOR, "tbody tr")]
    # The demo's workstations (tagged "workstation") are Contoso's own; devices other tests sent without tags are in
    # the default group, which has no user groups and so is open to everyone with portal access.
    assert devices and not any(device.startswith("contoso-ws") for device in devices), devices
    assert any(device.startswith(("web-", "db-", "vpn-", "mail-", "build-", "k8s-")) for device in devices), devices
    browser.save_screenshot(str(artifacts / "guest-queue-en.png"))
    server_row = next(row for row in queue.find_elements(By.CSS_SELECTOR, "tbody tr")
                      if row.find_elements(By.TAG_NAME, "td")[2].text.startswith(("web-", "db-", "vpn-", "mail-", "build-", "k8s-")))
    click_and_wait(browser, server_row.find_element(By.TAG_NAME, "a"), "alert-title")
    assert "Servers" in browser.page_source

    # The customer revokes; the analyst's next page load is refused.
    contoso_admin = user_for(demo, "admin@contoso.example")
    admin_token = user_token(server, CONTOSO, contoso_admin["upn"], contoso_admin["password"])
    headers = {"Authorization": f"Bearer {admin_token}"}
    assignments = requests.get(f"{server.base}/manage/v1/access-assignments", headers=headers, timeout=30).json()["value"]
    mine = next(a for a in assignments if a["user"] == "analyst3@fabrikam-mssp.example" and a["state"] == "active")
    r = requests.post(f"{server.base}/manage/v1/access-assignments/{mine['id']}/revoke", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    browser.get(f"{server.base}/alerts")
    assert wait_for(browser, "no-access").text == "You have no access to this tenant"

    audit = requests.get(f"{server.base}/manage/v1/audit?limit=1000", headers=headers, timeout=30).json()["value"]
    seen = {(entry["action"], entry["actor"]) for entry in audit}
    for expected in [
        ("accessRequest.create", "analyst3@fabrikam-mssp.example"),
        ("accessRequest.approve", "approver@fabrikam-mssp.example"),
        ("portal.alerts.list", "analyst3@fabrikam-mssp.example"),
        ("portal.alert.read", "analyst3@fabrikam-mssp.example"),
        ("accessAssignment.revoke", "admin@contoso.example"),
    ]:
        assert expected in seen, expected
