#pragma once

#include <QDialog>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPrinter;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace gk {

class ApiClient;
class SealActions;

// Initialises a server in two steps. First: how many key shares and how many of them unseal (validated as the server
// does), then PUT sys/init without blocking. Second: the key shares and the root token, shown this once, with Copy
// (the clipboard is cleared after 30 s if it still holds them), Save (to a file the user picks, readable by the owner
// only) and Print; Finish is enabled only once the user confirms the material is stored. Closing wipes the material
// from the widgets; it is kept nowhere else.
class InitWizard final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InitWizard)

public:
    // Asks where to save (done(path), or done({}) when cancelled). A seam, so that tests answer without a modal
    // dialog; by default a QFileDialog is opened window-modal.
    using SavePrompt = std::function<void(QWidget *parent, std::function<void(const QString &path)> done)>;
    // Sets up printer (done(true) to print, done(false) when cancelled). A seam like SavePrompt; by default a
    // QPrintDialog.
    using PrintPrompt = std::function<void(QWidget *parent, QPrinter *printer, std::function<void(bool)> done)>;

    // client is not owned and must outlive the dialog.
    explicit InitWizard(ApiClient *client, QWidget *parent = nullptr);
    ~InitWizard() override;

    void setSavePrompt(SavePrompt prompt) { m_savePrompt = std::move(prompt); }
    void setPrintPrompt(PrintPrompt prompt) { m_printPrompt = std::move(prompt); }
    // How long copied material stays on the clipboard (30 s by default).
    void setClipboardClearMs(int ms) { m_clipboardClearMs = ms; }

    void setShares(int shares);
    void setThreshold(int threshold);
    // True once the key shares are shown.
    bool showsKeys() const;
    QString errorText() const;
    bool isBusy() const { return m_busy; }

public slots:
    void initialise();
    void copyMaterial();
    void saveMaterial();
    void printMaterial();
    void done(int result) override;

signals:
    // The server has been initialised (it is sealed now).
    void initialised();

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void validate();
    void setBusy(bool busy);
    // The shares, the root token and the threshold as text; the caller wipes it.
    QString materialText() const;
    void wipeMaterial();

    SealActions *m_actions;
    SavePrompt m_savePrompt;
    PrintPrompt m_printPrompt;
    int m_clipboardClearMs;
    bool m_busy = false;
    int m_threshold = 0;

    QStackedWidget *m_pages = nullptr;
    QWidget *m_parametersPage = nullptr;
    QLabel *m_introLabel = nullptr;
    QLabel *m_sharesCaptionLabel = nullptr;
    QSpinBox *m_sharesSpinBox = nullptr;
    QLabel *m_thresholdCaptionLabel = nullptr;
    QSpinBox *m_thresholdSpinBox = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_initialiseButton = nullptr;
    QPushButton *m_cancelButton = nullptr;

    QWidget *m_keysPage = nullptr;
    QLabel *m_keysIntroLabel = nullptr;
    QLabel *m_keysCaptionLabel = nullptr;
    QListWidget *m_keysListWidget = nullptr;
    QLabel *m_rootTokenCaptionLabel = nullptr;
    QLineEdit *m_rootTokenLineEdit = nullptr;
    QPushButton *m_copyButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_printButton = nullptr;
    QLabel *m_noticeLabel = nullptr;
    QCheckBox *m_storedCheckBox = nullptr;
    QPushButton *m_finishButton = nullptr;
};

} // namespace gk
