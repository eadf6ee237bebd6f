"""End-to-end fixtures: a built Rampart served over HTTPS with a test CA, as a new user would run it."""
import datetime
import ipaddress
import json
import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"


def rampart_binary() -> str:
    path = os.environ.get("RAMPART_BIN") or str(ROOT / ".build" / "debug" / "rampart")
    if not os.path.exists(path):
        pytest.exit(f"Rampart is not built at {path}: run `swift build` first", returncode=2)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_ca(directory: pathlib.Path) -> dict:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rampart e2e test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    # A client certificate from the same CA, for receivers that authenticate senders (syslog over mutual TLS).
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rampart-sender")]))
        .issuer_name(ca_name).public_key(client_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": directory / "ca.pem", "cert": directory / "server.pem", "key": directory / "server-key.pem",
             "client": directory / "client.pem", "client_key": directory / "client-key.pem"}
    paths["client"].write_bytes(client.public_bytes(serialization.Encoding.PEM))
    paths["client_key"].write_bytes(client_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return {name: str(path) for name, path in paths.items()}


class Server:
    """A running `rampart serve` process."""

    def __init__(self, args, data_dir, port, scheme="https", env=None):
        self.port = port
        self.base = f"{scheme}://127.0.0.1:{port}"
        self.data_dir = data_dir
        pathlib.Path(data_dir).mkdir(parents=True, exist_ok=True)
        self.log = open(pathlib.Path(data_dir) / "server.log", "wb")
        self.process = subprocess.Popen(
            [rampart_binary(), "serve", "--data-dir", str(data_dir), "--port", str(port), *args],
            stdout=subprocess.PIPE, stderr=self.log, env={**os.environ, **(env or {})})
        self.stdout_lines = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = self.process.stdout.readline().decode()
            if not line:
                raise RuntimeError(f"rampart serve exited early: {self.process.wait()}; see {self.log.name}")
            self.stdout_lines.append(line)
            if "listening on" in line.lower() or "принимает подключения" in line:
                break
        else:
            raise RuntimeError("rampart serve did not start in time")

    def read_banner(self, seconds=2.0):
        """Collects what the server prints after the listening line (demo sign-ins)."""
        os.set_blocking(self.process.stdout.fileno(), False)
        deadline = time.time() + seconds
        while time.time() < deadline:
            chunk = self.process.stdout.read()
            if chunk:
                self.stdout_lines.extend(chunk.decode().splitlines(keepends=True))
            time.sleep(0.05)
        return "".join(self.stdout_lines)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        return self.process.returncode


@pytest.fixture(scope="session")
def tls():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="rampart-e2e-tls-"))
    return make_test_ca(directory)


@pytest.fixture(scope="session")
def server(tls):
    data_dir = tempfile.mkdtemp(prefix="rampart-e2e-")
    os.environ["REQUESTS_CA_BUNDLE"] = tls["ca"]
    os.environ["SSL_CERT_FILE"] = tls["ca"]
    extra = []
    if os.environ.get("RAMPART_E2E_DATABASE_URL"):
        extra = ["--database-url", os.environ["RAMPART_E2E_DATABASE_URL"]]
    srv = Server(["--demo", "--tls-cert", tls["cert"], "--tls-key", tls["key"], *extra], data_dir, free_port())
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def demo(server):
    with open(pathlib.Path(server.data_dir) / "demo-credentials.json") as f:
        return json.load(f)


def app_for(demo, tenant_name):
    tenant = next(t for t in demo["tenants"] if t["name"] == tenant_name)
    return next(a for a in demo["apps"] if a["tenant"] == tenant["id"])


def user_for(demo, upn):
    return next(u for u in demo["users"] if u["upn"] == upn)


def client_token(server, app, scope="https://api.securitycenter.microsoft.com/.default"):
    r = requests.post(f"{server.base}/{app['tenant']}/oauth2/v2.0/token", data={
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": scope}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
