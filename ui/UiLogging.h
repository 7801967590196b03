#pragma once

#include <QLoggingCategory>

namespace gk {

// The console's widgets category. Never log tokens or keys through it.
Q_DECLARE_LOGGING_CATEGORY(lcUi)

} // namespace gk
