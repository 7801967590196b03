#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace gk {

// The answer of GET /v1/sys/seal-status (Vault's shape). A value type: copy it freely.
struct SealStatus
{
    QString type; // "shamir"
    bool initialized = false;
    bool sealed = true;
    int threshold = 0; // "t": key shares needed to unseal
    int shares = 0;    // "n": key shares issued at init
    int progress = 0;  // key shares entered so far in the current unseal attempt
    QString nonce;     // identifies the current unseal attempt; empty when none is under way
    QString version;
    QString clusterName; // absent while sealed
    QString clusterId;

    // Parses Vault's seal-status object. "initialized" and "sealed" are required booleans; every other field may be
    // missing (Vault leaves out the cluster fields while sealed) but must have the right type when present. On
    // failure, *error (when given) says which field is wrong.
    static std::optional<SealStatus> fromJson(const QJsonObject &json, QString *error = nullptr);
    QJsonObject toJson() const;

    friend bool operator==(const SealStatus &, const SealStatus &) = default;
};

} // namespace gk
