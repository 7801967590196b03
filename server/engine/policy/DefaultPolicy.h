#pragma once

#include <QString>

namespace gk {

// The text of the built-in "default" policy, used until an operator stores their own under that name.
QString defaultPolicyText();

} // namespace gk
