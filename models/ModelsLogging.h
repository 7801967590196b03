#pragma once

#include <QLoggingCategory>

namespace gk {

// The models library's category. Never log tokens, keys or bodies through it.
Q_DECLARE_LOGGING_CATEGORY(lcApi)

} // namespace gk
