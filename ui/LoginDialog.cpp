#include "LoginDialog.h"

#include "Captions.h"
#include "DialogParts.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <initializer_list>
#include <utility>

namespace gk {

namespace {

QLineEdit *makeLineEdit(QWidget *parent, const char *objectName, bool secret)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(QLatin1String(objectName));
    if (secret) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    }
    return edit;
}

// A page of the fields stack: a form with a caption per field.
QWidget *makePage(QStackedWidget *stack, const char *objectName,
                  std::initializer_list<std::pair<QLabel **, QLineEdit *>> rows)
{
    auto *page = new QWidget(stack);
    page->setObjectName(QLatin1String(objectName));
    auto *form = new QFormLayout(page);
    form->setContentsMargins(0, 0, 0, 0);
    for (const auto &[caption, field] : rows) {
        field->setParent(page);
        *caption = new QLabel(page);
        (*caption)->setBuddy(field);
        form->addRow(*caption, field);
    }
    stack->addWidget(page);
    return page;
}

} // namespace

LoginDialog::LoginDialog(Session *session, QWidget *parent) : QDialog(parent), m_session(session)
{
    Q_ASSERT(m_session);
    buildUi();
    retranslateUi();
    updateFields();

    connect(m_session, &Session::signedIn, this, [this] {
        if (!m_busy)
            return;
        setBusy(false);
        clearSecrets();
        accept();
    });
    connect(m_session, &Session::signInFailed, this, [this](const QString &error) {
        if (!m_busy)
            return;
        setBusy(false);
        clearSecrets();
        showError(error);
    });
}

LoginDialog::~LoginDialog()
{
    clearSecrets();
}

void LoginDialog::buildUi()
{
    setObjectName(QStringLiteral("loginDialog"));
    m_methodComboBox = new QComboBox(this);
    m_methodComboBox->setObjectName(QStringLiteral("methodComboBox"));
    m_methodComboBox->addItem(QString(), QVariant::fromValue(Session::Method::Token));
    m_methodComboBox->addItem(QString(), QVariant::fromValue(Session::Method::Userpass));
    m_methodComboBox->addItem(QString(), QVariant::fromValue(Session::Method::AppRole));
    m_methodCaptionLabel = new QLabel(this);
    m_methodCaptionLabel->setBuddy(m_methodComboBox);

    m_fieldsStack = new QStackedWidget(this);
    m_fieldsStack->setObjectName(QStringLiteral("fieldsStack"));
    m_tokenLineEdit = makeLineEdit(this, "tokenLineEdit", true);
    m_userLineEdit = makeLineEdit(this, "userLineEdit", false);
    m_passwordLineEdit = makeLineEdit(this, "passwordLineEdit", true);
    m_roleIdLineEdit = makeLineEdit(this, "roleIdLineEdit", false);
    m_secretIdLineEdit = makeLineEdit(this, "secretIdLineEdit", true);
    makePage(m_fieldsStack, "tokenPage", {{&m_tokenCaptionLabel, m_tokenLineEdit}});
    makePage(m_fieldsStack, "userpassPage",
             {{&m_userCaptionLabel, m_userLineEdit}, {&m_passwordCaptionLabel, m_passwordLineEdit}});
    makePage(m_fieldsStack, "appRolePage",
             {{&m_roleIdCaptionLabel, m_roleIdLineEdit}, {&m_secretIdCaptionLabel, m_secretIdLineEdit}});

    m_mountLineEdit = makeLineEdit(this, "mountLineEdit", false);
    m_mountCaptionLabel = new QLabel(this);
    m_mountCaptionLabel->setBuddy(m_mountLineEdit);

    m_errorLabel = makeErrorLabel(this, "errorLabel");

    m_buttonBox = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttonBox->setObjectName(QStringLiteral("buttonBox"));
    m_buttonBox->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("signInButton"));
    m_buttonBox->button(QDialogButtonBox::Ok)->setDefault(true);
    m_buttonBox->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    connect(m_buttonBox, &QDialogButtonBox::accepted, this, &LoginDialog::signIn);
    connect(m_buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_methodComboBox, &QComboBox::currentIndexChanged, this, &LoginDialog::updateFields);

    auto *form = new QFormLayout;
    form->addRow(m_methodCaptionLabel, m_methodComboBox);
    form->addRow(m_fieldsStack);
    form->addRow(m_mountCaptionLabel, m_mountLineEdit);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_errorLabel);
    layout->addStretch(1);
    layout->addWidget(m_buttonBox);
}

void LoginDialog::retranslateUi()
{
    setWindowTitle(tr("Sign in"));
    setAccessibleName(tr("Sign in"));
    m_methodComboBox->setItemText(0, tr("Token"));
    m_methodComboBox->setItemText(1, tr("Username & password"));
    m_methodComboBox->setItemText(2, tr("AppRole"));

    setCaption(m_methodCaptionLabel, m_methodComboBox, tr("&Method:"), tr("Sign-in method"),
               tr("How to prove who you are: a token, a user name and password, or an AppRole"));
    setCaption(m_tokenCaptionLabel, m_tokenLineEdit, tr("&Token:"), tr("Token"), tr("The token, hidden as you type"));
    setCaption(m_userCaptionLabel, m_userLineEdit, tr("&Username:"), tr("Username"), tr("Your user name"));
    setCaption(m_passwordCaptionLabel, m_passwordLineEdit, tr("&Password:"), tr("Password"),
               tr("Your password, hidden as you type"));
    setCaption(m_roleIdCaptionLabel, m_roleIdLineEdit, tr("&Role ID:"), tr("Role ID"), tr("The AppRole's role_id"));
    setCaption(m_secretIdCaptionLabel, m_secretIdLineEdit, tr("S&ecret ID:"), tr("Secret ID"),
               tr("The AppRole's secret_id, hidden as you type"));
    setCaption(m_mountCaptionLabel, m_mountLineEdit, tr("M&ount:"), tr("Auth mount"),
               tr("The path the auth method is mounted at; empty for its default"));
    m_fieldsStack->setAccessibleName(tr("Credentials"));
    m_errorLabel->setAccessibleName(tr("Sign-in error"));
    m_buttonBox->setAccessibleName(tr("Dialog buttons"));
    QPushButton *ok = m_buttonBox->button(QDialogButtonBox::Ok);
    setButtonText(ok, tr("&Sign in"), tr("Sign in"), tr("Sign in with what is entered above"));
    m_buttonBox->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    updateFields();
}

void LoginDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

Session::Method LoginDialog::method() const
{
    return m_methodComboBox->currentData().value<Session::Method>();
}

void LoginDialog::setMethod(Session::Method method)
{
    m_methodComboBox->setCurrentIndex(m_methodComboBox->findData(QVariant::fromValue(method)));
}

void LoginDialog::updateFields()
{
    const Session::Method current = method();
    m_fieldsStack->setCurrentIndex(m_methodComboBox->currentIndex());
    const bool hasMount = current != Session::Method::Token;
    m_mountCaptionLabel->setVisible(hasMount);
    m_mountLineEdit->setVisible(hasMount);
    m_mountLineEdit->setPlaceholderText(current == Session::Method::AppRole ? QStringLiteral("approle")
                                                                            : QStringLiteral("userpass"));
}

Session::Credentials LoginDialog::credentials() const
{
    Session::Credentials c;
    c.method = method();
    switch (c.method) {
    case Session::Method::Token:
        c.secret = m_tokenLineEdit->text();
        break;
    case Session::Method::Userpass:
        c.name = m_userLineEdit->text();
        c.secret = m_passwordLineEdit->text();
        c.mount = m_mountLineEdit->text();
        break;
    case Session::Method::AppRole:
        c.name = m_roleIdLineEdit->text();
        c.secret = m_secretIdLineEdit->text();
        c.mount = m_mountLineEdit->text();
        break;
    }
    return c;
}

QString LoginDialog::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void LoginDialog::signIn()
{
    if (m_busy)
        return;
    showError({});
    setBusy(true);
    m_session->signIn(credentials());
}

void LoginDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_methodComboBox->setEnabled(!busy);
    m_fieldsStack->setEnabled(!busy);
    m_mountLineEdit->setEnabled(!busy);
    QPushButton *ok = m_buttonBox->button(QDialogButtonBox::Ok);
    ok->setEnabled(!busy);
    ok->setDefault(!busy); // Return signs in, never cancels
}

void LoginDialog::showError(const QString &error)
{
    showInlineError(m_errorLabel, error.isEmpty() ? QString() : tr("Sign-in failed: %1").arg(error));
}

void LoginDialog::clearSecrets()
{
    for (QLineEdit *edit : {m_tokenLineEdit, m_passwordLineEdit, m_secretIdLineEdit})
        edit->clear();
}

} // namespace gk
