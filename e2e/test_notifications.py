"""Email notification rules end to end: Rampart sends over STARTTLS with AUTH to a real SMTP server (aiosmtpd)."""
import json
import os
import socket
import subprocess
import threading
import pathlib
import tempfile
import time
import urllib.parse

import pytest
import requests

from conftest import Server, app_for, client_token, free_port, make_test_ca, rampart_binary
from smtp_receiver import PASSWORD, USER, Receiver

PUBLIC_CLIENT = "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27"


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def wait_for(predicate, seconds=60, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def alert(source_id, severity, tag, title):
    host = f"{tag}-{source_id}"
    return {
        "sourceId": source_id, "title": title, "severity": severity, "category": "Execution",
        "description": "Line one <b>not bold</b>\r\nBcc: injected@example.com", "detectionSource": "ThirdPartySensors",
        "firstEventTime": "2026-11-28T10:00:00Z", "lastEventTime": "2026-11-28T10:05:00Z",
        "device": {"hostname": host, "domain": "corp.contoso.example", "osPlatform": "Linux", "tags": [tag]},
    }


@pytest.fixture(scope="module")
def mail(tls):
    receiver = Receiver(tls, free_port())
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def rampart(tls, mail):
    os.environ["REQUESTS_CA_BUNDLE"] = tls["ca"]
    data_dir = tempfile.mkdtemp(prefix="rampart-e2e-mail-")
    port = free_port()
    password = urllib.parse.quote(PASSWORD)
    args = ["--demo", "--tls-cert", tls["cert"], "--tls-key", tls["key"],
            "--smtp-url", f"smtp+starttls://{USER}:{password}@localhost:{mail.port}?ca={tls['ca']}&timeout=10",
            "--mail-from", "alerts@rampart.example"]
    if os.environ.get("RAMPART_E2E_MAIL_DATABASE_URL"):
        # A database of its own: the session's server seeds its demo world into the shared one.
        args += ["--database-url", os.environ["RAMPART_E2E_MAIL_DATABASE_URL"]]
    env = {"RAMPART_SMTP_RETRY_BASE_SECONDS": "1", "RAMPART_SMTP_RETRY_MAX_SECONDS": "2"}
    holder = {"server": Server(args, data_dir, port, env=env), "args": args, "env": env}
    yield holder
    holder["server"].stop()


def demo_of(server):
    with open(pathlib.Path(server.data_dir) / "demo-credentials.json") as f:
        return json.load(f)


def admin(server, domain="contoso.example"):
    user = next(u for u in demo_of(server)["users"] if u["upn"] == f"admin@{domain}")
    r = requests.post(f"{server.base}/{domain}/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": PUBLIC_CLIENT, "username": user["upn"], "password": user["password"],
        "scope": "api://rampart/.default"}, timeout=30)
    assert r.status_code == 200, r.text
    return auth(r.json()["access_token"])


def ingest(server, records):
    token = client_token(server, app_for(demo_of(server), "Contoso Ltd"))
    r = requests.post(f"{server.base}/ingest/v1/alerts", json=records, headers=auth(token), timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def for_recipient(mail, address):
    return [m for rcpts, m in mail.mailbox.snapshot() if address in rcpts]


def parts(message):
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_rules_fire_for_their_severities_and_device_groups_only(rampart, mail):
    server = rampart["server"]
    headers = admin(server)
    base = f"{server.base}/manage/v1/notification-rules"
    servers_rule = requests.post(base, headers=headers, timeout=30, json={
        "name": "Servers high", "severities": ["High"], "deviceGroups": ["Servers"],
        "recipients": ["soc@mssp.example"], "includeDeviceInformation": False, "includeOrganizationName": True})
    assert servers_rule.status_code == 201, servers_rule.text
    everything = requests.post(base, headers=headers, timeout=30, json={
        "name": "Все устройства: средние", "severities": ["Medium"], "allDeviceGroups": True,
        "recipients": ["night@mssp.example", "lead@mssp.example"], "includeDeviceInformation": True,
        "includeOrganizationName": False, "includeTenantLink": False})
    assert everything.status_code == 201, everything.text
    bad = requests.post(base, headers=headers, timeout=30, json={
        "name": "bad", "severities": ["High"], "allDeviceGroups": True, "recipients": ["not an address"]})
    assert bad.status_code == 400 and "not an email address" in bad.json()["error"]["message"]

    results = ingest(server, [
        alert("n1", "High", "server", "Reverse shell on a server"),
        alert("n2", "High", "workstation", "Reverse shell on a workstation"),
        alert("n3", "Medium", "workstation", "Suspicious script"),
        alert("n4", "Low", "server", "Port scan"),
    ])
    ids = [r["alertId"] for r in results["results"]]

    soc = wait_for(lambda: for_recipient(mail, "soc@mssp.example"), what="the Servers rule's email")
    night = wait_for(lambda: for_recipient(mail, "night@mssp.example"), what="the Medium rule's email")
    lead = wait_for(lambda: for_recipient(mail, "lead@mssp.example"), what="the second recipient's email")
    time.sleep(2)  # anything else that was going to arrive has arrived
    soc, night, lead = (for_recipient(mail, a) for a in ("soc@mssp.example", "night@mssp.example", "lead@mssp.example"))
    assert len(soc) == 1 and len(night) == 1 and len(lead) == 1

    message = soc[0]
    assert message["Subject"] == "[Contoso Ltd] High severity alert: Reverse shell on a server"
    assert message["Bcc"] is None and message["To"] == "soc@mssp.example"
    plain, html = parts(message)
    assert "Contoso Ltd" in plain
    assert "server-n1" not in plain and "server-n1" not in html, "device information was not chosen"
    assert f"/alerts/{ids[0]}?tid=" in plain
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html

    medium = night[0]
    assert medium["Subject"] == "Medium severity alert: Suspicious script"
    plain, html = parts(medium)
    assert "workstation-n3" in plain and "workstation-n3" in html
    assert "Contoso" not in medium["Subject"]
    assert f"/alerts/{ids[2]}" in plain and "?tid=" not in plain
    assert "Все устройства: средние" in plain, "the rule's Cyrillic name survives UTF-8 encoding"
    assert medium["Message-ID"] != lead[0]["Message-ID"]

    log = requests.get(f"{base}/{servers_rule.json()['id']}/deliveries", headers=headers, timeout=30).json()["value"]
    assert [(d["status"], d["recipient"], d["alertIds"]) for d in log] == [("sent", "soc@mssp.example", [ids[0]])]
    assert log[0]["reply"].startswith("250")
    assert mail.mailbox.auth_ok >= 1 and mail.mailbox.auth_failed == 0

    # A severity that rises to High on a server notifies once more; an unchanged re-send does not.
    ingest(server, [alert("n4", "High", "server", "Port scan")])
    raised = wait_for(lambda: [m for m in for_recipient(mail, "soc@mssp.example") if "Port scan" in m["Subject"]],
                      what="the escalated alert's email")
    ingest(server, [alert("n4", "High", "server", "Port scan")])
    time.sleep(2)
    assert len([m for m in for_recipient(mail, "soc@mssp.example") if "Port scan" in m["Subject"]]) == len(raised) == 1


def test_send_test_email_shows_the_smtp_outcome(rampart, mail):
    server = rampart["server"]
    headers = admin(server)
    base = f"{server.base}/manage/v1/notification-rules"
    rule = requests.post(base, headers=headers, timeout=30, json={
        "name": "Проверка связи «SOC»", "severities": ["High"], "allDeviceGroups": True,
        "recipients": ["test@mssp.example"]})
    assert rule.status_code == 201, rule.text
    r = requests.post(f"{base}/{rule.json()['id']}/test", headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    outcome = r.json()["value"][0]
    assert outcome["status"] == "sent" and outcome["reply"].startswith("250"), outcome
    arrived = wait_for(lambda: for_recipient(mail, "test@mssp.example"), what="the test email")
    assert arrived[0]["Message-ID"] == f"<{outcome['messageId']}>"
    # The Cyrillic rule name travels as RFC 2047 words and decodes back exactly.
    assert arrived[0]["Subject"] == "[Contoso Ltd] Test email for the notification rule Проверка связи «SOC»"
    plain, _ = parts(arrived[0])
    assert "Проверка связи «SOC»" in plain


def test_restart_with_a_thousand_queued_and_a_relay_that_was_down(rampart, mail):
    server = rampart["server"]
    headers = admin(server)
    base = f"{server.base}/manage/v1/notification-rules"
    rule = requests.post(base, headers=headers, timeout=30, json={
        "name": "Bulk", "severities": ["Informational"], "allDeviceGroups": True, "recipients": ["bulk@mssp.example"]})
    assert rule.status_code == 201, rule.text
    rule_id = rule.json()["id"]
    mail.stop()  # the relay is down: everything queues and retries
    for batch in range(4):
        ingest(server, [alert(f"bulk-{batch}-{n}", "Informational", "workstation", f"Bulk {batch}-{n}")
                        for n in range(250)])

    def queued():
        log = requests.get(f"{base}/{rule_id}/deliveries", headers=headers, timeout=30).json()["value"]
        return len(log) == 200 and log  # the log lists 200 at most; the full count is checked after delivery
    wait_for(queued, what="queued emails")
    # The relay is refused while down: attempts are recorded with the error and retried later.
    failing = wait_for(lambda: [d for d in queued() or [] if d["attempts"] >= 1 and d["lastError"]], what="failed attempts")
    assert all(d["status"] == "queued" and d["nextAttemptAt"] for d in failing)
    # Restart Rampart with the emails queued, then bring the relay back.
    assert server.stop() == 0
    mail.start()
    rampart["server"] = server = Server(rampart["args"], server.data_dir, server.port, env=rampart["env"])
    received = wait_for(lambda: len(for_recipient(mail, "bulk@mssp.example")) >= 1000 and for_recipient(
        mail, "bulk@mssp.example"), seconds=240, what="1,000 emails")
    time.sleep(3)
    received = for_recipient(mail, "bulk@mssp.example")
    ids = [m["Message-ID"] for m in received]
    assert len(ids) == 1000 and len(set(ids)) == 1000, (len(ids), len(set(ids)))
    subjects = {m["Subject"] for m in received}
    assert subjects == {f"[Contoso Ltd] Informational severity alert: Bulk {b}-{n}" for b in range(4) for n in range(250)}


def cli_test_email(rampart, rule_id, smtp_url, to):
    """`rampart notification-rule test` against the running server's database, with the relay given in the
    environment, as an operator would try a relay before configuring it."""
    server = rampart["server"]
    storage = ["--data-dir", server.data_dir]
    if "--database-url" in rampart["args"]:
        storage += ["--database-url", rampart["args"][rampart["args"].index("--database-url") + 1]]
    result = subprocess.run(
        [rampart_binary(), "notification-rule", "test", *storage, "--tenant", "contoso.example", rule_id, "--to", to],
        env={**os.environ, "RAMPART_SMTP_URL": smtp_url, "RAMPART_MAIL_FROM": "alerts@rampart.example",
             "RAMPART_LOG_LEVEL": "critical"},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_relay_modes_implicit_tls_login_plain_bad_ca_and_timeout(rampart, tls):
    server = rampart["server"]
    r = requests.post(f"{server.base}/manage/v1/notification-rules", headers=admin(server), timeout=30, json={
        "name": "Relay modes", "severities": ["High"], "allDeviceGroups": True, "recipients": ["modes@mssp.example"]})
    assert r.status_code == 201, r.text
    rule_id = r.json()["id"]
    password = urllib.parse.quote(PASSWORD)

    implicit = Receiver(tls, free_port(), mode="implicit")
    implicit.start()
    try:
        out = cli_test_email(rampart, rule_id,
                             f"smtps://{USER}:{password}@localhost:{implicit.port}?ca={tls['ca']}&auth=login", "a@x.example")
        assert "a@x.example  sent  250" in out, out
        assert implicit.mailbox.auth_ok == 1 and len(for_recipient(implicit, "a@x.example")) == 1
        # A relay whose certificate the configured CA did not sign is refused before any password is sent.
        other_ca = make_test_ca(pathlib.Path(tempfile.mkdtemp(prefix="rampart-e2e-other-ca-")))["ca"]
        out = cli_test_email(rampart, rule_id,
                             f"smtps://{USER}:{password}@localhost:{implicit.port}?ca={other_ca}", "b@x.example")
        assert "b@x.example  failed  SMTP tls" in out, out
        assert implicit.mailbox.auth_ok == 1 and implicit.mailbox.auth_failed == 0
    finally:
        implicit.stop()

    plain = Receiver(tls, free_port(), mode="plain")
    plain.start()
    try:
        out = cli_test_email(rampart, rule_id, f"smtp+starttls-optional://localhost:{plain.port}", "c@x.example")
        assert "c@x.example  sent  250" in out, out
        out = cli_test_email(rampart, rule_id, f"smtp+starttls://localhost:{plain.port}", "d@x.example")
        assert "d@x.example  failed  SMTP tls" in out and "STARTTLS" in out, out
        assert [rcpts for rcpts, _ in plain.mailbox.snapshot()] == [["c@x.example"]]
    finally:
        plain.stop()

    # A server that accepts the connection and never answers: the reply timeout ends the attempt.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    held = []
    threading.Thread(target=lambda: held.append(silent.accept()), daemon=True).start()
    try:
        started = time.time()
        out = cli_test_email(rampart, rule_id, f"smtp://localhost:{silent.getsockname()[1]}?timeout=2", "e@x.example")
        assert "e@x.example  failed  SMTP timeout" in out, out
        assert time.time() - started < 30
    finally:
        silent.close()


def portal_session(server, upn, password):
    """A signed-in portal session (the sign-in form's CSRF cookie and field, then the session cookie)."""
    session = requests.Session()
    page = session.get(f"{server.base}/signin", timeout=30)
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = session.post(f"{server.base}/signin", data={"username": upn, "password": password, "csrf": csrf},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    return session


def test_emails_are_russian_for_a_russian_rule_and_for_a_reader_who_chose_russian(rampart, mail):
    server = rampart["server"]
    headers = admin(server)
    base = f"{server.base}/manage/v1/notification-rules"
    # A known person chooses Russian on their profile page.
    reader = next(u for u in demo_of(server)["users"] if u["upn"] == "admin@contoso.example")
    portal = portal_session(server, reader["upn"], reader["password"])
    form = portal.get(f"{server.base}/profile", timeout=30).text
    csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    saved = portal.post(f"{server.base}/profile", data={"csrf": csrf, "language": "ru", "timeZone": "Europe/Moscow"},
                        allow_redirects=False, timeout=30)
    assert saved.status_code == 303 and saved.headers["Location"] == "/profile?saved=1"

    russian_rule = requests.post(base, headers=headers, timeout=30, json={
        "name": "Критичные на серверах", "severities": ["High"], "allDeviceGroups": True, "language": "ru",
        "recipients": ["dezhurny@mssp.example"], "includeTenantLink": True})
    assert russian_rule.status_code == 201 and russian_rule.json()["language"] == "ru", russian_rule.text
    english_rule = requests.post(base, headers=headers, timeout=30, json={
        "name": "High for people", "severities": ["High"], "allDeviceGroups": True,
        "recipients": ["admin@contoso.example", "english@mssp.example"]})
    assert english_rule.status_code == 201 and english_rule.json()["language"] == "en", english_rule.text

    ingest(server, [alert("ru-1", "High", "server", "Кража учётных данных из LSASS")])
    duty = wait_for(lambda: for_recipient(mail, "dezhurny@mssp.example"), what="the Russian rule's email")[0]
    person = wait_for(lambda: for_recipient(mail, "admin@contoso.example"), what="the Russian reader's email")[0]
    english = wait_for(lambda: for_recipient(mail, "english@mssp.example"), what="the English recipient's email")[0]

    for message in (duty, person):
        raw = mail.mailbox.raw_for(message)
        raw_subject = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
        assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower(), raw_subject  # RFC 2047 encoded words
        assert message["Subject"] == "[Contoso Ltd] Оповещение, серьёзность «Высокая»: Кража учётных данных из LSASS"
        plain, html = parts(message)
        assert "Новое оповещение соответствует вашему правилу уведомлений" in plain
        assert '<html lang="ru">' in html
        assert message.get_body(preferencelist=("plain",)).get_content_charset() == "utf-8"
    assert "«Критичные на серверах»" in parts(duty)[0]
    assert english["Subject"] == "[Contoso Ltd] High severity alert: Кража учётных данных из LSASS"
    assert "A new alert matched your notification rule" in parts(english)[0]
