#!/usr/bin/python3
"""Compatibility suite: Debian's python3-hvac, the reference Vault client, against a real gatekeeper-server.

Covers sys.initialize, submit_unseal_keys, read_seal_status, read_health_status and seal, a restart on the
same SQLite store, and checks that the store's files hold no root token and no key share in plain text.
Run: test_hvac.py --server PATH/TO/gatekeeper-server
"""

import argparse
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

import hvac
import requests

SERVER = None


class ServerProcess:
    def __init__(self, storage):
        self.proc = subprocess.Popen(
            [SERVER, "--listen", "127.0.0.1:0", "--storage", storage],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (https?://\S+)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError("server did not start: %r %r" % (line, self.proc.stderr.read()))
        self.url = match.group(1)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc


class HvacCompatibility(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "gk.db")
        self.server = ServerProcess("sqlite:" + self.db)
        self.client = hvac.Client(url=self.server.url)

    def tearDown(self):
        if self.server:
            self.server.stop()
        self.dir.cleanup()

    def restart(self):
        self.assertEqual(self.server.stop(), 0, "SIGTERM must stop the server with exit code 0")
        self.server = ServerProcess("sqlite:" + self.db)
        self.client = hvac.Client(url=self.server.url)

    def test_initialize_unseal_seal_restart(self):
        sys_ = self.client.sys
        self.assertFalse(sys_.is_initialized())
        self.assertEqual(sys_.read_health_status(method="HEAD").status_code, 501)

        result = sys_.initialize(secret_shares=5, secret_threshold=3)
        keys, keys_b64, root = result["keys"], result["keys_base64"], result["root_token"]
        self.assertEqual(len(keys), 5)
        self.assertEqual(len(keys_b64), 5)
        self.assertTrue(root)
        self.assertTrue(sys_.is_initialized())
        self.assertTrue(sys_.is_sealed())

        status = sys_.read_seal_status()
        self.assertEqual((status["t"], status["n"], status["progress"]), (3, 5, 0))
        self.assertEqual(sys_.read_health_status(method="GET").status_code, 503)

        # Any 3 of the 5 shares unseal.
        answer = sys_.submit_unseal_key(keys[1])
        self.assertEqual(answer["progress"], 1)
        self.assertTrue(answer["sealed"])
        answer = sys_.submit_unseal_keys(keys[2:4])
        self.assertFalse(answer["sealed"])
        self.assertFalse(sys_.is_sealed())
        health = sys_.read_health_status(method="GET")
        self.assertEqual(health["initialized"], True)
        self.assertEqual(health["sealed"], False)
        self.assertEqual(sys_.read_health_status(method="HEAD").status_code, 200)

        # Sealing needs the root token.
        with self.assertRaises(hvac.exceptions.Forbidden):
            sys_.seal()
        self.client.token = root
        self.assertEqual(sys_.seal().status_code, 204)
        self.assertTrue(sys_.is_sealed())

        # Restart on the same store and unseal with another 3 shares, as base64 this time.
        self.restart()
        sys_ = self.client.sys
        self.assertTrue(sys_.is_initialized())
        self.assertTrue(sys_.is_sealed())
        answer = sys_.submit_unseal_keys([keys_b64[0], keys_b64[2], keys_b64[4]])
        self.assertFalse(answer["sealed"])
        self.client.token = root
        self.assertEqual(sys_.seal().status_code, 204)

        # Two shares do not unseal; a reset discards them.
        sys_.submit_unseal_keys(keys[:2])
        self.assertEqual(sys_.read_seal_status()["progress"], 2)
        self.assertEqual(sys_.submit_unseal_key(reset=True)["progress"], 0)
        self.assertTrue(sys_.is_sealed())

        # A malformed key is a 400, not a crash.
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.submit_unseal_key("not-a-key")

        self.server.stop()
        self.server = None
        self.assert_store_holds_no_secrets(root, keys)

    def assert_store_holds_no_secrets(self, root, keys):
        needles = [root.encode(), root.split(".", 1)[-1].encode()]
        for k in keys:
            raw = bytes.fromhex(k)
            needles += [k.encode(), raw, raw[:-1], base64.b64encode(raw)]
        files = [f for f in os.listdir(self.dir.name) if f.startswith("gk.db")]
        self.assertTrue(files)
        for name in files:
            with open(os.path.join(self.dir.name, name), "rb") as f:
                data = f.read()
            for needle in needles:
                self.assertNotIn(needle, data, "a secret is stored in plain text in " + name)

    def test_wire_conventions(self):
        url = self.server.url
        r = requests.request("LIST", url + "/v1/sys/nothing")
        self.assertEqual(r.status_code, 503)
        self.assertIn("errors", r.json())
        r = requests.get(url + "/v1/sys/seal-status", headers={"X-Vault-Namespace": "team/"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("errors", r.json())
        r = requests.put(url + "/v1/sys/init", data="{not json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("errors", r.json())
        self.assertEqual(requests.get(url + "/v1/sys/health?uninitcode=204").status_code, 204)
        r = requests.get(url + "/v1/sys/seal-status?help=1")
        self.assertIn("help", r.json())

    def test_policies(self):
        """ACL policies through hvac's helpers; sys/policies/acl through hvac's adapter (hvac 0.11 has no helpers)."""
        sys_ = self.client.sys
        result = sys_.initialize(secret_shares=1, secret_threshold=1)
        sys_.submit_unseal_key(result["keys"][0])
        self.client.token = result["root_token"]

        hcl = 'path "secret/*" {\n  capabilities = ["read", "list"]\n}\n'
        self.assertEqual(sys_.create_or_update_policy(name="team-a", policy=hcl).status_code, 204)
        answer = sys_.read_policy(name="team-a")
        self.assertEqual(answer["data"]["rules"], hcl)
        self.assertEqual(answer["rules"], hcl)
        self.assertEqual(self.client.get_policy("team-a"), hcl)
        # A dict is sent as JSON text, which is policy language too.
        sys_.create_or_update_policy(name="Team-B", policy={"path": {"kv/+/x": {"capabilities": ["read"]}}})
        listed = sys_.list_policies()
        self.assertEqual(listed["data"]["policies"], ["default", "team-a", "team-b", "root"])
        self.assertEqual(listed["policies"], listed["data"]["policies"])
        self.assertIn("auth/token/lookup-self", sys_.read_policy(name="default")["data"]["rules"])

        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            sys_.create_or_update_policy(name="bad", policy='path "x" {\n  capabilities = ["fly"]\n}')
        self.assertIn("line 2, column 19", str(caught.exception))
        self.assertIn('"fly"', str(caught.exception))
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.create_or_update_policy(name="root", policy=hcl)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.delete_policy(name="root")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.delete_policy(name="default")
        with self.assertRaises(hvac.exceptions.InvalidPath):
            sys_.read_policy(name="nope")
        self.assertEqual(sys_.delete_policy(name="team-b").status_code, 204)
        self.assertNotIn("team-b", sys_.list_policies()["data"]["policies"])

        adapter = self.client.adapter
        self.assertEqual(adapter.put("/v1/sys/policies/acl/team-c", json={"policy": hcl}).status_code, 204)
        self.assertEqual(adapter.get("/v1/sys/policies/acl/team-c")["data"], {"name": "team-c", "policy": hcl})
        self.assertEqual(adapter.list("/v1/sys/policies/acl")["data"]["keys"], ["default", "team-a", "team-c", "root"])
        self.assertEqual(adapter.delete("/v1/sys/policies/acl/team-c").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            adapter.get("/v1/sys/policies/acl/team-c")

        self.assertEqual(sys_.get_capabilities(paths=["secret/x"])["capabilities"], ["root"])
        # Without a token: 403.
        self.client.token = None
        with self.assertRaises(hvac.exceptions.Forbidden):
            sys_.list_policies()

    def init_unsealed(self):
        """Initialises with one share, unseals, and makes the client use the root token."""
        result = self.client.sys.initialize(secret_shares=1, secret_threshold=1)
        self.client.sys.submit_unseal_key(result["keys"][0])
        self.client.token = result["root_token"]
        return result

    def assert_store_lacks(self, needles):
        files = [f for f in os.listdir(self.dir.name) if f.startswith("gk.db")]
        self.assertTrue(files)
        for name in files:
            with open(os.path.join(self.dir.name, name), "rb") as f:
                data = f.read()
            for needle in needles:
                self.assertNotIn(needle.encode(), data, "a secret is stored in plain text in " + name)

    def test_userpass(self):
        """The userpass auth method through hvac: mount, users, login, entity, failed logins, unmount."""
        self.init_unsealed()
        sys_ = self.client.sys
        self.assertEqual(sys_.enable_auth_method("userpass", description="people").status_code, 204)
        methods = sys_.list_auth_methods()
        self.assertEqual(methods["userpass/"]["type"], "userpass")
        self.assertEqual(methods["data"]["userpass/"]["description"], "people")
        self.assertEqual(methods["data"]["token/"]["type"], "token")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.enable_auth_method("userpass")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.enable_auth_method("no-such-type", path="x")

        password = "Alice-pw-for-hvac-0001"
        userpass = self.client.auth.userpass
        self.assertEqual(userpass.create_or_update_user("alice", password, policies=["dev"]).status_code, 204)
        user = userpass.read_user("alice")["data"]
        self.assertEqual(user["token_policies"], ["dev"])
        self.assertNotIn("password", user)
        self.assertEqual(userpass.list_user()["data"]["keys"], ["alice"])

        login_client = hvac.Client(url=self.server.url)
        result = login_client.auth.userpass.login("alice", password)
        auth = result["auth"]
        self.assertEqual(auth["policies"], ["default", "dev"])
        self.assertEqual(auth["metadata"], {"username": "alice"})
        self.assertTrue(auth["entity_id"])
        self.assertEqual(login_client.token, auth["client_token"])
        again = login_client.auth.userpass.login("alice", password)
        self.assertEqual(again["auth"]["entity_id"], auth["entity_id"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.userpass.login("alice", "wrong")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.userpass.login("nobody", "wrong")

        entity = self.client.secrets.identity.read_entity(auth["entity_id"])["data"]
        self.assertEqual(entity["aliases"][0]["name"], "alice")
        self.assertEqual(entity["aliases"][0]["mount_accessor"], methods["userpass/"]["accessor"])
        self.assertIn(auth["entity_id"], self.client.secrets.identity.list_entities()["data"]["keys"])

        self.assertEqual(userpass.update_password_on_user("alice", "new-" + password).status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.userpass.login("alice", password)
        login_client.auth.userpass.login("alice", "new-" + password)
        self.assertEqual(userpass.delete_user("alice").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            userpass.read_user("alice")

        self.assertEqual(sys_.disable_auth_method("userpass").status_code, 204)
        self.assertNotIn("userpass/", sys_.list_auth_methods()["data"])
        self.server.stop()
        self.server = None
        self.assert_store_lacks([password, "new-" + password, auth["client_token"]])

    def test_approle(self):
        """The approle auth method through hvac: role, role id, secret ids, login, num_uses."""
        self.init_unsealed()
        self.assertEqual(self.client.sys.enable_auth_method("approle").status_code, 204)
        approle = self.client.auth.approle
        self.assertEqual(
            approle.create_or_update_approle("web", token_policies=["web"], token_ttl="10m").status_code, 204)
        self.assertEqual(approle.list_roles()["data"]["keys"], ["web"])
        self.assertEqual(approle.read_role("web")["data"]["token_policies"], ["web"])
        role_id = approle.read_role_id("web")["data"]["role_id"]
        generated = approle.generate_secret_id("web", metadata={"host": "web-1"})["data"]
        secret_id = generated["secret_id"]
        self.assertTrue(generated["secret_id_accessor"])
        self.assertIn(generated["secret_id_accessor"], approle.list_secret_id_accessors("web")["data"]["keys"])

        login_client = hvac.Client(url=self.server.url)
        auth = login_client.auth.approle.login(role_id, secret_id)["auth"]
        self.assertEqual(auth["policies"], ["default", "web"])
        self.assertEqual(auth["metadata"]["role_name"], "web")
        self.assertEqual(auth["metadata"]["host"], "web-1")
        self.assertEqual(auth["lease_duration"], 600)
        self.assertTrue(auth["entity_id"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.approle.login(role_id, "not-the-secret-id")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.approle.login("not-the-role-id", secret_id)

        # A secret id with one use logs in once.
        once = self.client.adapter.post("/v1/auth/approle/role/web/secret-id", json={"num_uses": 1})
        once_id = once["data"]["secret_id"]
        self.assertEqual(once["data"]["secret_id_num_uses"], 1)
        login_client.auth.approle.login(role_id, once_id)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.approle.login(role_id, once_id)

        self.assertEqual(approle.destroy_secret_id("web", secret_id).status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            login_client.auth.approle.login(role_id, secret_id)
        self.assertEqual(approle.delete_role("web").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            approle.list_roles()
        self.server.stop()
        self.server = None
        self.assert_store_lacks([secret_id, once_id, auth["client_token"]])

    def test_kv_v1(self):
        """kv version 1 at secret/ through hvac, another kv mount, and the values across a restart."""
        keys = self.init_unsealed()["keys"]
        mounts = self.client.sys.list_mounted_secrets_engines()
        self.assertEqual(mounts["data"]["secret/"]["type"], "kv")
        kv = self.client.secrets.kv.v1
        value = "kv-v1-plaintext-through-hvac"
        kv.create_or_update_secret(path="app/db", secret={"password": value}, mount_point="secret")
        kv.create_or_update_secret(path="app/api", secret={"key": "k", "ttl": "1h"}, mount_point="secret")
        read = kv.read_secret(path="app/db", mount_point="secret")
        self.assertEqual(read["data"], {"password": value})
        self.assertEqual(read["lease_duration"], 2764800)
        self.assertEqual(kv.read_secret(path="app/api", mount_point="secret")["lease_duration"], 3600)
        self.assertEqual(kv.list_secrets(path="app", mount_point="secret")["data"]["keys"], ["api", "db"])
        self.assertEqual(kv.list_secrets(path="", mount_point="secret")["data"]["keys"], ["app/"])
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv.list_secrets(path="nothing", mount_point="secret")
        self.assertEqual(kv.delete_secret(path="app/api", mount_point="secret").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv.read_secret(path="app/api", mount_point="secret")

        self.assertEqual(self.client.sys.enable_secrets_engine("kv", path="team", options={"version": "1"}).status_code,
                         204)
        kv.create_or_update_secret(path="x", secret={"a": "b"}, mount_point="team")
        self.assertEqual(kv.read_secret(path="x", mount_point="team")["data"], {"a": "b"})
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            self.client.sys.enable_secrets_engine("kv", path="other", options={"version": "2"})

        root = self.client.token
        self.restart()
        self.client.sys.submit_unseal_key(keys[0])
        self.client.token = root
        kv = self.client.secrets.kv.v1
        self.assertEqual(kv.read_secret(path="app/db", mount_point="secret")["data"], {"password": value})
        self.assertEqual(kv.read_secret(path="x", mount_point="team")["data"], {"a": "b"})
        self.assertEqual(self.client.sys.disable_secrets_engine("team").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            kv.read_secret(path="x", mount_point="team")
        self.server.stop()
        self.server = None
        self.assert_store_lacks([value])

    def test_tokens(self):
        """The token store through hvac's auth.token helpers and the Client's older token methods."""
        sys_ = self.client.sys
        result = sys_.initialize(secret_shares=1, secret_threshold=1)
        sys_.submit_unseal_key(result["keys"][0])
        self.client.token = result["root_token"]
        token = self.client.auth.token
        sys_.create_or_update_policy(
            name="creator", policy='path "auth/token/create" {\n  capabilities = ["update"]\n}\n')

        auth = token.create(policies=["app", "creator"], ttl="1h", meta={"team": "a"})["auth"]
        child, accessor = auth["client_token"], auth["accessor"]
        self.assertEqual(auth["policies"], ["app", "creator", "default"])
        self.assertEqual(auth["token_policies"], auth["policies"])
        self.assertEqual(auth["lease_duration"], 3600)
        self.assertEqual(auth["metadata"], {"team": "a"})
        self.assertTrue(auth["renewable"])
        self.assertFalse(auth["orphan"])

        data = token.lookup(child)["data"]
        self.assertEqual((data["id"], data["accessor"], data["ttl"] > 3500), (child, accessor, True))
        self.assertEqual(data["meta"], {"team": "a"})
        self.assertEqual(data["path"], "auth/token/create")
        self.assertEqual(self.client.lookup_token(child)["data"]["id"], child)
        by_accessor = token.lookup_accessor(accessor)["data"]
        self.assertNotIn("id", by_accessor)
        self.assertNotIn(child.split(".", 1)[-1], json.dumps(by_accessor))
        self.assertEqual(self.client.lookup_token(accessor, accessor=True)["data"]["accessor"], accessor)
        self.assertIn(accessor, token.list_accessors()["data"]["keys"])

        # As the child: lookup-self and renew-self are the default policy's; creating needs "creator".
        as_child = hvac.Client(url=self.server.url, token=child)
        self.assertEqual(as_child.auth.token.lookup_self()["data"]["id"], child)
        self.assertEqual(as_child.lookup_token()["data"]["policies"], ["app", "creator", "default"])
        self.assertTrue(as_child.is_authenticated())
        self.assertEqual(as_child.auth.token.renew_self(increment="30m")["auth"]["lease_duration"], 1800)
        with self.assertRaises(hvac.exceptions.Forbidden):
            as_child.auth.token.list_accessors()
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            as_child.auth.token.create(policies=["ops"])  # not among the parent's policies
        grandchild = as_child.auth.token.create(policies=["app"], ttl="10m")["auth"]["client_token"]

        renewed = token.renew(child, increment="2h")["auth"]
        self.assertEqual((renewed["client_token"], renewed["lease_duration"]), (child, 7200))
        fixed = token.create(policies=["app"], renewable=False)["auth"]["client_token"]
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            token.renew(fixed)

        # Revoking the child takes the grandchild with it.
        self.assertEqual(token.revoke(child).status_code, 204)
        for gone in (child, grandchild):
            with self.assertRaises(hvac.exceptions.Forbidden):
                token.lookup(gone)
        self.assertFalse(as_child.is_authenticated())
        as_child.adapter.close()

        other = token.create(policies=["app"])["auth"]
        self.assertEqual(token.revoke_accessor(other["accessor"]).status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            token.lookup_accessor(other["accessor"])

        # revoke-orphan: the children live on as orphans.
        parent = token.create(policies=["creator"])["auth"]["client_token"]
        as_parent = hvac.Client(url=self.server.url, token=parent)
        kid = as_parent.auth.token.create()["auth"]["client_token"]
        as_parent.adapter.close()
        self.client.revoke_token(parent, orphan=True)
        self.assertTrue(token.lookup(kid)["data"]["orphan"])

        # Roles.
        self.assertEqual(token.create_or_update_role("deploy", allowed_policies=["app", "ops"], orphan=True)
                         .status_code, 204)
        role = token.read_role("deploy")["data"]
        self.assertEqual((role["allowed_policies"], role["orphan"], role["renewable"]), (["app", "ops"], True, True))
        self.assertEqual(token.list_roles()["data"]["keys"], ["deploy"])
        from_role = token.create(role_name="deploy", policies=["ops"])["auth"]
        self.assertEqual((from_role["policies"], from_role["orphan"]), (["default", "ops"], True))
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            token.create(role_name="deploy", policies=["secret-admin"])
        self.assertEqual(token.delete_role("deploy").status_code, 204)
        with self.assertRaises(hvac.exceptions.InvalidPath):
            token.read_role("deploy")

        # The older Client methods.
        legacy = self.client.create_token(policies=["app"], lease="15m", num_uses=3)["auth"]
        self.assertEqual((legacy["lease_duration"], legacy["num_uses"]), (900, 3))
        self.assertTrue(self.client.create_token(orphan=True, policies=["app"])["auth"]["orphan"])
        self.assertEqual(self.client.renew_token(legacy["client_token"], increment=600)["auth"]["lease_duration"], 600)
        self.assertIn("expired_tokens", token.tidy()["data"])

        with self.assertRaises(hvac.exceptions.InvalidRequest):
            token.create(policies=["app"], ttl="forever")

    def test_response_wrapping(self):
        """X-Vault-Wrap-TTL through hvac's wrap_ttl arguments, and sys.unwrap / auth_cubbyhole to unwrap."""
        self.init_unsealed()
        token = self.client.auth.token

        wrapped = token.create(policies=["app"], ttl="1h", wrap_ttl="2m")
        self.assertIsNone(wrapped["auth"])
        self.assertIsNone(wrapped["data"])
        info = wrapped["wrap_info"]
        self.assertEqual((info["ttl"], info["creation_path"]), (120, "auth/token/create"))
        self.assertTrue(info["token"] and info["accessor"] and info["creation_time"])
        looked = self.client.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})["data"]
        self.assertEqual((looked["creation_path"], looked["creation_ttl"]), ("auth/token/create", 120))
        as_wrapping = token.lookup_accessor(info["accessor"])["data"]
        self.assertEqual((as_wrapping["policies"], as_wrapping["num_uses"]), (["response-wrapping"], 1))

        auth = self.client.sys.unwrap(info["token"])["auth"]
        self.assertEqual(auth["policies"], ["app", "default"])
        self.assertEqual(auth["accessor"], info["wrapped_accessor"])
        self.assertEqual(token.lookup(auth["client_token"])["data"]["ttl"] > 3500, True)
        with self.assertRaises(hvac.exceptions.InvalidRequest) as caught:
            self.client.sys.unwrap(info["token"])
        self.assertIn("wrapping token is not valid or does not exist", str(caught.exception))

        # A KV read, wrapped, unwrapped with the wrapping token as the client's token (hvac's auth_cubbyhole).
        self.client.write("secret/app", password="hunter2")
        secret = self.client.read("secret/app", wrap_ttl="60")["wrap_info"]["token"]
        reader = hvac.Client(url=self.server.url)
        reader.token = secret
        self.assertEqual(reader.adapter.post("/v1/sys/wrapping/unwrap", json={})["data"], {"password": "hunter2"})
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            reader.sys.unwrap()
        reader.adapter.close()

        login = token.create(policies=["app"], wrap_ttl="1m")["wrap_info"]["token"]
        fresh = hvac.Client(url=self.server.url)
        fresh.auth_cubbyhole(login)
        self.assertTrue(fresh.is_authenticated())
        self.assertEqual(fresh.lookup_token()["data"]["policies"], ["app", "default"])
        fresh.adapter.close()

        with self.assertRaises(hvac.exceptions.InvalidRequest):
            token.create(policies=["app"], wrap_ttl="soon")

        self.server.stop()
        self.server = None
        self.assert_store_lacks([info["token"], secret, login, auth["client_token"], "hunter2"])

    def test_audit_devices(self):
        """A file audit device through hvac: enable, list, calculate_hash, disable; the log holds hashes only."""
        self.init_unsealed()
        log = os.path.join(self.dir.name, "audit.log")
        sys_ = self.client.sys
        self.assertEqual(sys_.enable_audit_device("file", description="compat", options={"file_path": log},
                                                  path="compat").status_code, 204)
        devices = sys_.list_enabled_audit_devices()
        self.assertEqual(devices["data"]["compat/"]["options"]["file_path"], log)
        self.assertEqual(devices["compat/"]["type"], "file")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            sys_.enable_audit_device("syslog", path="other")
        value = "audit-through-hvac-plaintext"
        self.client.secrets.kv.v1.create_or_update_secret(path="audited", secret={"v": value}, mount_point="secret")
        hashed = sys_.calculate_hash("compat", value)["hash"]
        self.assertTrue(hashed.startswith("hmac-sha256:"))
        self.assertEqual(sys_.disable_audit_device("compat").status_code, 204)
        self.assertEqual(sys_.list_enabled_audit_devices()["data"], {})
        with open(log, "rb") as f:
            text = f.read()
        self.assertIn(hashed.encode(), text)
        self.assertNotIn(value.encode(), text)
        self.assertNotIn(self.client.token.encode(), text)
        verified = subprocess.run([SERVER, "audit", "verify", log], capture_output=True, text=True)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        self.assertTrue(verified.stdout.startswith("OK: "))

    def test_policy_gate(self):
        """A policy gate (GatePlane's access requests) through hvac's adapter: ask, review, approve, claim once."""
        self.init_unsealed()
        sys_ = self.client.sys
        self.assertEqual(sys_.enable_auth_method("userpass").status_code, 204)
        self.assertEqual(sys_.enable_auth_method("policy-gate", path="gate").status_code, 204)
        sys_.create_or_update_policy("requester", 'path "auth/gate/request" { capabilities = ["create", "update", '
                                                  '"read"] }\npath "auth/gate/cancel" { capabilities = ["update"] }')
        sys_.create_or_update_policy("approver", 'path "auth/gate/request" { capabilities = ["list", "read"] }\n'
                                                 'path "auth/gate/approve" { capabilities = ["update"] }\n'
                                                 'path "auth/gate/deny" { capabilities = ["update"] }')
        sys_.create_or_update_policy("prod", 'path "secret/prod/*" { capabilities = ["read"] }')
        adapter = self.client.adapter
        self.assertEqual(adapter.post("/v1/auth/gate/config",
                                      json={"policies": ["prod"], "required_approvals": 2, "token_ttl": "15m"})
                         .status_code, 204)
        self.assertEqual(adapter.get("/v1/auth/gate/config")["data"]["required_approvals"], 2)
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            adapter.post("/v1/auth/gate/config", json={"required_approvals": 0})

        clients = {}
        for user, policy in (("alice", "requester"), ("bob", "approver"), ("carol", "approver")):
            self.client.auth.userpass.create_or_update_user(user, "pw-" + user, policies=[policy])
            clients[user] = hvac.Client(url=self.server.url)
            clients[user].auth.userpass.login(user, "pw-" + user)
        alice, bob, carol = clients["alice"].adapter, clients["bob"].adapter, clients["carol"].adapter

        asked = alice.post("/v1/auth/gate/request", json={"reason": "hotfix (ticket 7)"})["data"]
        self.assertEqual((asked["status"], asked["overwrite"]), ("pending", False))
        request_id = asked["request_id"]
        self.assertEqual(alice.get("/v1/auth/gate/request")["data"]["grant_code"], "")
        with self.assertRaises(hvac.exceptions.Forbidden):
            alice.post("/v1/auth/gate/approve", json={"request_id": request_id})
        with self.assertRaises(hvac.exceptions.Forbidden):
            alice.list("/v1/auth/gate/request")

        listed = bob.list("/v1/auth/gate/request")["data"]
        self.assertEqual(listed["keys"], [request_id])
        info = listed["key_info"][0]
        self.assertEqual((info["status"], info["num_approvals"], info["remaining_approvals"], info["have_approved"]),
                         ("pending", 0, 2, False))
        self.assertEqual(info["reason"], "hotfix (ticket 7)")
        self.assertFalse(bob.post("/v1/auth/gate/approve", json={"request_id": request_id})["data"]["access_approved"])
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            bob.post("/v1/auth/gate/approve", json={"request_id": request_id})
        self.assertTrue(bob.list("/v1/auth/gate/request")["data"]["key_info"][0]["have_approved"])
        self.assertTrue(carol.post("/v1/auth/gate/approve", json={"request_id": request_id})["data"]["access_approved"])

        mine = alice.get("/v1/auth/gate/request")["data"]
        self.assertEqual(mine["status"], "approved")
        code = mine["grant_code"]
        anonymous = hvac.Client(url=self.server.url)
        granted = anonymous.adapter.post("/v1/auth/gate/claim", json={"grant_code": code})["auth"]
        self.assertEqual(granted["policies"], ["default", "prod"])
        self.assertEqual(granted["lease_duration"], 900)
        self.assertEqual(granted["metadata"]["grantedBy"], "policy-gate")
        with self.assertRaises(hvac.exceptions.Forbidden):
            anonymous.adapter.post("/v1/auth/gate/claim", json={"grant_code": code})
        holder = hvac.Client(url=self.server.url, token=granted["client_token"])
        self.assertEqual(holder.lookup_token()["data"]["policies"], ["default", "prod"])

        # Deny and cancel.
        second = alice.post("/v1/auth/gate/request", json={"justification": "again"})["data"]["request_id"]
        denied = carol.post("/v1/auth/gate/deny", json={"request_id": second, "reason": "not now"})["data"]
        self.assertEqual(denied["status"], "denied")
        third = alice.post("/v1/auth/gate/request", json={"reason": "third"})["data"]["request_id"]
        self.assertEqual(alice.post("/v1/auth/gate/cancel", json={"request_id": third})["data"]["status"], "cancelled")
        with self.assertRaises(hvac.exceptions.InvalidRequest):
            bob.post("/v1/auth/gate/approve", json={"request_id": third})
        for c in list(clients.values()) + [anonymous, holder]:
            c.adapter.close()

        self.server.stop()
        self.server = None
        self.assert_store_lacks([code, granted["client_token"], "hotfix (ticket 7)"])

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    args, rest = parser.parse_known_args()
    SERVER = args.server
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
