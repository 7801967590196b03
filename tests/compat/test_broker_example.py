#!/usr/bin/python3
"""The task token broker against the example in Gatekeeper's API documentation.

Starts `gatekeeper-server --dev`, registers a task with a static grid, gives it a task policy and a token role,
unseals the broker, then runs the documentation's Python example (python3-requests) as it is written, with only
the server address put in place of "https://gatekeeper.internal:9201": a POST /token with a JSON body and no
Content-Type, then a POST to vault_addr + "v1/sys/wrapping/unwrap".
Run: test_broker_example.py --server PATH/TO/gatekeeper-server
"""

import argparse
import os
import re
import secrets
import subprocess
import sys
import unittest

import requests

SERVER = None

# Gatekeeper's example, verbatim.
EXAMPLE = '''import os
import json
import requests

r = requests.post("https://gatekeeper.internal:9201/token",
                  data=json.dumps({"task_id": os.environ['MESOS_TASK_ID']}))

if r.status_code == 200:
    t = r.json()['token']
    vault_addr = r.json()['vault_addr']
    r = requests.post(vault_addr + "v1/sys/wrapping/unwrap",
                      headers={"X-Vault-Token": t})
    if r.status_code == 200:
        print("Got the vault token: ", r.json()['auth']['client_token'])
    else:
        print("An error occurred: {}".format(r.text))
else:
    print("An error occurred: {}".format(r.text))
'''


class BrokerExample(unittest.TestCase):
    def setUp(self):
        self.root = "gk-compat-" + secrets.token_hex(8)
        self.proc = subprocess.Popen(
            [SERVER, "--dev", "--dev-root-token", self.root, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = None
        for line in self.proc.stdout:
            match = re.search(r"listening on (https?://\S+)", line)
            if match:
                self.url = match.group(1)
            if line.startswith("Root Token:"):
                break
        if not self.url:
            self.proc.kill()
            raise RuntimeError("the server did not start")
        self.session = requests.Session()
        self.session.headers["X-Vault-Token"] = self.root

    def tearDown(self):
        self.session.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def call(self, method, path, body=None, expect=(200, 204)):
        r = self.session.request(method, self.url + path, json=body)
        self.assertIn(r.status_code, expect, "%s %s: %s" % (method, path, r.text))
        return r

    def run_example(self, task_id):
        code = EXAMPLE.replace("https://gatekeeper.internal:9201", self.url)
        env = dict(os.environ, MESOS_TASK_ID=task_id)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_example(self):
        task_id = "billing.3f2c9e1a-0b7d-4c1e-9a55-6f1d2e3c4b5a"
        self.call("POST", "/v1/grids", {"name": "default", "scheduler": {"type": "static"}})
        self.call("PUT", "/v1/grids/default/tasks/" + task_id, {"host": "127.0.0.1", "name": "billing"})
        self.call("POST", "/v1/auth/token/roles/billing", {"allowed_policies": ["default"], "token_ttl": "1h"})
        self.call("PUT", "/v1/gatekeeper/policies", {"default:*": {"roles": ["{{name}}"], "num_uses": 1}})
        # The broker's own seal: sealed until it is given a credential.
        self.assertIn("An error occurred", self.run_example(task_id))
        r = requests.post(self.url + "/unseal", data='{"method": "token", "token": "%s"}' % self.root)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(r.json()["unsealed"])

        out = self.run_example(task_id)
        match = re.search(r"Got the vault token:  (\S+)", out)
        self.assertIsNotNone(match, out)
        token = match.group(1)
        r = requests.get(self.url + "/v1/auth/token/lookup-self", headers={"X-Vault-Token": token})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["data"]["meta"]["task_id"], task_id)
        self.assertEqual(r.json()["data"]["policies"], ["default"])

        # The allotment (one token) is used up: Gatekeeper's 429.
        r = requests.post(self.url + "/token", data='{"task_id": "%s"}' % task_id)
        self.assertEqual(r.status_code, 429, r.text)
        self.assertIn("error", r.json())
        status = requests.get(self.url + "/status").json()
        self.assertEqual(status["stats"]["successful"], 1)
        self.assertTrue(status["unsealed"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    args, rest = parser.parse_known_args()
    SERVER = args.server
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
