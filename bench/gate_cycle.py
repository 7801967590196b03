#!/usr/bin/env python3
"""Access-request cycle driver for bench/gate_bench.sh.

Each client thread plays one requester (its own userpass user, so its own entity) against one policy gate that
needs two approvals, and repeats the whole cycle on keep-alive connections:

    requester POST auth/gate/request -> approver 1 POST approve -> approver 2 POST approve
    -> requester GET auth/gate/request (reads the grant code) -> anonymous POST auth/gate/claim

Setup (userpass, the gate, the policies, the users and their logins) is done once with the root token by
`setup`; `run` prints "cycles cycles_per_s p99_cycle_ms failures" on one line.
    gate_cycle.py setup URL ROOT_TOKEN THREADS STATE_FILE   (STATE_FILE receives the users' tokens)
    gate_cycle.py run URL STATE_FILE THREADS SECONDS [CYCLES_PER_S]   (paces all threads together; 0 = flat out)
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

class Client:
    def __init__(self, url, token=None):
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.token = token

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["X-Vault-Token"] = self.token
        data = json.dumps(body) if body is not None else None
        self.conn.request(method, "/v1/" + path, body=data, headers=headers)
        answer = self.conn.getresponse()
        raw = answer.read()
        return answer.status, (json.loads(raw) if raw else {})

    def ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer


def setup(url, root_token, threads, state_path):
    root = Client(url, root_token)
    root.ok("POST", "sys/auth/userpass", {"type": "userpass"})
    root.ok("POST", "sys/auth/gate", {"type": "policy-gate"})
    root.ok("PUT", "sys/policy/gate-requester", {
        "policy": 'path "auth/gate/request" { capabilities = ["create", "update", "read"] }'})
    root.ok("PUT", "sys/policy/gate-approver", {
        "policy": 'path "auth/gate/request" { capabilities = ["list", "read"] }\n'
                  'path "auth/gate/approve" { capabilities = ["update"] }'})
    root.ok("PUT", "sys/policy/granted", {"policy": 'path "secret/granted/*" { capabilities = ["read"] }'})
    root.ok("POST", "auth/gate/config", {"policies": ["granted"], "required_approvals": 2, "token_ttl": "15m",
                                         "delete_after": "1h"})
    users = [(f"requester-{i}", "gate-requester") for i in range(threads)]
    users += [("approver-1", "gate-approver"), ("approver-2", "gate-approver")]
    tokens = {}
    for name, policy in users:
        root.ok("POST", f"auth/userpass/users/{name}", {"password": "pw-" + name, "policies": [policy]})
        login = root.ok("POST", f"auth/userpass/login/{name}", {"password": "pw-" + name})
        tokens[name] = login["auth"]["client_token"]
    with open(state_path, "w") as out:
        json.dump(tokens, out)


def run(url, threads, seconds, rate, state_path):
    with open(state_path) as src:
        tokens = json.load(src)
    deadline = time.monotonic() + seconds
    interval = threads / rate if rate > 0 else 0.0  # each thread's share of the paced rate
    durations = []
    failures = []
    lock = threading.Lock()

    def worker(index):
        requester = Client(url, tokens[f"requester-{index}"])
        approvers = [Client(url, tokens["approver-1"]), Client(url, tokens["approver-2"])]
        anonymous = Client(url)
        mine, errors = [], 0
        next_start = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if interval:
                if now < next_start:
                    time.sleep(min(next_start - now, deadline - now))
                    continue
                next_start += interval
            started = time.monotonic()
            try:
                request_id = requester.ok("POST", "auth/gate/request", {"reason": "benchmark"})["data"]["request_id"]
                for approver in approvers:
                    approver.ok("POST", "auth/gate/approve", {"request_id": request_id})
                code = requester.ok("GET", "auth/gate/request")["data"]["grant_code"]
                anonymous.ok("POST", "auth/gate/claim", {"grant_code": code})
                mine.append(time.monotonic() - started)
            except Exception as error:  # counted and reported, never hidden
                errors += 1
                if errors == 1:
                    print(f"thread {index}: {error}", file=sys.stderr)
        with lock:
            durations.extend(mine)
            failures.append(errors)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    durations.sort()
    p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))] * 1000 if durations else 0.0
    print(f"{len(durations)} {len(durations) / elapsed:.1f} {p99:.1f} {sum(failures)}")


def main():
    args = sys.argv[1:]
    if len(args) == 5 and args[0] == "setup":
        setup(args[1], args[2], int(args[3]), args[4])
    elif len(args) in (5, 6) and args[0] == "run":
        rate = float(args[5]) if len(args) == 6 else 0.0
        run(args[1], int(args[3]), float(args[4]), rate, args[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
