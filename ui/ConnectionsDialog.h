#pragma once

#include "Connection.h"

#include <QDialog>
#include <QString>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace gk {

class ConnectionsModel;

// Manages the console's connections (ConnectionsModel): the list on the left, the selected one's fields on the right
// (name, embedded or remote, URL, CA file, TLS verification, keeping the token in the keychain). Save adds or
// updates, with the model's refusal shown inline; Remove deletes the selected one; Connect saves and asks for a
// switch to it (connectRequested). Never blocks: the CA file chooser opens window-modal.
class ConnectionsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsDialog)

public:
    // connections is not owned and must outlive the dialog; current is selected first.
    ConnectionsDialog(ConnectionsModel *connections, const QString &current, QWidget *parent = nullptr);
    ~ConnectionsDialog() override;

    // The connection the form edits; empty for a new one.
    QString editedName() const { return m_editedName; }
    // Loads the connection called name into the form (a new one when there is none).
    void select(const QString &name);
    // What the form holds now.
    Connection formConnection() const;
    // The error shown inline, if any.
    QString errorText() const;

public slots:
    // Clears the form for a new connection.
    void newConnection();
    // Adds or updates the connection from the form; false, with the reason shown, when refused.
    bool save();
    void removeSelected();
    // Saves, then asks to connect to the connection and closes.
    void connectSelected();

signals:
    void connectRequested(const QString &name);

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void updateFields();
    void showError(const QString &error);
    void chooseCaFile();

    ConnectionsModel *m_connections;
    QString m_editedName;

    QListView *m_connectionsListView = nullptr;
    QLabel *m_nameCaptionLabel = nullptr;
    QLineEdit *m_nameLineEdit = nullptr;
    QLabel *m_kindCaptionLabel = nullptr;
    QComboBox *m_kindComboBox = nullptr;
    QLabel *m_urlCaptionLabel = nullptr;
    QLineEdit *m_urlLineEdit = nullptr;
    QLabel *m_caFileCaptionLabel = nullptr;
    QLineEdit *m_caFileLineEdit = nullptr;
    QPushButton *m_caFileButton = nullptr;
    QCheckBox *m_verifyTlsCheckBox = nullptr;
    QCheckBox *m_keychainCheckBox = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_newButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QPushButton *m_connectButton = nullptr;
    QDialogButtonBox *m_buttonBox = nullptr;
};

} // namespace gk
