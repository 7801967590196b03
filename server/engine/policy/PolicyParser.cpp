#include "engine/policy/PolicyParser.h"

#include <vector>

namespace gk {

namespace {

constexpr int kMaxDepth = 32; // nesting of lists and objects; policies need 3

struct ParseError
{
    int line = 1;
    int column = 1;
    QString message;
};

enum class Tok
{
    End,
    Ident,
    String,
    Number,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Equals,
    Colon,
    Comma
};

struct Token
{
    Tok kind = Tok::End;
    QString text; // identifier, decoded string, or number as written
    int line = 1;
    int column = 1;
};

QString describe(const Token &t)
{
    switch (t.kind) {
    case Tok::End:
        return QStringLiteral("end of input");
    case Tok::Ident:
        return QStringLiteral("'%1'").arg(t.text);
    case Tok::String:
        return QStringLiteral("string \"%1\"")
            .arg(t.text.size() > 40 ? t.text.left(40) + QStringLiteral("...") : t.text);
    case Tok::Number:
        return QStringLiteral("number %1").arg(t.text);
    case Tok::LBrace:
        return QStringLiteral("'{'");
    case Tok::RBrace:
        return QStringLiteral("'}'");
    case Tok::LBracket:
        return QStringLiteral("'['");
    case Tok::RBracket:
        return QStringLiteral("']'");
    case Tok::Equals:
        return QStringLiteral("'='");
    case Tok::Colon:
        return QStringLiteral("':'");
    case Tok::Comma:
        return QStringLiteral("','");
    }
    return QString();
}

// Splits HCL (and JSON) text into tokens, skipping white space and #, // and /* */ comments. Lines and
// columns count from 1; a column counts code points.
class Lexer final
{
public:
    explicit Lexer(const QString &text) : m_text(text)
    {
        if (m_text.startsWith(QChar(0xFEFF)))
            m_pos = 1;
    }
    Q_DISABLE_COPY_MOVE(Lexer)

    bool next(Token *out, ParseError *error)
    {
        if (!skipSpaceAndComments(error))
            return false;
        out->line = m_line;
        out->column = m_column;
        out->text.clear();
        if (m_pos >= m_text.size()) {
            out->kind = Tok::End;
            return true;
        }
        const QChar c = m_text.at(m_pos);
        const auto single = [&](Tok kind) {
            out->kind = kind;
            advance();
            return true;
        };
        switch (c.unicode()) {
        case '{':
            return single(Tok::LBrace);
        case '}':
            return single(Tok::RBrace);
        case '[':
            return single(Tok::LBracket);
        case ']':
            return single(Tok::RBracket);
        case '=':
            return single(Tok::Equals);
        case ':':
            return single(Tok::Colon);
        case ',':
            return single(Tok::Comma);
        case '"':
            return readString(out, error);
        default:
            break;
        }
        if (c == u'-' || isDigit(c))
            return readNumber(out, error);
        if (c.isLetter() || c == u'_') {
            out->kind = Tok::Ident;
            const qsizetype start = m_pos;
            while (m_pos < m_text.size() && isIdentChar(m_text.at(m_pos)))
                advance();
            out->text = m_text.mid(start, m_pos - start);
            return true;
        }
        *error = {m_line, m_column, QStringLiteral("unexpected character %1").arg(printable(m_pos))};
        return false;
    }

private:
    static bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }
    static bool isIdentChar(QChar c) { return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.'; }

    QString printable(qsizetype pos) const
    {
        const char32_t cp = codePointAt(pos);
        if (cp >= 0x20 && cp != 0x7f && QChar::isPrint(cp))
            return QStringLiteral("'%1'").arg(QString::fromUcs4(&cp, 1));
        return QStringLiteral("U+%1").arg(QString::number(static_cast<uint>(cp), 16).toUpper().rightJustified(4, u'0'));
    }

    char32_t codePointAt(qsizetype pos) const
    {
        const QChar c = m_text.at(pos);
        if (c.isHighSurrogate() && pos + 1 < m_text.size() && m_text.at(pos + 1).isLowSurrogate())
            return QChar::surrogateToUcs4(c, m_text.at(pos + 1));
        return c.unicode();
    }

    // Moves past one code point, keeping line and column.
    void advance()
    {
        const QChar c = m_text.at(m_pos);
        if (c == u'\n') {
            ++m_line;
            m_column = 1;
        } else {
            ++m_column;
        }
        m_pos += (c.isHighSurrogate() && m_pos + 1 < m_text.size() && m_text.at(m_pos + 1).isLowSurrogate()) ? 2 : 1;
    }

    bool skipSpaceAndComments(ParseError *error)
    {
        while (m_pos < m_text.size()) {
            const QChar c = m_text.at(m_pos);
            const QChar n = m_pos + 1 < m_text.size() ? m_text.at(m_pos + 1) : QChar();
            if (c.isSpace()) {
                advance();
            } else if (c == u'#' || (c == u'/' && n == u'/')) {
                while (m_pos < m_text.size() && m_text.at(m_pos) != u'\n')
                    advance();
            } else if (c == u'/' && n == u'*') {
                const int line = m_line;
                const int column = m_column;
                advance();
                advance();
                for (;;) {
                    if (m_pos >= m_text.size()) {
                        *error = {line, column, QStringLiteral("unterminated /* comment")};
                        return false;
                    }
                    if (m_text.at(m_pos) == u'*' && m_pos + 1 < m_text.size() && m_text.at(m_pos + 1) == u'/') {
                        advance();
                        advance();
                        break;
                    }
                    advance();
                }
            } else {
                break;
            }
        }
        return true;
    }

    bool readHex(int digits, char32_t *value, ParseError *error)
    {
        *value = 0;
        for (int i = 0; i < digits; ++i) {
            if (m_pos >= m_text.size()) {
                *error = {m_line, m_column, QStringLiteral("unterminated string")};
                return false;
            }
            const char16_t d = m_text.at(m_pos).unicode();
            int nibble = -1;
            if (d >= '0' && d <= '9')
                nibble = d - '0';
            else if (d >= 'a' && d <= 'f')
                nibble = d - 'a' + 10;
            else if (d >= 'A' && d <= 'F')
                nibble = d - 'A' + 10;
            if (nibble < 0) {
                *error = {m_line, m_column, QStringLiteral("invalid hexadecimal digit in escape sequence")};
                return false;
            }
            *value = *value * 16 + static_cast<char32_t>(nibble);
            advance();
        }
        return true;
    }

    bool readString(Token *out, ParseError *error)
    {
        out->kind = Tok::String;
        const int line = m_line;
        const int column = m_column;
        advance(); // the opening quote
        QString value;
        for (;;) {
            if (m_pos >= m_text.size() || m_text.at(m_pos) == u'\n') {
                *error = {line, column, QStringLiteral("unterminated string")};
                return false;
            }
            const QChar c = m_text.at(m_pos);
            if (c == u'"') {
                advance();
                break;
            }
            if (c != u'\\') {
                const qsizetype start = m_pos;
                advance();
                value.append(QStringView(m_text).mid(start, m_pos - start));
                continue;
            }
            const int escLine = m_line;
            const int escColumn = m_column;
            advance();
            if (m_pos >= m_text.size()) {
                *error = {line, column, QStringLiteral("unterminated string")};
                return false;
            }
            const QChar e = m_text.at(m_pos);
            advance();
            switch (e.unicode()) {
            case '"':
                value.append(u'"');
                break;
            case '\\':
                value.append(u'\\');
                break;
            case '/':
                value.append(u'/');
                break;
            case 'n':
                value.append(u'\n');
                break;
            case 't':
                value.append(u'\t');
                break;
            case 'r':
                value.append(u'\r');
                break;
            case 'b':
                value.append(u'\b');
                break;
            case 'f':
                value.append(u'\f');
                break;
            case 'u':
            case 'U': {
                char32_t cp = 0;
                if (!readHex(e == u'u' ? 4 : 8, &cp, error))
                    return false;
                if (e == u'u' && QChar::isHighSurrogate(cp) && m_pos + 1 < m_text.size() && m_text.at(m_pos) == u'\\' &&
                    m_text.at(m_pos + 1) == u'u') {
                    advance();
                    advance();
                    char32_t low = 0;
                    if (!readHex(4, &low, error))
                        return false;
                    if (!QChar::isLowSurrogate(low)) {
                        *error = {escLine, escColumn, QStringLiteral("invalid surrogate pair in escape sequence")};
                        return false;
                    }
                    cp = QChar::surrogateToUcs4(static_cast<char16_t>(cp), static_cast<char16_t>(low));
                }
                if (cp == 0 || cp > 0x10ffff || QChar::isSurrogate(cp)) {
                    *error = {escLine, escColumn, QStringLiteral("invalid code point in escape sequence")};
                    return false;
                }
                value.append(QString::fromUcs4(&cp, 1));
                break;
            }
            default:
                *error = {escLine, escColumn, QStringLiteral("invalid escape sequence '\\%1'").arg(e)};
                return false;
            }
        }
        out->text = std::move(value);
        return true;
    }

    bool readNumber(Token *out, ParseError *error)
    {
        out->kind = Tok::Number;
        const qsizetype start = m_pos;
        const auto digits = [this] {
            qsizetype n = 0;
            while (m_pos < m_text.size() && isDigit(m_text.at(m_pos))) {
                advance();
                ++n;
            }
            return n;
        };
        if (m_text.at(m_pos) == u'-')
            advance();
        bool ok = digits() > 0;
        if (ok && m_pos < m_text.size() && m_text.at(m_pos) == u'.') {
            advance();
            ok = digits() > 0;
        }
        if (ok && m_pos < m_text.size() && (m_text.at(m_pos) == u'e' || m_text.at(m_pos) == u'E')) {
            advance();
            if (m_pos < m_text.size() && (m_text.at(m_pos) == u'+' || m_text.at(m_pos) == u'-'))
                advance();
            ok = digits() > 0;
        }
        if (!ok) {
            *error = {m_line, m_column, QStringLiteral("malformed number")};
            return false;
        }
        out->text = m_text.mid(start, m_pos - start);
        return true;
    }

    const QString &m_text;
    qsizetype m_pos = 0;
    int m_line = 1;
    int m_column = 1;
};

struct Member;

// A value of the document, with where it starts.
struct Node
{
    enum class Kind
    {
        String,
        Number,
        Bool,
        Null,
        List,
        Object
    };
    Kind kind = Kind::Null;
    int line = 1;
    int column = 1;
    QString text;                // String (decoded), Number and Bool (as written)
    std::vector<Node> items;     // List
    std::vector<Member> members; // Object, in document order (repeated keys kept)
};

// `key = value`, `key { ... }` or `key "label" { ... }` in HCL; `"key": value` in JSON.
struct Member
{
    QString key;
    int line = 1;
    int column = 1;
    bool hasLabel = false;
    QString label;
    int labelLine = 1;
    int labelColumn = 1;
    Node value;
};

class Parser final
{
public:
    explicit Parser(const QString &text) : m_lexer(text) {}
    Q_DISABLE_COPY_MOVE(Parser)

    // The document's top-level members: an HCL body, or the members of a JSON object.
    bool parseDocument(std::vector<Member> *members, bool *json)
    {
        if (!advance())
            return false;
        *json = m_tok.kind == Tok::LBrace;
        if (*json) {
            Node root;
            if (!parseJsonValue(&root, 0))
                return false;
            if (m_tok.kind != Tok::End)
                return fail(m_tok, QStringLiteral("unexpected %1 after the JSON object").arg(describe(m_tok)));
            *members = std::move(root.members);
            return true;
        }
        return parseHclBody(members, Tok::End, 0);
    }

    const ParseError &error() const { return m_error; }

private:
    bool advance() { return m_lexer.next(&m_tok, &m_error); }

    bool fail(const Token &at, const QString &message)
    {
        m_error = {at.line, at.column, message};
        return false;
    }

    bool expected(const QString &what)
    {
        return fail(m_tok, QStringLiteral("expected %1 but found %2").arg(what, describe(m_tok)));
    }

    bool checkDepth(int depth)
    {
        if (depth <= kMaxDepth)
            return true;
        return fail(m_tok, QStringLiteral("nested too deeply"));
    }

    void start(Node *node, Node::Kind kind) const
    {
        node->kind = kind;
        node->line = m_tok.line;
        node->column = m_tok.column;
    }

    bool scalar(Node *out)
    {
        switch (m_tok.kind) {
        case Tok::String:
            start(out, Node::Kind::String);
            break;
        case Tok::Number:
            start(out, Node::Kind::Number);
            break;
        case Tok::Ident:
            if (m_tok.text == QLatin1String("true") || m_tok.text == QLatin1String("false"))
                start(out, Node::Kind::Bool);
            else if (m_tok.text == QLatin1String("null"))
                start(out, Node::Kind::Null);
            else
                return false;
            break;
        default:
            return false;
        }
        out->text = m_tok.text;
        return true;
    }

    // HCL: members until terminator (End at the top, '}' in a block), each optionally followed by a comma.
    bool parseHclBody(std::vector<Member> *out, Tok terminator, int depth)
    {
        if (!checkDepth(depth))
            return false;
        while (m_tok.kind != terminator) {
            if (m_tok.kind != Tok::Ident && m_tok.kind != Tok::String)
                return expected(terminator == Tok::End ? QStringLiteral("'path'")
                                                       : QStringLiteral("an attribute name or '}'"));
            Member m;
            m.key = m_tok.text;
            m.line = m_tok.line;
            m.column = m_tok.column;
            if (!advance())
                return false;
            if (m_tok.kind == Tok::String) {
                m.hasLabel = true;
                m.label = m_tok.text;
                m.labelLine = m_tok.line;
                m.labelColumn = m_tok.column;
                if (!advance())
                    return false;
                if (m_tok.kind != Tok::LBrace)
                    return expected(QStringLiteral("'{'"));
            }
            if (m_tok.kind == Tok::Equals) {
                if (!advance() || !parseHclValue(&m.value, depth + 1))
                    return false;
            } else if (m_tok.kind == Tok::LBrace) {
                if (!parseHclObject(&m.value, depth + 1))
                    return false;
            } else {
                return expected(QStringLiteral("'=' or '{'"));
            }
            if (m_tok.kind == Tok::Comma && !advance())
                return false;
            out->push_back(std::move(m));
        }
        return true;
    }

    bool parseHclObject(Node *out, int depth)
    {
        start(out, Node::Kind::Object);
        if (!advance() || !parseHclBody(&out->members, Tok::RBrace, depth))
            return false;
        return advance(); // the '}'
    }

    bool parseHclValue(Node *out, int depth)
    {
        if (!checkDepth(depth))
            return false;
        if (scalar(out))
            return advance();
        if (m_tok.kind == Tok::LBrace)
            return parseHclObject(out, depth);
        if (m_tok.kind != Tok::LBracket)
            return expected(QStringLiteral("a value"));
        start(out, Node::Kind::List);
        if (!advance())
            return false;
        while (m_tok.kind != Tok::RBracket) {
            Node item;
            if (!parseHclValue(&item, depth + 1))
                return false;
            out->items.push_back(std::move(item));
            if (m_tok.kind == Tok::Comma) {
                if (!advance())
                    return false;
            } else if (m_tok.kind != Tok::RBracket) {
                return expected(QStringLiteral("',' or ']'"));
            }
        }
        return advance(); // the ']'
    }

    bool parseJsonValue(Node *out, int depth)
    {
        if (!checkDepth(depth))
            return false;
        if (scalar(out))
            return advance();
        if (m_tok.kind == Tok::LBracket) {
            start(out, Node::Kind::List);
            if (!advance())
                return false;
            if (m_tok.kind == Tok::RBracket)
                return advance();
            for (;;) {
                Node item;
                if (!parseJsonValue(&item, depth + 1))
                    return false;
                out->items.push_back(std::move(item));
                if (m_tok.kind == Tok::RBracket)
                    return advance();
                if (m_tok.kind != Tok::Comma)
                    return expected(QStringLiteral("',' or ']'"));
                if (!advance())
                    return false;
            }
        }
        if (m_tok.kind != Tok::LBrace)
            return expected(QStringLiteral("a value"));
        start(out, Node::Kind::Object);
        if (!advance())
            return false;
        if (m_tok.kind == Tok::RBrace)
            return advance();
        for (;;) {
            if (m_tok.kind != Tok::String)
                return expected(QStringLiteral("a quoted key"));
            Member m;
            m.key = m_tok.text;
            m.line = m_tok.line;
            m.column = m_tok.column;
            if (!advance())
                return false;
            if (m_tok.kind != Tok::Colon)
                return expected(QStringLiteral("':'"));
            if (!advance() || !parseJsonValue(&m.value, depth + 1))
                return false;
            out->members.push_back(std::move(m));
            if (m_tok.kind == Tok::RBrace)
                return advance();
            if (m_tok.kind != Tok::Comma)
                return expected(QStringLiteral("',' or '}'"));
            if (!advance())
                return false;
        }
    }

    Lexer m_lexer;
    Token m_tok;
    ParseError m_error;
};

// Turns the parsed document into a Policy, checking keys, capabilities and globs.
class Interpreter final
{
public:
    Interpreter() = default;
    Q_DISABLE_COPY_MOVE(Interpreter)

    bool run(const std::vector<Member> &members, bool json, Policy *policy)
    {
        for (const Member &m : members) {
            if (m.key == QLatin1String("name")) // Vault tolerates a name in the text; the route's name counts
                continue;
            if (m.key != QLatin1String("path"))
                return fail(m.line, m.column,
                            QStringLiteral("unknown key \"%1\": a policy holds only path blocks").arg(m.key));
            if (!json) {
                if (!m.hasLabel)
                    return fail(m.line, m.column,
                                QStringLiteral("expected a quoted path after 'path', as in "
                                               "path \"secret/*\" { ... }"));
                if (!rule(m.label, m.labelLine, m.labelColumn, m.value, policy))
                    return false;
                continue;
            }
            // JSON: "path": {"glob": {...}, ...}, or a list of such objects.
            std::vector<const Node *> groups;
            if (m.value.kind == Node::Kind::Object) {
                groups.push_back(&m.value);
            } else if (m.value.kind == Node::Kind::List) {
                for (const Node &item : m.value.items)
                    groups.push_back(&item);
            } else {
                return fail(m.value.line, m.value.column, QStringLiteral("\"path\" must be an object of path rules"));
            }
            for (const Node *group : groups) {
                if (group->kind != Node::Kind::Object)
                    return fail(group->line, group->column, QStringLiteral("\"path\" must be an object of path rules"));
                for (const Member &p : group->members) {
                    if (!rule(p.key, p.line, p.column, p.value, policy))
                        return false;
                }
            }
        }
        return true;
    }

    const ParseError &error() const { return m_error; }

private:
    bool fail(int line, int column, const QString &message)
    {
        m_error = {line, column, message};
        return false;
    }

    bool rule(const QString &glob, int line, int column, const Node &body, Policy *policy)
    {
        if (body.kind != Node::Kind::Object)
            return fail(body.line, body.column,
                        QStringLiteral("the rules for path \"%1\" must be an object").arg(glob));
        PathRule rule;
        rule.pattern = glob.startsWith(u'/') ? glob.mid(1) : glob;
        if (rule.pattern.contains(QLatin1String("+*")))
            return fail(line, column,
                        QStringLiteral("invalid use of wildcards in path \"%1\": '+*' is not allowed").arg(glob));
        for (const Member &a : body.members) {
            const int at = a.hasLabel ? a.labelLine : a.line;
            const int atColumn = a.hasLabel ? a.labelColumn : a.column;
            if (a.key == QLatin1String("capabilities")) {
                if (a.hasLabel || a.value.kind != Node::Kind::List)
                    return fail(at, atColumn, QStringLiteral("capabilities must be a list of strings"));
                for (const Node &item : a.value.items) {
                    if (item.kind != Node::Kind::String)
                        return fail(item.line, item.column, QStringLiteral("capabilities must be a list of strings"));
                    const Capability cap = capabilityFromName(item.text);
                    if (cap == Capability::None)
                        return fail(item.line, item.column,
                                    QStringLiteral("unknown capability \"%1\" in path \"%2\" (known: create, read, "
                                                   "update, patch, delete, list, sudo, deny)")
                                        .arg(item.text, glob));
                    rule.capabilities |= capabilityBit(cap);
                }
            } else if (a.key == QLatin1String("policy")) {
                // Vault's older form: one word standing for a set of capabilities.
                if (a.hasLabel || a.value.kind != Node::Kind::String)
                    return fail(at, atColumn, QStringLiteral("policy must be a string"));
                const Capabilities write = capabilityBit(Capability::Create) | capabilityBit(Capability::Read) |
                                           capabilityBit(Capability::Update) | capabilityBit(Capability::Delete) |
                                           capabilityBit(Capability::List);
                const QString &word = a.value.text;
                if (word == QLatin1String("deny"))
                    rule.capabilities |= capabilityBit(Capability::Deny);
                else if (word == QLatin1String("read"))
                    rule.capabilities |= capabilityBit(Capability::Read) | capabilityBit(Capability::List);
                else if (word == QLatin1String("write"))
                    rule.capabilities |= write;
                else if (word == QLatin1String("sudo"))
                    rule.capabilities |= write | capabilityBit(Capability::Sudo);
                else
                    return fail(a.value.line, a.value.column,
                                QStringLiteral("unknown policy \"%1\" in path \"%2\" (known: deny, read, write, sudo)")
                                    .arg(word, glob));
            } else if (a.key == QLatin1String("allowed_parameters") || a.key == QLatin1String("denied_parameters") ||
                       a.key == QLatin1String("required_parameters") || a.key == QLatin1String("min_wrapping_ttl") ||
                       a.key == QLatin1String("max_wrapping_ttl")) {
                return fail(a.line, a.column,
                            QStringLiteral("\"%1\" is not supported: Gatekeeper does not enforce parameter or "
                                           "wrapping constraints, so a rule relying on it would grant more than it "
                                           "says")
                                .arg(a.key));
            } else {
                return fail(a.line, a.column,
                            QStringLiteral("unknown attribute \"%1\" in path \"%2\"").arg(a.key, glob));
            }
        }
        if (hasCapability(rule.capabilities, Capability::Deny))
            rule.capabilities = capabilityBit(Capability::Deny);
        policy->rules.append(std::move(rule));
        return true;
    }

    ParseError m_error;
};

Result<Policy> parseFailure(const ParseError &e)
{
    return Result<Policy>::fail(
        QStringLiteral("policy parse error at line %1, column %2: %3").arg(e.line).arg(e.column).arg(e.message), 400);
}

} // namespace

Result<Policy> PolicyParser::parse(const QString &name, const QString &text)
{
    std::vector<Member> members;
    bool json = false;
    Parser parser(text);
    if (!parser.parseDocument(&members, &json))
        return parseFailure(parser.error());
    Policy policy;
    policy.name = name;
    Interpreter interpreter;
    if (!interpreter.run(members, json, &policy))
        return parseFailure(interpreter.error());
    return policy;
}

} // namespace gk
