"""msal's interactive flow (authorization code + PKCE, then refresh) against Rampart, with a scripted browser:
an MSSP analyst signs in at home and gets a user token for a customer tenant that sees only their device groups."""
import re
from urllib.parse import parse_qs, urljoin, urlparse

import msal
import requests

from conftest import user_for

PUBLIC_CLIENT = "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27"
CONTOSO = "2b7e1d40-5c8a-4f36-9e12-7a3d6b0c8e21"
DEFENDER = "https://api.securitycenter.microsoft.com/.default"
REDIRECT = "http://localhost:53117/callback"


def sign_in_and_authorize(server, auth_uri, upn, password):
    """What the browser does: follow to the sign-in page, sign in, come back with a code on the redirect URI."""
    browser = requests.Session()
    r = browser.get(auth_uri, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and "/signin?next=" in r.headers["Location"], r.text
    page = browser.get(urljoin(server.base, r.headers["Location"]), timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    following = re.search(r'name="next" value="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    r = browser.post(f"{server.base}/signin", data={"csrf": csrf, "username": upn, "password": password, "next": following},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    r = browser.get(urljoin(server.base, r.headers["Location"]), allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"].startswith(REDIRECT), r.headers.get("Location")
    return {key: values[0] for key, values in parse_qs(urlparse(r.headers["Location"]).query).items()}


def test_msal_auth_code_flow_for_a_guest_analyst(server, demo):
    analyst = user_for(demo, "analyst1@fabrikam-mssp.example")
    app = msal.PublicClientApplication(PUBLIC_CLIENT, authority=f"{server.base}/{CONTOSO}", instance_discovery=False)
    flow = app.initiate_auth_code_flow(scopes=[DEFENDER], redirect_uri=REDIRECT)
    assert "code_challenge=" in flow["auth_uri"]
    answer = sign_in_and_authorize(server, flow["auth_uri"], analyst["upn"], analyst["password"])
    result = app.acquire_token_by_auth_code_flow(flow, answer)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == analyst["upn"]
    assert result["id_token_claims"]["tid"] == CONTOSO

    # A code is good once.
    again = requests.post(f"{server.base}/{CONTOSO}/oauth2/v2.0/token", data={
        "grant_type": "authorization_code", "client_id": PUBLIC_CLIENT, "code": answer["code"],
        "redirect_uri": REDIRECT, "code_verifier": flow["code_verifier"]}, timeout=30)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    # The guest's user token sees only the device groups its package grants (the demo's Servers group).
    alerts = requests.get(f"{server.base}/api/alerts", headers={"Authorization": f"Bearer {result['access_token']}"},
                          timeout=30).json()["value"]
    assert alerts and {alert["rbacGroupName"] for alert in alerts} <= {"Servers", "Ungrouped devices (default)"}
    assert "Servers" in {alert["rbacGroupName"] for alert in alerts}

    # Refresh through msal (the refresh token rotates), then replaying the first refresh token revokes the session.
    first_refresh = result["refresh_token"]
    account = app.get_accounts()[0]
    silent = app.acquire_token_silent([DEFENDER], account=account, force_refresh=True)
    assert "access_token" in silent, silent
    replay = requests.post(f"{server.base}/{CONTOSO}/oauth2/v2.0/token", data={
        "grant_type": "refresh_token", "client_id": PUBLIC_CLIENT, "refresh_token": first_refresh,
        "scope": DEFENDER}, timeout=30)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    revoked = app.acquire_token_silent([DEFENDER], account=account, force_refresh=True)
    assert revoked is None or "access_token" not in revoked
