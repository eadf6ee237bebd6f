"""Real Entra clients (msal, azure-identity) get tokens from Rampart over HTTPS by changing only the authority."""
import base64
import json

import msal
import requests
from azure.identity import ClientSecretCredential

from conftest import app_for, client_token

DEFENDER = "https://api.securitycenter.microsoft.com/.default"


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_msal_confidential_client_gets_a_token_that_reads_alerts(server, demo):
    app = app_for(demo, "Contoso Ltd")
    client = msal.ConfidentialClientApplication(
        app["client_id"], client_credential=app["client_secret"],
        authority=f"{server.base}/{app['tenant']}", instance_discovery=False)
    result = client.acquire_token_for_client(scopes=[DEFENDER])
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer"
    token_claims = claims(result["access_token"])
    assert token_claims["tid"] == app["tenant"]
    assert token_claims["aud"] == "https://api.securitycenter.microsoft.com"
    # A Defender token carries the Defender permissions; Graph's go into Graph tokens only.
    assert sorted(token_claims["roles"]) == sorted(p for p in app["permissions"] if not p.startswith("SecurityAlert."))
    r = requests.get(f"{server.base}/api/alerts?$top=5",
                     headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["@odata.context"] == "https://api.securitycenter.microsoft.com/api/$metadata#Alerts"
    assert len(body["value"]) == 5
    assert all(alert["aadTenantId"] == app["tenant"] for alert in body["value"])
    assert "@odata.nextLink" in body


def test_msal_with_the_tenant_domain_as_authority(server, demo):
    app = app_for(demo, "Northwind Traders")
    client = msal.ConfidentialClientApplication(
        app["client_id"], client_credential=app["client_secret"],
        authority=f"{server.base}/northwind.example", instance_discovery=False)
    result = client.acquire_token_for_client(scopes=[DEFENDER])
    assert claims(result["access_token"])["tid"] == app["tenant"], result


def test_msal_reports_a_wrong_secret_as_invalid_client(server, demo):
    app = app_for(demo, "Contoso Ltd")
    client = msal.ConfidentialClientApplication(
        app["client_id"], client_credential="wrong-secret",
        authority=f"{server.base}/{app['tenant']}", instance_discovery=False)
    result = client.acquire_token_for_client(scopes=[DEFENDER])
    assert result.get("error") == "invalid_client", result


def test_azure_identity_client_secret_credential(server, demo):
    app = app_for(demo, "Tailspin Toys")
    credential = ClientSecretCredential(
        app["tenant"], app["client_id"], app["client_secret"],
        authority=f"https://127.0.0.1:{server.port}", disable_instance_discovery=True)
    token = credential.get_token(DEFENDER)
    assert token.expires_on > 0
    r = requests.get(f"{server.base}/api/alerts?$top=1",
                     headers={"Authorization": f"Bearer {token.token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["value"][0]["aadTenantId"] == app["tenant"]


def test_v1_endpoint_with_resource_and_basic_auth(server, demo):
    app = app_for(demo, "Contoso Ltd")
    r = requests.post(f"{server.base}/{app['tenant']}/oauth2/token",
                      data={"grant_type": "client_credentials", "resource": "https://graph.windows.net"},
                      auth=(app["client_id"], app["client_secret"]), timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert claims(body["access_token"])["aud"] == "https://graph.windows.net"


def test_token_errors_follow_rfc6749(server, demo):
    app = app_for(demo, "Contoso Ltd")
    url = f"{server.base}/{app['tenant']}/oauth2/v2.0/token"
    cases = [
        ({"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": app["client_id"], "scope": DEFENDER},
         400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "client_id": app["client_id"], "scope": DEFENDER}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"],
          "scope": "https://unknown.example/.default"}, 400, "invalid_scope"),
        ({"grant_type": "client_credentials", "client_secret": app["client_secret"], "scope": DEFENDER}, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": "00000000-0000-0000-0000-000000000001",
          "client_secret": "x", "scope": DEFENDER}, 401, "invalid_client"),
    ]
    for form, status, error in cases:
        r = requests.post(url, data=form, timeout=30)
        assert r.status_code == status, (form, r.text)
        assert r.json()["error"] == error


def test_discovery_and_jwks(server, demo):
    tenant = demo["tenants"][1]["id"]
    config = requests.get(f"{server.base}/{tenant}/v2.0/.well-known/openid-configuration", timeout=30).json()
    assert config["issuer"] == f"{server.base}/{tenant}/v2.0"
    jwks = requests.get(config["jwks_uri"], timeout=30).json()
    assert jwks["keys"] and all(k["kty"] == "EC" and "d" not in k for k in jwks["keys"])
