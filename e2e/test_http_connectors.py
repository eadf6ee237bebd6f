"""Webhook and Splunk HEC connectors against real HTTP receivers (pytest-httpserver): the webhook receiver checks
the HMAC signature as docs/WEBHOOKS.md tells receivers to; the HEC endpoint answers with ackIds and confirms them
only on the second poll."""
import hashlib
import hmac
import json
import os
import tempfile
import threading
import time

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import Server, free_port
from test_connectors import admin, alert, ingest, wait_for

HEC_TOKEN = "5d3a2c1b-hec-token-kept-sealed"


def verify(key, headers, body, now=None, tolerance=300):
    """What a webhook receiver does: recompute the signature over timestamp and raw body, refuse old timestamps."""
    timestamp = headers.get("X-Rampart-Timestamp", "")
    signature = headers.get("X-Rampart-Signature", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = "v1=" + hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


@pytest.fixture(scope="module")
def world(tls):
    os.environ["REQUESTS_CA_BUNDLE"] = tls["ca"]
    receiver = HTTPServer(host="127.0.0.1", port=free_port())
    receiver.start()
    data_dir = tempfile.mkdtemp(prefix="rampart-e2e-http-push-")
    env = {"RAMPART_CONNECTOR_RETRY_BASE_SECONDS": "1", "RAMPART_CONNECTOR_RETRY_MAX_SECONDS": "2"}
    server = Server(["--demo", "--tls-cert", tls["cert"], "--tls-key", tls["key"]], data_dir, free_port(), env=env)
    yield {"server": server, "receiver": receiver}
    server.stop()
    receiver.clear()
    receiver.stop()


def test_signed_webhooks_and_acknowledged_hec(world):
    server, receiver = world["server"], world["receiver"]
    lock = threading.Lock()
    hooks, hec_events, acks_polled = [], [], {}
    key_holder = {}

    def webhook(request):
        body = request.get_data()
        ok = verify(key_holder["key"], request.headers, body)
        with lock:
            hooks.append((ok, json.loads(body)))
        return Response("", status=204 if ok else 401)

    def collector(request):
        if request.headers.get("Authorization") != f"Splunk {HEC_TOKEN}":
            return Response('{"text":"Invalid token","code":4}', status=403)
        envelopes = [json.loads(line) for line in request.get_data().decode().splitlines() if line]
        with lock:
            hec_events.extend(envelopes)
            ack = len(acks_polled)
            acks_polled[ack] = 0
        assert request.headers.get("X-Splunk-Request-Channel")
        return Response(json.dumps({"text": "Success", "code": 0, "ackId": ack}), content_type="application/json")

    def ack(request):
        wanted = json.loads(request.get_data())["acks"]
        with lock:
            answer = {}
            for ack_id in wanted:
                acks_polled[ack_id] = acks_polled.get(ack_id, 0) + 1
                answer[str(ack_id)] = acks_polled[ack_id] >= 2  # confirmed on the second poll
        return Response(json.dumps({"acks": answer}), content_type="application/json")

    receiver.expect_request("/hook", method="POST").respond_with_handler(webhook)
    receiver.expect_request("/services/collector/event", method="POST").respond_with_handler(collector)
    receiver.expect_request("/services/collector/ack", method="POST").respond_with_handler(ack)

    headers = admin(server)
    base = f"{server.base}/manage/v1/connectors"
    made = requests.post(base, headers=headers, timeout=30, json={
        "name": "hook", "transport": "webhook", "url": receiver.url_for("/hook"), "format": "json"})
    assert made.status_code == 201, made.text
    key_holder["key"] = made.json()["secret"]
    assert len(key_holder["key"]) >= 40
    listed = requests.get(base, headers=headers, timeout=30).json()["value"]
    assert all("secret" not in c or c["secret"] is None for c in listed), "the key is shown once"
    hec = requests.post(base, headers=headers, timeout=30, json={
        "name": "splunk", "transport": "hec", "url": receiver.url_for("/"), "token": HEC_TOKEN, "useAck": True,
        "index": "security", "format": "ocsf"})
    assert hec.status_code == 201, hec.text
    assert HEC_TOKEN not in hec.text and "secret" not in hec.json() or hec.json()["secret"] is None

    ids = ingest(server, [alert(f"h{n}", f"Over HTTP {n}") for n in range(7)])
    wait_for(lambda: sum(len(b["events"]) for ok, b in hooks if ok) >= 7, what="7 webhook events")
    wait_for(lambda: len(hec_events) >= 7, what="7 HEC events")
    assert all(ok for ok, _ in hooks), "every webhook verifies"
    delivered = [e for ok, b in hooks for e in b["events"]]
    assert sorted(e["payload"]["id"] for e in delivered) == sorted(ids)
    assert all(e["kind"] == "created" and e["id"].count(".") == 1 for e in delivered)
    assert sorted(e["event"]["finding_info"]["uid"] for e in hec_events) == sorted(ids)
    assert all(e["index"] == "security" and e["sourcetype"] == "rampart:alert:ocsf" for e in hec_events)
    assert all(e["fields"]["kind"] == "created" and e["fields"]["tenant"] for e in hec_events)
    # The HEC connector waited for the acknowledgement: each ackId was polled until confirmed.
    wait_for(lambda: all(count >= 2 for count in acks_polled.values()), what="acks confirmed")
    def recorded():
        health = {c["name"]: c["health"] for c in requests.get(base, headers=headers, timeout=30).json()["value"]}
        return health["hook"]["sent"] == 7 and health["splunk"]["sent"] == 7
    wait_for(recorded, seconds=20, what="both connectors' health to show 7 sent")

    # A receiver verifying as documented refuses a tampered body and an old timestamp.
    ok, sample = hooks[0]
    body = json.dumps(sample).encode()
    assert not verify(key_holder["key"], {"X-Rampart-Timestamp": str(int(time.time())), "X-Rampart-Signature": "v1=00"}, body)
    assert not verify(key_holder["key"], {"X-Rampart-Timestamp": str(int(time.time()) - 3600),
                                          "X-Rampart-Signature": "v1=" + hmac.new(key_holder["key"].encode(),
                                          str(int(time.time()) - 3600).encode() + b"." + body, hashlib.sha256).hexdigest()}, body)
