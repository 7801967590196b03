#include "engine/storage/StorageFactory.h"

#include "engine/storage/CachingStorage.h"
#include "engine/storage/InmemStorage.h"
#include "engine/storage/SqliteStorage.h"

namespace gk {

Result<std::unique_ptr<Storage>> openStorage(const QString &url)
{
    using Opened = Result<std::unique_ptr<Storage>>;
    const qsizetype colon = url.indexOf(QLatin1Char(':'));
    if (colon <= 0) {
        return Opened::fail(
            QStringLiteral("storage URL has no scheme; expected inmem:, sqlite:PATH or postgresql://..."), 400);
    }
    const QString scheme = url.left(colon).toLower();
    const QString rest = url.mid(colon + 1);

    if (scheme == QLatin1String("inmem")) {
        if (!rest.isEmpty())
            return Opened::fail(QStringLiteral("storage URL inmem: takes nothing after the colon"), 400);
        return std::unique_ptr<Storage>(std::make_unique<InmemStorage>());
    }
    if (scheme == QLatin1String("sqlite")) {
        QString path = rest;
        if (path.startsWith(QLatin1String("//"))) {
            if (!path.startsWith(QLatin1String("///")))
                return Opened::fail(QStringLiteral("storage URL sqlite://HOST/... is not supported; use "
                                                   "sqlite:PATH or sqlite:///ABSOLUTE/PATH"),
                                    400);
            path = path.mid(2);
        }
        if (path.isEmpty())
            return Opened::fail(QStringLiteral("storage URL sqlite: needs a file path (sqlite:PATH)"), 400);
        Result<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::open(path);
        if (!opened)
            return Opened::fail(opened.error(), opened.httpStatus());
        return std::unique_ptr<Storage>(std::make_unique<CachingStorage>(opened.takeValue(), kSqliteReadCacheBytes));
    }
    if (scheme == QLatin1String("postgresql") || scheme == QLatin1String("postgres"))
        return Opened::fail(QStringLiteral("postgresql storage is not supported yet"), 501);
    return Opened::fail(
        QStringLiteral("unknown storage URL scheme \"%1\"; expected inmem:, sqlite:PATH or postgresql://...")
            .arg(scheme),
        400);
}

} // namespace gk
