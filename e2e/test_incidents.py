"""Defender XDR's incidents API as a client written for it sees it: an msal token for api.security.microsoft.com,
alerts that share an attacker's address correlated into one incident, filters, and management."""
from datetime import datetime, timezone

import msal
import requests

from conftest import app_for


def test_alerts_sharing_an_indicator_become_one_incident_that_a_client_manages(server, demo):
    app = app_for(demo, "Contoso Ltd")
    client = msal.ConfidentialClientApplication(
        app["client_id"], client_credential=app["client_secret"],
        authority=f"{server.base}/{app['tenant']}", instance_discovery=False)
    result = client.acquire_token_for_client(scopes=["https://api.security.microsoft.com/.default"])
    assert "access_token" in result, result
    headers = {"Authorization": f"Bearer {result['access_token']}"}
    since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def alert(source_id, host, title, category, severity):
        return {
            "sourceId": source_id, "title": title, "severity": severity, "category": category,
            "firstEventTime": "2026-11-29T09:00:00Z", "lastEventTime": "2026-11-29T09:01:00Z",
            "device": {"hostname": host, "domain": "corp.contoso.example", "osPlatform": "Linux"},
            "evidence": [{"entityType": "Ip", "ipAddress": "198.51.100.23"}],
        }

    r = requests.post(f"{server.base}/ingest/v1/alerts", headers=headers, timeout=30, json=[
        alert("inc-e2e-1", "web-e2e-1", "SSH brute force", "CredentialAccess", "Medium"),
        alert("inc-e2e-2", "web-e2e-2", "Reverse shell", "Execution", "High"),
    ])
    assert r.status_code == 200, r.text
    alert_ids = {item["alertId"] for item in r.json()["results"]}

    r = requests.get(f"{server.base}/api/incidents", headers=headers, timeout=30,
                     params={"$filter": f"lastUpdateTime ge {since} and status eq 'Active'", "$top": "100"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["@odata.context"] == "https://api.security.microsoft.com/api/$metadata#Incidents"
    incident = next(i for i in body["value"] if {a["alertId"] for a in i["alerts"]} & alert_ids)
    assert {a["alertId"] for a in incident["alerts"]} == alert_ids
    assert incident["severity"] == "High"
    assert incident["incidentName"] == "Multi-stage incident involving CredentialAccess & Execution on multiple endpoints"
    assert {d["deviceDnsName"] for a in incident["alerts"] for d in a["devices"]} == {
        "web-e2e-1.corp.contoso.example", "web-e2e-2.corp.contoso.example"}
    assert all(e == {"entityType": "Ip", "ipAddress": "198.51.100.23", "deviceId": a["devices"][0]["mdatpDeviceId"]}
               for a in incident["alerts"] for e in a["entities"])

    incident_id = incident["incidentId"]
    r = requests.patch(f"{server.base}/api/incidents/{incident_id}", headers=headers, timeout=30,
                       json={"status": "Resolved", "classification": "TruePositive", "determination": "Malware",
                             "assignedTo": "soc@contoso.example"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Resolved"
    for alert_id in alert_ids:
        a = requests.get(f"{server.base}/api/alerts/{alert_id}", headers=headers, timeout=30).json()
        assert (a["status"], a["assignedTo"], a["incidentId"]) == ("Resolved", "soc@contoso.example", incident_id)

    assert requests.get(f"{server.base}/api/incidents?$top=101", headers=headers, timeout=30).status_code == 400
    other = app_for(demo, "Northwind Traders")
    other_token = msal.ConfidentialClientApplication(
        other["client_id"], client_credential=other["client_secret"],
        authority=f"{server.base}/{other['tenant']}", instance_discovery=False,
    ).acquire_token_for_client(scopes=["https://api.security.microsoft.com/.default"])["access_token"]
    r = requests.get(f"{server.base}/api/incidents/{incident_id}",
                     headers={"Authorization": f"Bearer {other_token}"}, timeout=30)
    assert r.status_code == 404
