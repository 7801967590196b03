#include "AppIcon.h"

#include <QImageReader>

namespace gk {

QIcon applicationIcon()
{
    QIcon icon;
    if (QImageReader::supportedImageFormats().contains("svg"))
        icon.addFile(QStringLiteral(":/gatekeeper/icons/gatekeeper.svg"));
    icon.addFile(QStringLiteral(":/gatekeeper/icons/gatekeeper-64.png"), QSize(64, 64));
    icon.addFile(QStringLiteral(":/gatekeeper/icons/gatekeeper-256.png"), QSize(256, 256));
    return icon;
}

} // namespace gk
