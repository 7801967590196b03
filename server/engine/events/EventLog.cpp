#include "engine/events/EventLog.h"

#include "Duration.h"
#include "engine/Chain.h"
#include "engine/crypto/Barrier.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QThread>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcEvents, "gatekeeper.events")

namespace gk {

namespace {

const QString kCeilingKey = QStringLiteral("sys/events/index");

QFuture<Response> ready(Response r)
{
    return QtFuture::makeReadyFuture(std::move(r));
}

bool allDigits(const QString &text)
{
    return !text.isEmpty() && text.size() <= 20 &&
           std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// Nomad's and Vault's duration forms for "wait", in milliseconds: "30s", "5m", "1h", "250ms", "90".
std::optional<qint64> parseWaitMs(const QString &text)
{
    if (text.endsWith(QLatin1String("ms"))) {
        const QString number = text.chopped(2);
        if (!allDigits(number))
            return std::nullopt;
        return std::min<qint64>(number.toLongLong(), EventLog::kMaxWaitMs);
    }
    const std::optional<qint64> seconds = parseDurationSeconds(text);
    if (!seconds)
        return std::nullopt;
    return std::min<qint64>(*seconds, EventLog::kMaxWaitMs / 1000) * 1000;
}

} // namespace

EventLog::EventLog(Barrier *barrier, qsizetype historySize)
    : m_barrier(barrier), m_historySize(std::max<qsizetype>(1, historySize)), m_thread(std::make_unique<QThread>())
{
    m_clock.start();
    m_thread->setObjectName(QStringLiteral("gk-events"));
    m_timer = new QTimer;
    m_timer->setSingleShot(true);
    m_timer->moveToThread(m_thread.get());
    QObject::connect(m_timer, &QTimer::timeout, m_timer, [this] { expireDue(); });
    QObject::connect(m_thread.get(), &QThread::finished, m_timer, &QObject::deleteLater);
    m_thread->start();
}

EventLog::~EventLog()
{
    m_thread->quit();
    m_thread->wait();
    std::map<quint64, Waiter> waiters;
    {
        QMutexLocker lock(&m_mutex);
        waiters.swap(m_waiters);
        m_deadlines.clear();
    }
    // The requests still waiting are dropped: their continuations (the routes) must not run any more.
    for (auto &[id, waiter] : waiters) {
        waiter.promise.future().cancel();
        waiter.promise.finish();
    }
    if (m_reserving)
        m_reserving->waitForFinished(); // its continuation uses this object
}

quint64 EventLog::index() const
{
    QMutexLocker lock(&m_mutex);
    return m_index;
}

QFuture<quint64> EventLog::record(const QString &kind, const QString &operation, const QString &path)
{
    QMutexLocker lock(&m_mutex);
    if (m_index < m_ceiling) {
        const auto woken = bumpLocked(kind, operation, path);
        const quint64 index = m_index;
        if (m_ceiling - m_index <= kReserveBlock / 2)
            reserveLocked();
        lock.unlock();
        fulfil(woken, index);
        return QtFuture::makeReadyFuture(index);
    }
    // The reserved indexes are used up: this change waits for the next reservation to be stored. Each waiting change
    // has a promise of its own: a QFuture runs one continuation (Qt 6.4), so the write's future is never shared.
    const HomePromise<Status> reserved;
    m_reserveWaiters.append(reserved);
    reserveLocked();
    lock.unlock();
    return reserved.future()
        .then([this, kind, operation, path](Status st) -> QFuture<quint64> {
            if (st)
                return record(kind, operation, path);
            // Storage refused the reservation (sealed meanwhile, or failing): the change happened, so the index
            // still moves; the next change tries to reserve again.
            qCWarning(lcEvents) << "storing the event index failed:" << st.error();
            QMutexLocker lock(&m_mutex);
            const auto woken = bumpLocked(kind, operation, path);
            const quint64 index = m_index;
            lock.unlock();
            fulfil(woken, index);
            return QtFuture::makeReadyFuture(index);
        })
        .unwrap();
}

QList<HomePromise<quint64>> EventLog::bumpLocked(const QString &kind, const QString &operation, const QString &path)
{
    ++m_index;
    m_history.push_back(Event{m_index, kind, operation, path, QDateTime::currentMSecsSinceEpoch()});
    while (qsizetype(m_history.size()) > m_historySize) {
        m_historyStart = m_history.front().index;
        m_history.pop_front();
    }
    QList<HomePromise<quint64>> woken;
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        if (it->second.after >= m_index) {
            ++it;
            continue;
        }
        const auto [first, last] = m_deadlines.equal_range(it->second.deadlineMs);
        for (auto d = first; d != last; ++d) {
            if (d->second == it->first) {
                m_deadlines.erase(d);
                break;
            }
        }
        woken.append(it->second.promise);
        it = m_waiters.erase(it);
    }
    return woken;
}

void EventLog::reserveLocked()
{
    if (m_reservationRunning)
        return;
    m_reservationRunning = true;
    const quint64 target = m_index + kReserveBlock;
    const auto done = [this, target](Status st) {
        QList<HomePromise<Status>> waiters;
        {
            QMutexLocker lock(&m_mutex);
            if (st)
                m_ceiling = std::max(m_ceiling, target);
            m_reservationRunning = false;
            waiters.swap(m_reserveWaiters);
        }
        for (const auto &waiter : std::as_const(waiters)) {
            waiter.finish(st);
        }
        return st;
    };
    m_reserving = m_barrier->put(kCeilingKey, QByteArray::number(target)).then(done).onCanceled([done] {
        return done(Status::fail(QStringLiteral("storage is closed")));
    });
}

void EventLog::fulfil(const QList<HomePromise<quint64>> &promises, quint64 index)
{
    for (const auto &promise : promises) {
        promise.finish(index);
    }
}

QFuture<quint64> EventLog::waitFor(quint64 after, qint64 waitMs)
{
    QMutexLocker lock(&m_mutex);
    if (m_index > after || waitMs <= 0)
        return QtFuture::makeReadyFuture(m_index);
    Waiter waiter;
    waiter.after = after;
    waiter.deadlineMs = m_clock.elapsed() + std::min(waitMs, kMaxWaitMs);
    QFuture<quint64> future = waiter.promise.future();
    const quint64 id = ++m_nextWaiterId;
    const bool earliest = m_deadlines.empty() || waiter.deadlineMs < m_deadlines.begin()->first;
    m_deadlines.emplace(waiter.deadlineMs, id);
    m_waiters.emplace(id, std::move(waiter));
    if (earliest)
        QMetaObject::invokeMethod(
            m_timer, [this] { rearm(); }, Qt::QueuedConnection);
    return future;
}

void EventLog::releaseWaiters()
{
    QList<HomePromise<quint64>> all;
    QMutexLocker lock(&m_mutex);
    for (auto &[id, waiter] : m_waiters)
        all.append(waiter.promise);
    m_waiters.clear();
    m_deadlines.clear();
    const quint64 index = m_index;
    lock.unlock();
    fulfil(all, index);
}

void EventLog::rearm()
{
    // In m_thread.
    QMutexLocker lock(&m_mutex);
    if (m_deadlines.empty()) {
        m_timer->stop();
        return;
    }
    m_timer->start(static_cast<int>(std::max<qint64>(0, m_deadlines.begin()->first - m_clock.elapsed())));
}

void EventLog::expireDue()
{
    // In m_thread.
    QList<HomePromise<quint64>> due;
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.elapsed();
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        const auto waiter = m_waiters.find(m_deadlines.begin()->second);
        if (waiter != m_waiters.end()) {
            due.append(waiter->second.promise);
            m_waiters.erase(waiter);
        }
        m_deadlines.erase(m_deadlines.begin());
    }
    const quint64 index = m_index;
    lock.unlock();
    rearm();
    fulfil(due, index);
}

EventLog::Since EventLog::since(quint64 after) const
{
    QMutexLocker lock(&m_mutex);
    Since out;
    out.index = m_index;
    out.truncated = after < m_historyStart;
    auto it = std::upper_bound(m_history.cbegin(), m_history.cend(), after,
                               [](quint64 value, const Event &e) { return value < e.index; });
    for (; it != m_history.cend(); ++it)
        out.events.append(*it);
    return out;
}

QJsonObject EventLog::toJson(const Event &event)
{
    return QJsonObject{
        {QStringLiteral("index"), static_cast<qint64>(event.index)},
        {QStringLiteral("kind"), event.kind},
        {QStringLiteral("operation"), event.operation},
        {QStringLiteral("path"), event.path},
        {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(event.timeMs, Qt::UTC).toString(Qt::ISODateWithMs)},
    };
}

QFuture<Status> EventLog::load()
{
    return m_barrier->get(kCeilingKey)
        .then([this](Result<std::optional<QByteArray>> got) -> QFuture<Status> {
            if (!got)
                return QtFuture::makeReadyFuture(got.status());
            quint64 stored = 0;
            if (got.value()) {
                bool ok = false;
                stored = got.value()->toULongLong(&ok);
                if (!ok)
                    return QtFuture::makeReadyFuture(
                        Status::fail(QStringLiteral("the stored event index is malformed")));
            }
            QMutexLocker lock(&m_mutex);
            QList<HomePromise<quint64>> woken;
            if (stored > m_index) {
                // Indexes up to the stored ceiling may have been handed out before: resume above them. What
                // happened in between is unknown here, so the history starts afresh.
                m_index = stored;
                m_history.clear();
                m_historyStart = m_index;
                for (auto it = m_waiters.begin(); it != m_waiters.end();) {
                    if (it->second.after < m_index) {
                        woken.append(it->second.promise);
                        it = m_waiters.erase(it);
                    } else {
                        ++it;
                    }
                }
            }
            m_ceiling = m_index;
            const quint64 index = m_index;
            const HomePromise<Status> reserved;
            m_reserveWaiters.append(reserved);
            reserveLocked();
            lock.unlock();
            fulfil(woken, index);
            return reserved.future();
        })
        .unwrap();
}

Result<EventLog::Blocking> EventLog::blockingParams(const Request &request)
{
    Blocking out;
    if (!request.query.hasQueryItem(QStringLiteral("index")))
        return out;
    const QString index = request.query.queryItemValue(QStringLiteral("index"), QUrl::FullyDecoded);
    bool ok = allDigits(index);
    out.index = ok ? index.toULongLong(&ok) : 0;
    if (!ok)
        return Result<Blocking>::fail(
            QStringLiteral("index must be a non-negative integer (the X-Gatekeeper-Index of an earlier answer)"), 400);
    out.waitMs = kDefaultWaitMs;
    if (request.query.hasQueryItem(QStringLiteral("wait"))) {
        const std::optional<qint64> wait =
            parseWaitMs(request.query.queryItemValue(QStringLiteral("wait"), QUrl::FullyDecoded));
        if (!wait)
            return Result<Blocking>::fail(
                QStringLiteral("wait must be a duration such as \"30s\", \"5m\" or \"500ms\" (at most 10m)"), 400);
        out.waitMs = *wait;
    }
    // As Nomad: index 0 asks for the current state, without waiting.
    out.blocking = out.index > 0;
    return out;
}

Handler EventLog::wrap(const PathSpec &spec, Operation operation, const QString &kind, Handler handler)
{
    const bool listLike = operation == Operation::List || (operation == Operation::Read && spec.listLike);
    if (listLike) {
        return [this, handler = std::move(handler)](const Request &request) -> QFuture<Response> {
            const Result<Blocking> params = blockingParams(request);
            if (!params)
                return ready(Response::error(params.httpStatus(), params.error()));
            const auto run = [this, handler, request](quint64) {
                // The index is taken before the route reads: the answer reflects at least this index.
                const QByteArray index = QByteArray::number(this->index());
                return chain(handler(request), [index](Response r) {
                    r.withHeader("X-Gatekeeper-Index", index);
                    return r;
                });
            };
            if (!params.value().blocking)
                return run(0);
            return waitFor(params.value().index, params.value().waitMs).then(run).unwrap();
        };
    }
    if ((operation != Operation::Update && operation != Operation::Delete && operation != Operation::Patch) ||
        spec.changesNothing)
        return handler;
    return [this, kind, operation, handler = std::move(handler)](const Request &request) -> QFuture<Response> {
        const QString path = (request.api == Api::V1 ? QStringLiteral("/v1/") : QStringLiteral("/")) + request.path;
        return chain(handler(request), [this, kind, operation, path](Response r) -> QFuture<Response> {
            if (r.status >= 400 || m_barrier->isSealed())
                return ready(std::move(r));
            return chain(record(kind, operationName(operation), path), [r](quint64) { return r; });
        });
    };
}

} // namespace gk
