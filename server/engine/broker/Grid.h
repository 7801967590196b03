#pragma once

#include "engine/Result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace gk {

// A grid (Kontena's word): one cluster whose tasks the broker serves, with the scheduler that knows them.
struct Grid
{
    static constexpr qint64 kDefaultTaskGrace = 120; // seconds, as Gatekeeper
    static constexpr qint64 kDefaultWrapTtl = 60;    // seconds the wrapping token of a /token answer lives
    static constexpr qint64 kMaxWrapTtl = 24 * 3600;

    QString name;
    QString schedulerType; // nomad | mesos | kubernetes | static
    QString schedulerAddress;
    QString schedulerToken; // a secret: stored in the barrier, never answered
    QString schedulerCaCert;
    QStringList trustedSubnets; // as written (CIDR, or an address for a single host)
    qint64 taskGrace = kDefaultTaskGrace;
    qint64 wrapTtl = kDefaultWrapTtl;
    bool hostCheck = true;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;

    static bool validName(const QString &name);
    static bool validSchedulerType(const QString &type);
    // A 400 naming the first bad field; fields absent from data keep their value in base (a new grid: the defaults).
    static Result<Grid> apply(Grid base, const QJsonObject &data);

    QJsonObject toJson() const; // as stored
    static Grid fromJson(const QJsonObject &json);
    // As the API answers it: the scheduler token replaced by "<redacted>" when there is one.
    QJsonObject toApiJson() const;

    // Whether a caller at peer may ask for tokens of this grid's tasks: no trusted_subnets, or one that holds it.
    // An IPv4-mapped IPv6 peer is compared as IPv4.
    bool allowsPeer(const QHostAddress &peer) const;

    // A CIDR ("10.0.0.0/8", "fd00::/8") or an address (a /32 or /128); an IPv4-mapped IPv6 subnet becomes IPv4.
    static std::optional<QPair<QHostAddress, int>> parseSubnet(const QString &text);
    // The address with an IPv4-mapped IPv6 address turned into IPv4.
    static QHostAddress normalized(const QHostAddress &address);
};

} // namespace gk
