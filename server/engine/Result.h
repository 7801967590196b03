#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace gk {

// Outcome of an operation that has no value: ok, or an error message.
class Status
{
public:
    Status() = default;
    static Status ok() { return Status(); }
    // httpStatus is the answer the failure maps to when it reaches a client: 400 for bad input,
    // 503 for sealed, 500 (the default) for a fault of the server.
    static Status fail(QString message, int httpStatus = 500)
    {
        Status s;
        s.m_error = message.isEmpty() ? QStringLiteral("unknown error") : std::move(message);
        s.m_httpStatus = httpStatus;
        return s;
    }

    bool isOk() const { return m_error.isEmpty(); }
    explicit operator bool() const { return isOk(); }
    const QString &error() const { return m_error; }
    int httpStatus() const { return isOk() ? 200 : m_httpStatus; }

private:
    QString m_error;
    int m_httpStatus = 500;
};

// Outcome of an operation that yields a T: a value, or an error message.
template <typename T>
class Result
{
public:
    Result() = default;
    Result(T value) : m_value(std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(const Status &status) // NOLINT(google-explicit-constructor)
        : m_error(status.isOk() ? QStringLiteral("missing value") : status.error()), m_httpStatus(status.httpStatus())
    {
    }
    static Result fail(QString message, int httpStatus = 500)
    {
        Result r;
        r.m_error = message.isEmpty() ? QStringLiteral("unknown error") : std::move(message);
        r.m_httpStatus = httpStatus;
        return r;
    }

    bool isOk() const { return m_value.has_value(); }
    explicit operator bool() const { return isOk(); }
    const T &value() const { return *m_value; }
    T &value() { return *m_value; }
    T takeValue() { return std::move(*m_value); }
    const QString &error() const { return m_error; }
    int httpStatus() const { return isOk() ? 200 : m_httpStatus; }
    Status status() const { return isOk() ? Status::ok() : Status::fail(m_error, m_httpStatus); }

private:
    std::optional<T> m_value;
    QString m_error;
    int m_httpStatus = 500;
};

} // namespace gk
