"""Two `rampart serve` processes on one PostgreSQL share the connectors through leases: every event is pushed, and
when one process is killed the other takes its connectors over within a lease period, losing nothing."""
import os
import signal
import tempfile
import time
import base64

import pytest
import requests

from conftest import Server, free_port
from syslog_receiver import Rsyslog
from test_connectors import admin, alert, ingest, messages, wait_for

DATABASE = os.environ.get("RAMPART_E2E_SCALE_DATABASE_URL")


@pytest.mark.skipif(not DATABASE, reason="needs PostgreSQL: set RAMPART_E2E_SCALE_DATABASE_URL (CI does)")
def test_two_processes_share_connectors_and_survive_a_kill(tls):
    os.environ["REQUESTS_CA_BUNDLE"] = tls["ca"]
    receiver = Rsyslog(tls, free_port(), tempfile.mkdtemp(prefix="rampart-e2e-scale-rsyslog-"))
    receiver.start()
    env = {"RAMPART_SECRET_KEY": base64.b64encode(os.urandom(32)).decode(), "RAMPART_CONNECTOR_LEASE_SECONDS": "5",
           "RAMPART_CONNECTOR_RETRY_BASE_SECONDS": "1", "RAMPART_CONNECTOR_RETRY_MAX_SECONDS": "2"}
    common = ["--tls-cert", tls["cert"], "--tls-key", tls["key"], "--database-url", DATABASE]
    first = Server(["--demo", *common], tempfile.mkdtemp(prefix="rampart-e2e-scale-a-"), free_port(), env=env)
    second = Server(common, tempfile.mkdtemp(prefix="rampart-e2e-scale-b-"), free_port(), env=env)
    try:
        headers = admin(first)
        for fmt in ["cef", "json"]:
            r = requests.post(f"{first.base}/manage/v1/connectors", headers=headers, timeout=30, json={
                "name": f"shared {fmt}", "host": "localhost", "port": receiver.port, "caFile": tls["ca"], "format": fmt})
            assert r.status_code == 201, r.text
        before = ingest(first, [alert(f"a{n}", f"Before the kill {n}") for n in range(100)])
        wait_for(lambda: len(messages(receiver)) >= 200, what="the first 200 messages")
        first.stop(sig=signal.SIGKILL)
        second.data_dir = first.data_dir  # the demo credentials the helpers read live with the first process
        after = ingest(second, [alert(f"b{n}", f"After the kill {n}") for n in range(200)])
        expected = set(before + after)

        def complete():
            got = {}
            for fmt, _, _, alert_id, _, _ in messages(receiver):
                got.setdefault(fmt, set()).add(alert_id)
            return all(expected <= got.get(fmt, set()) for fmt in ["cef", "json"])
        started = time.time()
        wait_for(complete, seconds=120, what="every event after the kill, pushed by the survivor")
        assert time.time() - started < 60, "taken over within a few lease periods"
        counts = {}
        for fmt, _, _, _, event, _ in messages(receiver):
            counts[(fmt, event)] = counts.get((fmt, event), 0) + 1
        assert sum(c - 1 for c in counts.values()) <= 2 * 500, "duplicates bounded by one batch per connector"
    finally:
        second.stop()
        first.stop()
        receiver.stop()
