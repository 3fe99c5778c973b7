//! End-to-end tests of the real window through WebDriver: tauri-driver and WebKitWebDriver
//! drive the built window binary under Xvfb, against a real resident, in a network namespace
//! of the test's own (the catalog preset added here names real hosts, which must stay out of
//! reach). Every view is screenshotted in English and German into `artifacts/`.

// In tests a panic is the failure report: unwrap says where.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use outage_tests::desktop::{self, Daemon, DesktopServices};
use outage_tests::mail::Keychain;
use outage_tests::webdriver::{Page, TauriDriver, Texts, eventually, xpath_literal};
use outage_tests::{Anchor, Behaviour, HttpServer, Running, bin, control_roundtrip, statuspage_summary, workspace};
use serde_json::Value;

const INCIDENT: &str = "Mailcluster 3 unreachable";
const UPDATE: &str = "Mailboxes are not reachable. We are investigating.";
const LOOPBACK: &str = "Loopback Mail";

/// Copies the resident's logs into `artifacts/` when dropped, however the test ends.
struct KeepLogs {
    from: PathBuf,
    to: PathBuf,
}

impl Drop for KeepLogs {
    fn drop(&mut self) {
        let _ = std::fs::create_dir_all(&self.to);
        for entry in std::fs::read_dir(&self.from).into_iter().flatten().flatten() {
            let _ = std::fs::copy(entry.path(), self.to.join(entry.file_name()));
        }
    }
}

/// The resident's current summary, read over its control socket.
fn summary(socket: &Path) -> Value {
    let reply = control_roundtrip(socket, b"{\"id\":1,\"method\":\"summary\"}\n");
    let reply: Value = serde_json::from_str(&reply).expect("summary reply");
    reply["summary"].clone()
}

fn provider<'a>(summary: &'a Value, name: &str) -> Option<&'a Value> {
    summary["providers"].as_array()?.iter().find(|p| p["name"] == name)
}

fn check_now(socket: &Path) {
    let reply = control_roundtrip(socket, b"{\"id\":2,\"method\":\"check_now\"}\n");
    assert!(reply.contains("\"done\""), "{reply}");
}

/// The names listed in one of the summary's lists (`ul.providers` is "Affected", `.compact`
/// "Everything else").
async fn listed(page: &Page) -> Vec<String> {
    page.texts("ul.providers li .name").await
}

/// Opens "Add a provider", searches the catalog for DomainFactory and waits for the hit.
async fn search_catalog(page: &Page, texts: &Texts) {
    page.click_button(&texts.t("add.open")).await;
    page.wait_text("the add-provider view", "main h1", |t| t == texts.t("add.title")).await;
    page.type_into("input[type=search]", "DomainFactory").await;
    page.wait_text("DomainFactory in the catalog results", "ul.presets li strong", |t| t == "DomainFactory").await;
}

/// The affected provider's row at the top of the summary, once it shows `state`.
async fn top_affected(page: &Page, state: &str) -> (String, String, String) {
    page.wait(&format!("{LOOPBACK} first among the affected, {state}"), || async {
        let name = page.text("ul.providers:not(.compact) li .name").await?;
        let shown = page.text("ul.providers:not(.compact) li .state").await?;
        let verdict = page.text("ul.providers:not(.compact) li .verdict").await?;
        (name == LOOPBACK && shown == state && !verdict.is_empty()).then_some((name, shown, verdict))
    })
    .await
}

/// Opens the loopback provider's detail and checks the incident and its timeline are there.
async fn open_detail(page: &Page, texts: &Texts) {
    let xpath = format!(
        "//ul[contains(@class, 'providers')]//button[.//span[@class='name' and normalize-space()={}]]",
        xpath_literal(LOOPBACK)
    );
    page.click("the loopback provider's row", Locator::XPath(&xpath)).await;
    page.wait_text("the detail's heading", "main h1", |t| t.contains(LOOPBACK)).await;
    let major = texts.t("state.major_outage");
    page.wait_text("the detail's state line", "[data-testid=detail-state]", |t| t.starts_with(&major)).await;
    page.wait_text("the incident's title", "article.incident h3", |t| t == INCIDENT).await;
    page.wait_text("the provider's update in the timeline", "article.incident .timeline .body", |t| t == UPDATE).await;
    // The history below loads separately; the screenshot should show it.
    page.wait("the detail's history", || async { page.text("[data-testid=uptime]").await }).await;
}

async fn open_settings(page: &Page, texts: &Texts) {
    page.click_button(&texts.t("settings.open")).await;
    page.wait_text("the settings view", "main h1", |t| t == texts.t("settings.title")).await;
    page.wait("the general settings form", || async {
        page.client.find(Locator::Css("form.general select")).await.ok()
    })
    .await;
}

async fn back(page: &Page, texts: &Texts) {
    page.click_button(&format!("← {}", texts.t("back"))).await;
    page.wait("the summary", || async { page.text("[data-testid=headline]").await }).await;
}

/// Runs `test` in a network namespace of its own (see [`outage_tests::in_own_network`])
/// with a bound on the whole, should a wait be stuck where no deadline reaches: dropping the
/// test's future ends every process it started.
fn isolated<F: Future<Output = ()>>(name: &str, test: impl FnOnce() -> F) {
    if !outage_tests::in_own_network(name) {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(480), test()).await.expect("the test took over 8 minutes");
    });
}

/// Everything one window test runs, stopped in this order when dropped: the window (with
/// tauri-driver), the resident, the desktop services, the bus, the display.
struct World {
    page: Page,
    _driver: TauriDriver,
    socket: PathBuf,
    config: PathBuf,
    started: Instant,
    _logs: KeepLogs,
    _resident: Running,
    _anchor: Anchor,
    _services: DesktopServices,
    _bus: Option<Daemon>,
    _xvfb: Daemon,
    _dir: tempfile::TempDir,
}

impl World {
    /// A display, a session bus (`bus`, or a new one), the resident on a config of
    /// `providers` (TOML) and the window in a WebDriver session.
    /// `label` names its logs in `artifacts/`, so that tests running side by side keep theirs.
    async fn start(label: &str, providers: &str, bus: Option<&str>) -> World {
        let started = Instant::now();
        let dir = tempfile::tempdir().unwrap();
        let runtime_dir = dir.path().join("run");
        std::fs::create_dir_all(&runtime_dir).unwrap();
        let artifacts = workspace().join("artifacts");

        let (xvfb, display) = desktop::xvfb();
        let (own_bus, bus_address) = if let Some(address) = bus {
            (None, address.to_owned())
        } else {
            let (daemon, address) = desktop::dbus_session();
            (Some(daemon), address)
        };
        // Notifications and the tray need their servers on the bus, or the resident complains.
        let services = DesktopServices::start(&bus_address).await;

        let anchor = Anchor::start();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[settings]\ninterval = \"10m\"\ntimeout = \"5s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n{providers}",
                anchor.addr
            ),
        )
        .unwrap();

        let home = dir.path().to_path_buf();
        let env = |c: &mut Command| {
            c.env("DISPLAY", &display)
                .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
                .env("XDG_RUNTIME_DIR", &runtime_dir)
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("XDG_DATA_HOME", home.join("share"))
                .env_remove("OUTAGE_NOTIFIER_SOCKET")
                .env_remove("OUTAGE_NOTIFIER_WINDOW")
                // Xvfb has no GPU: software rendering without compositing is what works there.
                .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        };
        let mut command = Command::new(bin("outage-notifier"));
        command
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(home.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        env(&mut command);
        let resident = Running(command.spawn().expect("start the resident"));
        let logs =
            KeepLogs { from: home.join("data/logs"), to: artifacts.join(format!("window-{label}-resident-logs")) };
        let socket = runtime_dir.join("outage-notifier").join("control.sock");
        eventually("the resident's control socket", Duration::from_secs(60), || async {
            std::os::unix::net::UnixStream::connect(&socket).ok().map(drop)
        })
        .await;

        let driver = TauriDriver::start(&artifacts.join(format!("window-{label}-tauri-driver.log")), env);
        let page = driver.session(&bin("outage-notifier-window"), &artifacts, label).await;
        eprintln!("window: session after {:?}", started.elapsed());
        World {
            page,
            _driver: driver,
            socket,
            config,
            started,
            _logs: logs,
            _resident: resident,
            _anchor: anchor,
            _services: services,
            _bus: own_bus,
            _xvfb: xvfb,
            _dir: dir,
        }
    }

    fn config(&self) -> String {
        std::fs::read_to_string(&self.config).unwrap()
    }

    /// Ends the WebDriver session, which closes the window.
    async fn finish(self, what: &str) {
        let elapsed = self.started.elapsed();
        self.page.client.clone().close().await.unwrap();
        eprintln!("window: {what} done after {elapsed:?}; screenshots in {}", workspace().join("artifacts").display());
    }
}

/// The whole journey in one session, as a person would take it: each step builds on the
/// last (the provider added by URL is the one that fails), and one window start is slow
/// enough on a two-core machine that the steps share it.
#[test]
fn window_onboarding_outage_detail_and_language() {
    // The name is given to `isolated`, which runs exactly this test again.
    isolated("window_onboarding_outage_detail_and_language", journey);
}

async fn journey() {
    let en = Texts::load("en");
    let de = Texts::load("de");
    let status = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    // No providers yet: the journey adds them.
    let world = World::start("journey", "", None).await;
    let page = &world.page;
    let socket = world.socket.clone();
    let read_config = || world.config();

    // (a) The summary renders: the overall verdict line and the actions.
    page.wait_text("the verdict line", "[data-testid=headline]", |t| t == en.t("headline.noProviders")).await;
    for action in ["checkNow", "add.open", "settings.open"] {
        let xpath = format!("//button[normalize-space()={}]", xpath_literal(&en.t(action)));
        page.wait(&format!("the {action} button"), || async { page.client.find(Locator::XPath(&xpath)).await.ok() })
            .await;
    }

    // (b) From the catalog: DomainFactory.
    search_catalog(page, &en).await;
    let hit = page.text("ul.presets li").await.unwrap();
    assert!(hit.contains("mail server"), "the hit names its mail servers: {hit}");
    page.screenshot("add-provider-en").await;
    let add = "//ul[contains(@class, 'presets')]/li[.//strong[normalize-space()='DomainFactory']]//button";
    page.click("DomainFactory's Add button", Locator::XPath(add)).await;
    page.wait("DomainFactory in the summary", || async {
        listed(page).await.contains(&"DomainFactory".into()).then_some(())
    })
    .await;
    let text = read_config();
    assert!(text.contains("preset = \"domainfactory\""), "{text}");

    // (c) By URL: the loopback status page, detected and previewed first.
    page.click_button(&en.t("add.open")).await;
    page.wait_text("the add-provider view", "main h1", |t| t == en.t("add.title")).await;
    page.type_into("input[type=url]", &status.base_url()).await;
    page.click_button(&en.t("add.check")).await;
    let operational = en.t("state.operational");
    let preview = page
        .wait_text("the detection preview", "[data-testid=preview] p", |t| {
            t.contains("Found: statuspage") && t.contains(&operational)
        })
        .await;
    assert!(preview.contains("1 components, 0 incidents"), "{preview}");
    page.type_into("[data-testid=preview] input", LOOPBACK).await;
    page.click("the preview's Add button", Locator::Css("[data-testid=preview] button")).await;
    page.wait("the loopback provider in the summary", || async {
        listed(page).await.contains(&LOOPBACK.into()).then_some(())
    })
    .await;
    let text = read_config();
    assert!(text.contains(&format!("name = \"{LOOPBACK}\"")), "{text}");
    assert!(text.contains(&format!("status_page = \"{}\"", status.base_url())), "{text}");

    // The catalog provider is checked too, and must find its real hosts out of reach: proof
    // that nothing left this namespace. Checked now, rather than at the next interval.
    check_now(&socket);
    let reason = eventually("DomainFactory's status page to be checked", Duration::from_secs(120), || async {
        let s = summary(&socket);
        let check = provider(&s, "DomainFactory")?["checks"]
            .as_array()?
            .iter()
            .find(|c| c["kind"] == "status_page" && !c["at"].is_null())?
            .clone();
        Some((check["outcome"].as_str()?.to_owned(), check["reason"].as_str().unwrap_or("").to_owned()))
    })
    .await;
    assert_ne!(reason.0, "up", "DomainFactory's real status page was reached from the test: {reason:?}");
    assert!(["dns", "offline", "refused", "timeout"].contains(&reason.1.as_str()), "{reason:?}");
    eprintln!("window: DomainFactory's real status page from inside the namespace: {reason:?}");

    // (d) An outage on the loopback page, checked now from the window.
    status.set(Behaviour::Ok(statuspage_summary("critical", Some(("inc-42", INCIDENT, "critical")))));
    page.click_button(&en.t("checkNow")).await;
    let (_, _, verdict_en) = top_affected(page, &en.t("state.major_outage")).await;
    let s = summary(&socket);
    assert_eq!(provider(&s, LOOPBACK).unwrap()["verdict_text"], verdict_en.as_str(), "the row shows the verdict");
    let last_update = page.text("ul.providers:not(.compact) li .last-update").await.unwrap();
    assert_eq!(last_update, UPDATE);
    page.screenshot("summary-en").await;
    open_detail(page, &en).await;
    page.screenshot("detail-en").await;
    back(page, &en).await;
    open_settings(page, &en).await;
    page.screenshot("settings-en").await;

    // (e) German, chosen in the settings: the resident writes it into the config and speaks
    // it from then on, and the open window follows it at once.
    page.wait("the language menu to take German", || async {
        page.client.find(Locator::Css("form.general select")).await.ok()?.select_by_value("de").await.ok()
    })
    .await;
    page.click_button(&en.t("settings.save")).await;
    // "Saved" shows only until the page is drawn anew in German, so the file is the witness.
    eventually("the config to say German", Duration::from_secs(30), || async {
        read_config().contains("language = \"de\"").then_some(())
    })
    .await;
    let verdict_de = eventually("the resident to speak German", Duration::from_secs(60), || async {
        let s = summary(&socket);
        let text = provider(&s, LOOPBACK)?["verdict_text"].as_str()?.to_owned();
        (text != verdict_en).then_some(text)
    })
    .await;
    // No reload: the settings page is drawn anew in German, and its way back says so.
    page.click_button(&format!("← {}", de.t("back"))).await;
    let s = summary(&socket);
    let problems = s["providers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| ["degraded", "partial_outage", "major_outage"].contains(&p["state"].as_str().unwrap_or("")))
        .count();
    let headline_de = if problems == 1 {
        verdict_de.clone()
    } else {
        de.t("headline.problems_other").replace("{{count}}", &problems.to_string())
    };
    page.wait_text("the verdict line in German", "[data-testid=headline]", |t| t == headline_de).await;
    page.wait("the German actions", || async {
        page.client.find(Locator::XPath("//button[normalize-space()='Jetzt prüfen']")).await.ok()
    })
    .await;
    let (_, _, verdict_shown) = top_affected(page, &de.t("state.major_outage")).await;
    assert_eq!(verdict_shown, verdict_de);

    // (f) Every view in German.
    page.screenshot("summary-de").await;
    open_detail(page, &de).await;
    page.screenshot("detail-de").await;
    back(page, &de).await;
    search_catalog(page, &de).await;
    page.screenshot("add-provider-de").await;
    page.click_button(&format!("← {}", de.t("back"))).await;
    open_settings(page, &de).await;
    page.screenshot("settings-de").await;

    world.finish("the journey").await;
}

/// A mail account added in the provider's detail: "Test connection" logs in to the real
/// Dovecot on loopback with the typed password (through the keychain, as the window does)
/// and shows each step; Save writes the endpoint, never the password, into the config.
#[test]
fn window_mail_account_test_connection() {
    // The name is given to `isolated`, which runs exactly this test again.
    isolated("window_mail_account_test_connection", mail_account);
}

async fn mail_account() {
    let en = Texts::load("en");
    let servers = outage_tests::mail::servers();
    // The password goes through the Secret Service: a private gnome-keyring, on the bus
    // that the resident and the window share.
    let keychain = Keychain::start();
    let status = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let providers = format!(
        "\n[[provider]]\nid = \"loop\"\nname = \"{LOOPBACK}\"\nstatus_page = \"{}\"\nstatus_format = \"statuspage\"\n",
        status.base_url()
    );
    let world = World::start("mail", &providers, Some(&keychain.bus)).await;
    let page = &world.page;

    page.wait_text("the verdict line", "[data-testid=headline]", |t| t == en.t("headline.allWell")).await;
    let row = format!(
        "//ul[contains(@class, 'providers')]//button[.//span[@class='name' and normalize-space()={}]]",
        xpath_literal(LOOPBACK)
    );
    page.click("the loopback provider's row", Locator::XPath(&row)).await;
    page.wait_text("the mail accounts", "section.mail-accounts h2", |t| t == en.t("mail.title")).await;
    page.wait_text("no accounts yet", "section.mail-accounts p.muted", |t| t == en.t("mail.none")).await;

    // IMAP with implicit TLS is what the form starts with.
    page.type_into("form.mail-form input[placeholder='imap.example.com']", &servers.host).await;
    page.type_into("form.mail-form input[inputmode=numeric]", &servers.imaps.to_string()).await;
    page.type_into("form.mail-form input[autocomplete=username]", &servers.user).await;
    page.type_into("form.mail-form input[type=password]", &servers.password).await;
    page.click("the advanced settings", Locator::Css("form.mail-form details.advanced summary")).await;
    page.type_into("form.mail-form input[placeholder='/etc/ssl/my-ca.pem']", &servers.ca_file.to_string_lossy()).await;
    page.click_button(&en.t("mail.test")).await;
    let outcome = page.wait_text("Test connection to pass", "[data-testid=test-outcome]", |t| !t.is_empty()).await;
    assert!(outcome.contains(&en.t("mail.works")), "{outcome}; the page said:\n{}", page.body().await);
    let steps = page.texts("[data-testid=test-result] ol.steps li").await;
    let login = en.t("mail.step.login");
    assert!(steps.iter().any(|s| s.contains(&login) && s.contains(&en.t("mail.stepOk"))), "{steps:?}");
    assert!(steps.iter().all(|s| s.starts_with('✓')), "every step passed: {steps:?}");
    page.scroll_to("[data-testid=test-result]").await;
    page.screenshot("mail-account-en").await;
    // Whether the keychain holds the password of this endpoint: `credentials delete` exits 0
    // when it removed one and 1 when there was none.
    let endpoint = format!("loop/imap/{}:{}", servers.host, servers.imaps);
    let take_password = || -> bool {
        let mut command = Command::new(bin("outage-notifier"));
        command.args(["credentials", "delete", "loop", &servers.user, "--endpoint", &endpoint]);
        keychain.apply(&mut command);
        let out = command.output().unwrap();
        match out.status.code() {
            Some(0) => true,
            Some(1) => false,
            _ => panic!("credentials delete: {}", String::from_utf8_lossy(&out.stderr)),
        }
    };
    assert!(!take_password(), "Test connection left the typed password in the keychain");

    page.click("the mail form's Save button", Locator::Css("form.mail-form button[type=submit]")).await;
    page.wait_text("the account to be saved", "[data-testid=mail-saved]", |t| t == en.t("mail.saved")).await;
    let account = page.wait_text("the saved account in the list", "[data-testid=mail-account]", |_| true).await;
    assert!(account.contains(&format!("{}:{}", servers.host, servers.imaps)), "{account}");
    let text = world.config();
    assert!(text.contains("[[provider.mail]]"), "{text}");
    assert!(text.contains(&format!("host = \"{}\"", servers.host)), "{text}");
    assert!(text.contains(&format!("username = \"{}\"", servers.user)), "{text}");
    assert!(!text.contains(&servers.password), "the password must not be written into the config");
    assert!(take_password(), "Save stores the password in the keychain");

    // Edit opens the form on the saved account, in place; Cancel leaves it as it was.
    page.click_button(&en.t("mail.edit")).await;
    page.wait_text("the edit form", "section.mail-accounts h3", |t| t.starts_with(&en.t("mail.edit"))).await;
    page.scroll_to("form.mail-form").await;
    page.screenshot("mail-edit-en").await;
    page.click_button(&en.t("mail.cancel")).await;
    page.wait_text("the add form again", "section.mail-accounts h3", |t| !t.starts_with(&en.t("mail.edit"))).await;

    // Removing the account takes its password out of the keychain too (stored again first,
    // since looking deleted it).
    let mut store = Command::new(bin("outage-notifier"));
    store.args(["credentials", "set", "loop", &servers.user, "--endpoint", &endpoint]);
    store.stdin(Stdio::piped()).stdout(Stdio::null());
    keychain.apply(&mut store);
    let mut child = store.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{}\n", servers.password).as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "credentials set");
    page.click_button(&en.t("mail.remove")).await;
    page.wait_text("the account to be gone", "section.mail-accounts p.muted", |t| t == en.t("mail.none")).await;
    assert!(!world.config().contains("[[provider.mail]]"), "{}", world.config());
    assert!(!take_password(), "removing the account left its password in the keychain");

    world.finish("the mail account").await;
    drop(keychain);
}
