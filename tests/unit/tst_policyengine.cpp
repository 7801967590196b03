// ACL policies through Engine::handle(): the sys/policy, sys/policies/acl and sys/capabilities-self routes, and
// enforcement of a token's policies in the pipeline, over the in-memory store with the real barrier and seal.

#include "engine/Engine.h"
#include "engine/policy/PolicyStore.h"
#include "engine/storage/InmemStorage.h"
#include "engine/token/TokenStore.h"

#include <QJsonArray>
#include <QTest>

using namespace gk;

namespace {

// Answers every operation on any path below its mount, behind the token check (as a secrets engine would).
class SecretBackend final : public Backend
{
public:
    QString type() const override { return QStringLiteral("test-app"); }
    QList<PathSpec> paths() override
    {
        const Handler echo = [](const Request &r) {
            return QtFuture::makeReadyFuture(Response::ok(
                {{QStringLiteral("path"), r.mountPath}, {QStringLiteral("op"), operationName(r.operation)}}));
        };
        PathSpec all;
        all.pattern = QStringLiteral(".*");
        all.handlers = {{Operation::Read, echo},   {Operation::List, echo},  {Operation::Update, echo},
                        {Operation::Delete, echo}, {Operation::Patch, echo}, {Operation::Help, echo}};
        return {all};
    }
};

const QString kMine = QStringLiteral("\n"
                                     "# What the test token may do.\n"
                                     "path \"app/*\" {\n"
                                     "    capabilities = [\"read\", \"list\"]\n"
                                     "}\n"
                                     "path \"app/private/*\" {\n"
                                     "    capabilities = [\"deny\"]\n"
                                     "}\n"
                                     "path \"app/rw/+\" {\n"
                                     "    capabilities = [\"create\", \"update\", \"delete\"]\n"
                                     "}\n"
                                     "path \"sys/seal\" {\n"
                                     "    capabilities = [\"update\"]\n"
                                     "}\n"
                                     "path \"sys/policy/mine\" {\n"
                                     "    capabilities = [\"read\"]\n"
                                     "}\n"
                                     "path \"config\" {\n"
                                     "    capabilities = [\"read\"]\n"
                                     "}\n");

} // namespace

class TestPolicyEngine final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Engine> m_engine;
    QByteArray m_root;
    QJsonArray m_keys;

    Response call(Operation op, const QString &path, const QJsonObject &data = {}, const QByteArray &token = {})
    {
        Request r;
        r.operation = op;
        r.method = op == Operation::Read ? "GET" : op == Operation::List ? "LIST" : "PUT";
        r.path = path;
        r.data = data;
        r.token = token;
        QFuture<Response> f = m_engine->handle(r);
        f.waitForFinished();
        return f.result();
    }

    QByteArray createToken(const QStringList &policies)
    {
        TokenEntry entry;
        entry.policies = policies;
        entry.displayName = QStringLiteral("test");
        auto created = m_engine->tokens().create(entry);
        created.waitForFinished();
        const Result<TokenStore::Created> r = created.result();
        if (!r)
            qFatal("token: %s", qPrintable(r.error()));
        return r.value().id.toUtf8();
    }

    int putPolicy(const QString &name, const QString &text, const QString &route = QStringLiteral("sys/policy/"))
    {
        return call(Operation::Update, route + name, {{QStringLiteral("policy"), text}}, m_root).status;
    }

    static QString firstError(const Response &r)
    {
        return r.json.value(QStringLiteral("errors")).toArray().at(0).toString();
    }

    void unseal()
    {
        for (const QJsonValue &key : std::as_const(m_keys))
            call(Operation::Update, QStringLiteral("sys/unseal"), {{QStringLiteral("key"), key}});
    }

private slots:
    void init()
    {
        m_engine = std::make_unique<Engine>(std::make_unique<InmemStorage>(), EngineOptions{});
        auto started = m_engine->start();
        started.waitForFinished();
        QVERIFY(started.result().isOk());
        m_engine->mount(Api::V1, QStringLiteral("app/"), std::make_shared<SecretBackend>());
        const Response init = call(Operation::Update, QStringLiteral("sys/init"),
                                   {{QStringLiteral("secret_shares"), 1}, {QStringLiteral("secret_threshold"), 1}});
        QCOMPARE(init.status, 200);
        m_root = init.json.value(QStringLiteral("root_token")).toString().toUtf8();
        m_keys = init.json.value(QStringLiteral("keys")).toArray();
        unseal();
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/seal-status")).json.value(QStringLiteral("sealed")),
                 QJsonValue(false));
    }

    void cleanup() { m_engine.reset(); }

    void policyRoutes()
    {
        QCOMPARE(putPolicy(QStringLiteral("mine"), kMine), 204);
        QCOMPARE(putPolicy(QStringLiteral("Other.Team-1"), QStringLiteral("path \"x\" { capabilities = [\"read\"] }"),
                           QStringLiteral("sys/policies/acl/")),
                 204);

        // sys/policy: GET and LIST, answered at the top level and under "data".
        for (Operation op : {Operation::Read, Operation::List}) {
            const Response r = call(op, QStringLiteral("sys/policy"), {}, m_root);
            QCOMPARE(r.status, 200);
            const QJsonArray expected{QStringLiteral("default"), QStringLiteral("mine"), QStringLiteral("other.team-1"),
                                      QStringLiteral("root")};
            QCOMPARE(r.json.value(QStringLiteral("policies")).toArray(), expected);
            QCOMPARE(r.json.value(QStringLiteral("keys")).toArray(), expected);
            QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("policies")).toArray(),
                     expected);
        }
        Response r = call(Operation::List, QStringLiteral("sys/policies/acl/"), {}, m_root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("keys")).toArray().size(), 4);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policies/acl"), {}, m_root).status, 405);

        r = call(Operation::Read, QStringLiteral("sys/policy/mine"), {}, m_root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("rules")).toString(), kMine);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("mine"));
        r = call(Operation::Read, QStringLiteral("sys/policies/acl/MINE"), {}, m_root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("policy")).toString(), kMine);
        QVERIFY(!r.json.contains(QStringLiteral("policy")));

        // Built-ins: default is readable and editable but not deletable; root is empty and untouchable.
        r = call(Operation::Read, QStringLiteral("sys/policy/default"), {}, m_root);
        QVERIFY(r.json.value(QStringLiteral("rules")).toString().contains(QStringLiteral("auth/token/lookup-self")));
        r = call(Operation::Read, QStringLiteral("sys/policy/root"), {}, m_root);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("rules")).toString(), QString());
        QCOMPARE(putPolicy(QStringLiteral("root"), QStringLiteral("path \"x\" {}")), 400);
        QCOMPARE(call(Operation::Delete, QStringLiteral("sys/policy/root"), {}, m_root).status, 400);
        r = call(Operation::Delete, QStringLiteral("sys/policies/acl/default"), {}, m_root);
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("default")));
        const QString edited = QStringLiteral("path \"auth/token/lookup-self\" { capabilities = [\"read\"] }");
        QCOMPARE(putPolicy(QStringLiteral("default"), edited), 204);
        QCOMPARE(
            call(Operation::Read, QStringLiteral("sys/policy/default"), {}, m_root).json.value(QStringLiteral("rules")),
            QJsonValue(edited));

        // Bad input.
        r = call(Operation::Update, QStringLiteral("sys/policy/bad"),
                 {{QStringLiteral("policy"), QStringLiteral("path \"a\" {\n  capabilities = [\"read\" \"x\"]\n}")}},
                 m_root);
        QCOMPARE(r.status, 400);
        QVERIFY2(firstError(r).contains(QStringLiteral("line 2, column 26")), qPrintable(firstError(r)));
        r = call(Operation::Update, QStringLiteral("sys/policy/bad"),
                 {{QStringLiteral("policy"), QStringLiteral("path \"a\" { capabilities = [\"fly\"] }")}}, m_root);
        QCOMPARE(r.status, 400);
        QVERIFY(firstError(r).contains(QStringLiteral("\"fly\"")));
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/policy/bad"), {}, m_root).status, 400);
        QCOMPARE(putPolicy(QStringLiteral("a/b"), QStringLiteral("path \"x\" {}")), 400);
        QCOMPARE(putPolicy(QStringLiteral("has space"), QStringLiteral("path \"x\" {}")), 400);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policy/bad"), {}, m_root).status, 404);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policy/a/b"), {}, m_root).status, 400);

        // "rules" is accepted as the field name, and base64-encoded text, as Vault takes it.
        r = call(Operation::Update, QStringLiteral("sys/policy/b64"),
                 {{QStringLiteral("rules"), QString::fromLatin1(QByteArrayLiteral("path \"y\" {}").toBase64())}},
                 m_root);
        QCOMPARE(r.status, 204);
        QCOMPARE(
            call(Operation::Read, QStringLiteral("sys/policy/b64"), {}, m_root).json.value(QStringLiteral("rules")),
            QJsonValue(QStringLiteral("path \"y\" {}")));

        // Delete, also of what does not exist.
        QCOMPARE(call(Operation::Delete, QStringLiteral("sys/policy/mine"), {}, m_root).status, 204);
        QCOMPARE(call(Operation::Delete, QStringLiteral("sys/policies/acl/mine"), {}, m_root).status, 204);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policy/mine"), {}, m_root).status, 404);
    }

    void enforcement()
    {
        QCOMPARE(putPolicy(QStringLiteral("mine"), kMine), 204);
        const QByteArray token = createToken({QStringLiteral("default"), QStringLiteral("Mine")});

        QCOMPARE(call(Operation::Read, QStringLiteral("app/a"), {}, token).status, 200);
        QCOMPARE(call(Operation::List, QStringLiteral("app"), {}, token).status, 200);
        QCOMPARE(call(Operation::List, QStringLiteral("app/sub/"), {}, token).status, 200);
        Response r = call(Operation::Update, QStringLiteral("app/a"), {}, token);
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json.value(QStringLiteral("errors")).toArray(), QJsonArray{QStringLiteral("permission denied")});
        QCOMPARE(call(Operation::Read, QStringLiteral("app/private/x"), {}, token).status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("app/rw/x"), {}, token).status, 200);
        QCOMPARE(call(Operation::Patch, QStringLiteral("app/rw/x"), {}, token).status, 200);
        QCOMPARE(call(Operation::Delete, QStringLiteral("app/rw/x"), {}, token).status, 200);
        QCOMPARE(call(Operation::Update, QStringLiteral("app/rw/x/y"), {}, token).status, 403);
        QCOMPARE(call(Operation::Read, QStringLiteral("config"), {}, token).status, 200);
        QCOMPARE(call(Operation::Patch, QStringLiteral("config"), {}, token).status, 403);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policy/mine"), {}, token).status, 200);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/policy/default"), {}, token).status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/policy/mine"), {{QStringLiteral("policy"), kMine}}, token)
                     .status,
                 403);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/key-status"), {}, token).status, 403);

        // The default policy lets the token look itself up, and no more of the token store.
        QCOMPARE(call(Operation::Read, QStringLiteral("auth/token/lookup-self"), {}, token).status, 200);
        QCOMPARE(call(Operation::Update, QStringLiteral("auth/token/create"), {}, token).status, 403);

        // sys/seal needs sudo: update alone is not enough.
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal"), {}, token).status, 403);

        // What the token may do, as sys/capabilities-self tells it (allowed by the default policy).
        r = call(Operation::Update, QStringLiteral("sys/capabilities-self"),
                 {{QStringLiteral("paths"), QJsonArray{QStringLiteral("app/a"), QStringLiteral("app/private/x"),
                                                       QStringLiteral("sys/seal"), QStringLiteral("nowhere")}}},
                 token);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("app/a")).toArray(),
                 (QJsonArray{QStringLiteral("list"), QStringLiteral("read")}));
        QCOMPARE(r.json.value(QStringLiteral("app/private/x")).toArray(), QJsonArray{QStringLiteral("deny")});
        QCOMPARE(r.json.value(QStringLiteral("sys/seal")).toArray(), QJsonArray{QStringLiteral("update")});
        QCOMPARE(r.json.value(QStringLiteral("nowhere")).toArray(), QJsonArray{QStringLiteral("deny")});
        QCOMPARE(r.json.value(QStringLiteral("data")).toObject().value(QStringLiteral("sys/seal")).toArray(),
                 QJsonArray{QStringLiteral("update")});
        QVERIFY(!r.json.contains(QStringLiteral("capabilities")));
        r = call(Operation::Update, QStringLiteral("sys/capabilities-self"),
                 {{QStringLiteral("path"), QStringLiteral("/app/rw/q")}}, token);
        QCOMPARE(r.json.value(QStringLiteral("capabilities")).toArray(),
                 (QJsonArray{QStringLiteral("create"), QStringLiteral("delete"), QStringLiteral("update")}));
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/capabilities-self"), {}, token).status, 400);
        r = call(Operation::Update, QStringLiteral("sys/capabilities-self"),
                 {{QStringLiteral("paths"), QStringLiteral("a,b")}}, m_root);
        QCOMPARE(r.json.value(QStringLiteral("a")).toArray(), QJsonArray{QStringLiteral("root")});

        // A change takes effect at once: grant sudo on sys/seal, take read on app/* away.
        QString changed = kMine;
        changed.replace(QStringLiteral("[\"update\"]"), QStringLiteral("[\"update\", \"sudo\"]"));
        changed.replace(QStringLiteral("[\"read\", \"list\"]"), QStringLiteral("[\"list\"]"));
        QCOMPARE(putPolicy(QStringLiteral("mine"), changed), 204);
        QCOMPARE(call(Operation::Read, QStringLiteral("app/a"), {}, token).status, 403);
        QCOMPARE(call(Operation::List, QStringLiteral("app"), {}, token).status, 200);

        // A token whose policies are all unknown may do nothing, not even ask what it may do. Only the exact name
        // "root" is root.
        const QByteArray ghost =
            createToken({QStringLiteral("ghost"), QStringLiteral("ROOT"), QStringLiteral(" root")});
        QCOMPARE(call(Operation::Read, QStringLiteral("app/a"), {}, ghost).status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/capabilities-self"),
                      {{QStringLiteral("paths"), QJsonArray{QStringLiteral("x")}}}, ghost)
                     .status,
                 403);

        // With sudo the token may seal; the caches go with the seal and the policies come back with the unseal.
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal"), {}, token).status, 204);
        QCOMPARE(call(Operation::List, QStringLiteral("app"), {}, token).status, 503);
        unseal();
        QCOMPARE(call(Operation::List, QStringLiteral("app"), {}, token).status, 200);
        QCOMPARE(call(Operation::Read, QStringLiteral("app/a"), {}, token).status, 403);

        // Deleting the policy leaves only what default grants.
        QCOMPARE(call(Operation::Delete, QStringLiteral("sys/policy/mine"), {}, m_root).status, 204);
        QCOMPARE(call(Operation::List, QStringLiteral("app"), {}, token).status, 403);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/capabilities-self"),
                      {{QStringLiteral("paths"), QJsonArray{QStringLiteral("x")}}}, token)
                     .status,
                 200);
    }

    void rootTokenStillDoesEverything()
    {
        QCOMPARE(call(Operation::Read, QStringLiteral("app/private/x"), {}, m_root).status, 200);
        QCOMPARE(call(Operation::Read, QStringLiteral("sys/key-status"), {}, m_root).status, 200);
        QCOMPARE(call(Operation::Update, QStringLiteral("sys/seal"), {}, m_root).status, 204);
    }

    void storeCachesAndClears()
    {
        PolicyStore &store = m_engine->policies();
        auto acl = store.aclFor({QStringLiteral("default"), QStringLiteral("nothing-here")});
        acl.waitForFinished();
        QVERIFY(acl.result().isOk());
        auto again = store.aclFor({QStringLiteral("nothing-here"), QStringLiteral("DEFAULT")});
        QVERIFY(again.isFinished()); // the same set, in another order and case: from the cache
        QCOMPARE(again.result().value().get(), acl.result().value().get());
        store.clear();
        auto fresh = store.aclFor({QStringLiteral("default")});
        fresh.waitForFinished();
        QVERIFY(fresh.result().value().get() != acl.result().value().get());
        QVERIFY(PolicyStore::normalizeName(QStringLiteral("..")).httpStatus() == 400);
        QVERIFY(PolicyStore::normalizeName(QStringLiteral(u"\u212Aey")).httpStatus() == 400); // Kelvin sign
        QVERIFY(PolicyStore::normalizeName(QString(129, u'a')).httpStatus() == 400);
        QCOMPARE(PolicyStore::normalizeName(QStringLiteral(" Ops_1.x-y ")).value(), QStringLiteral("ops_1.x-y"));

        // Sealed: the store answers 503.
        m_engine->sealNow();
        auto sealed = store.aclFor({QStringLiteral("default")});
        sealed.waitForFinished();
        QCOMPARE(sealed.result().httpStatus(), 503);
    }
};

QTEST_GUILESS_MAIN(TestPolicyEngine)
#include "tst_policyengine.moc"
