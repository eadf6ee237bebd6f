"""The management API and its OpenAPI document, driven as an administrator would."""
import pathlib

import requests
import yaml
from openapi_spec_validator import validate

ROOT = pathlib.Path(__file__).resolve().parent.parent
PUBLIC_CLIENT = "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27"


def admin_token(server, demo, domain):
    admin = next(u for u in demo["users"] if u["upn"] == f"admin@{domain}")
    r = requests.post(f"{server.base}/{domain}/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": PUBLIC_CLIENT, "username": admin["upn"],
        "password": admin["password"], "scope": "api://rampart/.default"}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_openapi_document_is_valid_and_served_as_kept(server):
    served = requests.get(f"{server.base}/manage/v1/openapi.yaml", timeout=30)
    assert served.status_code == 200
    kept = (ROOT / "Sources/RampartServer/Resources/openapi.yaml").read_text()
    assert served.text == kept
    validate(yaml.safe_load(kept))


def test_admin_manages_users_groups_and_apps(server, demo):
    headers = admin_token(server, demo, "tailspin.example")
    base = f"{server.base}/manage/v1"
    r = requests.post(f"{base}/users", json={"userPrincipalName": "soc.lead@tailspin.example",
                                             "displayName": "SOC lead", "password": "correct-horse-battery"},
                      headers=headers, timeout=30)
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["role"] == "member"
    r = requests.post(f"{base}/groups", json={"name": "SOC"}, headers=headers, timeout=30)
    assert r.status_code == 201
    group = r.json()
    r = requests.post(f"{base}/groups/{group['id']}/members", json={"user": "soc.lead@tailspin.example"},
                      headers=headers, timeout=30)
    assert r.status_code == 201
    groups = requests.get(f"{base}/groups", headers=headers, timeout=30).json()["value"]
    assert any(g["name"] == "SOC" and g["members"] == ["soc.lead@tailspin.example"] for g in groups)
    app = requests.post(f"{base}/apps", json={"displayName": "Sentinel"}, headers=headers, timeout=30).json()
    secret = requests.post(f"{base}/apps/{app['clientId']}/secrets", json={"days": 30}, headers=headers, timeout=30).json()
    grants = requests.post(f"{base}/apps/{app['clientId']}/grants", json={"permissions": ["Alert.Read.All"]},
                           headers=headers, timeout=30).json()
    assert grants == {"permissions": ["Alert.Read.All"]}
    listed = requests.get(f"{base}/apps", headers=headers, timeout=30).json()["value"]
    stored = next(a for a in listed if a["clientId"] == app["clientId"])
    assert "secret" not in stored["secrets"][0] and stored["secrets"][0]["hint"] == secret["secret"][:3]
    token = requests.post(f"{server.base}/tailspin.example/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": app["clientId"], "client_secret": secret["secret"],
        "scope": "https://api.securitycenter.microsoft.com/.default"}, timeout=30)
    assert token.status_code == 200


def test_management_api_refuses_members_other_tenants_and_bad_bodies(server, demo):
    base = f"{server.base}/manage/v1"
    assert requests.get(f"{base}/users", timeout=30).status_code == 401
    analyst = next(u for u in demo["users"] if u["upn"] == "analyst1@fabrikam-mssp.example")
    r = requests.post(f"{server.base}/fabrikam-mssp.example/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": PUBLIC_CLIENT, "username": analyst["upn"],
        "password": analyst["password"], "scope": "api://rampart/.default"}, timeout=30)
    member = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert requests.get(f"{base}/users", headers=member, timeout=30).status_code == 403
    headers = admin_token(server, demo, "contoso.example")
    users = requests.get(f"{base}/users", headers=headers, timeout=30).json()["value"]
    assert all(u["userPrincipalName"].endswith("@contoso.example") for u in users)
    r = requests.post(f"{base}/users", data="nope", headers={**headers, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidRequestBody"
    r = requests.post(f"{base}/users", json={"userPrincipalName": "x@contoso.example"}, headers=headers, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "MissingRequiredParameter"
    r = requests.post(f"{base}/tenants", json={"name": "X", "domain": "x.example"}, headers=headers, timeout=30)
    assert r.status_code == 403
