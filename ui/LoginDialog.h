#pragma once

#include "Session.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QStackedWidget;

namespace gk {

// Sign-in: a method (Token, Username & password, AppRole), its fields (secrets masked), the auth mount, and the
// server's error inline. Sign in hands the credentials to the Session and waits for its answer without blocking;
// the dialog accepts once signed in and stays open, with the error shown, when the sign-in fails. The secret
// fields are cleared after every attempt.
class LoginDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginDialog)

public:
    // session is not owned and must outlive the dialog.
    explicit LoginDialog(Session *session, QWidget *parent = nullptr);
    ~LoginDialog() override;

    Session::Method method() const;
    void setMethod(Session::Method method);
    // The credentials as entered.
    Session::Credentials credentials() const;
    // The error shown inline, if any.
    QString errorText() const;
    bool isBusy() const { return m_busy; }

public slots:
    void signIn();

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void updateFields();
    void setBusy(bool busy);
    void showError(const QString &error);
    void clearSecrets();

    Session *m_session;
    bool m_busy = false;

    QLabel *m_methodCaptionLabel = nullptr;
    QComboBox *m_methodComboBox = nullptr;
    QStackedWidget *m_fieldsStack = nullptr;
    QLabel *m_tokenCaptionLabel = nullptr;
    QLineEdit *m_tokenLineEdit = nullptr;
    QLabel *m_userCaptionLabel = nullptr;
    QLineEdit *m_userLineEdit = nullptr;
    QLabel *m_passwordCaptionLabel = nullptr;
    QLineEdit *m_passwordLineEdit = nullptr;
    QLabel *m_roleIdCaptionLabel = nullptr;
    QLineEdit *m_roleIdLineEdit = nullptr;
    QLabel *m_secretIdCaptionLabel = nullptr;
    QLineEdit *m_secretIdLineEdit = nullptr;
    QLabel *m_mountCaptionLabel = nullptr;
    QLineEdit *m_mountLineEdit = nullptr;
    QLabel *m_errorLabel = nullptr;
    QDialogButtonBox *m_buttonBox = nullptr;
};

} // namespace gk
