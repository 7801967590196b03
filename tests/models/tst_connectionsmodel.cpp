// ConnectionsModel under QAbstractItemModelTester: add, edit, rename and remove with validation, persistence through
// a temporary QSettings file (a second model reads back what the first wrote) and the last used connection.

#include "ConnectionsModel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using gk::Connection;
using gk::ConnectionsModel;

class TestConnectionsModel final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString m_path;

    std::unique_ptr<QSettings> settings() { return std::make_unique<QSettings>(m_path, QSettings::IniFormat); }

    static QStringList names(const ConnectionsModel &model)
    {
        QStringList result;
        for (int row = 0; row < model.rowCount(); ++row)
            result.append(model.index(row).data().toString());
        return result;
    }

    static Connection lab()
    {
        Connection c = Connection::remote(QStringLiteral("lab"), QUrl(QStringLiteral("https://vault.lab:8200")));
        c.keychain = true;
        return c;
    }

private slots:
    void init() { m_path = m_dir.filePath(QStringLiteral("console-%1.ini").arg(++m_files)); }

    void startsWithTheEmbeddedServer()
    {
        auto s = settings();
        ConnectionsModel model(s.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        const Connection first = model.connections().constFirst();
        QVERIFY(first.isEmbedded());
        QVERIFY(!first.name.isEmpty());
        QCOMPARE(model.startConnection()->name, first.name);
        QCOMPARE(model.lastUsed(), QString());
    }

    void addsEditsRenamesAndRemoves()
    {
        auto s = settings();
        ConnectionsModel model(s.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&model, &ConnectionsModel::connectionChanged);
        QSignalSpy removed(&model, &ConnectionsModel::connectionRemoved);
        const QString embedded = model.connections().constFirst().name;

        QString error;
        QVERIFY2(model.add(lab(), &error), qPrintable(error));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1).data().toString(), QStringLiteral("lab"));
        QCOMPARE(model.index(1).data(ConnectionsModel::UrlRole).toUrl(),
                 QUrl(QStringLiteral("https://vault.lab:8200")));
        QVERIFY(model.index(1).data(ConnectionsModel::KeychainRole).toBool());
        QVERIFY(!model.index(1).data(ConnectionsModel::EmbeddedRole).toBool());
        QVERIFY(model.index(0).data(ConnectionsModel::EmbeddedRole).toBool());

        // Refused: nothing changes and the reason is given.
        const auto refused = [&](const Connection &c) {
            QString why;
            const bool added = model.add(c, &why);
            return !added && !why.isEmpty() && model.rowCount() == 2;
        };
        QVERIFY(refused(Connection::remote(QStringLiteral("LAB"), QUrl(QStringLiteral("http://other:8200")))));
        QVERIFY(refused(Connection::remote(QString(), QUrl(QStringLiteral("http://other:8200")))));
        QVERIFY(refused(Connection::remote(QStringLiteral("   "), QUrl(QStringLiteral("http://other:8200")))));
        QVERIFY(refused(Connection::remote(QStringLiteral("ftp"), QUrl(QStringLiteral("ftp://other")))));
        QVERIFY(refused(Connection::remote(QStringLiteral("nohost"), QUrl(QStringLiteral("http://")))));
        QVERIFY(refused(Connection::remote(QStringLiteral("relative"), QUrl(QStringLiteral("vault.lab:8200")))));
        Connection missingCa = Connection::remote(QStringLiteral("ca"), QUrl(QStringLiteral("https://x")));
        missingCa.caFile = m_dir.filePath(QStringLiteral("no-such-ca.pem"));
        QVERIFY(refused(missingCa));
        QVERIFY(refused(Connection::embedded(embedded.toUpper())));

        // Edit in place: dataChanged and connectionChanged(before, after).
        Connection edited = lab();
        edited.url = QUrl(QStringLiteral("https://vault2.lab:8200"));
        edited.verifyTls = false;
        QVERIFY2(model.update(QStringLiteral("lab"), edited, &error), qPrintable(error));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.constFirst().at(0).value<Connection>(), lab());
        QCOMPARE(changed.constFirst().at(1).value<Connection>(), edited);
        QCOMPARE(model.find(QStringLiteral("Lab"))->url, edited.url);
        QVERIFY(!model.find(QStringLiteral("lab"))->verifyTls);
        // An edit that takes another's name is refused.
        Connection clash = edited;
        clash.name = embedded;
        QVERIFY(!model.update(QStringLiteral("lab"), clash, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!model.update(QStringLiteral("nowhere"), edited, &error));

        // Rename, including the last-used mark.
        model.setLastUsed(QStringLiteral("lab"));
        QVERIFY(model.index(1).data(ConnectionsModel::LastUsedRole).toBool());
        QVERIFY2(model.rename(QStringLiteral("lab"), QStringLiteral("staging"), &error), qPrintable(error));
        QCOMPARE(names(model), (QStringList{embedded, QStringLiteral("staging")}));
        QCOMPARE(model.lastUsed(), QStringLiteral("staging"));
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.last().at(0).value<Connection>().name, QStringLiteral("lab"));
        QCOMPARE(changed.last().at(1).value<Connection>().name, QStringLiteral("staging"));
        QVERIFY(!model.rename(QStringLiteral("staging"), QString(), &error));
        QVERIFY(!model.rename(QStringLiteral("staging"), embedded, &error));
        // Renaming only the case of a name is allowed.
        QVERIFY2(model.rename(QStringLiteral("staging"), QStringLiteral("Staging"), &error), qPrintable(error));

        QVERIFY(model.remove(QStringLiteral("staging")));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.constFirst().at(0).value<Connection>().name, QStringLiteral("Staging"));
        QCOMPARE(names(model), QStringList{embedded});
        QCOMPARE(model.lastUsed(), QString());
        QVERIFY(!model.remove(QStringLiteral("staging"), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(model.remove(embedded));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.startConnection());
    }

    void persistsAndRestoresTheLastUsed()
    {
        const QString caFile = m_dir.filePath(QStringLiteral("ca.pem"));
        {
            QFile ca(caFile);
            QVERIFY(ca.open(QIODevice::WriteOnly));
            ca.write("not checked here\n");
        }
        Connection prod = Connection::remote(QStringLiteral("prod"), QUrl(QStringLiteral("https://vault.prod/base")));
        prod.caFile = caFile;
        prod.keychain = true;
        Connection test = Connection::remote(QStringLiteral("test box"), QUrl(QStringLiteral("http://10.0.0.5:8200")));
        test.verifyTls = false;
        QString embedded;
        {
            auto s = settings();
            ConnectionsModel model(s.get());
            embedded = model.connections().constFirst().name;
            QVERIFY(model.add(prod));
            QVERIFY(model.add(test));
            model.setLastUsed(QStringLiteral("prod"));
        }
        {
            auto s = settings();
            ConnectionsModel model(s.get());
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(model.connections(), (QList<Connection>{Connection::embedded(embedded), prod, test}));
            QCOMPARE(model.lastUsed(), QStringLiteral("prod"));
            QCOMPARE(model.startConnection(), prod);
            QVERIFY(model.remove(QStringLiteral("prod")));
        }
        {
            // Without a last used one: the embedded server first.
            auto s = settings();
            ConnectionsModel model(s.get());
            QCOMPARE(model.rowCount(), 2);
            QCOMPARE(model.lastUsed(), QString());
            QCOMPARE(model.startConnection()->name, embedded);
            QVERIFY(model.remove(embedded));
        }
        {
            // Without an embedded one either: the first; and an empty list stays empty.
            auto s = settings();
            ConnectionsModel model(s.get());
            QCOMPARE(model.startConnection(), test);
            QVERIFY(model.remove(test.name));
        }
        auto s = settings();
        ConnectionsModel model(s.get());
        QCOMPARE(model.rowCount(), 0);
    }

    void skipsBrokenEntries()
    {
        {
            auto s = settings();
            s->beginGroup(QStringLiteral("Connections"));
            s->beginWriteArray(QStringLiteral("list"), 4);
            const QList<QPair<QString, QString>> entries = {{QStringLiteral("a"), QStringLiteral("http://a")},
                                                            {QStringLiteral("A"), QStringLiteral("http://b")},
                                                            {QString(), QStringLiteral("http://c")},
                                                            {QStringLiteral("d"), QStringLiteral("gopher://d")}};
            for (int i = 0; i < entries.size(); ++i) {
                s->setArrayIndex(i);
                s->setValue(QStringLiteral("name"), entries.at(i).first);
                s->setValue(QStringLiteral("kind"), QStringLiteral("remote"));
                s->setValue(QStringLiteral("url"), entries.at(i).second);
            }
            s->endArray();
            s->setValue(QStringLiteral("lastUsed"), QStringLiteral("d"));
            s->endGroup();
        }
        auto s = settings();
        ConnectionsModel model(s.get());
        QCOMPARE(names(model), QStringList{QStringLiteral("a")});
        QCOMPARE(model.lastUsed(), QString());
    }

    void memoryOnlyWithoutSettings()
    {
        ConnectionsModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.add(lab()));
        model.setLastUsed(QStringLiteral("lab"));
        QCOMPARE(model.startConnection(), lab());
    }
};

QTEST_GUILESS_MAIN(TestConnectionsModel)
#include "tst_connectionsmodel.moc"
