#!/usr/bin/env python3
"""Drives the XAPI simulator with Python's standard xmlrpc.client, the way the official XenAPI.py SDK does:
a ServerProxy whose calls go through a session wrapper (session first, {Status, Value} / Failure envelopes,
SESSION_INVALID answered by one new login, HOST_IS_SLAVE followed to the master), `event_from` and
`Async.` calls. Standard library only.

Usage: xenapi_compat.py <member url> <control url> <user> <password>
Prints one JSON object per check and exits 0 when every check passed.
"""
import json
import re
import sys
import urllib.parse
import urllib.request
import xmlrpc.client


class Failure(Exception):
    def __init__(self, details):
        super().__init__(details)
        self.details = details


class Session:
    """A minimal XenAPI.py-style session: `session.xenapi.VM.get_all()` sends `VM.get_all(session_ref)`."""

    def __init__(self, url):
        self.url = url
        self.proxy = xmlrpc.client.ServerProxy(url, allow_none=True)
        self.ref = None
        self.credentials = None

    def login(self, user, password):
        self.credentials = (user, password)
        self.ref = self._unwrap(self.proxy.session.login_with_password(user, password, "2.21", "xenapi_compat.py"))

    def logout(self):
        self._unwrap(self.proxy.session.logout(self.ref))
        self.ref = None

    @staticmethod
    def _unwrap(result):
        if not isinstance(result, dict) or "Status" not in result:
            raise Exception("missing Status in response: %r" % (result,))
        if result["Status"] == "Success":
            return result["Value"]
        raise Failure(result["ErrorDescription"])

    def call(self, method, *args):
        for attempt in range(2):
            try:
                return self._unwrap(getattr(self.proxy, method)(self.ref, *args))
            except Failure as failure:
                if failure.details[0] == "SESSION_INVALID" and attempt == 0:
                    self.login(*self.credentials)
                    continue
                raise

    @property
    def xenapi(self):
        return _Dispatcher(self, None)


class _Dispatcher:
    def __init__(self, session, name):
        self._session = session
        self._name = name

    def __getattr__(self, name):
        return _Dispatcher(self._session, name if self._name is None else "%s.%s" % (self._name, name))

    def __call__(self, *args):
        return self._session.call(self._name, *args)


def connect(url, user, password):
    """Logs in, following HOST_IS_SLAVE to the master (same scheme and port, new address)."""
    session = Session(url)
    try:
        session.login(user, password)
        return session, None
    except Failure as failure:
        if failure.details[0] != "HOST_IS_SLAVE":
            raise
        parts = urllib.parse.urlsplit(url)
        master = "%s://%s:%d/" % (parts.scheme, failure.details[1], parts.port)
        session = Session(master)
        session.login(user, password)
        return session, failure.details


def control(control_url, path, body):
    request = urllib.request.Request(control_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def wait_task(session, task, token):
    """Follows the task through event_from (not by polling get_record), as SDK users do."""
    while True:
        batch = session.xenapi.event_from(["task/%s" % task], token, 5.0)
        token = batch["token"]
        for event in batch["events"]:
            if event["operation"] != "del" and event["snapshot"]["status"] not in ("pending", "cancelling"):
                return event["snapshot"]


def main():
    member_url, control_url, user, password = sys.argv[1:5]
    checks = []

    def check(name, ok, detail=None):
        checks.append(ok)
        print(json.dumps({"check": name, "ok": bool(ok), "detail": detail}))

    session, redirect = connect(member_url, user, password)
    check("HOST_IS_SLAVE followed", redirect is not None and redirect[0] == "HOST_IS_SLAVE", redirect)

    pool = session.xenapi.pool.get_all()[0]
    master = session.xenapi.pool.get_master(pool)
    version = "%s.%s" % (session.xenapi.host.get_API_version_major(master), session.xenapi.host.get_API_version_minor(master))
    check("API version", version == "2.21", version)

    vms = session.xenapi.VM.get_all_records()
    ordinary = {ref: vm for ref, vm in vms.items() if not vm["is_a_template"] and not vm["is_control_domain"]}
    check("VM.get_all_records", len(ordinary) > 0 and all(ref.startswith("OpaqueRef:") for ref in vms), len(vms))
    sample = next(iter(ordinary.values()))
    check("64-bit ints arrive as strings", isinstance(sample["memory_static_max"], str) and sample["memory_static_max"].isdigit(), sample["memory_static_max"])
    check("booleans arrive as bool", isinstance(sample["is_a_template"], bool))

    running = next(ref for ref, vm in ordinary.items() if vm["power_state"] == "Running")
    halted = next(ref for ref, vm in ordinary.items() if vm["power_state"] == "Halted")
    try:
        session.xenapi.VM.start(running, False, False)
        check("Failure envelope", False, "VM.start succeeded on a running VM")
    except Failure as failure:
        check("Failure envelope", failure.details == ["VM_BAD_POWER_STATE", running, "halted", "running"], failure.details)

    token = session.xenapi.event_from(["task"], "", 0.0)["token"]
    task = session.xenapi.Async.VM.start(halted, False, False)
    done = wait_task(session, task, token)
    check("Async.VM.start task", done["status"] == "success" and session.xenapi.VM.get_power_state(halted) == "Running", done["status"])

    task = session.xenapi.Async.VM.snapshot(running, "from python")
    done = wait_task(session, task, token)
    snapshot = xmlrpc.client.loads("<methodResponse><params><param>%s</param></params></methodResponse>" % done["result"])[0][0]
    check("task result is an XML-RPC value", session.xenapi.VM.get_snapshot_of(snapshot) == running, done["result"])
    session.xenapi.task.destroy(task)

    task = session.xenapi.Async.VM.clean_shutdown(halted)
    done = wait_task(session, task, token)
    check("Async.VM.clean_shutdown", done["status"] == "success" and done["result"] == "", done["status"])

    expired = control(control_url, "/faults/expire-sessions", {})
    check("control API expires sessions", expired["expired"] >= 1, expired)
    name = session.xenapi.VM.get_name_label(running)
    check("SESSION_INVALID answered by a new login", name == ordinary[running]["name_label"], name)

    old_ref = session.ref
    session.logout()
    try:
        Session._unwrap(session.proxy.pool.get_all(old_ref))
        check("logout", False)
    except Failure as failure:
        check("logout", failure.details[0] == "SESSION_INVALID", failure.details)

    sys.exit(0 if all(checks) else 1)


if __name__ == "__main__":
    main()
