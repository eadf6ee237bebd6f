"""msgraph-sdk, unchanged but for its base URL and authority, lists alerts_v2 with a filter and patches one."""
import asyncio

import requests
from azure.identity.aio import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.security.alert import Alert
from msgraph.generated.models.security.alert_classification import AlertClassification
from msgraph.generated.models.security.alert_determination import AlertDetermination
from msgraph.generated.models.security.alert_status import AlertStatus
from msgraph.generated.security.alerts_v2.alerts_v2_request_builder import Alerts_v2RequestBuilder

from conftest import app_for, client_token


def test_msgraph_sdk_lists_with_a_filter_and_patches(server, demo):
    app = app_for(demo, "Northwind Traders")
    token = client_token(server, app)
    r = requests.post(f"{server.base}/ingest/v1/alerts", headers={"Authorization": f"Bearer {token}"}, json=[{
        "sourceId": "graph-sdk-1", "title": "Graph SDK high alert", "severity": "High", "category": "Execution",
        "device": {"hostname": "graph-ws", "domain": "corp.northwind.example"},
        "evidence": [{"entityType": "Process", "fileName": "cmd.exe", "processId": 7, "processCommandLine": "cmd /c whoami"},
                     {"entityType": "File", "fileName": "x.dll", "sha256": "a" * 64}]}], timeout=30)
    assert r.status_code == 200, r.text

    async def run():
        credential = ClientSecretCredential(
            app["tenant"], app["client_id"], app["client_secret"],
            authority=f"https://127.0.0.1:{server.port}", disable_instance_discovery=True)
        client = GraphServiceClient(credentials=credential, scopes=["https://graph.microsoft.com/.default"])
        client.request_adapter.base_url = f"{server.base}/v1.0"
        query = Alerts_v2RequestBuilder.Alerts_v2RequestBuilderGetQueryParameters(
            filter="severity eq 'high' and status eq 'new'", top=50, count=True)
        page = await client.security.alerts_v2.get(request_configuration=RequestConfiguration(query_parameters=query))
        titles = [alert.title for alert in page.value]
        assert "Graph SDK high alert" in titles
        assert all(alert.severity.value == "high" for alert in page.value)
        mine = next(alert for alert in page.value if alert.title == "Graph SDK high alert")
        assert mine.tenant_id == app["tenant"]
        kinds = [type(item).__name__ for item in mine.evidence]
        assert kinds == ["DeviceEvidence", "ProcessEvidence", "FileEvidence"], kinds
        assert mine.evidence[1].process_command_line == "cmd /c whoami"

        change = Alert(status=AlertStatus.Resolved, classification=AlertClassification.TruePositive,
                       determination=AlertDetermination.Malware, assigned_to="mssp-soc@fabrikam-mssp.example")
        updated = await client.security.alerts_v2.by_alert_id(mine.id).patch(change)
        assert updated.status == AlertStatus.Resolved
        assert updated.determination == AlertDetermination.Malware
        again = await client.security.alerts_v2.by_alert_id(mine.id).get()
        assert again.assigned_to == "mssp-soc@fabrikam-mssp.example" and again.resolved_date_time is not None
        await credential.close()

    asyncio.run(run())
