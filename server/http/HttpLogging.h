#pragma once

#include <QLoggingCategory>

namespace gk {

// "gatekeeper.http": listeners, connections, refusals. Never log tokens, bodies or full query strings.
Q_DECLARE_LOGGING_CATEGORY(lcHttp)

} // namespace gk
