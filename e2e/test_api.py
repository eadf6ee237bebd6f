"""The Defender API as `requests` sees it: isolation between tenants, ingest, documented errors."""
import gzip
import json

import requests

from conftest import app_for, client_token


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def record(source_id, title="Mimikatz credential theft tool", severity="High"):
    return {
        "sourceId": source_id, "title": title, "severity": severity, "category": "CredentialAccess",
        "description": "Credential dumping tool detected.", "mitreTechniques": ["T1003.001"],
        "firstEventTime": "2026-11-28T10:00:00Z", "lastEventTime": "2026-11-28T10:05:00.1234567Z",
        "device": {"hostname": "fin-ws07", "domain": "corp.contoso.example", "osPlatform": "Windows11",
                   "ipAddress": "10.5.0.7"},
        "relatedUser": {"userName": "j.doe", "domainName": "CONTOSO"},
        "evidence": [{"entityType": "File", "fileName": "mimikatz.exe",
                      "sha256": "61c0810a23580cf492a6ba4f7654566108331e7a4134c968c2d6a05261b2d8a1"}],
    }


def test_ingest_then_read_with_exact_fields(server, demo):
    app = app_for(demo, "Contoso Ltd")
    token = client_token(server, app)
    r = requests.post(f"{server.base}/ingest/v1/alerts", data=json.dumps([record("e2e-1")]),
                      headers={**auth(token), "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["accepted"] == 1 and result["rejected"] == 0
    alert_id = result["results"][0]["alertId"]
    alert = requests.get(f"{server.base}/api/alerts/{alert_id}?$expand=evidence", headers=auth(token), timeout=30).json()
    assert alert["title"] == "Mimikatz credential theft tool"
    assert alert["severity"] == "High"
    assert alert["status"] == "New"
    assert alert["computerDnsName"] == "fin-ws07.corp.contoso.example"
    assert alert["lastEventTime"] == "2026-11-28T10:05:00.1234567Z"
    assert alert["relatedUser"] == {"userName": "j.doe", "domainName": "CONTOSO"}
    assert alert["evidence"][0]["sha256"].startswith("61c0810a")
    assert len(alert["machineId"]) == 40
    # Re-sending the same source id updates the alert, never duplicates it.
    again = requests.post(f"{server.base}/ingest/v1/alerts", json=[record("e2e-1", severity="Medium")],
                          headers=auth(token), timeout=30).json()
    assert again["results"][0] == {"index": 0, "sourceId": "e2e-1", "status": "updated", "alertId": alert_id}
    updated = requests.get(f"{server.base}/api/alerts/{alert_id}", headers=auth(token), timeout=30).json()
    assert updated["severity"] == "Medium"
    assert updated["evidence"] == []


def test_second_tenant_cannot_see_the_first_tenants_alerts(server, demo):
    contoso = client_token(server, app_for(demo, "Contoso Ltd"))
    northwind = client_token(server, app_for(demo, "Northwind Traders"))
    created = requests.post(f"{server.base}/ingest/v1/alerts", json=[record("isolation-1", title="Only for Contoso")],
                            headers=auth(contoso), timeout=30).json()
    alert_id = created["results"][0]["alertId"]
    r = requests.get(f"{server.base}/api/alerts/{alert_id}", headers=auth(northwind), timeout=30)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NotFound"
    page = requests.get(f"{server.base}/api/alerts?$top=10000", headers=auth(northwind), timeout=60).json()
    assert all(a["title"] != "Only for Contoso" for a in page["value"])
    assert all(a["aadTenantId"] == app_for(demo, "Northwind Traders")["tenant"] for a in page["value"])


def test_malformed_input_gets_documented_errors(server, demo):
    token = client_token(server, app_for(demo, "Contoso Ltd"))
    r = requests.get(f"{server.base}/api/alerts", timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "Unauthorized"
    r = requests.get(f"{server.base}/api/alerts", headers={"Authorization": "Bearer not.a.token"}, timeout=30)
    assert r.status_code == 401
    r = requests.get(f"{server.base}/api/alerts?$top=20000", headers=auth(token), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "ODataError"
    r = requests.get(f"{server.base}/api/alerts?$filter=severity eq 'Critical'", headers=auth(token), timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "ODataError"
    assert "$filter" in r.json()["error"]["message"] and "Critical" in r.json()["error"]["message"]
    r = requests.get(f"{server.base}/api/alerts?$filter=status eq 'New' and", headers=auth(token), timeout=30)
    assert r.status_code == 400 and "position 20" in r.json()["error"]["message"]
    r = requests.post(f"{server.base}/ingest/v1/alerts", data="{not json",
                      headers={**auth(token), "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidRequestBody"
    bad = requests.post(f"{server.base}/ingest/v1/alerts", json=[{"sourceId": "x"}, record("ok-1")],
                        headers=auth(token), timeout=30).json()
    assert bad["accepted"] == 1 and bad["results"][0]["status"] == "rejected"
    assert "title is required" in bad["results"][0]["reason"]
    huge = json.dumps([record(f"huge-{i}", title="x" * 1000) for i in range(20000)])
    r = requests.post(f"{server.base}/ingest/v1/alerts", data=huge,
                      headers={**auth(token), "Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["code"] == "PayloadTooLarge"


def test_a_token_without_ingest_permission_cannot_ingest(server, demo):
    # A management (user) token is for another audience: the ingest API refuses it.
    admin = next(u for u in demo["users"] if u["upn"] == "admin@contoso.example")
    r = requests.post(f"{server.base}/contoso.example/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27",
        "username": admin["upn"], "password": admin["password"], "scope": "api://rampart/.default"}, timeout=30)
    token = r.json()["access_token"]
    r = requests.post(f"{server.base}/ingest/v1/alerts", json=[record("mgmt-1")], headers=auth(token), timeout=30)
    assert r.status_code == 401


def test_health_and_metrics(server):
    assert requests.get(f"{server.base}/healthz", timeout=30).json() == {"status": "ok", "database": "ok"}
    text = requests.get(f"{server.base}/metrics", timeout=30).text
    assert "hb_requests" in text and "rampart_db_statement_duration" in text


def test_paging_25000_alerts_with_next_links_while_alerts_arrive(server, demo):
    """$top=10000 pages followed through @odata.nextLink return every alert exactly once while new ones arrive."""
    token = client_token(server, app_for(demo, "Tailspin Toys"))
    originals = set()
    for batch in range(5):
        records = [record(f"bulk-{batch}-{i}", title=f"bulk alert {batch}-{i}") for i in range(5000)]
        r = requests.post(f"{server.base}/ingest/v1/alerts", json=records, headers=auth(token), timeout=120)
        assert r.status_code == 200, r.text
        originals |= {item["alertId"] for item in r.json()["results"]}
    assert len(originals) == 25000
    url = f"{server.base}/api/alerts?$top=10000&$filter=startswith(title,'bulk alert')"
    seen, pages = [], 0
    while url:
        r = requests.get(url, headers=auth(token), timeout=120)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [alert["id"] for alert in body["value"]]
        pages += 1
        late = [record(f"late-{pages}-{i}", title=f"bulk alert late {pages}-{i}") for i in range(50)]
        assert requests.post(f"{server.base}/ingest/v1/alerts", json=late, headers=auth(token), timeout=60).status_code == 200
        url = body.get("@odata.nextLink")
        assert pages <= 4
    assert len(seen) == len(set(seen)), "an alert came twice"
    assert originals <= set(seen), f"{len(originals - set(seen))} alerts were skipped"
    assert pages == 3
