#include "InitWizard.h"

#include "ApiClient.h"
#include "Captions.h"
#include "ClipboardCleaner.h"
#include "DialogParts.h"
#include "SealActions.h"
#include "UiLogging.h"

#include <QCheckBox>
#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPrintDialog>
#include <QPrinter>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTextDocument>
#include <QVBoxLayout>

#include <memory>

namespace gk {

namespace {

constexpr int maxShares = 255;

void saveWithDialog(QWidget *parent, std::function<void(const QString &)> done)
{
    auto *dialog = new QFileDialog(parent, InitWizard::tr("Save the key shares and root token"));
    dialog->setObjectName(QStringLiteral("saveFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->selectFile(QStringLiteral("gatekeeper-keys.txt"));
    QObject::connect(dialog, &QFileDialog::finished, dialog, [dialog, done = std::move(done)](int result) {
        const QStringList files = dialog->selectedFiles();
        done(result == QDialog::Accepted && !files.isEmpty() ? files.first() : QString());
    });
    dialog->open();
}

void printWithDialog(QWidget *parent, QPrinter *printer, std::function<void(bool)> done)
{
    auto *dialog = new QPrintDialog(printer, parent);
    dialog->setObjectName(QStringLiteral("printDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QPrintDialog::finished, dialog,
                     [done = std::move(done)](int result) { done(result == QDialog::Accepted); });
    dialog->open();
}

QPushButton *makeButton(QWidget *parent, const char *objectName)
{
    auto *button = new QPushButton(parent);
    button->setObjectName(QLatin1String(objectName));
    button->setAutoDefault(false);
    return button;
}

} // namespace

InitWizard::InitWizard(ApiClient *client, QWidget *parent)
    : QDialog(parent), m_actions(new SealActions(client, this)), m_savePrompt(saveWithDialog),
      m_printPrompt(printWithDialog), m_clipboardClearMs(ClipboardCleaner::defaultClearAfterMs)
{
    buildUi();
    retranslateUi();
    validate();
}

InitWizard::~InitWizard()
{
    wipeMaterial();
}

void InitWizard::buildUi()
{
    setObjectName(QStringLiteral("initWizard"));
    m_pages = new QStackedWidget(this);
    m_pages->setObjectName(QStringLiteral("pages"));

    // Step 1: shares and threshold.
    m_parametersPage = new QWidget(m_pages);
    m_parametersPage->setObjectName(QStringLiteral("parametersPage"));
    m_introLabel = new QLabel(m_parametersPage);
    m_introLabel->setObjectName(QStringLiteral("introLabel"));
    m_introLabel->setWordWrap(true);
    m_sharesSpinBox = new QSpinBox(m_parametersPage);
    m_sharesSpinBox->setObjectName(QStringLiteral("sharesSpinBox"));
    m_sharesSpinBox->setRange(1, maxShares);
    m_sharesSpinBox->setValue(5);
    m_thresholdSpinBox = new QSpinBox(m_parametersPage);
    m_thresholdSpinBox->setObjectName(QStringLiteral("thresholdSpinBox"));
    m_thresholdSpinBox->setRange(1, maxShares);
    m_thresholdSpinBox->setValue(3);
    m_sharesCaptionLabel = new QLabel(m_parametersPage);
    m_sharesCaptionLabel->setBuddy(m_sharesSpinBox);
    m_thresholdCaptionLabel = new QLabel(m_parametersPage);
    m_thresholdCaptionLabel->setBuddy(m_thresholdSpinBox);
    m_errorLabel = makeErrorLabel(m_parametersPage, "errorLabel");
    m_initialiseButton = makeButton(m_parametersPage, "initialiseButton");
    m_initialiseButton->setDefault(true);
    m_cancelButton = makeButton(m_parametersPage, "cancelButton");
    connect(m_sharesSpinBox, &QSpinBox::valueChanged, this, &InitWizard::validate);
    connect(m_thresholdSpinBox, &QSpinBox::valueChanged, this, &InitWizard::validate);
    connect(m_initialiseButton, &QPushButton::clicked, this, &InitWizard::initialise);
    connect(m_cancelButton, &QPushButton::clicked, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(m_sharesCaptionLabel, m_sharesSpinBox);
    form->addRow(m_thresholdCaptionLabel, m_thresholdSpinBox);
    auto *parametersButtons = new QHBoxLayout;
    parametersButtons->addStretch(1);
    parametersButtons->addWidget(m_initialiseButton);
    parametersButtons->addWidget(m_cancelButton);
    auto *parametersLayout = new QVBoxLayout(m_parametersPage);
    parametersLayout->addWidget(m_introLabel);
    parametersLayout->addLayout(form);
    parametersLayout->addWidget(m_errorLabel);
    parametersLayout->addStretch(1);
    parametersLayout->addLayout(parametersButtons);

    // Step 2: the material, once.
    m_keysPage = new QWidget(m_pages);
    m_keysPage->setObjectName(QStringLiteral("keysPage"));
    m_keysIntroLabel = new QLabel(m_keysPage);
    m_keysIntroLabel->setObjectName(QStringLiteral("keysIntroLabel"));
    m_keysIntroLabel->setWordWrap(true);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_keysListWidget = new QListWidget(m_keysPage);
    m_keysListWidget->setObjectName(QStringLiteral("keysListWidget"));
    m_keysListWidget->setFont(fixed);
    m_keysListWidget->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_keysCaptionLabel = new QLabel(m_keysPage);
    m_keysCaptionLabel->setBuddy(m_keysListWidget);
    m_rootTokenLineEdit = new QLineEdit(m_keysPage);
    m_rootTokenLineEdit->setObjectName(QStringLiteral("rootTokenLineEdit"));
    m_rootTokenLineEdit->setReadOnly(true);
    m_rootTokenLineEdit->setFont(fixed);
    m_rootTokenCaptionLabel = new QLabel(m_keysPage);
    m_rootTokenCaptionLabel->setBuddy(m_rootTokenLineEdit);
    m_copyButton = makeButton(m_keysPage, "copyButton");
    m_saveButton = makeButton(m_keysPage, "saveButton");
    m_printButton = makeButton(m_keysPage, "printButton");
    m_noticeLabel = new QLabel(m_keysPage);
    m_noticeLabel->setObjectName(QStringLiteral("noticeLabel"));
    m_noticeLabel->setTextFormat(Qt::PlainText);
    m_noticeLabel->setWordWrap(true);
    m_storedCheckBox = new QCheckBox(m_keysPage);
    m_storedCheckBox->setObjectName(QStringLiteral("storedCheckBox"));
    m_finishButton = makeButton(m_keysPage, "finishButton");
    m_finishButton->setEnabled(false);
    connect(m_copyButton, &QPushButton::clicked, this, &InitWizard::copyMaterial);
    connect(m_saveButton, &QPushButton::clicked, this, &InitWizard::saveMaterial);
    connect(m_printButton, &QPushButton::clicked, this, &InitWizard::printMaterial);
    connect(m_storedCheckBox, &QCheckBox::toggled, m_finishButton, &QPushButton::setEnabled);
    connect(m_finishButton, &QPushButton::clicked, this, &QDialog::accept);

    auto *keysForm = new QFormLayout;
    keysForm->addRow(m_keysCaptionLabel, m_keysListWidget);
    keysForm->addRow(m_rootTokenCaptionLabel, m_rootTokenLineEdit);
    auto *materialButtons = new QHBoxLayout;
    materialButtons->addWidget(m_copyButton);
    materialButtons->addWidget(m_saveButton);
    materialButtons->addWidget(m_printButton);
    materialButtons->addStretch(1);
    auto *finishButtons = new QHBoxLayout;
    finishButtons->addWidget(m_storedCheckBox, 1);
    finishButtons->addWidget(m_finishButton);
    auto *keysLayout = new QVBoxLayout(m_keysPage);
    keysLayout->addWidget(m_keysIntroLabel);
    keysLayout->addLayout(keysForm, 1);
    keysLayout->addLayout(materialButtons);
    keysLayout->addWidget(m_noticeLabel);
    keysLayout->addLayout(finishButtons);

    m_pages->addWidget(m_parametersPage);
    m_pages->addWidget(m_keysPage);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);
    resize(720, 440);
}

void InitWizard::retranslateUi()
{
    setWindowTitle(tr("Initialise the server"));
    setAccessibleName(tr("Initialise the server"));
    m_pages->setAccessibleName(tr("Initialisation steps"));
    m_parametersPage->setAccessibleName(tr("Key shares and threshold"));
    m_keysPage->setAccessibleName(tr("Key shares and root token"));
    m_introLabel->setText(tr("The server's unseal key is split into key shares; a threshold of them unseals it. "
                             "Give them to different people."));
    m_introLabel->setAccessibleName(tr("Introduction"));
    setCaption(m_sharesCaptionLabel, m_sharesSpinBox, tr("Key &shares:"), tr("Key shares"),
               tr("How many key shares to issue (1 to 255)"));
    setCaption(m_thresholdCaptionLabel, m_thresholdSpinBox, tr("&Threshold:"), tr("Threshold"),
               tr("How many key shares unseal the server (at least 2 when more than one share is issued)"));
    m_errorLabel->setAccessibleName(tr("Initialisation error"));
    setButtonText(m_initialiseButton, tr("&Initialise"), tr("Initialise"),
                  tr("Generate the key shares and the root token"));
    setButtonText(m_cancelButton, tr("Cancel"), tr("Cancel"));

    m_keysIntroLabel->setText(tr("These key shares and this root token are shown only this once and are not kept "
                                 "anywhere: store them safely now."));
    m_keysIntroLabel->setAccessibleName(tr("Warning"));
    setCaption(m_keysCaptionLabel, m_keysListWidget, tr("&Key shares:"), tr("Key shares"),
               tr("The unseal key shares, one a line, in hex"));
    setCaption(m_rootTokenCaptionLabel, m_rootTokenLineEdit, tr("&Root token:"), tr("Root token"),
               tr("The initial root token"));
    setButtonText(m_copyButton, tr("&Copy"), tr("Copy"),
                  tr("Copy the key shares and the root token; the clipboard is cleared after %n second(s)", nullptr,
                     m_clipboardClearMs / 1000));
    setButtonText(m_saveButton, tr("&Save…"), tr("Save"), tr("Save the key shares and the root token to a file"));
    setButtonText(m_printButton, tr("&Print…"), tr("Print"), tr("Print the key shares and the root token"));
    m_noticeLabel->setAccessibleName(tr("Notice"));
    m_storedCheckBox->setText(tr("I have &stored the key shares and the root token safely"));
    m_storedCheckBox->setAccessibleName(tr("Material stored"));
    setButtonText(m_finishButton, tr("&Finish"), tr("Finish"),
                  tr("Close; the key shares and the root token are then wiped from this window"));
}

void InitWizard::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void InitWizard::setShares(int shares)
{
    m_sharesSpinBox->setValue(shares);
}

void InitWizard::setThreshold(int threshold)
{
    m_thresholdSpinBox->setValue(threshold);
}

bool InitWizard::showsKeys() const
{
    return m_pages->currentWidget() == m_keysPage;
}

QString InitWizard::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void InitWizard::validate()
{
    const QString error = SealActions::initError(m_sharesSpinBox->value(), m_thresholdSpinBox->value());
    showInlineError(m_errorLabel, error);
    m_initialiseButton->setEnabled(error.isEmpty() && !m_busy);
}

void InitWizard::setBusy(bool busy)
{
    m_busy = busy;
    m_sharesSpinBox->setEnabled(!busy);
    m_thresholdSpinBox->setEnabled(!busy);
    m_initialiseButton->setEnabled(!busy);
}

void InitWizard::initialise()
{
    if (m_busy || showsKeys())
        return;
    validate();
    if (!m_initialiseButton->isEnabled())
        return;
    setBusy(true);
    const int threshold = m_thresholdSpinBox->value();
    m_actions->initialize(
        m_sharesSpinBox->value(), threshold, this,
        [this, threshold](const SealActions::InitResult &result, const QStringList &errors) {
            setBusy(false);
            if (!errors.isEmpty()) {
                showInlineError(m_errorLabel,
                                tr("The server refused to initialise: %1").arg(errors.join(QStringLiteral("; "))));
                return;
            }
            m_threshold = threshold;
            for (const QString &key : result.keys)
                m_keysListWidget->addItem(key);
            m_rootTokenLineEdit->setText(result.rootToken);
            m_pages->setCurrentWidget(m_keysPage);
            m_copyButton->setFocus();
            emit initialised();
        });
}

QString InitWizard::materialText() const
{
    QString text = tr("Gatekeeper key shares for %1 (%2 of %3 unseal it)\n")
                       .arg(m_actions->client()->baseUrl().toString(QUrl::RemoveUserInfo))
                       .arg(m_threshold)
                       .arg(m_keysListWidget->count());
    for (int row = 0; row < m_keysListWidget->count(); ++row)
        text += tr("Unseal key %1: %2\n").arg(row + 1).arg(m_keysListWidget->item(row)->text());
    text += tr("Root token: %1\n").arg(m_rootTokenLineEdit->text());
    return text;
}

void InitWizard::copyMaterial()
{
    if (!showsKeys())
        return;
    QString text = materialText();
    ClipboardCleaner::copySecret(text, m_clipboardClearMs);
    wipe(text);
    m_noticeLabel->setText(tr("Copied. The clipboard will be cleared in %n second(s) if it still holds them.", nullptr,
                              m_clipboardClearMs / 1000));
}

void InitWizard::saveMaterial()
{
    if (!showsKeys())
        return;
    m_savePrompt(this, [guard = QPointer<InitWizard>(this)](const QString &path) {
        if (!guard || path.isEmpty() || !guard->showsKeys())
            return;
        QSaveFile file(path);
        QString text = guard->materialText();
        QByteArray bytes = text.toUtf8();
        wipe(text);
        const bool ok = file.open(QIODevice::WriteOnly) &&
                        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) &&
                        file.write(bytes) == bytes.size() && file.commit();
        wipe(bytes);
        if (ok) {
            guard->m_noticeLabel->setText(tr("Saved to %1 (readable by you only).").arg(path));
        } else {
            qCWarning(lcUi) << "could not save the key shares:" << file.errorString();
            guard->m_noticeLabel->setText(tr("Could not save to %1: %2").arg(path, file.errorString()));
        }
    });
}

void InitWizard::printMaterial()
{
    if (!showsKeys())
        return;
    auto printer = std::make_shared<QPrinter>();
    m_printPrompt(this, printer.get(), [guard = QPointer<InitWizard>(this), printer](bool accepted) {
        if (!guard || !accepted || !guard->showsKeys())
            return;
        QString text = guard->materialText();
        QTextDocument document;
        document.setDefaultFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        document.setPlainText(text);
        wipe(text);
        document.print(printer.get());
        document.clear();
        guard->m_noticeLabel->setText(tr("Sent to the printer."));
    });
}

void InitWizard::done(int result)
{
    // Once the material is shown, the only way out is Finish after confirming it is stored.
    if (showsKeys() && !m_storedCheckBox->isChecked()) {
        m_noticeLabel->setText(tr("Confirm that you have stored the key shares and the root token first: they "
                                  "cannot be shown again."));
        return;
    }
    wipeMaterial();
    QDialog::done(result);
}

void InitWizard::wipeMaterial()
{
    wipeListWidget(m_keysListWidget);
    wipeLineEdit(m_rootTokenLineEdit);
}

} // namespace gk
