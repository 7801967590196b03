// ACL evaluation: exact rules and globs, '+' segments, Vault's priority order, merging, deny, root, default.

#include "engine/policy/Acl.h"
#include "engine/policy/DefaultPolicy.h"
#include "engine/policy/PolicyParser.h"

#include <QTest>

using namespace gk;

namespace {

std::shared_ptr<const Policy> policy(const QString &text)
{
    Result<Policy> r = PolicyParser::parse(QStringLiteral("p"), text);
    if (!r)
        qFatal("%s", qPrintable(r.error()));
    return std::make_shared<const Policy>(r.takeValue());
}

std::shared_ptr<const Acl> acl(std::initializer_list<QString> texts)
{
    QList<std::shared_ptr<const Policy>> policies;
    for (const QString &text : texts)
        policies.append(policy(text));
    return Acl::compile(policies);
}

QString rule(const QString &glob, const QString &caps)
{
    return QStringLiteral("path \"%1\" { capabilities = [%2] }\n").arg(glob, caps);
}

} // namespace

class TestAcl final : public QObject
{
    Q_OBJECT

private slots:
    void exactBeatsGlob()
    {
        const auto a = acl({rule(QStringLiteral("secret/foo"), QStringLiteral("\"read\"")) +
                            rule(QStringLiteral("secret/*"), QStringLiteral("\"read\", \"update\""))});
        QVERIFY(a->allows(Operation::Read, QStringLiteral("secret/foo")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("secret/foo")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("secret/bar")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("secret/foo/deeper")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("secret")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("other/foo")));
        QVERIFY(!a->allows(Operation::Delete, QStringLiteral("secret/bar")));
    }

    void plusMatchesOneSegment()
    {
        const auto a = acl({rule(QStringLiteral("secret/+/config"), QStringLiteral("\"read\"")) +
                            rule(QStringLiteral("team/+/x*"), QStringLiteral("\"list\"")) +
                            rule(QStringLiteral("+"), QStringLiteral("\"delete\""))});
        QVERIFY(a->allows(Operation::Read, QStringLiteral("secret/app/config")));
        QVERIFY(a->allows(Operation::Read, QStringLiteral("secret//config")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("secret/a/b/config")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("secret/config")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("secret/app/config2")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("team/a/xyz/more")));
        QVERIFY(!a->allows(Operation::List, QStringLiteral("team/a/y")));
        QVERIFY(a->allows(Operation::Delete, QStringLiteral("anything")));
        QVERIFY(!a->allows(Operation::Delete, QStringLiteral("any/thing")));
    }

    void priorityOrder_data()
    {
        QTest::addColumn<QString>("winner");
        QTest::addColumn<QString>("loser");
        QTest::addColumn<QString>("path");
        QTest::newRow("first wildcard later") << "secret/a/+"
                                              << "secret/+/b"
                                              << "secret/a/b";
        QTest::newRow("longer prefix") << "secret/ab*"
                                       << "secret/a*"
                                       << "secret/abc";
        QTest::newRow("not ending in glob") << "secret/+/b"
                                            << "secret/+/b*"
                                            << "secret/x/b";
        QTest::newRow("plus before glob") << "a/b/+"
                                          << "a/b*"
                                          << "a/b/c";
        QTest::newRow("fewer plus") << "a/+/c/d"
                                    << "a/+/+/d"
                                    << "a/x/c/d";
        QTest::newRow("longer") << "a/+/cd*"
                                << "a/+/c*"
                                << "a/x/cde";
        QTest::newRow("lexicographic") << "a/+/b/+"
                                       << "a/+/+/c"
                                       << "a/x/b/c";
    }
    void priorityOrder()
    {
        QFETCH(QString, winner);
        QFETCH(QString, loser);
        QFETCH(QString, path);
        // In either order of writing, and from separate policies: the winner's capabilities alone apply.
        for (bool swap : {false, true}) {
            const QString w = rule(winner, QStringLiteral("\"read\""));
            const QString l = rule(loser, QStringLiteral("\"update\""));
            const auto one = acl({swap ? l + w : w + l});
            const auto two = acl({swap ? l : w, swap ? w : l});
            for (const auto &a : {one, two}) {
                QVERIFY2(a->allows(Operation::Read, path), qPrintable(winner));
                QVERIFY2(!a->allows(Operation::Update, path), qPrintable(loser));
            }
        }
        // The loser alone still matches the path.
        QVERIFY(acl({rule(loser, QStringLiteral("\"update\""))})->allows(Operation::Update, path));
    }

    void samePathMergesAcrossPolicies()
    {
        const auto a = acl({rule(QStringLiteral("secret/m"), QStringLiteral("\"read\"")),
                            rule(QStringLiteral("secret/m"), QStringLiteral("\"list\"")),
                            rule(QStringLiteral("secret/*"), QStringLiteral("\"delete\""))});
        QCOMPARE(a->capabilityNames(QStringLiteral("secret/m")), (QStringList{"list", "read"}));
        QVERIFY(!a->allows(Operation::Delete, QStringLiteral("secret/m")));
    }

    void denyWins()
    {
        // On the same path, deny from any policy beats every grant, sudo included.
        const auto a = acl({rule(QStringLiteral("secret/x"), QStringLiteral("\"read\", \"sudo\"")),
                            rule(QStringLiteral("secret/x"), QStringLiteral("\"deny\"")),
                            rule(QStringLiteral("secret/*"), QStringLiteral("\"read\""))});
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("secret/x")));
        QCOMPARE(a->capabilityNames(QStringLiteral("secret/x")), QStringList{"deny"});
        QVERIFY(a->allows(Operation::Read, QStringLiteral("secret/y")));

        // A more specific grant beats a less specific deny (Vault's rule: the most specific path decides).
        const auto b = acl({rule(QStringLiteral("secret/*"), QStringLiteral("\"deny\"")),
                            rule(QStringLiteral("secret/open"), QStringLiteral("\"read\""))});
        QVERIFY(b->allows(Operation::Read, QStringLiteral("secret/open")));
        QVERIFY(!b->allows(Operation::Read, QStringLiteral("secret/closed")));
        QVERIFY(!b->allows(Operation::Help, QStringLiteral("secret/closed")));
    }

    void operationsToCapabilities()
    {
        const auto a = acl({rule(QStringLiteral("c"), QStringLiteral("\"create\"")) +
                            rule(QStringLiteral("u"), QStringLiteral("\"update\"")) +
                            rule(QStringLiteral("p"), QStringLiteral("\"patch\"")) +
                            rule(QStringLiteral("s"), QStringLiteral("\"update\", \"sudo\"")) +
                            rule(QStringLiteral("l"), QStringLiteral("\"list\""))});
        QVERIFY(a->allows(Operation::Update, QStringLiteral("c")));
        QVERIFY(!a->allows(Operation::Patch, QStringLiteral("c")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("u")));
        QVERIFY(a->allows(Operation::Patch, QStringLiteral("u")));
        QVERIFY(a->allows(Operation::Patch, QStringLiteral("p")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("p")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("u"), true));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("s"), true));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("s"), true));
        QVERIFY(a->allows(Operation::Help, QStringLiteral("l")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("l")));
        QVERIFY(!a->allows(Operation::Unknown, QStringLiteral("u")));
        QCOMPARE(a->capabilityNames(QStringLiteral("s")), (QStringList{"sudo", "update"}));
        QCOMPARE(a->capabilityNames(QStringLiteral("nothing")), QStringList{"deny"});
    }

    void listLooksAtTheFolder()
    {
        const auto a = acl({rule(QStringLiteral("kv/folder/"), QStringLiteral("\"list\"")) +
                            rule(QStringLiteral("kv/plain"), QStringLiteral("\"list\"")) +
                            rule(QStringLiteral("kv/globbed/*"), QStringLiteral("\"list\"")) +
                            rule(QStringLiteral("+/sys/policies/acl"), QStringLiteral("\"list\""))});
        QVERIFY(a->allows(Operation::List, QStringLiteral("kv/folder")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("kv/folder/")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("kv/plain/")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("kv/globbed")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("ns/sys/policies/acl")));
        QVERIFY(a->allows(Operation::List, QStringLiteral("ns/sys/policies/acl/")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("kv/globbed")));
        QVERIFY(!a->allows(Operation::List, QStringLiteral("kv/other")));
    }

    void rootAllowsEverything()
    {
        const auto a = Acl::root();
        QVERIFY(a->isRoot());
        QVERIFY(a->allows(Operation::Update, QStringLiteral("sys/seal"), true));
        QVERIFY(a->allows(Operation::Delete, QStringLiteral("anything/at/all")));
        QCOMPARE(a->capabilityNames(QStringLiteral("x")), QStringList{"root"});
        QVERIFY(!Acl::compile({})->allows(Operation::Read, QStringLiteral("x")));
    }

    void defaultPolicy()
    {
        const auto a = acl({defaultPolicyText()});
        QVERIFY(a->allows(Operation::Read, QStringLiteral("auth/token/lookup-self")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("auth/token/renew-self")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("auth/token/revoke-self")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("sys/capabilities-self")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("sys/wrapping/unwrap")));
        QVERIFY(a->allows(Operation::Update, QStringLiteral("sys/leases/lookup")));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("auth/token/lookup-self/x")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("auth/token/create")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("sys/seal"), true));
        QVERIFY(!a->allows(Operation::Read, QStringLiteral("sys/policy")));
        QVERIFY(!a->allows(Operation::Update, QStringLiteral("sys/policies/acl/default")));
    }
};

QTEST_GUILESS_MAIN(TestAcl)
#include "tst_acl.moc"
