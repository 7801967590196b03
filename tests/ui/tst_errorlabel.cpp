// ErrorLabel under QT_QPA_PLATFORM=offscreen: the WCAG contrast arithmetic, an error colour of at least 4.5:1 on light,
// dark and mid-grey window colours, recomputed when the palette changes; and the sign-in and connections dialogs
// showing their errors in one.

#include "ApiClient.h"
#include "ConnectionsDialog.h"
#include "ConnectionsModel.h"
#include "ErrorLabel.h"
#include "LoginDialog.h"
#include "Session.h"

#include <QPalette>
#include <QTest>
#include <QWidget>

using gk::contrastRatio;
using gk::ErrorLabel;
using gk::readableErrorColor;
using gk::relativeLuminance;

namespace {

// A palette whose window colour is window and whose text is the opposite extreme, as a theme would have it.
QPalette themePalette(const QColor &window)
{
    QPalette palette(window);
    palette.setColor(QPalette::WindowText, window.lightness() > 128 ? Qt::black : Qt::white);
    return palette;
}

double labelContrast(const ErrorLabel &label)
{
    return contrastRatio(label.palette().color(QPalette::WindowText), label.palette().color(QPalette::Window));
}

} // namespace

class TestErrorLabel final : public QObject
{
    Q_OBJECT

private slots:
    void contrastArithmetic()
    {
        QCOMPARE(relativeLuminance(Qt::black), 0.0);
        QCOMPARE(relativeLuminance(Qt::white), 1.0);
        QCOMPARE(contrastRatio(Qt::black, Qt::white), 21.0);
        QCOMPARE(contrastRatio(Qt::white, Qt::black), 21.0);
        QCOMPARE(contrastRatio(QColor(0x77, 0x77, 0x77), QColor(0x77, 0x77, 0x77)), 1.0);
        // #777 on white is the usual example of just failing 4.5:1 (about 4.48).
        QVERIFY(qAbs(contrastRatio(QColor(0x77, 0x77, 0x77), Qt::white) - 4.48) < 0.01);
    }

    void readableOnEveryBackground_data()
    {
        QTest::addColumn<QColor>("window");
        QTest::newRow("white") << QColor(Qt::white);
        QTest::newRow("light (Fusion)") << QColor(0xef, 0xef, 0xef);
        QTest::newRow("dark (Fusion)") << QColor(0x35, 0x35, 0x35);
        QTest::newRow("black") << QColor(Qt::black);
        QTest::newRow("mid grey, the worst case") << QColor(0x76, 0x76, 0x76);
        QTest::newRow("dark blue") << QColor(0x1e, 0x22, 0x3a);
    }

    void readableOnEveryBackground()
    {
        QFETCH(QColor, window);
        const QColor error = readableErrorColor(window);
        QVERIFY2(contrastRatio(error, window) >= 4.5, qPrintable(error.name()));
        QVERIFY2(error.red() > error.green() && error.red() > error.blue(), qPrintable(error.name())); // still a red

        ErrorLabel label;
        label.setPalette(themePalette(window));
        QVERIFY2(labelContrast(label) >= 4.5, qPrintable(label.palette().color(QPalette::WindowText).name()));
    }

    void followsThePaletteItSitsOn()
    {
        QWidget window;
        window.setPalette(themePalette(QColor(0xef, 0xef, 0xef)));
        auto *label = new ErrorLabel(&window);
        label->setText(QStringLiteral("Sign-in failed"));
        label->show();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QColor onLight = label->palette().color(QPalette::WindowText);
        QVERIFY(labelContrast(*label) >= 4.5);

        window.setPalette(themePalette(QColor(0x35, 0x35, 0x35))); // a switch to a dark theme
        QCOMPARE(label->palette().color(QPalette::Window), QColor(0x35, 0x35, 0x35));
        QVERIFY(labelContrast(*label) >= 4.5);
        QVERIFY(label->palette().color(QPalette::WindowText) != onLight);
        QVERIFY(label->palette().color(QPalette::WindowText).lightness() > onLight.lightness());
    }

    void theDialogsShowTheirErrorsInOne()
    {
        gk::ApiClient client;
        gk::Session session(&client);
        gk::LoginDialog login(&session);
        QVERIFY(login.findChild<ErrorLabel *>(QStringLiteral("errorLabel")));

        gk::ConnectionsModel connections(nullptr);
        gk::ConnectionsDialog dialog(&connections, QString());
        QVERIFY(dialog.findChild<ErrorLabel *>(QStringLiteral("errorLabel")));
    }
};

QTEST_MAIN(TestErrorLabel)
#include "tst_errorlabel.moc"
