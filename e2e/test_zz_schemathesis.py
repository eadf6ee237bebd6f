"""schemathesis (PyPI) drives the management API from its OpenAPI document: generated valid and invalid requests,
stateful sequences, undeclared methods. It runs last, in its own tenant, because it creates many objects."""
import os
import pathlib
import subprocess

import requests

from conftest import app_for, client_token, user_for

SPEC = pathlib.Path(__file__).resolve().parent.parent / "Sources/RampartServer/Resources/openapi.yaml"


def test_management_api_matches_its_openapi_document(server, demo, tmp_path):
    admin = user_for(demo, "admin@tailspin.example")
    r = requests.post(f"{server.base}/tailspin.example/oauth2/v2.0/token", data={
        "grant_type": "password", "client_id": "2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27", "username": admin["upn"],
        "password": admin["password"], "scope": "api://rampart/.default"}, timeout=30)
    token = r.json()["access_token"]
    result = subprocess.run(
        ["schemathesis", "run", str(SPEC), "--url", f"{server.base}/manage/v1", "-H", f"Authorization: Bearer {token}",
         "--checks", "all", "--exclude-checks", "positive_data_acceptance", "--max-examples", "15",
         "--seed", "55511980964141835885685131370006409323", "--tls-verify", os.environ["REQUESTS_CA_BUNDLE"]],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    summary = result.stdout[-12000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]


def run_schemathesis(server, spec, token, include, tmp_path):
    return subprocess.run(
        ["schemathesis", "run", str(spec), "--url", server.base, "-H", f"Authorization: Bearer {token}",
         "--include-path-regex", include, "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", "10", "--seed", "55511980964141835885685131370006409323",
         "--tls-verify", os.environ["REQUESTS_CA_BUNDLE"]],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)


def test_alerts_apis_match_their_openapi_document(server, demo, tmp_path):
    """The Defender, ingest and Graph APIs against alerts-api.yaml, with the tokens real clients would hold."""
    spec = SPEC.parent / "alerts-api.yaml"
    app = app_for(demo, "Contoso Ltd")
    defender = client_token(server, app)
    result = run_schemathesis(server, spec, defender, "^/(api|ingest)/", tmp_path)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    graph = client_token(server, app, scope="https://graph.microsoft.com/.default")
    result = run_schemathesis(server, spec, graph, "^/v1\\.0/", tmp_path)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
