#pragma once

#include <QString>

namespace gk {

// The text of the built-in "default" policy, used until an operator stores their own under that name.
QString defaultPolicyText();
// The text of the built-in "response-wrapping" policy held by wrapping tokens; it cannot be replaced or deleted.
QString responseWrappingPolicyText();

} // namespace gk
