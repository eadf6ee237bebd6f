"""Starting and stopping as an operator would: dev TLS, the CLI, graceful shutdown, idempotent demo."""
import json
import os
import signal
import ssl
import subprocess
import tempfile
import urllib.request

import requests

from conftest import Server, free_port, rampart_binary


def run_cli(*args, data_dir):
    out = subprocess.run([rampart_binary(), *args, "--data-dir", data_dir], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_dev_tls_generates_a_certificate_clients_can_pin(tmp_path):
    server = Server(["--dev-tls"], str(tmp_path), free_port())
    try:
        cert = tmp_path / "tls" / "dev-cert.pem"
        assert cert.exists()
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{server.base}/healthz", context=context, timeout=30) as response:
            assert json.load(response)["status"] == "ok"
    finally:
        assert server.stop() == 0


def test_sigterm_drains_and_exits_cleanly(tmp_path):
    server = Server([], str(tmp_path), free_port(), scheme="http")
    assert requests.get(f"{server.base}/healthz", timeout=30).status_code == 200
    assert server.stop(signal.SIGTERM) == 0


def test_demo_is_seeded_once(tmp_path):
    first = json.loads(run_cli("demo", data_dir=str(tmp_path)))
    second = json.loads(run_cli("demo", data_dir=str(tmp_path)))
    assert first == second
    tenants = json.loads(run_cli("tenant", "list", "--json", data_dir=str(tmp_path)))
    assert len(tenants) == 4
    assert {t["kind"] for t in tenants} == {"mssp", "customer"}


def test_cli_directory_commands(tmp_path):
    d = str(tmp_path)
    created = json.loads(run_cli("tenant", "create", "--name", "Litware", "--domain", "litware.example", "--json", data_dir=d))
    assert created["adminUserPrincipalName"] == "admin@litware.example" and len(created["adminPassword"]) >= 12
    user = json.loads(run_cli("user", "create", "--tenant", "litware.example", "--upn", "ana@litware.example", "--json", data_dir=d))
    assert user["password"]
    run_cli("group", "create", "--tenant", "litware.example", "--name", "SOC", data_dir=d)
    run_cli("group", "add-member", "--tenant", "litware.example", "--group", "SOC", "--user", "ana@litware.example", data_dir=d)
    groups = json.loads(run_cli("group", "list", "--tenant", "litware.example", "--json", data_dir=d))
    assert groups[0]["members"] == ["ana@litware.example"]
    app = json.loads(run_cli("app", "create", "--tenant", "litware.example", "--name", "Splunk", "--json", data_dir=d))
    secret = json.loads(run_cli("app", "add-secret", "--tenant", "litware.example", "--app", app["clientID"], "--json", data_dir=d))
    assert len(secret["secret"]) > 30
    granted = json.loads(run_cli("app", "grant", "--tenant", "litware.example", "--app", app["clientID"],
                                 "--permission", "Alert.Read.All", "--json", data_dir=d))
    assert granted == {"permissions": ["Alert.Read.All"]}
    listing = run_cli("app", "list", "--tenant", "litware.example", data_dir=d)
    assert secret["secret"] not in listing
    bad = subprocess.run([rampart_binary(), "user", "create", "--tenant", "nowhere.example", "--upn", "a@b.example",
                          "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "nowhere.example" in bad.stderr


def test_russian_cli_messages(tmp_path):
    out = subprocess.run([rampart_binary(), "tenant", "create", "--name", "Ромашка", "--domain", "romashka.example",
                          "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LANG": "ru_RU.UTF-8"})
    assert out.returncode == 0, out.stderr
    assert "Создан клиент Ромашка" in out.stdout


def test_config_file_and_environment_are_layered_under_flags(tmp_path):
    port_from_file, port_from_env = free_port(), free_port()
    config = tmp_path / "rampart.json"
    config.write_text(json.dumps({"port": port_from_file, "dataDir": str(tmp_path / "from-file"), "logLevel": "warning"}))
    server = Server(["--config", str(config)], str(tmp_path / "from-flag"), port_from_file, scheme="http")
    try:
        # The flag wins over the file for the data directory.
        assert (tmp_path / "from-flag" / "rampart.sqlite").exists()
        assert not (tmp_path / "from-file").exists()
    finally:
        server.stop()
    env_only = subprocess.Popen([rampart_binary(), "serve", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env={**os.environ, "RAMPART_PORT": str(port_from_env)})
    try:
        line = env_only.stdout.readline().decode()
        assert f":{port_from_env}" in line, line  # the environment wins over the file
        assert (tmp_path / "from-file" / "rampart.sqlite").exists()
    finally:
        env_only.send_signal(signal.SIGTERM)
        assert env_only.wait(timeout=30) == 0


def test_cli_roles_and_device_groups(tmp_path):
    d = str(tmp_path)
    run_cli("demo", data_dir=d)
    run_cli("group", "create", "--tenant", "northwind.example", "--name", "SOC", data_dir=d)
    role = json.loads(run_cli("role", "create", "--tenant", "northwind.example", "--name", "Tier 1",
                              "--permission", "ViewData.SecurityOperations", "--group", "SOC", "--json", data_dir=d))
    assert role["permissions"] == ["ViewData.SecurityOperations"]
    preview = run_cli("device-group", "preview", "--tenant", "northwind.example", "--os-rule", "Linux", data_dir=d)
    assert len(preview.strip().splitlines()) == 6  # the demo's six Linux servers
    group = json.loads(run_cli("device-group", "create", "--tenant", "northwind.example", "--name", "Linux servers",
                               "--os-rule", "Linux", "--user-group", "SOC", "--json", data_dir=d))
    assert group["rank"] == 1 and not group["isDefault"]
    listing = run_cli("device-group", "list", "--tenant", "northwind.example", data_dir=d)
    assert "Linux servers" in listing and "Ungrouped devices (default)" in listing
    moved = run_cli("device-group", "preview", "--tenant", "northwind.example", "--os-rule", "Linux", data_dir=d)
    assert all(line.endswith("Linux servers") for line in moved.strip().splitlines())
    bad = subprocess.run([rampart_binary(), "device-group", "create", "--tenant", "northwind.example", "--name", "Empty",
                          "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "rules" in bad.stderr


def test_audit_verify_detects_a_changed_entry(tmp_path):
    import sqlite3
    d = str(tmp_path)
    run_cli("tenant", "create", "--name", "Audited", "--domain", "audited.example", data_dir=d)
    run_cli("group", "create", "--tenant", "audited.example", "--name", "SOC", data_dir=d)
    run_cli("role", "create", "--tenant", "audited.example", "--name", "Tier 1", "--permission",
            "ViewData.SecurityOperations", "--group", "SOC", data_dir=d)
    listing = run_cli("audit", "list", "--tenant", "audited.example", data_dir=d)
    assert "role.create" in listing and "group.create" in listing and "user.create" in listing
    assert "intact" in run_cli("audit", "verify", data_dir=d)
    with sqlite3.connect(str(tmp_path / "rampart.sqlite")) as db:
        db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE action = 'group.create'")
    out = subprocess.run([rampart_binary(), "audit", "verify", "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "breaks at entry" in out.stdout


def test_cli_authorizes_an_mssp_app_in_a_customer_tenant(tmp_path):
    d = str(tmp_path)
    demo = json.loads(run_cli("demo", data_dir=d))
    mssp = next(t for t in demo["tenants"] if t["kind"] == "mssp")
    app = json.loads(run_cli("app", "create", "--tenant", mssp["domain"], "--name", "MSSP SIEM", "--json", data_dir=d))
    out = run_cli("app", "authorize", "--tenant", "contoso.example", "--app", app["clientID"],
                  "--permission", "Alert.Read.All", data_dir=d)
    assert "MSSP SIEM" in out and "Alert.Read.All" in out
    assert "app.authorize" in run_cli("audit", "list", "--tenant", "contoso.example", data_dir=d)
    run_cli("app", "deauthorize", "--tenant", "contoso.example", "--app", app["clientID"], data_dir=d)
    again = subprocess.run([rampart_binary(), "app", "deauthorize", "--tenant", "contoso.example", "--app", app["clientID"],
                            "--data-dir", d], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "not authorized" in again.stderr


def test_cli_connected_organizations(tmp_path):
    d = str(tmp_path)
    run_cli("demo", data_dir=d)
    assert "Fabrikam MSSP" in run_cli("connected-org", "add", "--tenant", "contoso.example", "--org",
                                      "fabrikam-mssp.example", data_dir=d)
    assert "fabrikam-mssp.example" in run_cli("connected-org", "list", "--tenant", "contoso.example", data_dir=d)
    run_cli("connected-org", "remove", "--tenant", "contoso.example", "--org", "fabrikam-mssp.example", data_dir=d)
    assert run_cli("connected-org", "list", "--tenant", "contoso.example", data_dir=d).strip() == ""
