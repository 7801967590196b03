#include "ConnectionsDialog.h"

#include "Captions.h"
#include "ConnectionsModel.h"
#include "DialogParts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace gk {

namespace {

template <typename T> T *makeWidget(QWidget *parent, const char *objectName)
{
    auto *widget = new T(parent);
    widget->setObjectName(QLatin1String(objectName));
    return widget;
}

} // namespace

ConnectionsDialog::ConnectionsDialog(ConnectionsModel *connections, const QString &current, QWidget *parent)
    : QDialog(parent), m_connections(connections)
{
    Q_ASSERT(m_connections);
    buildUi();
    retranslateUi();
    select(current);
}

ConnectionsDialog::~ConnectionsDialog() = default;

void ConnectionsDialog::buildUi()
{
    setObjectName(QStringLiteral("connectionsDialog"));

    m_connectionsListView = makeWidget<QListView>(this, "connectionsListView");
    m_connectionsListView->setModel(m_connections);
    m_connectionsListView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_connectionsListView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(m_connectionsListView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &index) {
                if (index.isValid() && index.data(ConnectionsModel::NameRole).toString() != m_editedName)
                    select(index.data(ConnectionsModel::NameRole).toString());
            });
    connect(m_connectionsListView, &QListView::doubleClicked, this, &ConnectionsDialog::connectSelected);

    m_nameLineEdit = makeWidget<QLineEdit>(this, "nameLineEdit");
    m_kindComboBox = makeWidget<QComboBox>(this, "kindComboBox");
    m_kindComboBox->addItem(QString(), QVariant::fromValue(int(Connection::Kind::Embedded)));
    m_kindComboBox->addItem(QString(), QVariant::fromValue(int(Connection::Kind::Remote)));
    connect(m_kindComboBox, &QComboBox::currentIndexChanged, this, &ConnectionsDialog::updateFields);
    m_urlLineEdit = makeWidget<QLineEdit>(this, "urlLineEdit");
    m_urlLineEdit->setPlaceholderText(QStringLiteral("https://vault.example.org:8200"));
    m_caFileLineEdit = makeWidget<QLineEdit>(this, "caFileLineEdit");
    m_caFileButton = makeWidget<QPushButton>(this, "caFileButton");
    connect(m_caFileButton, &QPushButton::clicked, this, &ConnectionsDialog::chooseCaFile);
    m_verifyTlsCheckBox = makeWidget<QCheckBox>(this, "verifyTlsCheckBox");
    m_keychainCheckBox = makeWidget<QCheckBox>(this, "keychainCheckBox");

    auto *caFileLayout = new QHBoxLayout;
    caFileLayout->addWidget(m_caFileLineEdit, 1);
    caFileLayout->addWidget(m_caFileButton);
    auto *form = new QFormLayout;
    const auto addRow = [&](QLabel *&caption, QWidget *field, QLayout *fieldLayout = nullptr) {
        caption = new QLabel(this);
        caption->setBuddy(field);
        if (fieldLayout)
            form->addRow(caption, fieldLayout);
        else
            form->addRow(caption, field);
    };
    addRow(m_nameCaptionLabel, m_nameLineEdit);
    addRow(m_kindCaptionLabel, m_kindComboBox);
    addRow(m_urlCaptionLabel, m_urlLineEdit);
    addRow(m_caFileCaptionLabel, m_caFileLineEdit, caFileLayout);
    form->addRow(m_verifyTlsCheckBox);
    form->addRow(m_keychainCheckBox);

    m_errorLabel = makeErrorLabel(this, "errorLabel");

    m_newButton = makeWidget<QPushButton>(this, "newButton");
    connect(m_newButton, &QPushButton::clicked, this, &ConnectionsDialog::newConnection);
    m_saveButton = makeWidget<QPushButton>(this, "saveButton");
    connect(m_saveButton, &QPushButton::clicked, this, &ConnectionsDialog::save);
    m_removeButton = makeWidget<QPushButton>(this, "removeButton");
    connect(m_removeButton, &QPushButton::clicked, this, &ConnectionsDialog::removeSelected);
    m_connectButton = makeWidget<QPushButton>(this, "connectButton");
    m_connectButton->setDefault(true);
    connect(m_connectButton, &QPushButton::clicked, this, &ConnectionsDialog::connectSelected);
    m_buttonBox = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_buttonBox->setObjectName(QStringLiteral("buttonBox"));
    m_buttonBox->button(QDialogButtonBox::Close)->setObjectName(QStringLiteral("closeButton"));
    connect(m_buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(m_newButton);
    listButtons->addWidget(m_removeButton);
    listButtons->addStretch(1);
    auto *listLayout = new QVBoxLayout;
    listLayout->addWidget(m_connectionsListView, 1);
    listLayout->addLayout(listButtons);
    auto *formButtons = new QHBoxLayout;
    formButtons->addStretch(1);
    formButtons->addWidget(m_saveButton);
    formButtons->addWidget(m_connectButton);
    auto *formLayout = new QVBoxLayout;
    formLayout->addLayout(form);
    formLayout->addWidget(m_errorLabel);
    formLayout->addStretch(1);
    formLayout->addLayout(formButtons);
    auto *columns = new QHBoxLayout;
    columns->addLayout(listLayout, 2);
    columns->addLayout(formLayout, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_buttonBox);
    resize(640, 320);
}

void ConnectionsDialog::retranslateUi()
{
    setWindowTitle(tr("Connections"));
    setAccessibleName(tr("Connections"));
    m_connectionsListView->setAccessibleName(tr("Connections"));
    m_connectionsListView->setAccessibleDescription(tr("The servers this console knows; double-click to connect"));
    m_kindComboBox->setItemText(0, tr("Embedded server on this computer"));
    m_kindComboBox->setItemText(1, tr("Remote server"));
    setCaption(m_nameCaptionLabel, m_nameLineEdit, tr("&Name:"), tr("Connection name"),
               tr("A name for this connection, unique among them"));
    setCaption(m_kindCaptionLabel, m_kindComboBox, tr("&Kind:"), tr("Kind of server"),
               tr("The console's own embedded server, or a remote one at an address"));
    setCaption(m_urlCaptionLabel, m_urlLineEdit, tr("&Address:"), tr("Server address"),
               tr("The remote server's http:// or https:// URL"));
    setCaption(m_caFileCaptionLabel, m_caFileLineEdit, tr("CA &file:"), tr("CA certificate file"),
               tr("PEM CA certificates to trust for this server instead of the system's; empty for the system's"));
    setButtonText(m_caFileButton, tr("&Browse…"), tr("Browse for a CA file"));
    setButtonText(m_verifyTlsCheckBox, tr("&Verify the server's TLS certificate"), tr("Verify TLS"),
                  tr("Turn off only for a test server: without it anyone on the way can read your token"));
    setButtonText(m_keychainCheckBox, tr("Keep my &token in the system keychain"), tr("Keep token in keychain"),
                  tr("Stay signed in across restarts; the token is kept nowhere else"));
    m_errorLabel->setAccessibleName(tr("Error"));
    setButtonText(m_newButton, tr("Ne&w"), tr("New connection"), tr("Start a new connection"));
    setButtonText(m_removeButton, tr("&Remove"), tr("Remove connection"),
                  tr("Forget the selected connection and its kept token"));
    setButtonText(m_saveButton, tr("&Save"), tr("Save connection"), tr("Keep the connection as entered"));
    setButtonText(m_connectButton, tr("&Connect"), tr("Connect"), tr("Save, then switch the console to it"));
    m_buttonBox->setAccessibleName(tr("Dialog buttons"));
    m_buttonBox->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
}

void ConnectionsDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void ConnectionsDialog::select(const QString &name)
{
    const std::optional<Connection> connection = m_connections->find(name);
    if (!connection) {
        newConnection();
        return;
    }
    m_editedName = connection->name;
    m_connectionsListView->setCurrentIndex(m_connections->index(m_connections->indexOf(name)));
    m_nameLineEdit->setText(connection->name);
    m_kindComboBox->setCurrentIndex(connection->isEmbedded() ? 0 : 1);
    m_urlLineEdit->setText(connection->url.toString());
    m_caFileLineEdit->setText(connection->caFile);
    m_verifyTlsCheckBox->setChecked(connection->verifyTls);
    m_keychainCheckBox->setChecked(connection->keychain);
    showError({});
    updateFields();
}

void ConnectionsDialog::newConnection()
{
    m_editedName.clear();
    m_connectionsListView->selectionModel()->clear();
    m_connectionsListView->setCurrentIndex({});
    m_nameLineEdit->clear();
    m_kindComboBox->setCurrentIndex(1);
    m_urlLineEdit->clear();
    m_caFileLineEdit->clear();
    m_verifyTlsCheckBox->setChecked(true);
    m_keychainCheckBox->setChecked(false);
    showError({});
    updateFields();
    m_nameLineEdit->setFocus();
}

Connection ConnectionsDialog::formConnection() const
{
    Connection c;
    c.name = m_nameLineEdit->text().trimmed();
    c.kind = Connection::Kind(m_kindComboBox->currentData().toInt());
    c.keychain = m_keychainCheckBox->isChecked();
    if (c.isEmbedded())
        return c;
    c.url = QUrl(m_urlLineEdit->text().trimmed());
    c.caFile = m_caFileLineEdit->text().trimmed();
    c.verifyTls = m_verifyTlsCheckBox->isChecked();
    return c;
}

void ConnectionsDialog::updateFields()
{
    const bool remote = m_kindComboBox->currentIndex() == 1;
    for (QWidget *field : {static_cast<QWidget *>(m_urlLineEdit), static_cast<QWidget *>(m_caFileLineEdit),
                           static_cast<QWidget *>(m_caFileButton), static_cast<QWidget *>(m_verifyTlsCheckBox)})
        field->setEnabled(remote);
    m_removeButton->setEnabled(!m_editedName.isEmpty());
}

bool ConnectionsDialog::save()
{
    const Connection connection = formConnection();
    QString error;
    const bool saved = m_editedName.isEmpty() ? m_connections->add(connection, &error)
                                              : m_connections->update(m_editedName, connection, &error);
    if (!saved) {
        showError(error);
        return false;
    }
    select(connection.name);
    return true;
}

void ConnectionsDialog::removeSelected()
{
    if (m_editedName.isEmpty())
        return;
    QString error;
    if (!m_connections->remove(m_editedName, &error)) {
        showError(error);
        return;
    }
    if (m_connections->rowCount() > 0)
        select(m_connections->index(0).data(ConnectionsModel::NameRole).toString());
    else
        newConnection();
}

void ConnectionsDialog::connectSelected()
{
    if (!save())
        return;
    emit connectRequested(m_editedName);
    accept();
}

QString ConnectionsDialog::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void ConnectionsDialog::showError(const QString &error)
{
    showInlineError(m_errorLabel, error);
}

void ConnectionsDialog::chooseCaFile()
{
    auto *chooser = new QFileDialog(this, tr("CA certificates"), m_caFileLineEdit->text(),
                                    tr("PEM certificates (*.pem *.crt);;All files (*)"));
    chooser->setObjectName(QStringLiteral("caFileChooser"));
    chooser->setAttribute(Qt::WA_DeleteOnClose);
    chooser->setFileMode(QFileDialog::ExistingFile);
    connect(chooser, &QFileDialog::fileSelected, m_caFileLineEdit, &QLineEdit::setText);
    chooser->open();
}

} // namespace gk
