#pragma once

#include "SealActions.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace gk {

class ApiClient;

// Unseals the task token broker (POST /unseal) with the credential it will keep in memory: a token, a wrapping token,
// or an AppRole's role_id and secret_id. The broker's error shows inline and the dialog stays open; the secret fields
// are cleared and wiped after every attempt. Accepts once the broker says it is unsealed.
class BrokerUnsealDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrokerUnsealDialog)

public:
    // client is not owned and must outlive the dialog.
    explicit BrokerUnsealDialog(ApiClient *client, QWidget *parent = nullptr);
    ~BrokerUnsealDialog() override;

    SealActions::BrokerCredentials::Method method() const;
    void setMethod(SealActions::BrokerCredentials::Method method);
    QString errorText() const;
    // The broker's message after a success ("gatekeeper is unsealed", …).
    QString message() const { return m_message; }
    bool isBusy() const { return m_busy; }

public slots:
    void unseal();

signals:
    void brokerUnsealed(const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void updateFields();
    void setBusy(bool busy);
    void wipeSecrets();

    SealActions *m_actions;
    bool m_busy = false;
    QString m_message;

    QLabel *m_methodCaptionLabel = nullptr;
    QComboBox *m_methodComboBox = nullptr;
    QLabel *m_tokenCaptionLabel = nullptr;
    QLineEdit *m_tokenLineEdit = nullptr;
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
