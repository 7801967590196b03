#pragma once

#include <QIcon>

namespace gk {

// The Gatekeeper application icon from the embedded resources (PNG sizes; the SVG too when Qt's SVG image plugin
// is installed).
QIcon applicationIcon();

} // namespace gk
