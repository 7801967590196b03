#include "BrokerUnsealDialog.h"

#include "Captions.h"
#include "DialogParts.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace gk {

using Method = SealActions::BrokerCredentials::Method;

BrokerUnsealDialog::BrokerUnsealDialog(ApiClient *client, QWidget *parent)
    : QDialog(parent), m_actions(new SealActions(client, this))
{
    buildUi();
    retranslateUi();
}

BrokerUnsealDialog::~BrokerUnsealDialog()
{
    wipeSecrets();
}

void BrokerUnsealDialog::buildUi()
{
    setObjectName(QStringLiteral("brokerUnsealDialog"));
    m_methodComboBox = new QComboBox(this);
    m_methodComboBox->setObjectName(QStringLiteral("methodComboBox"));
    for (Method method : {Method::Token, Method::WrappedToken, Method::AppRole})
        m_methodComboBox->addItem(QString(), int(method));
    m_tokenLineEdit = makeSecretLineEdit(this, "tokenLineEdit");
    m_roleIdLineEdit = new QLineEdit(this);
    m_roleIdLineEdit->setObjectName(QStringLiteral("roleIdLineEdit"));
    m_secretIdLineEdit = makeSecretLineEdit(this, "secretIdLineEdit");
    m_mountLineEdit = new QLineEdit(this);
    m_mountLineEdit->setObjectName(QStringLiteral("mountLineEdit"));
    m_mountLineEdit->setPlaceholderText(QStringLiteral("approle"));
    m_errorLabel = makeErrorLabel(this, "errorLabel");
    m_buttonBox = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttonBox->setObjectName(QStringLiteral("buttonBox"));
    m_buttonBox->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("unsealButton"));
    m_buttonBox->button(QDialogButtonBox::Ok)->setDefault(true);
    m_buttonBox->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    connect(m_buttonBox, &QDialogButtonBox::accepted, this, &BrokerUnsealDialog::unseal);
    connect(m_buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_methodComboBox, &QComboBox::currentIndexChanged, this, &BrokerUnsealDialog::updateFields);

    auto *form = new QFormLayout;
    const auto addRow = [&](QLabel *&caption, QWidget *field) {
        caption = new QLabel(this);
        caption->setBuddy(field);
        form->addRow(caption, field);
    };
    addRow(m_methodCaptionLabel, m_methodComboBox);
    addRow(m_tokenCaptionLabel, m_tokenLineEdit);
    addRow(m_roleIdCaptionLabel, m_roleIdLineEdit);
    addRow(m_secretIdCaptionLabel, m_secretIdLineEdit);
    addRow(m_mountCaptionLabel, m_mountLineEdit);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addStretch(1);
    layout->addWidget(m_buttonBox);
    updateFields();
}

void BrokerUnsealDialog::retranslateUi()
{
    setWindowTitle(tr("Unseal the broker"));
    setAccessibleName(tr("Unseal the broker"));
    m_methodComboBox->setItemText(0, tr("Token"));
    m_methodComboBox->setItemText(1, tr("Wrapped token"));
    m_methodComboBox->setItemText(2, tr("AppRole"));
    setCaption(m_methodCaptionLabel, m_methodComboBox, tr("&Method:"), tr("Credential method"),
               tr("The credential the broker keeps in memory to issue task tokens"));
    setCaption(m_tokenCaptionLabel, m_tokenLineEdit, tr("&Token:"), tr("Token"),
               tr("The token (or wrapping token), hidden as you type"));
    setCaption(m_roleIdCaptionLabel, m_roleIdLineEdit, tr("&Role ID:"), tr("Role ID"), tr("The AppRole's role_id"));
    setCaption(m_secretIdCaptionLabel, m_secretIdLineEdit, tr("S&ecret ID:"), tr("Secret ID"),
               tr("The AppRole's secret_id, hidden as you type"));
    setCaption(m_mountCaptionLabel, m_mountLineEdit, tr("M&ount:"), tr("AppRole mount"),
               tr("The path the AppRole method is mounted at; empty for approle"));
    m_errorLabel->setAccessibleName(tr("Broker unseal error"));
    m_buttonBox->setAccessibleName(tr("Dialog buttons"));
    setButtonText(m_buttonBox->button(QDialogButtonBox::Ok), tr("&Unseal"), tr("Unseal the broker"),
                  tr("Hand the credential to the broker"));
    m_buttonBox->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
}

void BrokerUnsealDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

Method BrokerUnsealDialog::method() const
{
    return Method(m_methodComboBox->currentData().toInt());
}

void BrokerUnsealDialog::setMethod(Method method)
{
    m_methodComboBox->setCurrentIndex(m_methodComboBox->findData(int(method)));
}

void BrokerUnsealDialog::updateFields()
{
    const bool appRole = method() == Method::AppRole;
    for (QWidget *widget : {static_cast<QWidget *>(m_tokenCaptionLabel), static_cast<QWidget *>(m_tokenLineEdit)})
        widget->setVisible(!appRole);
    for (QWidget *widget : {m_roleIdCaptionLabel, m_secretIdCaptionLabel, m_mountCaptionLabel})
        widget->setVisible(appRole);
    for (QWidget *widget : {m_roleIdLineEdit, m_secretIdLineEdit, m_mountLineEdit})
        widget->setVisible(appRole);
}

QString BrokerUnsealDialog::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void BrokerUnsealDialog::unseal()
{
    if (m_busy)
        return;
    showInlineError(m_errorLabel, {});
    SealActions::BrokerCredentials credentials;
    credentials.method = method();
    if (credentials.method == Method::AppRole) {
        credentials.roleId = m_roleIdLineEdit->text();
        credentials.secret = m_secretIdLineEdit->text();
        credentials.mount = m_mountLineEdit->text();
    } else {
        credentials.secret = m_tokenLineEdit->text();
    }
    wipeSecrets(); // the fields let go: credentials now owns the buffers, and brokerUnseal wipes them
    setBusy(true);
    m_actions->brokerUnseal(
        credentials, this, [this](bool unsealed, const QString &message, const QStringList &errors) {
            setBusy(false);
            if (!errors.isEmpty() || !unsealed) {
                showInlineError(m_errorLabel, tr("The broker stays sealed: %1")
                                                  .arg(errors.isEmpty() ? message : errors.join(QStringLiteral("; "))));
                return;
            }
            m_message = message;
            emit brokerUnsealed(message);
            accept();
        });
}

void BrokerUnsealDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_methodComboBox->setEnabled(!busy);
    QPushButton *ok = m_buttonBox->button(QDialogButtonBox::Ok);
    ok->setEnabled(!busy);
    ok->setDefault(!busy);
}

void BrokerUnsealDialog::wipeSecrets()
{
    for (QLineEdit *edit : {m_tokenLineEdit, m_secretIdLineEdit, m_roleIdLineEdit})
        wipeLineEdit(edit);
}

} // namespace gk
