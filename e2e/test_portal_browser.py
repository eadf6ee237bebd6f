"""A real browser (Debian's Chromium, headless) signs in and sees an ingested alert."""
import json
import shutil

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import app_for, client_token, user_for


def chromium_paths():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return browser, driver


@pytest.fixture
def browser(request):
    binary, driver_path = chromium_paths()
    if not binary or not driver_path:
        pytest.fail("chromium and chromium-driver must be installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        options.add_argument(argument)
    # The browser does not read the test CA from the environment; the certificate chain is checked by the other tests.
    options.accept_insecure_certs = True
    language = getattr(request, "param", "en")
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.add_argument(f"--lang={language}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def left_page(element):
    """A wait condition: the page that held `element` is gone. While Chromium swaps documents, asking about the old
    node can fail with "does not belong to the document" instead of a stale-element error; both mean it is gone."""
    def gone(_driver):
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    return gone


def wait_for(browser, element_id):
    """The element once the page that has it has loaded: a click only starts the navigation."""
    return WebDriverWait(browser, 30).until(EC.presence_of_element_located((By.ID, element_id)))


def sign_in(browser, server, upn, password, expect="alert-queue"):
    browser.get(f"{server.base}/signin")
    old_form = browser.find_element(By.ID, "signin")
    browser.find_element(By.ID, "username").send_keys(upn)
    browser.find_element(By.ID, "password").send_keys(password)
    old_form.click()
    WebDriverWait(browser, 30).until(left_page(old_form))
    return wait_for(browser, expect)


def test_browser_signs_in_and_sees_an_ingested_alert(server, demo, browser, artifacts):
    app = app_for(demo, "Contoso Ltd")
    token = client_token(server, app)
    hostile = "<img src=x onerror=alert(1)> Ransomware behavior on fin-ws01"
    r = requests.post(f"{server.base}/ingest/v1/alerts", headers={"Authorization": f"Bearer {token}"}, json=[{
        "sourceId": "browser-1", "title": hostile, "severity": "High", "category": "Ransomware",
        "device": {"hostname": "fin-ws01", "domain": "corp.contoso.example"},
        "evidence": [{"entityType": "File", "fileName": "locker.exe"}]}], timeout=30)
    assert r.status_code == 200, r.text
    admin = user_for(demo, "admin@contoso.example")
    browser.get(f"{server.base}/signin")
    assert "Sign in to Rampart" in browser.page_source
    browser.save_screenshot(str(artifacts / "signin-en.png"))
    queue = sign_in(browser, server, admin["upn"], admin["password"])
    assert browser.current_url.endswith("/alerts")
    assert "Contoso Ltd" in browser.find_element(By.ID, "current-tenant").text
    link = queue.find_element(By.PARTIAL_LINK_TEXT, "Ransomware behavior on fin-ws01")
    assert link.text == hostile  # shown as text, not run as markup
    browser.save_screenshot(str(artifacts / "alert-queue-en.png"))
    link.click()
    assert wait_for(browser, "alert-title").text == hostile
    assert "locker.exe" in browser.find_element(By.ID, "alert-evidence").text
    browser.save_screenshot(str(artifacts / "alert-page-en.png"))
    browser.find_element(By.ID, "signout").click()
    wait_for(browser, "username")
    assert browser.current_url.endswith("/signin")


def test_wrong_password_shows_an_error(server, demo, browser):
    error = sign_in(browser, server, "admin@northwind.example", "definitely-wrong", expect="signin-error")
    assert error.text


@pytest.mark.parametrize("browser", ["ru"], indirect=True)
def test_russian_browser_gets_russian_pages(server, demo, browser, artifacts):
    token = client_token(server, app_for(demo, "Tailspin Toys"))
    r = requests.post(f"{server.base}/ingest/v1/alerts", headers={"Authorization": f"Bearer {token}"}, json=[{
        "sourceId": "browser-ru-1", "title": "Подозрительный PowerShell на tt-ws07", "severity": "High",
        "category": "Execution", "device": {"hostname": "tt-ws07", "domain": "corp.tailspin.example"},
        "evidence": [{"entityType": "Process", "fileName": "powershell.exe"}]}], timeout=30)
    assert r.status_code == 200, r.text
    browser.get(f"{server.base}/signin")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    assert "Вход в Rampart" in browser.page_source
    browser.save_screenshot(str(artifacts / "signin-ru.png"))
    admin = user_for(demo, "admin@tailspin.example")
    queue = sign_in(browser, server, admin["upn"], admin["password"])
    assert browser.find_element(By.TAG_NAME, "h1").text == "Очередь оповещений"
    browser.save_screenshot(str(artifacts / "alert-queue-ru.png"))
    queue.find_element(By.PARTIAL_LINK_TEXT, "Подозрительный PowerShell").click()
    assert wait_for(browser, "alert-title").text == "Подозрительный PowerShell на tt-ws07"
    fields = browser.find_element(By.ID, "alert-fields").text
    assert "Создано" in fields and "Сведения" in browser.page_source
    created = browser.find_element(By.CSS_SELECTOR, "#alert-fields time")
    assert created.get_attribute("title").endswith(" UTC")
    assert "." in created.text and created.text[2] == "."  # 29.11.2026, 10:05:00: the Russian way of writing dates
    browser.save_screenshot(str(artifacts / "alert-page-ru.png"))


def test_profile_language_and_time_zone_apply_to_every_page(server, demo, browser, artifacts):
    admin = user_for(demo, "admin@northwind.example")
    sign_in(browser, server, admin["upn"], admin["password"])
    try:
        browser.find_element(By.ID, "nav-profile").click()
        form = wait_for(browser, "profile")
        Select(browser.find_element(By.ID, "profile-language")).select_by_value("ru")
        Select(browser.find_element(By.ID, "profile-time-zone")).select_by_visible_text("Asia/Tokyo")
        browser.find_element(By.ID, "profile-save").click()
        WebDriverWait(browser, 30).until(left_page(form))
        assert wait_for(browser, "profile-saved").text == "Настройки сохранены."
        browser.save_screenshot(str(artifacts / "profile-ru.png"))
        now = browser.find_element(By.CSS_SELECTOR, "#profile-now time")
        utc_hour = int(now.get_attribute("title").split(" ")[1][:2])
        local_hour = int(now.text.split(", ")[1][:2])
        assert (utc_hour + 9) % 24 == local_hour, (now.get_attribute("title"), now.text)
        browser.get(f"{server.base}/alerts")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    finally:
        browser.get(f"{server.base}/profile")
        form = wait_for(browser, "profile")
        Select(browser.find_element(By.ID, "profile-language")).select_by_index(0)  # as the browser asks
        Select(browser.find_element(By.ID, "profile-time-zone")).select_by_visible_text("UTC")
        browser.find_element(By.ID, "profile-save").click()
        WebDriverWait(browser, 30).until(left_page(form))
