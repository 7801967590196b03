<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Connection</name>
    <message>
        <source>A connection needs a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A connection&apos;s name may not start or end with spaces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server address must be an http:// or https:// URL with a host name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA file %1 does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded server on this computer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ApiClient</name>
    <message>
        <source>No PEM certificate could be read from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported HTTP method &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No server address is set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported server address scheme &quot;%1&quot; (use http or https)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS is not available (Qt has no TLS backend), cannot reach %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ApiReply</name>
    <message>
        <source>Cannot connect to %1: connection refused (is the server running?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect to %1: host not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 closed the connection before answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timed out connecting to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request to %1 cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timed out waiting for %1 to answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS handshake with %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the server at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer is not JSON (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer is not a JSON object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered HTTP %1%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered HTTP %1 but %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::BrokerUnsealDialog</name>
    <message>
        <source>Unseal the broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrapped token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AppRole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credential method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credential the broker keeps in memory to issue task tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token (or wrapping token), hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AppRole&apos;s role_id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;ecret ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AppRole&apos;s secret_id, hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>M&amp;ount:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AppRole mount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path the AppRole method is mounted at; empty for approle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker unseal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dialog buttons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Unseal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hand the credential to the broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The broker stays sealed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ConnectionSwitcher</name>
    <message>
        <source>Signed in with the token kept in the system keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token kept in the keychain was refused (%1): sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your token is kept in the system keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your token was deleted from the system keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the embedded server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA file of %1 cannot be used: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded server did not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ConnectionsDialog</name>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers this console knows; double-click to connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Embedded server on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A name for this connection, unique among them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind of server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console&apos;s own embedded server, or a remote one at an address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The remote server&apos;s http:// or https:// URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificate file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM CA certificates to trust for this server instead of the system&apos;s; empty for the system&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for a CA file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verify the server&apos;s TLS certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify TLS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn off only for a test server: without it anyone on the way can read your token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep my &amp;token in the system keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep token in keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stay signed in across restarts; the token is kept nowhere else</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ne&amp;w</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget the selected connection and its kept token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the connection as entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save, then switch the console to it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dialog buttons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ConnectionsModel</name>
    <message>
        <source>There is already a connection called %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no connection called %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::EventWatcher</name>
    <message>
        <source>The server&apos;s events answer (HTTP %1) has no index</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::GateActions</name>
    <message>
        <source>A reason is required to deny a request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No gate is chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request on %1 is %2, not approved: there is nothing to claim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s claim answer holds no token</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::InitWizard</name>
    <message>
        <source>Save the key shares and root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialise the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialisation steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares and threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares and root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s unseal key is split into key shares; a threshold of them unseals it. Give them to different people.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Introduction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key &amp;shares:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many key shares to issue (1 to 255)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Threshold:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many key shares unseal the server (at least 2 when more than one share is issued)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialisation error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Initialise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate the key shares and the root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These key shares and this root token are shown only this once and are not kept anywhere: store them safely now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Key shares:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The unseal key shares, one a line, in hex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Root token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The initial root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Copy the key shares and the root token; the clipboard is cleared after %n second(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Save…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the key shares and the root token to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the key shares and the root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I have &amp;stored the key shares and the root token safely</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Material stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close; the key shares and the root token are then wiped from this window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused to initialise: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatekeeper key shares for %1 (%2 of %3 unseal it)
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal key %1: %2
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Root token: %1
</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Copied. The clipboard will be cleared in %n second(s) if it still holds them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Saved to %1 (readable by you only).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent to the printer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm that you have stored the key shares and the root token first: they cannot be shown again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::LoginDialog</name>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Username &amp; password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AppRole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How to prove who you are: a token, a user name and password, or an AppRole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token, hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your user name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your password, hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AppRole&apos;s role_id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;ecret ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AppRole&apos;s secret_id, hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>M&amp;ount:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auth mount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path the auth method is mounted at; empty for its default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dialog buttons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with what is entered above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::MainWindow</name>
    <message>
        <source>About Gatekeeper</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatekeeper %1
Administration console for a Vault-compatible token authority.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatekeeper</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Gatekeeper</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Help menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address of the server this console watches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connection:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether the server answers, or why it does not</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Initialised:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initialised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whether the server&apos;s key shares and root token have been generated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;eal state:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed: the server cannot decrypt its storage until enough key shares are entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Key shares:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many key shares are needed to unseal, out of how many were issued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Unseal progress:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares entered so far towards the threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Version:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;luster:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The cluster&apos;s name and id, known while unsealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the server for its seal state now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last checked at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s answer (HTTP %1) was not understood: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the seal state: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not initialised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 needed to unseal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None issued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 key shares entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown while sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed out: sign in to see the access requests.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session has ended (%1): sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Console sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed &amp;in as:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who you are signed in as, your policies and when your token expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with a token, a user name and password, or an AppRole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End the session and revoke its token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access requests need a token for this server: sign in first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access requests (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) await your decision</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session expired: sign in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (policies: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, token without expiry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, expires in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Se&amp;al</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Initialise…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate the key shares and the root token of a new server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Unseal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter key shares to unseal the server (or every peer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Seal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal the server: it stops serving until unsealed again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Broker unseal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the task token broker the credential it issues task tokens with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker s&amp;eal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make the task token broker forget its credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Seal the server? It stops serving requests until %n key share(s) unseal it again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The server is sealed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not seal: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal the task token broker? It forgets its credential and issues no task token until unsealed again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not seal the broker: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;onnect to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to menu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Manage connections…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::Notifier</name>
    <message>
        <source>Your request on %1 was approved: you may claim the access now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request on %1 was denied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access request approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access request denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks for access through %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks for access through %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New access request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatekeeper</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::PeersModel</name>
    <message>
        <source>The server&apos;s answer (HTTP %1) was not understood: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Standby</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::RateChart</name>
    <message>
        <source>requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No rate measured yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Latest: %1 %3 per minute; highest of the last %n reading(s): %2</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>gk::RequestsModel</name>
    <message>
        <source>Live updates fail, retrying: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list the policy gates (sys/auth): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list the requests of gate %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1d %2h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1h %2m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1m %2s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requester</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My vote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::RequestsView</name>
    <message>
        <source>Access granted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token granted through gate %1 is shown only this once. Copy it now: it is not kept anywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy and close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the token and close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by requester, gate, reason…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows only the requests whose text contains this</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests of every gate you may list; select one for details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select all requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;quester:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requester</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Gate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;tatus:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appro&amp;vals:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved &amp;by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;When asked:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xpires:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve the selected request (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny the selected request, with a reason (Ctrl+D)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gat&amp;e:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gate to ask on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As&amp;k for access…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask for access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;ncel my request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel my request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;laim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exchange your approved request for a token, shown once</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n pending</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) await your decision</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no gate you may ask on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read your request: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have no request on this gate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request is pending: %1 of %2 approvals.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request is approved: claim it before %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request was denied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request was denied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your last request is %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none given)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, including yours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1. %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No approvals yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 ago)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny access request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is the request of %1 denied?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny failed: a reason is required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why do you need the access gate %1 grants?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::SealActions</name>
    <message>
        <source>The server&apos;s answer (HTTP %1) was not understood: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (HTTP %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The number of key shares must be between 1 and %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The threshold must be between 1 and the number of key shares (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With more than one key share, the threshold must be at least 2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s init answer holds no key shares or no root token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a key share first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s ha-status answer lists no node</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::ServerStatus</name>
    <message>
        <source>The server&apos;s answer (HTTP %1) was not understood: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::Session</name>
    <message>
        <source>The token has expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A token is required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s login answer has no token</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::SessionKeeper</name>
    <message>
        <source>The saved token will be tried once the server answers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved token will be tried once the server is unsealed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::StatusView</name>
    <message>
        <source>Server status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I&amp;d:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A random id the server takes at each start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Version:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Uptime:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long the server has been running, and since when</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Barrier:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Barrier seal state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed: the server cannot decrypt its storage until enough key shares are entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bro&amp;ker:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker seal state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed: the task token broker has no credential and issues no task token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Task tokens:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker counters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The broker&apos;s task token requests since the server started: all, successful, denied and failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Peers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The servers of the cluster, their seal state and role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers table corner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (since %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests: %1 (successful %2, denied %3, failed %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not initialised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the server&apos;s status: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the seal state: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to see the peers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list the peers: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::TokenKeychain</name>
    <message>
        <source>The system keychain refused access (%1); the token is kept in memory only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain cannot be reached (%1); the token is kept in memory only.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gk::UnsealDialog</name>
    <message>
        <source>Unseal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key &amp;share:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One unseal key share, in hex or base64, hidden as you type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;how</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the key share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key shares entered so far towards the threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seal state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal &amp;all peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unseal all peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send each key share to every sealed server of the cluster, as listed by the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;ubmit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Submit the key share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the key share; the field is cleared afterwards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget the key shares entered so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the server for its peers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not list its peers (%1): only this server is unsealed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n server(s) listed.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No sealed server to unseal.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key share was refused: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not initialised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 key shares entered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the seal state…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is unsealed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is not initialised yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Sealed: %n more key share(s) needed (%1 of the %2 issued unseal it).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>This computer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
