<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
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
</context>
</TS>
