// The task policy matcher (Gatekeeper's format) and the grid's trusted_subnets check, without a server.

#include "engine/broker/Grid.h"
#include "engine/broker/TaskPolicies.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace gk;

namespace {

QJsonObject rule(const QStringList &roles, int numUses = 0)
{
    QJsonObject r{{QStringLiteral("roles"), QJsonArray::fromStringList(roles)}};
    if (numUses > 0)
        r.insert(QStringLiteral("num_uses"), numUses);
    return r;
}

TaskPolicies parsed(const QJsonObject &json)
{
    Result<TaskPolicies> p = TaskPolicies::parse(json);
    if (!p)
        qFatal("policies did not parse: %s", qPrintable(p.error()));
    return p.takeValue();
}

} // namespace

class TestTaskPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void badKeysAreNamed_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        const QJsonValue ok = rule({QStringLiteral("r")});
        QTest::newRow("one part") << QStringLiteral("prod") << ok;
        QTest::newRow("four parts") << QStringLiteral("a:b:c:d") << ok;
        QTest::newRow("inner glob") << QStringLiteral("prod:*:api") << ok;
        QTest::newRow("glob in grid") << QStringLiteral("pr*:api") << ok;
        QTest::newRow("bad grid") << QStringLiteral("Prod!:api") << ok;
        QTest::newRow("empty group") << QStringLiteral("prod::api") << ok;
        QTest::newRow("empty task") << QStringLiteral("prod:") << ok;
        QTest::newRow("value not object") << QStringLiteral("prod:api") << QJsonValue(3);
        QTest::newRow("roles not list") << QStringLiteral("prod:api") << QJsonValue(QJsonObject{{"roles", "r"}});
        QTest::newRow("bad role") << QStringLiteral("prod:api") << QJsonValue(rule({QStringLiteral("no/slash")}));
        QTest::newRow("zero uses") << QStringLiteral("prod:api") << QJsonValue(QJsonObject{{"num_uses", 0}});
        QTest::newRow("fraction uses") << QStringLiteral("prod:api") << QJsonValue(QJsonObject{{"num_uses", 1.5}});
        QTest::newRow("text uses") << QStringLiteral("prod:api") << QJsonValue(QJsonObject{{"num_uses", "2"}});
        QTest::newRow("unknown field") << QStringLiteral("prod:api") << QJsonValue(QJsonObject{{"policies", 1}});
    }
    void badKeysAreNamed()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        const QJsonObject json{{QStringLiteral("prod:fine"), rule({QStringLiteral("r")})}, {key, value}};
        const Result<TaskPolicies> p = TaskPolicies::parse(json);
        QVERIFY(!p);
        QCOMPARE(p.httpStatus(), 400);
        QVERIFY2(p.error().contains(QLatin1Char('"') + key + QLatin1Char('"')), qPrintable(p.error()));
    }

    void exactAndGlobKeys()
    {
        const TaskPolicies p = parsed({{QStringLiteral("prod:api"), rule({QStringLiteral("exact")})},
                                       {QStringLiteral("prod:web-*"), rule({QStringLiteral("web")})},
                                       {QStringLiteral("prod:front:*"), rule({QStringLiteral("front")})}});
        QCOMPARE(p.match(QStringLiteral("prod"), QString(), QStringLiteral("api")).roles, QStringList{"exact"});
        QVERIFY(p.match(QStringLiteral("prod"), QString(), QStringLiteral("api2")).roles.isEmpty());
        QCOMPARE(p.match(QStringLiteral("prod"), QString(), QStringLiteral("web-1")).roles, QStringList{"web"});
        QVERIFY(p.match(QStringLiteral("prod"), QString(), QStringLiteral("web")).roles.isEmpty());
        // A grid:group:task key needs the group; a grid:task key ignores it.
        QVERIFY(p.match(QStringLiteral("prod"), QString(), QStringLiteral("x")).roles.isEmpty());
        QCOMPARE(p.match(QStringLiteral("prod"), QStringLiteral("front"), QStringLiteral("x")).roles,
                 QStringList{"front"});
        QCOMPARE(p.match(QStringLiteral("prod"), QStringLiteral("front"), QStringLiteral("api")).roles,
                 (QStringList{"front", "exact"}));
        // Another grid matches nothing.
        QVERIFY(p.match(QStringLiteral("dev"), QString(), QStringLiteral("api")).matchedKeys.isEmpty());
    }

    void longestKeyWinsNumUsesAndRolesMerge()
    {
        const TaskPolicies p = parsed({{QStringLiteral("prod:*"), rule({QStringLiteral("base"), QStringLiteral("logs")}, 5)},
                                       {QStringLiteral("prod:api-*"), rule({QStringLiteral("api")}, 2)},
                                       {QStringLiteral("prod:web:api-*"), rule({QStringLiteral("web"), QStringLiteral("base")})}});
        const TaskPolicies::Decision d = p.match(QStringLiteral("prod"), QStringLiteral("web"), QStringLiteral("api-1"));
        QCOMPARE(d.matchedKeys, (QStringList{"prod:web:api-*", "prod:api-*", "prod:*"}));
        // The longest key sets no num_uses: the next longest that does decides.
        QCOMPARE(d.numUses, 2);
        // Merged, longest key first, each once; the first is the default.
        QCOMPARE(d.roles, (QStringList{"web", "base", "api", "logs"}));

        const TaskPolicies::Decision other = p.match(QStringLiteral("prod"), QString(), QStringLiteral("db"));
        QCOMPARE(other.numUses, 5);
        QCOMPARE(other.roles, (QStringList{"base", "logs"}));
    }

    void numUsesDefaultsToOne()
    {
        const TaskPolicies p = parsed({{QStringLiteral("prod:*"), rule({QStringLiteral("r")})}});
        QCOMPARE(p.match(QStringLiteral("prod"), QString(), QStringLiteral("x")).numUses, 1);
    }

    void nameExpands()
    {
        const TaskPolicies p = parsed({{QStringLiteral("prod:*"), rule({QStringLiteral("{{name}}-db"), QStringLiteral("base")})}});
        const TaskPolicies::Decision d = p.match(QStringLiteral("prod"), QString(), QStringLiteral("Billing"));
        QCOMPARE(d.roles, (QStringList{"billing-db", "base"}));
        // A name that makes no role name leaves that role out.
        for (const QString &odd : {QStringLiteral("web api"), QStringLiteral("a/b"), QStringLiteral("{{name}}"),
                                   QString(130, QLatin1Char('n'))}) {
            QCOMPARE(p.match(QStringLiteral("prod"), QString(), odd).roles, QStringList{"base"});
        }
        const TaskPolicies only = parsed({{QStringLiteral("prod:*"), rule({QStringLiteral("{{name}}")})}});
        const TaskPolicies::Decision none = only.match(QStringLiteral("prod"), QString(), QStringLiteral("web api"));
        QVERIFY(none.roles.isEmpty());
        QCOMPARE(none.matchedKeys, QStringList{"prod:*"});
    }

    void roundTrips()
    {
        const QJsonObject json{{QStringLiteral("prod:*"), rule({QStringLiteral("a")}, 3)},
                               {QStringLiteral("prod:g:t"), rule({QStringLiteral("b")})}};
        QCOMPARE(parsed(json).toJson(), json);
    }

    void subnets_data()
    {
        QTest::addColumn<QStringList>("subnets");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("none: any") << QStringList() << QStringLiteral("203.0.113.9") << true;
        QTest::newRow("v4 in") << QStringList{"10.0.0.0/8"} << QStringLiteral("10.1.2.3") << true;
        QTest::newRow("v4 out") << QStringList{"10.0.0.0/8"} << QStringLiteral("11.1.2.3") << false;
        QTest::newRow("v4 host") << QStringList{"127.0.0.1"} << QStringLiteral("127.0.0.1") << true;
        QTest::newRow("mapped peer") << QStringList{"127.0.0.0/8"} << QStringLiteral("::ffff:127.0.0.1") << true;
        QTest::newRow("mapped peer out") << QStringList{"10.0.0.0/8"} << QStringLiteral("::ffff:127.0.0.1") << false;
        QTest::newRow("mapped subnet") << QStringList{"::ffff:127.0.0.0/104"} << QStringLiteral("127.0.0.1") << true;
        QTest::newRow("v6 in") << QStringList{"fd00::/8"} << QStringLiteral("fd12::1") << true;
        QTest::newRow("v6 loopback") << QStringList{"::1/128"} << QStringLiteral("::1") << true;
        QTest::newRow("v6 vs v4") << QStringList{"::/0"} << QStringLiteral("127.0.0.1") << false;
        QTest::newRow("v4 vs v6") << QStringList{"0.0.0.0/0"} << QStringLiteral("::1") << false;
        QTest::newRow("second") << QStringList{"10.0.0.0/8", "::1/128"} << QStringLiteral("::1") << true;
    }
    void subnets()
    {
        QFETCH(QStringList, subnets);
        QFETCH(QString, peer);
        QFETCH(bool, allowed);
        Grid g;
        g.trustedSubnets = subnets;
        QCOMPARE(g.allowsPeer(QHostAddress(peer)), allowed);
    }

    void gridValidation_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::newRow("static") << QByteArray("{\"scheduler\":{\"type\":\"static\"}}") << true;
        QTest::newRow("nomad") << QByteArray("{\"scheduler\":{\"type\":\"nomad\",\"address\":\"http://n:4646\"}}") << true;
        QTest::newRow("nomad no address") << QByteArray("{\"scheduler\":{\"type\":\"nomad\"}}") << false;
        QTest::newRow("bad type") << QByteArray("{\"scheduler\":{\"type\":\"swarm\"}}") << false;
        QTest::newRow("bad field") << QByteArray("{\"scheduler\":{\"type\":\"static\",\"x\":1}}") << false;
        QTest::newRow("bad cidr") << QByteArray("{\"scheduler\":{\"type\":\"static\"},\"trusted_subnets\":[\"10.0.0.0/33\"]}") << false;
        QTest::newRow("v6 cidr") << QByteArray("{\"scheduler\":{\"type\":\"static\"},\"trusted_subnets\":[\"fd00::/8\"]}") << true;
        QTest::newRow("grace") << QByteArray("{\"scheduler\":{\"type\":\"static\"},\"task_grace\":\"5m\"}") << true;
        QTest::newRow("bad grace") << QByteArray("{\"scheduler\":{\"type\":\"static\"},\"task_grace\":\"soon\"}") << false;
        QTest::newRow("bad host_check") << QByteArray("{\"scheduler\":{\"type\":\"static\"},\"host_check\":\"no\"}") << false;
    }
    void gridValidation()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        const Result<Grid> g = Grid::apply(Grid(), QJsonDocument::fromJson(body).object());
        QCOMPARE(bool(g), ok);
        if (ok) {
            QCOMPARE(g.value().hostCheck, true);
            QVERIFY(g.value().taskGrace == Grid::kDefaultTaskGrace || body.contains("task_grace"));
        }
    }

    void tokenIsRedacted()
    {
        Grid g = Grid::apply(Grid(), QJsonDocument::fromJson("{\"scheduler\":{\"type\":\"nomad\",\"address\":"
                                                             "\"https://n:4646\",\"token\":\"s3cr3t\"}}")
                                         .object())
                     .value();
        QCOMPARE(g.schedulerToken, QStringLiteral("s3cr3t"));
        const QByteArray shown = QJsonDocument(g.toApiJson()).toJson();
        QVERIFY(!shown.contains("s3cr3t"));
        QVERIFY(shown.contains("<redacted>"));
        // Writing back what GET answered keeps the token.
        g = Grid::apply(g, g.toApiJson()).value();
        QCOMPARE(g.schedulerToken, QStringLiteral("s3cr3t"));
    }
};

QTEST_GUILESS_MAIN(TestTaskPolicy)
#include "tst_taskpolicy.moc"
