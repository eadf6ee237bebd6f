"""A real syslog receiver for the e2e suite: Debian's rsyslog, TLS (RFC 5425) with octet-counted framing, writing
each message as it arrived to a file."""
import os
import pathlib
import shutil
import socket
import subprocess
import time

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

CONFIG = """
global(workDirectory="{work}"
       DefaultNetstreamDriver="ossl"
       DefaultNetstreamDriverCAFile="{ca}"
       DefaultNetstreamDriverCertFile="{cert}"
       DefaultNetstreamDriverKeyFile="{key}"
       maxMessageSize="256k")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="{auth}")
input(type="imtcp" port="{port}" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg%\\n")
action(type="omfile" file="{output}" template="raw")
"""


class Rsyslog:
    def __init__(self, tls, port, directory, auth="anon"):
        self.port = port
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.output = self.directory / "received.log"
        self.config = self.directory / "rsyslog.conf"
        self.config.write_text(CONFIG.format(work=self.directory, ca=tls["ca"], cert=tls["cert"], key=tls["key"],
                                             port=port, output=self.output, auth=auth))
        self.process = None

    def start(self):
        pid = self.directory / "rsyslogd.pid"
        self.process = subprocess.Popen([RSYSLOGD, "-n", "-f", str(self.config), "-i", str(pid)],
                                        stdout=subprocess.DEVNULL, stderr=open(self.directory / "rsyslogd.err", "ab"))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"rsyslogd exited: {(self.directory / 'rsyslogd.err').read_text()}")
                time.sleep(0.1)
        raise RuntimeError("rsyslogd did not listen in time")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def lines(self):
        if not self.output.exists():
            return []
        return [line for line in self.output.read_text(encoding="utf-8").split("\n") if line]
