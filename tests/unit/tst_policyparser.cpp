// The policy language: HCL and JSON forms, comments, errors with line and column.

#include "engine/policy/PolicyParser.h"

#include <QRandomGenerator>
#include <QTest>

using namespace gk;

namespace {

Capabilities caps(std::initializer_list<Capability> list)
{
    Capabilities out = 0;
    for (Capability c : list)
        out |= capabilityBit(c);
    return out;
}

Policy parseOk(const QString &text)
{
    Result<Policy> r = PolicyParser::parse(QStringLiteral("p"), text);
    if (!r) {
        qWarning() << r.error();
        return {};
    }
    return r.takeValue();
}

} // namespace

class TestPolicyParser final : public QObject
{
    Q_OBJECT

private slots:
    void hclBasics()
    {
        const Policy p =
            parseOk(QStringLiteral("\n"
                                   "# a comment\n"
                                   "path \"secret/*\" {\n"
                                   "    capabilities = [\"read\", \"list\"]   // trailing comment\n"
                                   "}\n"
                                   "/* a block\n"
                                   "   comment */ path \"/sys/seal\" { capabilities = [\"update\", \"sudo\",] }\n"
                                   "path \"secret/+/config\" {\n"
                                   "    capabilities = [\n"
                                   "        \"create\",\n"
                                   "        \"patch\",\n"
                                   "    ]\n"
                                   "}\n"
                                   "path \"secret/deny-me\" { capabilities = [\"read\", \"deny\"] }\n"
                                   "path \"empty\" {}\n"));
        QCOMPARE(p.name, QStringLiteral("p"));
        QCOMPARE(p.rules.size(), 5);
        QCOMPARE(p.rules.at(0).pattern, QStringLiteral("secret/*"));
        QCOMPARE(p.rules.at(0).capabilities, caps({Capability::Read, Capability::List}));
        QCOMPARE(p.rules.at(1).pattern, QStringLiteral("sys/seal")); // the leading '/' goes
        QCOMPARE(p.rules.at(1).capabilities, caps({Capability::Update, Capability::Sudo}));
        QCOMPARE(p.rules.at(2).capabilities, caps({Capability::Create, Capability::Patch}));
        QCOMPARE(p.rules.at(3).capabilities, caps({Capability::Deny})); // deny takes the others away
        QCOMPARE(p.rules.at(4).capabilities, Capabilities(0));
    }

    void hclAndJsonAgree()
    {
        const Policy hcl = parseOk(QStringLiteral("\n"
                                                  "path \"a/*\" { capabilities = [\"read\"] }\n"
                                                  "path \"b\" { capabilities = [\"update\", \"delete\"] }\n"));
        const Policy json = parseOk(QStringLiteral("{\"path\": {\"a/*\": {\"capabilities\": [\"read\"]},\n"
                                                   "\"b\": {\"capabilities\": [\"update\", \"delete\"]}}}"));
        const Policy jsonList = parseOk(QStringLiteral("{\"path\": [{\"a/*\": {\"capabilities\": [\"read\"]}},\n"
                                                       "{\"b\": {\"capabilities\": [\"update\", \"delete\"]}}]}"));
        for (const Policy *p : {&hcl, &json, &jsonList}) {
            QCOMPARE(p->rules.size(), 2);
            QCOMPARE(p->rules.at(0).pattern, QStringLiteral("a/*"));
            QCOMPARE(p->rules.at(0).capabilities, caps({Capability::Read}));
            QCOMPARE(p->rules.at(1).pattern, QStringLiteral("b"));
            QCOMPARE(p->rules.at(1).capabilities, caps({Capability::Update, Capability::Delete}));
        }
    }

    void anyOrderAndRepeats()
    {
        const Policy p = parseOk(QStringLiteral("path \"z\" { capabilities = [\"list\"] }\n"
                                                "path \"a\" { capabilities = [\"read\"], capabilities = [\"list\"] }\n"
                                                "path \"z\" { capabilities = [\"read\"] }"));
        QCOMPARE(p.rules.size(), 3);
        QCOMPARE(p.rules.at(0).pattern, QStringLiteral("z"));
        QCOMPARE(p.rules.at(1).capabilities, caps({Capability::Read, Capability::List}));
        QCOMPARE(p.rules.at(2).pattern, QStringLiteral("z"));
    }

    void stringsAndLegacyForm()
    {
        const Policy p = parseOk(QStringLiteral("\n"
                                                "name = \"ignored\"\n"
                                                "path \"quote\\\"d\\\\slash\\u00e9\\/x\" { policy = \"write\" }\n"
                                                "\"path\" \"b\" { \"capabilities\" = [\"read\"] }\n"
                                                "path \"c\" { policy = \"sudo\" }\n"
                                                "path \"d\" { policy = \"read\" }\n"));
        QCOMPARE(p.rules.size(), 4);
        QCOMPARE(p.rules.at(0).pattern, QStringLiteral(u"quote\"d\\slash\u00e9/x"));
        QCOMPARE(p.rules.at(0).capabilities, caps({Capability::Create, Capability::Read, Capability::Update,
                                                   Capability::Delete, Capability::List}));
        QCOMPARE(p.rules.at(1).capabilities, caps({Capability::Read}));
        QVERIFY(hasCapability(p.rules.at(2).capabilities, Capability::Sudo));
        QCOMPARE(p.rules.at(3).capabilities, caps({Capability::Read, Capability::List}));
        QCOMPARE(parseOk(QString()).rules.size(), 0);
        QCOMPARE(parseOk(QStringLiteral("# only a comment")).rules.size(), 0);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("equals before block") << QStringLiteral("path \"a\" {\n}\npath \"b\" = {\n}")
                                             << QStringLiteral("line 3, column 10: expected '{'");
        QTest::newRow("unknown capability")
            << QStringLiteral("path \"a\" {\n  capabilities = [\"read\",\n     \"wrte\"]\n}")
            << QStringLiteral("line 3, column 6: unknown capability \"wrte\"");
        QTest::newRow("unterminated string")
            << QStringLiteral("path \"abc {\n}") << QStringLiteral("line 1, column 6: unterminated string");
        QTest::newRow("unterminated comment") << QStringLiteral("path \"a\" {}\n  /* no end")
                                              << QStringLiteral("line 2, column 3: unterminated /* comment");
        QTest::newRow("missing brace") << QStringLiteral("path \"a\" {\n  capabilities = [\"read\"]\n")
                                       << QStringLiteral("line 3, column 1: expected an attribute name or '}'");
        QTest::newRow("unknown attribute") << QStringLiteral("path \"a\" {\n  capabilites = [\"read\"]\n}")
                                           << QStringLiteral("line 2, column 3: unknown attribute \"capabilites\"");
        QTest::newRow("unsupported attribute")
            << QStringLiteral(
                   "path \"a\" {\n  capabilities = [\"update\"]\n  allowed_parameters = {\n    \"x\" = []\n  }\n}")
            << QStringLiteral("line 3, column 3: \"allowed_parameters\" is not supported");
        QTest::newRow("wrapping ttl") << QStringLiteral("path \"a\" { min_wrapping_ttl = 60 }")
                                      << QStringLiteral("line 1, column 12: \"min_wrapping_ttl\" is not supported");
        QTest::newRow("top-level key") << QStringLiteral("paths \"a\" {}")
                                       << QStringLiteral("line 1, column 1: unknown key \"paths\"");
        QTest::newRow("path without glob")
            << QStringLiteral("path {\n}") << QStringLiteral("line 1, column 1: expected a quoted path");
        QTest::newRow("two labels") << QStringLiteral("path \"a\" \"b\" {}")
                                    << QStringLiteral("line 1, column 10: expected '{'");
        QTest::newRow("capabilities not a list") << QStringLiteral("path \"a\" { capabilities = \"read\" }")
                                                 << QStringLiteral("line 1, column 12: capabilities must be a list");
        QTest::newRow("bad escape") << QStringLiteral("path \"a\\qb\" {}")
                                    << QStringLiteral("line 1, column 8: invalid escape sequence");
        QTest::newRow("plus star") << QStringLiteral("path \"a/+*\" { capabilities = [\"read\"] }")
                                   << QStringLiteral("line 1, column 6: invalid use of wildcards");
        QTest::newRow("stray character") << QStringLiteral("path \"a\" {}\n@")
                                         << QStringLiteral("line 2, column 1: unexpected character '@'");
        QTest::newRow("legacy word") << QStringLiteral("path \"a\" { policy = \"all\" }")
                                     << QStringLiteral("line 1, column 21: unknown policy \"all\"");
        QTest::newRow("missing comma in list") << QStringLiteral("path \"a\" { capabilities = [\"read\" \"list\"] }")
                                               << QStringLiteral("line 1, column 35: expected ',' or ']'");
        QTest::newRow("json unknown capability")
            << QStringLiteral("{\n  \"path\": {\n    \"a\": {\"capabilities\": [\"reed\"]}\n  }\n}")
            << QStringLiteral("line 3, column 28: unknown capability \"reed\"");
        QTest::newRow("json trailing comma") << QStringLiteral("{\"path\": {\"a\": {\"capabilities\": [\"read\",]}}}")
                                             << QStringLiteral("line 1, column 41: expected a value");
        QTest::newRow("json missing colon")
            << QStringLiteral("{\"path\" {}}") << QStringLiteral("line 1, column 9: expected ':'");
        QTest::newRow("json garbage after")
            << QStringLiteral("{} {}") << QStringLiteral("line 1, column 4: unexpected '{'");
        QTest::newRow("json path not object")
            << QStringLiteral("{\"path\": 3}") << QStringLiteral("line 1, column 10: \"path\" must be an object");
        QTest::newRow("deep nesting") << QStringLiteral("path \"a\" { x = %1 }").arg(QString(200, u'['))
                                      << QStringLiteral("nested too deeply");
    }
    void errors()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const Result<Policy> r = PolicyParser::parse(QStringLiteral("p"), text);
        QVERIFY(!r);
        QCOMPARE(r.httpStatus(), 400);
        QVERIFY2(r.error().startsWith(QStringLiteral("policy parse error at line ")), qPrintable(r.error()));
        QVERIFY2(r.error().contains(message), qPrintable(r.error()));
    }

    void mangledInputNeverCrashes()
    {
        // Random cuts, insertions and swaps of a valid policy: every outcome is a policy or a located 400.
        const QString base = QStringLiteral("path \"a/+/b*\" { capabilities = [\"read\", \"deny\",] } /* c */\n"
                                            "{\"path\": {\"x\": {\"capabilities\": [\"list\"]}}} # \\u00e9 \\\"");
        const QString alphabet = QStringLiteral("{}[]=:,\"\\/#*+ \nab\u00e9");
        QRandomGenerator rng(20240611);
        for (int i = 0; i < 3000; ++i) {
            QString text = base;
            for (int edits = rng.bounded(1, 6); edits > 0; --edits) {
                const qsizetype at = rng.bounded(text.size() + 1);
                switch (rng.bounded(3)) {
                case 0:
                    text.remove(at, rng.bounded(1, 8));
                    break;
                case 1:
                    text.insert(at, alphabet.at(rng.bounded(alphabet.size())));
                    break;
                default:
                    text = text.mid(at) + text.left(at);
                    break;
                }
            }
            const Result<Policy> r = PolicyParser::parse(QStringLiteral("p"), text);
            if (!r) {
                QCOMPARE(r.httpStatus(), 400);
                QVERIFY2(r.error().startsWith(QStringLiteral("policy parse error at line ")), qPrintable(r.error()));
            }
        }
    }

    void columnsCountCodePoints()
    {
        // An emoji is two UTF-16 units but one column.
        const Result<Policy> r =
            PolicyParser::parse(QStringLiteral("p"), QStringLiteral(u"# \U0001F600\npath \"\U0001F600\" = {}"));
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("line 2, column 10:")), qPrintable(r.error()));
    }
};

QTEST_GUILESS_MAIN(TestPolicyParser)
#include "tst_policyparser.moc"
