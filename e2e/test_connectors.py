"""Push connectors end to end: Rampart pushes to Debian's rsyslog over TLS with octet counting; CEF, LEEF, JSON and
OCSF payloads parse on the receiving side; an outage and a kill -9 of Rampart lose nothing."""
import json
import os
import pathlib
import re
import signal
import tempfile
import time

import pytest
import requests

from conftest import Server, app_for, client_token, free_port
from syslog_receiver import Rsyslog

PUBLIC_CLIENT = "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27"
FORMATS = ["cef", "leef", "json", "ocsf"]
SD = re.compile(r'\[rampart@32473 tenant="([^"]+)" kind="([^"]+)" alert="([^"]+)" event="([^"]+)"\] ')


def wait_for(predicate, seconds=90, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def parse_cef(text):
    """A strict CEF:0 reader (the Swift tests use the same rules): header split at unescaped pipes, extension keys
    found before unescaped equals signs. rsyslog's mmcef has known bugs, so the receiving side is parsed here."""
    assert text.startswith("CEF:")
    text = text[4:]
    header, current, i = [], "", 0
    while len(header) < 7:
        c = text[i]
        if c == "\\":
            assert text[i + 1] in "\\|", text
            current += text[i + 1]
            i += 2
        elif c == "|":
            header.append(current)
            current = ""
            i += 1
        else:
            current += c
            i += 1
    rest = text[i:]
    equals, j = [], 0
    while j < len(rest):
        if rest[j] == "\\":
            j += 2
            continue
        if rest[j] == "=":
            equals.append(j)
        j += 1
    starts = []
    for e in equals:
        s = e
        while s > 0 and rest[s - 1] != " ":
            s -= 1
        starts.append(s)
    ext = {}
    for n, e in enumerate(equals):
        end = starts[n + 1] - 1 if n + 1 < len(equals) else len(rest)
        raw, value, k = rest[e + 1:end], "", 0
        while k < len(raw):
            if raw[k] == "\\":
                value += {"\\": "\\", "=": "=", "n": "\n", "r": "\r"}[raw[k + 1]]
                k += 2
            else:
                value += raw[k]
                k += 1
        ext[rest[starts[n]:e]] = value
    return header, ext


@pytest.fixture(scope="module")
def world(tls):
    os.environ["REQUESTS_CA_BUNDLE"] = tls["ca"]
    receiver = Rsyslog(tls, free_port(), tempfile.mkdtemp(prefix="rampart-e2e-rsyslog-"))
    receiver.start()
    data_dir = tempfile.mkdtemp(prefix="rampart-e2e-push-")
    args = ["--demo", "--tls-cert", tls["cert"], "--tls-key", tls["key"]]
    if os.environ.get("RAMPART_E2E_PUSH_DATABASE_URL"):
        args += ["--database-url", os.environ["RAMPART_E2E_PUSH_DATABASE_URL"]]
    env = {"RAMPART_CONNECTOR_RETRY_BASE_SECONDS": "1", "RAMPART_CONNECTOR_RETRY_MAX_SECONDS": "2",
           "RAMPART_CONNECTOR_MAX_ATTEMPTS": "1000"}
    holder = {"server": Server(args, data_dir, free_port(), env=env), "args": args, "env": env, "receiver": receiver}
    yield holder
    holder["server"].stop()
    receiver.stop()


def demo_of(server):
    with open(pathlib.Path(server.data_dir) / "demo-credentials.json") as f:
        return json.load(f)


def admin(server):
    user = next(u for u in demo_of(server)["users"] if u["upn"] == "admin@contoso.example")
    r = requests.post(f"{server.base}/contoso.example/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": PUBLIC_CLIENT, "username": user["upn"], "password": user["password"],
        "scope": "api://rampart/.default"}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def ingest(server, records):
    token = client_token(server, app_for(demo_of(server), "Contoso Ltd"))
    r = requests.post(f"{server.base}/ingest/v1/alerts", json=records, headers={"Authorization": f"Bearer {token}"},
                      timeout=120)
    assert r.status_code == 200, r.text
    return [x["alertId"] for x in r.json()["results"]]


def alert(source_id, title, severity="High"):
    return {"sourceId": source_id, "title": title, "severity": severity, "category": "Execution",
            "description": "pipe | equals = backslash \\ caret ^ line\nbreak", "detectionSource": "ThirdPartySensors",
            "device": {"hostname": f"srv-{source_id}", "domain": "corp.contoso.example", "tags": ["server"]},
            "evidence": [{"entityType": "Ip", "ipAddress": "203.0.113.9"}]}


def messages(receiver):
    """(format, tenant, kind, alert id, event id, payload) for every received message."""
    out = []
    for line in receiver.lines():
        m = SD.search(line)
        assert m, line
        payload = line[m.end():]
        if payload.startswith("CEF:"):
            kind = "cef"
        elif payload.startswith("LEEF:"):
            kind = "leef"
        elif payload.startswith('{"class_uid":2004'):
            kind = "ocsf"
        else:
            kind = "json"
        out.append((kind, m.group(1), m.group(2), m.group(3), m.group(4), payload))
    return out


def test_connectors_push_every_format_over_tls_to_rsyslog(world, tls):
    server, receiver = world["server"], world["receiver"]
    headers = admin(server)
    for fmt in FORMATS:
        r = requests.post(f"{server.base}/manage/v1/connectors", headers=headers, timeout=30, json={
            "name": f"rsyslog {fmt}", "host": "localhost", "port": receiver.port, "tls": True, "caFile": tls["ca"],
            "format": fmt})
        assert r.status_code == 201, r.text
    ids = ingest(server, [alert(f"p{n}", f"Pushed {n}") for n in range(5)])
    wait_for(lambda: len(messages(receiver)) >= 20, what="20 messages")
    received = messages(receiver)
    assert len(received) == 20
    for fmt in FORMATS:
        assert sorted(m[3] for m in received if m[0] == fmt) == sorted(ids), fmt
    for fmt, tenant, kind, alert_id, event, payload in received:
        assert kind == "created"
        if fmt == "cef":
            header, ext = parse_cef(payload)
            assert header[:3] == ["0", "Rampart", "Rampart MSSP"] and header[6] == "8"
            assert ext["externalId"] == alert_id and ext["cs2"] == tenant and ext["src"] == "203.0.113.9"
            assert ext["msg"] == "pipe | equals = backslash \\ caret ^ line\nbreak"
        elif fmt == "leef":
            fields = payload.split("|", 6)
            assert fields[0] == "LEEF:2.0" and fields[5] == "^"
            attributes = dict(a.split("=", 1) for a in fields[6].split("^"))
            assert attributes["alertId"] == alert_id and attributes["tenant"] == tenant
            assert attributes["description"] == "pipe | equals = backslash \\ caret  line break"
        elif fmt == "json":
            body = json.loads(payload)
            assert body["id"] == alert_id and body["aadTenantId"] == tenant and body["severity"] == "High"
        else:
            body = json.loads(payload)
            assert body["finding_info"]["uid"] == alert_id and body["metadata"]["tenant_uid"] == tenant
            assert body["type_uid"] == 200401
    # The checkpoint moves just after the receiver took the batch: the health follows a moment later.
    def settled():
        listed = requests.get(f"{server.base}/manage/v1/connectors", headers=headers, timeout=30).json()["value"]
        return all(c["health"]["sent"] == 5 and c["health"]["failed"] == 0 for c in listed)
    wait_for(settled, seconds=20, what="every connector's health to show 5 sent, 0 failed")


def test_a_receiver_down_for_a_while_and_a_killed_rampart_lose_nothing(world):
    server, receiver = world["server"], world["receiver"]
    before = len(messages(receiver))
    receiver.stop()
    # The receiver stays away for a full minute, as the issue asks; alerts keep arriving during it.
    outage = ingest(server, [alert(f"o{n}", f"During the outage {n}", "Medium") for n in range(10)])
    time.sleep(30)
    outage += ingest(server, [alert(f"p{n}", f"Later in the outage {n}", "High") for n in range(10)])
    time.sleep(30)
    headers = admin(server)
    failing = requests.get(f"{server.base}/manage/v1/connectors", headers=headers, timeout=30).json()["value"]
    # Retries back off to at most 2 s here, so a minute is many failed attempts, none of them lost.
    assert all(c["health"]["failed"] >= 10 and c["health"]["lastError"] for c in failing), failing
    receiver.start()
    wait_for(lambda: len(messages(receiver)) >= before + 80, what="the outage's 80 messages")

    # kill -9 in the middle of pushing a larger burst, then start again: every event arrives at least once.
    burst = ingest(server, [alert(f"k{n}", f"Burst {n}", "Low") for n in range(300)])
    time.sleep(0.3)
    server.stop(sig=signal.SIGKILL)
    world["server"] = server = Server(world["args"], server.data_dir, server.port, env=world["env"])
    expected = set(outage + burst)
    def complete():
        got = {}
        for fmt, _, _, alert_id, event, _ in messages(receiver):
            got.setdefault(fmt, set()).add(alert_id)
        return all(expected <= got.get(fmt, set()) for fmt in FORMATS)
    wait_for(complete, seconds=180, what="every event of the outage and the burst")
    by_event = {}
    for fmt, _, _, _, event, _ in messages(receiver):
        by_event[(fmt, event)] = by_event.get((fmt, event), 0) + 1
    duplicates = sum(count - 1 for count in by_event.values())
    assert duplicates <= 4 * 500, f"at most one batch per connector again, got {duplicates}"


def test_mutual_tls_receiver_takes_only_a_sender_with_a_client_certificate(world, tls):
    """rsyslog with `x509/certvalid` refuses a sender without a certificate of its CA; with one, it takes the batch."""
    server = world["server"]
    strict = Rsyslog(tls, free_port(), tempfile.mkdtemp(prefix="rampart-e2e-rsyslog-mtls-"), auth="x509/certvalid")
    strict.start()
    try:
        headers = admin(server)
        base = f"{server.base}/manage/v1/connectors"
        anonymous = requests.post(base, headers=headers, timeout=30, json={
            "name": "mtls without", "host": "localhost", "port": strict.port, "caFile": tls["ca"], "format": "cef"})
        assert anonymous.status_code == 201, anonymous.text
        with_cert = requests.post(base, headers=headers, timeout=30, json={
            "name": "mtls with", "host": "localhost", "port": strict.port, "caFile": tls["ca"], "format": "json",
            "clientCertFile": tls["client"], "clientKeyFile": tls["client_key"]})
        assert with_cert.status_code == 201, with_cert.text
        ids = ingest(server, [alert(f"m{n}", f"Mutual TLS {n}") for n in range(3)])
        wait_for(lambda: len(messages(strict)) >= 3, what="the certified sender's 3 messages")
        time.sleep(2)
        received = messages(strict)
        assert sorted(m[3] for m in received) == sorted(ids) and all(m[0] == "json" for m in received)
        def refused():
            listed = {c["name"]: c for c in requests.get(base, headers=headers, timeout=30).json()["value"]}
            return listed["mtls without"]["health"]["failed"] >= 1 and listed["mtls without"]["health"]["sent"] == 0
        wait_for(refused, what="the anonymous sender's failed attempts")
    finally:
        strict.stop()
        for c in requests.get(f"{server.base}/manage/v1/connectors", headers=admin(server), timeout=30).json()["value"]:
            if c["name"].startswith("mtls"):
                requests.delete(f"{server.base}/manage/v1/connectors/{c['id']}", headers=admin(server), timeout=30)


def test_an_mssp_guest_pushes_only_the_device_groups_it_sees(world, tls):
    """A guest analyst given "Manage portal system settings" in the customer tenant creates a connector there; it
    must name device groups among those its package grants, and the connector pushes nothing else."""
    server = world["server"]
    headers = admin(server)
    role = requests.post(f"{server.base}/manage/v1/roles", headers=headers, timeout=30, json={
        "name": "MSSP settings", "permissions": ["ManagePortalSystemSettings"], "groups": ["MSSP SOC analysts"]})
    assert role.status_code == 201, role.text
    analyst = next(u for u in demo_of(server)["users"] if u["upn"] == "analyst1@fabrikam-mssp.example")
    r = requests.post(f"{server.base}/contoso.example/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": PUBLIC_CLIENT, "username": analyst["upn"],
        "password": analyst["password"], "scope": "api://rampart/.default"}, timeout=30)
    assert r.status_code == 200, r.text
    guest = {"Authorization": f"Bearer {r.json()['access_token']}"}
    receiver = Rsyslog(tls, free_port(), tempfile.mkdtemp(prefix="rampart-e2e-rsyslog-guest-"))
    receiver.start()
    try:
        base = f"{server.base}/manage/v1/connectors"
        body = {"name": "MSSP SIEM", "host": "localhost", "port": receiver.port, "caFile": tls["ca"], "format": "json"}
        everything = requests.post(base, headers=guest, timeout=30, json=body)
        assert everything.status_code == 403 and "device groups" in everything.text, everything.text
        elsewhere = requests.post(base, headers=guest, timeout=30, json={**body, "deviceGroups": ["Finance"]})
        assert elsewhere.status_code == 403, elsewhere.text
        made = requests.post(base, headers=guest, timeout=30, json={**body, "deviceGroups": ["Servers"]})
        assert made.status_code == 201, made.text

        server_alert = alert("g1", "Guest-visible server alert")
        laptop_alert = {**alert("g2", "Laptop alert the guest cannot see"),
                        "device": {"hostname": "lap-g2", "domain": "corp.contoso.example"}}
        ids = ingest(server, [server_alert, laptop_alert])
        wait_for(lambda: len(messages(receiver)) >= 1, what="the guest connector's message")
        time.sleep(2)
        assert [m[3] for m in messages(receiver)] == [ids[0]]

        # The customer sees the guest's connector and who made it.
        listed = requests.get(base, headers=headers, timeout=30).json()["value"]
        assert any(c["name"] == "MSSP SIEM" for c in listed)
        audit = requests.get(f"{server.base}/manage/v1/audit?limit=1000", headers=headers, timeout=30).json()["value"]
        assert ("connector.create", analyst["upn"]) in {(e["action"], e["actor"]) for e in audit}
    finally:
        receiver.stop()
        for c in requests.get(f"{server.base}/manage/v1/connectors", headers=admin(server), timeout=30).json()["value"]:
            if c["name"] == "MSSP SIEM":
                requests.delete(f"{server.base}/manage/v1/connectors/{c['id']}", headers=admin(server), timeout=30)
