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
use outage_tests::{
    Anchor, Behaviour, HttpServer, NamespaceResolver, Running, bin, control_roundtrip, statuspage_summary, workspace,
};
use serde_json::Value;

const INCIDENT: &str = "Mailcluster 3 unreachable";
const UPDATE: &str = "Mailboxes are not reachable. We are investigating.";
const LOOPBACK: &str = "Loopback Mail";
/// A page watched for the loopback provider, never reached (the step that adds it is about
/// what the window says when the resident refuses the same page again).
const WEBMAIL: &str = "https://webmail.loop.test/";

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
    page.click_button(&format!("+ {}", texts.t("nav.add"))).await;
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

/// Presses "remove provider" until its question is on screen. A click can be lost: in one
/// CI run of 868dc8f the button was still there 60 s after the click, with nothing on the page
/// to say why (a summary redrawing the detail just then). Pressing it again is harmless: while
/// the question shows, the button is gone.
async fn ask_to_remove(page: &Page, texts: &Texts) {
    let remove = texts.t("manage.remove");
    page.wait("the removal's question", || async {
        if let Some(question) = page.text("[data-testid=remove-confirm]").await {
            return Some(question);
        }
        page.click_button_once(&remove).await;
        None
    })
    .await;
}

/// Waits for the chart beside the table `[data-testid=<testid>]` to settle (drawn, or given
/// up with its reason), then asserts a canvas with a line on it is there.
async fn chart_drawn(page: &Page, testid: &str, what: &str) {
    page.wait(what, || async {
        let chart = page.chart(testid).await;
        (chart.found && (chart.hidden || chart.error.is_some())).then_some(())
    })
    .await;
    let chart = page.chart(testid).await;
    eprintln!("window: {what}: {chart:?}");
    chart.assert_drawn(what);
}

async fn open_settings(page: &Page, texts: &Texts) {
    page.click_button(&texts.t("nav.settings")).await;
    page.wait_text("the settings view", "main h1", |t| t == texts.t("settings.title")).await;
    page.wait("the general settings form", || async {
        page.client.find(Locator::Css("form.general select")).await.ok()
    })
    .await;
}

async fn back(page: &Page, texts: &Texts) {
    page.click_button(&texts.t("nav.overview")).await;
    page.wait("the summary", || async { page.text("[data-testid=headline]").await }).await;
}

/// English the window must never show in German: every text of the English catalog that the
/// German one says differently (cut at its placeholders, fragments of two words or more, so
/// that names such as "IMAP" or "OK" do not count), and phrases the engine and core wrote in
/// English before their texts moved into the catalogs.
fn english(en: &Texts, de: &Texts) -> Vec<String> {
    let german: std::collections::HashMap<String, String> = de.all().into_iter().collect();
    let mut phrases: Vec<String> = en
        .all()
        .into_iter()
        .filter(|(key, text)| german.get(key).is_some_and(|g| g != text))
        .flat_map(|(key, text)| {
            let german = german[&key].clone();
            text.split("{{")
                .filter_map(|part| part.split("}}").last().map(str::to_owned))
                .map(|f| f.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
                .filter(move |f| f.split_whitespace().count() >= 2 && !german.contains(f.as_str()))
                .collect::<Vec<_>>()
        })
        .collect();
    phrases.extend(
        [
            "answered in",
            "the login was refused",
            "is not a duration",
            "unknown time unit",
            "confirmed by the provider",
            "not yet acknowledged",
            "All well",
            "Check now",
            "Found: statuspage",
            "Open in browser",
            "already running",
            "cannot change the config",
            "Outage Notifier windows are open already",
            "Error:",
        ]
        .map(str::to_owned),
    );
    // The catalog's notes on each provider in English, sentence by sentence, so that one shown
    // untranslated (or half translated) on a German screen is found.
    for preset in outage_core::catalog::catalog().presets() {
        for note in [&preset.status_note, &preset.mail_note].into_iter().flatten() {
            phrases.extend(
                note.split([';', ':'])
                    .flat_map(|part| part.split(". "))
                    .map(|s| s.trim().trim_end_matches('.').to_owned())
                    .filter(|s| s.split_whitespace().count() >= 3),
            );
        }
    }
    phrases.sort();
    phrases.dedup();
    phrases
}

/// Fails when the page, as the user sees it now, shows English from [`english`], an enum
/// value (`major_outage`, `status_page`) or a check's id (`acme/imap/host:993`, `(refused)`).
/// What the provider itself wrote (incident titles and updates) may be English: it is left
/// out, as are the closed "Why?" and "Technical details", which a screen reader also skips.
async fn assert_german(page: &Page, screen: &str, english: &[String]) {
    let script = "const c = document.body.cloneNode(true);
        c.querySelectorAll('article.incident h3, .timeline:not(.merged) .body, .from-provider .body, .last-update, details:not([open])')
          .forEach((e) => e.remove());
        document.body.appendChild(c); c.style.position = 'absolute'; c.style.left = '-99999px';
        const text = c.innerText; c.remove(); return text;";
    let visible = page.client.execute(script, vec![]).await.unwrap();
    let visible = visible.as_str().unwrap_or_default().to_owned();
    assert!(!visible.trim().is_empty(), "{screen}: the page says nothing");
    let found: Vec<&String> = english.iter().filter(|p| visible.contains(p.as_str())).collect();
    assert!(found.is_empty(), "{screen} shows English in German: {found:?}\nthe page said:\n{visible}");
    for raw in [
        "major_outage",
        "partial_outage",
        "status_page",
        "provider_confirmed",
        "provider_unacknowledged",
        "your_account",
        "your_network",
        "all_well",
        "http_status",
        "/imap/",
        "/smtp/",
        "/pop3/",
        "(refused)",
        "(timeout)",
        "(dns)",
        "statuspage",
    ] {
        assert!(!visible.contains(raw), "{screen} shows the raw value {raw:?}:\n{visible}");
    }
    eprintln!("window: {screen} is German throughout ({} English phrases checked)", english.len());
}

/// Runs `test` in a network namespace of its own (see [`outage_tests::in_own_network`])
/// with a bound on the whole, should a wait be stuck where no deadline reaches: dropping the
/// test's future ends every process it started.
fn isolated<F: Future<Output = ()>>(name: &str, test: impl FnOnce() -> F) {
    // One window test at a time: each starts a display, a bus, a resident and WebKit of its
    // own, and two or three at once on a loaded two-core machine lost their WebDriver session
    // before the first step (hyper's IncompleteMessage) or a wait ran out.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !outage_tests::in_own_network(name) {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_mins(12), test()).await.expect("the test took over 12 minutes");
    });
}

/// Everything one window test runs, stopped in this order when dropped: the window (with
/// tauri-driver), the resident, the desktop services, the bus, the display.
struct World {
    page: Page,
    _driver: TauriDriver,
    socket: PathBuf,
    config: PathBuf,
    /// The X display the window is on (for the system dialogs it opens).
    display: String,
    started: Instant,
    _logs: KeepLogs,
    _resident: Running,
    _anchor: Anchor,
    _resolver: NamespaceResolver,
    _services: DesktopServices,
    _bus: Option<Daemon>,
    _xvfb: Daemon,
    dir: tempfile::TempDir,
}

/// What the namespace's world knows besides the anchor's name: DNS records of the system
/// resolver (dnsmasq options), and a CA the resident trusts as its system's own
/// (`SSL_CERT_FILE`, which the platform verifier reads on Linux).
#[derive(Default)]
struct Network {
    records: Vec<String>,
    ca_file: Option<PathBuf>,
}

impl World {
    /// A display, a session bus (`bus`, or a new one), the resident on a config of
    /// `providers` (TOML) and the window in a WebDriver session.
    /// `label` names its logs in `artifacts/`, so that tests running side by side keep theirs.
    async fn start(label: &str, providers: &str, bus: Option<&str>) -> World {
        World::start_in(label, providers, bus, Network::default()).await
    }

    async fn start_in(label: &str, providers: &str, bus: Option<&str>, network: Network) -> World {
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

        // The namespace's own system resolver: the network is online, real hosts unreachable.
        let resolver = NamespaceResolver::with_records(dir.path(), &network.records);
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
        if let Some(ca) = &network.ca_file {
            command.env("SSL_CERT_FILE", ca);
        }
        let resident = Running(command.spawn().expect("start the resident"));
        let logs =
            KeepLogs { from: home.join("data/logs"), to: artifacts.join(format!("window-{label}-resident-logs")) };
        let socket = runtime_dir.join("outage-notifier").join("control.sock");
        eventually("the resident's control socket", Duration::from_mins(1), || async {
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
            display: display.clone(),
            started,
            _logs: logs,
            _resident: resident,
            _anchor: anchor,
            _resolver: resolver,
            _services: services,
            _bus: own_bus,
            _xvfb: xvfb,
            dir,
        }
    }

    fn config(&self) -> String {
        std::fs::read_to_string(&self.config).unwrap()
    }

    /// The window started as the desktop menu starts it — directly, here by WebDriver, not by
    /// the resident — runs with the window settings all the same (`outage_core::webview`):
    /// its process and WebKit's below it, and its process loaded no GL driver.
    fn assert_window_settings(&self) {
        let windows = desktop::windows_of(&bin("outage-notifier-window"), &self.dir.path().join("run"));
        assert_eq!(windows.len(), 1, "one window process: {windows:?}");
        let drivers = desktop::gl_drivers(windows[0]);
        assert!(
            drivers.is_empty(),
            "the window process loaded GL drivers {drivers:?}: a window setting did not reach it"
        );
        let processes = desktop::tree(windows[0]);
        assert!(processes.len() >= 2, "no WebKit process under the window process {}", windows[0]);
        for pid in processes {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            for (name, value) in outage_core::webview::missing(|_| false) {
                let setting = format!("{name}={value}");
                assert!(
                    environ.split(|b| *b == 0).any(|var| var == setting.as_bytes()),
                    "{} ({pid}) runs without {setting}",
                    comm.trim()
                );
            }
        }
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
    let english = english(&en, &de);
    let status = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    // No providers yet: the journey adds them.
    let world = World::start("journey", "", None).await;
    let page = &world.page;
    let socket = world.socket.clone();
    let read_config = || world.config();

    // (a) First start: a welcome that says what the app does and leads to the catalog.
    page.wait_text("the welcome", "main h1", |t| t == en.t("welcome.title")).await;
    world.assert_window_settings();
    let lead = page.text(".welcome .lead").await.unwrap();
    assert_eq!(lead, en.t("welcome.lead"));
    page.screenshot("welcome-en").await;
    page.click_button(&en.t("welcome.start")).await;
    page.wait_text("the add-provider view", "main h1", |t| t == en.t("add.title")).await;

    // (b) From the catalog: DomainFactory.
    page.type_into("input[type=search]", "DomainFactory").await;
    page.wait_text("DomainFactory in the catalog results", "ul.presets li strong", |t| t == "DomainFactory").await;
    let hit = page.text("ul.presets li").await.unwrap();
    assert!(hit.contains("mail server"), "the hit names its mail servers: {hit}");
    // The catalog's note on its mail servers, in the window's language.
    let df = outage_core::catalog::catalog().get("domainfactory").unwrap();
    let note = page.wait_text("DomainFactory's mail note", "[data-testid=mail-note]", |_| true).await;
    assert_eq!(Some(note.as_str()), df.mail_note_in(outage_core::text::Language::En));
    page.screenshot("add-provider-en").await;
    let add = "//ul[contains(@class, 'presets')]/li[.//strong[normalize-space()='DomainFactory']]//button";
    page.click("DomainFactory's Add button", Locator::XPath(add)).await;
    page.wait("DomainFactory in the summary", || async {
        listed(page).await.contains(&"DomainFactory".into()).then_some(())
    })
    .await;
    let text = read_config();
    assert!(text.contains("preset = \"domainfactory\""), "{text}");
    // Once added, the catalog marks it and refuses it again with a sentence.
    search_catalog(page, &en).await;
    page.wait_text("DomainFactory marked as added", "[data-testid=already-added]", |t| {
        t.contains(&en.t("add.already"))
    })
    .await;
    page.click("DomainFactory's Add button again", Locator::XPath(add)).await;
    let duplicate = page.wait_text("the refusal", "[data-testid=duplicate]", |t| !t.is_empty()).await;
    assert_eq!(duplicate, en.t("add.duplicate").replace("{{name}}", "DomainFactory"));
    assert_eq!(read_config().matches("preset = \"domainfactory\"").count(), 1, "{}", read_config());
    page.screenshot("add-duplicate-en").await;

    // (c) By URL: the loopback status page, detected and previewed first.
    page.type_into("input[type=url]", &status.base_url()).await;
    page.click_button(&en.t("add.check")).await;
    let operational = en.t("state.operational");
    let found = en.t("add.found").replace("{{format}}", &en.t("format.statuspage"));
    let preview = page
        .wait_text("the detection preview", "[data-testid=preview] p", |t| {
            t.contains(&found) && t.contains(&operational)
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
    let reason = eventually("DomainFactory's status page to be checked", Duration::from_mins(2), || async {
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

    // (d) An outage on the loopback page, checked now from the window, which says it runs.
    status.set(Behaviour::Ok(statuspage_summary("critical", Some(("inc-42", INCIDENT, "critical")))));
    back(page, &en).await;
    page.click_button(&en.t("checkNow")).await;
    page.wait_text("the check's end", "[data-testid=check-state]", |t| t.starts_with("Checked at")).await;
    let (_, _, verdict_en) = top_affected(page, &en.t("state.major_outage")).await;
    let s = summary(&socket);
    assert_eq!(provider(&s, LOOPBACK).unwrap()["verdict_text"], verdict_en.as_str(), "the row shows the verdict");
    let last_update = page.text("ul.providers:not(.compact) li .last-update").await.unwrap();
    assert_eq!(last_update, UPDATE);
    page.screenshot("summary-en").await;
    open_detail(page, &en).await;
    chart_drawn(page, "latency-table", "the response-time chart").await;
    page.screenshot("detail-en").await;
    page.scroll_to(".latency-chart").await;
    page.screenshot("detail-chart-en").await;

    // (e) Rename the loopback provider in its detail: the config changes in place.
    page.scroll_to("section.manage").await;
    page.type_into("[data-testid=provider-name]", "Loopback Mail GmbH").await;
    page.click_button(&en.t("manage.save")).await;
    page.wait_text("the rename saved", "[data-testid=provider-saved]", |t| t == en.t("manage.saved")).await;
    eventually("the new name in the config", Duration::from_secs(30), || async {
        read_config().contains("name = \"Loopback Mail GmbH\"").then_some(())
    })
    .await;
    page.screenshot("detail-manage-en").await;
    page.type_into("[data-testid=provider-name]", LOOPBACK).await;
    page.click_button(&en.t("manage.save")).await;
    eventually("the old name back", Duration::from_secs(30), || async {
        read_config().contains(&format!("name = \"{LOOPBACK}\"")).then_some(())
    })
    .await;
    back(page, &en).await;

    // (f) Settings: pause, and quiet hours around now, both shown as banners.
    open_settings(page, &en).await;
    page.screenshot("settings-en").await;
    page.click_button(&en.t("span.one_hour")).await;
    page.wait("the pause banner", || async { page.text("[data-testid=banner-paused]").await }).await;
    page.screenshot("settings-paused-en").await;
    page.click_button(&en.t("banner.resume")).await;
    page.wait("the pause banner to go", || async {
        page.text("[data-testid=banner-paused]").await.is_none().then_some(())
    })
    .await;
    let now = chrono::Local::now();
    let (from, to) =
        ((now - chrono::Duration::hours(1)).format("%H:%M"), (now + chrono::Duration::hours(2)).format("%H:%M"));
    page.click("the quiet-hours switch", Locator::Css("[data-testid=quiet-on]")).await;
    // A time field takes typing differently in each engine: its value is set as a user's
    // pick would leave it, with the input event Svelte listens for.
    let set = "const f = document.querySelector(arguments[0]); f.value = arguments[1];
        f.dispatchEvent(new Event('input', { bubbles: true }));";
    page.wait("the quiet-hours fields", || async {
        page.client.find(Locator::Css("[data-testid=quiet-from]")).await.ok()
    })
    .await;
    page.client.execute(set, vec!["[data-testid=quiet-from]".into(), from.to_string().into()]).await.unwrap();
    page.client.execute(set, vec!["[data-testid=quiet-to]".into(), to.to_string().into()]).await.unwrap();
    page.click_button(&en.t("settings.save")).await;
    eventually("the quiet hours in the config", Duration::from_secs(30), || async {
        read_config().contains(&format!("quiet_hours = \"{from}-{to}\"")).then_some(())
    })
    .await;
    page.wait("the quiet-hours banner", || async { page.text("[data-testid=banner-quiet]").await }).await;
    page.screenshot("settings-quiet-en").await;

    // (g) German, chosen in the settings: the resident writes it into the config and speaks
    // it from then on, and the open window follows it at once; "Saved" stays.
    page.wait("the language menu to take German", || async {
        page.client
            .find(Locator::Css("form.general select:not([data-testid])"))
            .await
            .ok()?
            .select_by_value("de")
            .await
            .ok()
    })
    .await;
    page.click_button(&en.t("settings.save")).await;
    eventually("the config to say German", Duration::from_secs(30), || async {
        read_config().contains("language = \"de\"").then_some(())
    })
    .await;
    let verdict_de = eventually("the resident to speak German", Duration::from_mins(1), || async {
        let s = summary(&socket);
        let text = provider(&s, LOOPBACK)?["verdict_text"].as_str()?.to_owned();
        (text != verdict_en).then_some(text)
    })
    .await;
    page.wait_text("the settings in German", "main h1", |t| t == de.t("settings.title")).await;
    page.wait_text("\"Saved\" after the change of language", "[data-testid=saved]", |t| t == de.t("settings.saved"))
        .await;
    page.wait("the quiet-hours banner in German", || async {
        page.text("[data-testid=banner-quiet]").await.filter(|t| t.starts_with("Ruhezeit bis"))
    })
    .await;
    page.screenshot("settings-quiet-de").await;
    assert_german(page, "the settings", &english).await;
    back(page, &de).await;
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
    let (_, _, verdict_shown) = top_affected(page, &de.t("state.major_outage")).await;
    assert_eq!(verdict_shown, verdict_de);

    // (h) Every view in German, each checked for English and raw values.
    page.screenshot("summary-de").await;
    assert_german(page, "the overview", &english).await;
    open_detail(page, &de).await;
    chart_drawn(page, "latency-table", "the response-time chart in German").await;
    page.screenshot("detail-de").await;
    page.scroll_to(".latency-chart").await;
    page.screenshot("detail-chart-de").await;
    assert_german(page, "the provider's detail", &english).await;
    // An address to watch that the resident refuses — the page watched already, with its
    // default port spelled out, which only the resident's parser sees is the same — is refused
    // in German words; what the resident said (English) stays under the closed details.
    page.scroll_to("section.watched-pages").await;
    page.type_into("section.watched-pages input[type=url]", WEBMAIL).await;
    page.click_button(&de.t("pages.add")).await;
    page.wait("the watched address in the list", || async {
        page.texts("section.watched-pages li span").await.contains(&WEBMAIL.to_owned()).then_some(())
    })
    .await;
    page.type_into("section.watched-pages input[type=url]", "https://webmail.loop.test:443/").await;
    page.click_button(&de.t("pages.add")).await;
    page.wait_text("the refusal in words", "[data-testid=pages-failed] p", |t| t == de.t("pages.failed")).await;
    let detail = page
        .client
        .execute("return document.querySelector('[data-testid=pages-failed] details .body').textContent", vec![]);
    let detail = detail.await.unwrap();
    assert!(detail.as_str().is_some_and(|d| d.contains("twice")), "the resident's reason stays available: {detail}");
    page.scroll_to("[data-testid=pages-failed]").await;
    page.screenshot("watched-refused-de").await;
    assert_german(page, "a refused watched address", &english).await;
    page.click_button(&de.t("pages.remove")).await;
    eventually("the watched address out of the config", Duration::from_secs(30), || async {
        (!read_config().contains("webmail.loop.test")).then_some(())
    })
    .await;
    // And out of the page, which follows the resident's reload: a list that shrinks later
    // would move the buttons below it under the next click.
    page.wait("the watched address off the page", || async {
        (!page.body().await.contains("webmail.loop.test")).then_some(())
    })
    .await;
    page.click_button(&format!("{} →", de.t("detail.accounts"))).await;
    page.wait_text("the mail accounts", "main h1", |t| t == de.t("accounts.title")).await;
    page.screenshot("accounts-de").await;
    assert_german(page, "the mail accounts", &english).await;
    page.click_button(&format!("+ {}", de.t("accounts.add"))).await;
    page.wait("the add dialog", || async { page.text("[data-testid=mail-dialog]").await }).await;
    page.screenshot("accounts-add-de").await;
    assert_german(page, "the mail-account dialog", &english).await;
    back(page, &de).await;
    search_catalog(page, &de).await;
    let note = page.wait_text("DomainFactory's mail note", "[data-testid=mail-note]", |_| true).await;
    page.screenshot("add-provider-de").await;
    assert_german(page, "adding a provider", &english).await;
    assert_eq!(Some(note.as_str()), df.mail_note_in(outage_core::text::Language::De));
    // A provider without a status page says why, and what to know about its mail, in German.
    page.type_into("input[type=search]", "GMX").await;
    page.wait_text("GMX in the catalog results", "ul.presets li strong", |t| t == "GMX").await;
    let gmx = outage_core::catalog::catalog().get("gmx").unwrap();
    let note = page.wait_text("GMX's status note", "[data-testid=status-note]", |_| true).await;
    page.screenshot("add-provider-notes-de").await;
    assert_german(page, "a catalog provider's notes", &english).await;
    assert_eq!(Some(note.as_str()), gmx.status_note_in(outage_core::text::Language::De));

    // (i) Remove DomainFactory from its detail, keeping its history.
    back(page, &de).await;
    let row =
        "//ul[contains(@class, 'providers')]//button[.//span[@class='name' and normalize-space()='DomainFactory']]";
    page.click("DomainFactory's row", Locator::XPath(row)).await;
    page.wait_text("DomainFactory's detail", "main h1", |t| t.contains("DomainFactory")).await;
    page.scroll_to("section.manage").await;
    ask_to_remove(page, &de).await;
    page.scroll_to("[data-testid=remove-confirm]").await;
    page.screenshot("remove-de").await;
    assert_german(page, "removing a provider", &english).await;
    page.click_button(&de.t("manage.confirm")).await;
    page.wait("DomainFactory to be gone", || async {
        (!listed(page).await.contains(&"DomainFactory".into()) && page.text("[data-testid=headline]").await.is_some())
            .then_some(())
    })
    .await;
    assert!(!read_config().contains("domainfactory"), "{}", read_config());

    // (j) Remove the last provider too: the welcome again. As in (i), the question must be
    // on screen before its button is pressed: a click while it is still being drawn can land
    // on nothing under load.
    open_detail(page, &de).await;
    page.scroll_to("section.manage").await;
    ask_to_remove(page, &de).await;
    page.scroll_to("[data-testid=remove-confirm]").await;
    page.click_button(&de.t("manage.confirm")).await;
    page.wait_text("the welcome in German", "main h1", |t| t == de.t("welcome.title")).await;
    page.screenshot("welcome-de").await;
    assert_german(page, "the welcome", &english).await;

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
    // The accounts have a view of their own, one click from anywhere.
    page.click_button(&en.t("nav.accounts")).await;
    page.wait_text("the mail accounts", "main h1", |t| t == en.t("accounts.title")).await;
    page.wait_text("the provider's accounts", "section.mail-accounts h2", |t| t == LOOPBACK).await;
    page.wait_text("no accounts yet", "section.mail-accounts p.muted", |t| t == en.t("mail.none")).await;
    page.click("the add button", Locator::Css("[data-testid=add-mail]")).await;

    // IMAP with implicit TLS is what the form starts with.
    page.type_into("[data-testid=mail-host]", &servers.host).await;
    page.type_into("form.mail-form input[inputmode=numeric]", &servers.imaps.to_string()).await;
    page.type_into("form.mail-form input[autocomplete=username]", &servers.user).await;
    page.type_into("form.mail-form input[type=password]", &servers.password).await;
    page.click("the advanced settings", Locator::Css("form.mail-form details.advanced summary")).await;
    page.type_into("[data-testid=ca-file]", &servers.ca_file.to_string_lossy()).await;
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

    // The account says how its last check went, once the resident has run it.
    check_now(&world.socket);
    let status = page
        .wait_text("the account's last result", "[data-testid=account-status]", |t| t != en.t("accounts.notYet"))
        .await;
    assert!(status.starts_with(&en.t("measured.up")), "{status}");
    page.screenshot("accounts-en").await;

    // Edit opens the dialog on the saved account, in place; saved unchanged, with the
    // password field left empty, it keeps the stored password.
    page.click_button(&en.t("mail.edit")).await;
    page.wait_text("the edit form", "[data-testid=mail-dialog] h3", |t| t.starts_with(&en.t("mail.edit"))).await;
    page.scroll_to("form.mail-form").await;
    page.screenshot("mail-edit-en").await;
    page.click("the dialog's Save button", Locator::Css("form.mail-form button[type=submit]")).await;
    page.wait_text("the edit to be saved", "[data-testid=mail-saved]", |t| t == en.t("mail.saved")).await;
    page.wait("the dialog to close", || async { page.client.find(Locator::Css("[data-testid=add-mail]")).await.ok() })
        .await;
    assert!(world.config().contains(&format!("username = \"{}\"", servers.user)), "{}", world.config());
    assert!(take_password(), "Save stores the password in the keychain, and an edit with the field empty keeps it");

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

/// "Export report…", as a person takes it: in English from the summary, in German from the
/// provider's detail — a period, the provider and PDF chosen in the page, the path typed into
/// the system's real save dialog (GTK, driven by xdotool through the X server like a keyboard),
/// then the file checked where the dialog said: a real PDF that names the provider.
#[test]
fn window_export_report_through_the_save_dialog() {
    // The name is given to `isolated`, which runs exactly this test again.
    isolated("window_export_report_through_the_save_dialog", export_report);
}

async fn export_report() {
    let en = Texts::load("en");
    let de = Texts::load("de");
    let english = english(&en, &de);
    let status = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let providers = format!(
        "\n[[provider]]\nid = \"loop\"\nname = \"{LOOPBACK}\"\nstatus_page = \"{}\"\nstatus_format = \"statuspage\"\n",
        status.base_url()
    );
    let world = World::start("export", &providers, None).await;
    let page = &world.page;
    let out = world.dir.path().join("saved here");
    std::fs::create_dir_all(&out).unwrap();
    page.wait_text("the verdict line", "[data-testid=headline]", |t| t == en.t("headline.allWell")).await;
    measured(&world.socket, &out).await;

    // (a) English, from the summary: the last 7 days as a PDF.
    page.scroll_to("[data-testid=export-open]").await;
    page.click("Export report…", Locator::Css("[data-testid=export-open]")).await;
    page.wait("the export dialog", || async { page.text("[data-testid=export-dialog]").await }).await;
    page.wait("the period menu to take the last 7 days", || async {
        page.client.find(Locator::Css("[data-testid=export-span]")).await.ok()?.select_by_value("7").await.ok()
    })
    .await;
    page.scroll_to("[data-testid=export-dialog]").await;
    page.screenshot("export-en").await;
    let pdf = out.join("evidence-en.pdf");
    page.click_button(&en.t("export.save")).await;
    save_dialog(page, &world.display, &en.t("export.dialogTitle"), &pdf, "export-save-dialog-en").await;
    let shown = page.wait_text("the saved file", "[data-testid=export-file]", |t| !t.is_empty()).await;
    assert_eq!(shown, pdf.display().to_string(), "the page names the file the dialog chose");
    let text = pdf_text(&pdf);
    assert!(text.contains(LOOPBACK) && text.contains("Evidence"), "{text}");
    let done = page.text("[data-testid=export-done]").await.unwrap();
    assert!(done.contains(&en.t("export.written_one")) && done.contains(&en.t("export.show")), "{done}");
    page.scroll_to("[data-testid=export-done]").await;
    page.screenshot("export-done-en").await;

    // (b) German, from the provider's detail: the language follows the resident's config.
    let config = world.config().replace("language = \"en\"", "language = \"de\"");
    std::fs::write(&world.config, config).unwrap();
    back(page, &en).await;
    page.wait_text("the summary in German", "[data-testid=headline]", |t| t == de.t("headline.allWell")).await;
    let xpath = format!(
        "//ul[contains(@class, 'providers')]//button[.//span[@class='name' and normalize-space()={}]]",
        xpath_literal(LOOPBACK)
    );
    page.click("the loopback provider's row", Locator::XPath(&xpath)).await;
    page.wait_text("the detail's heading", "main h1", |t| t.contains(LOOPBACK)).await;
    page.scroll_to("[data-testid=export-open]").await;
    page.click("Nachweis exportieren…", Locator::Css("[data-testid=export-open]")).await;
    page.wait("the export dialog", || async { page.text("[data-testid=export-dialog]").await }).await;
    page.scroll_to("[data-testid=export-dialog]").await;
    page.screenshot("export-de").await;
    assert_german(page, "the export dialog", &english).await;
    let pdf = out.join("Nachweis-de.pdf");
    page.click_button(&de.t("export.save")).await;
    save_dialog(page, &world.display, &de.t("export.dialogTitle"), &pdf, "export-save-dialog-de").await;
    let shown = page.wait_text("the saved file", "[data-testid=export-file]", |t| !t.is_empty()).await;
    assert_eq!(shown, pdf.display().to_string());
    let text = pdf_text(&pdf);
    assert!(text.contains(LOOPBACK) && text.contains("Nachweis"), "{text}");
    page.scroll_to("[data-testid=export-done]").await;
    page.screenshot("export-done-de").await;
    assert_german(page, "the saved report", &english).await;

    world.finish("the export").await;
}

/// Waits until the history holds a measured stretch (one probe holds no time yet): asks for
/// checks now and an export over the socket until one is written.
async fn measured(socket: &Path, dir: &Path) {
    let scratch = dir.join("first.json");
    eventually("a measured stretch to export", Duration::from_mins(1), || async {
        check_now(socket);
        let now = chrono::Local::now().fixed_offset();
        let request = serde_json::json!({
            "id": 3, "method": "export_report",
            "request": { "from": (now - chrono::TimeDelta::days(1)).to_rfc3339(), "to": now.to_rfc3339(),
                         "providers": [], "format": "json", "path": scratch.to_str().unwrap(), "language": "en" }
        });
        let reply = control_roundtrip(socket, format!("{request}\n").as_bytes());
        if reply.contains("\"written\"") {
            return Some(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        None
    })
    .await;
    std::fs::remove_file(&scratch).unwrap();
}

/// Drives the system's save dialog titled `title` as a person would: waits for it, types the
/// whole path into its name field and presses Return. The dialog is shot into `artifacts/`
/// with the path typed.
async fn save_dialog(page: &Page, display: &str, title: &str, path: &Path, shot: &str) {
    // xdotool searches the whole window tree: the chooser is not always a direct child of the
    // root window, where `desktop::find_window` looks.
    let find = || {
        let pattern = format!("^{}$", title.replace(|c: char| !c.is_alphanumeric() && c != ' ', "."));
        let out = Command::new("xdotool")
            .env("DISPLAY", display)
            .args(["search", "--onlyvisible", "--name", &pattern])
            .output()
            .expect("xdotool (cargo xtask setup installs it)");
        String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_owned)
    };
    let deadline = Instant::now() + Duration::from_mins(1);
    let dialog = loop {
        if let Some(window) = find() {
            break window;
        }
        if Instant::now() > deadline {
            let root = workspace().join("artifacts").join(format!("window-{shot}-missing.png"));
            desktop::screenshot(display, &root);
            let windows = Command::new("xdotool")
                .env("DISPLAY", display)
                .args(["search", "--onlyvisible", "--name", ".*", "getwindowname", "%@"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            panic!(
                "no save dialog titled {title:?}; windows shown: {windows}; the page said:\n{}\n(see {})",
                page.body().await,
                root.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let xdotool = |args: &[&str]| {
        let status = Command::new("xdotool").env("DISPLAY", display).args(args).status();
        assert!(status.is_ok_and(|s| s.success()), "xdotool {args:?} failed (cargo xtask setup installs it)");
    };
    let window = dialog;
    // Keys typed before GTK has put the focus into the name field are lost: then the dialog
    // is still open, and the path is typed again.
    let mut closed = false;
    for _ in 0..3 {
        xdotool(&["windowfocus", "--sync", &window]);
        xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
        xdotool(&["type", "--delay", "20", &path.display().to_string()]);
        // The dialog with the path typed, as the person sees it before pressing Return.
        desktop::screenshot(display, &workspace().join("artifacts").join(format!("window-{shot}.png")));
        xdotool(&["key", "Return"]);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline && find().is_some() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        closed = find().is_none();
        if closed {
            break;
        }
    }
    assert!(closed, "the save dialog did not take the path {}", path.display());
    eventually("the file where the dialog said", Duration::from_mins(2), || async { path.is_file().then_some(()) })
        .await;
}

/// The text of a PDF (pdftotext), after checking it is one.
fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "{} is not a PDF", path.display());
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (cargo xtask setup installs it)");
    assert!(out.status.success(), "pdftotext could not read {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// "Check delivery" on a provider with an SMTP and an IMAP login to the real Postfix and
/// Dovecot on loopback: the accounts view says what it will do, the click writes a commented
/// `[[provider.roundtrip]]`, the resident sends a test mail and finds it, and the provider's
/// detail shows the delivery — in English and in German, each screen screenshotted and the
/// German ones checked for English.
#[test]
fn window_delivery_check() {
    // The name is given to `isolated`, which runs exactly this test again.
    isolated("window_delivery_check", delivery_check);
}

async fn delivery_check() {
    let en = Texts::load("en");
    let de = Texts::load("de");
    let english = english(&en, &de);
    let servers = outage_tests::mail::servers();
    let keychain = Keychain::start();
    let status = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let (smtp, imap) = (
        format!("loop/smtp/{}:{}", servers.host, servers.submission),
        format!("loop/imap/{}:{}", servers.host, servers.imaps),
    );
    for endpoint in [&smtp, &imap] {
        let mut store = Command::new(bin("outage-notifier"));
        store.args(["credentials", "set", "loop", &servers.user, "--endpoint", endpoint]);
        store.stdin(Stdio::piped()).stdout(Stdio::null());
        keychain.apply(&mut store);
        let mut child = store.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{}\n", servers.password).as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "credentials set {endpoint}");
    }
    let providers = format!(
        "\n[[provider]]\nid = \"loop\"\nname = \"{LOOPBACK}\"\nstatus_page = \"{page}\"\nstatus_format = \"statuspage\"\n\n\
         # sending\n[[provider.mail]]\nkind = \"smtp\"\nhost = \"{host}\"\nport = {sub}\ntls = \"starttls\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\n\
         [[provider.mail]]\nkind = \"imap\"\nhost = \"{host}\"\nport = {imaps}\ntls = \"implicit\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n",
        page = status.base_url(),
        host = servers.host,
        sub = servers.submission,
        imaps = servers.imaps,
        user = servers.user,
        ca = servers.ca_file.display(),
    );
    let world = World::start("delivery", &providers, Some(&keychain.bus)).await;
    let page = &world.page;
    let speak = |lang: &str| {
        let text = world.config();
        let other = if lang == "de" { "language = \"en\"" } else { "language = \"de\"" };
        std::fs::write(&world.config, text.replace(other, &format!("language = \"{lang}\""))).unwrap();
    };
    let before = |text: String| text.split("{{").next().unwrap_or_default().trim().to_owned();

    // (a) The offer, in English, then in German; the German one is taken.
    page.wait_text("the verdict line", "[data-testid=headline]", |t| t == en.t("headline.allWell")).await;
    page.click_button(&en.t("nav.accounts")).await;
    page.wait_text("the mail accounts", "main h1", |t| t == en.t("accounts.title")).await;
    let explain = page.wait_text("the offer", "[data-testid=delivery-explain]", |t| !t.is_empty()).await;
    assert!(explain.starts_with(&before(en.t("roundtrip.checkExplain"))), "{explain}");
    assert!(explain.contains(&servers.user) && explain.contains(&servers.host), "{explain}");
    page.scroll_to("[data-testid=delivery-check]").await;
    page.screenshot("delivery-offer-en").await;
    speak("de");
    page.wait_text("the offer in German", "[data-testid=check-delivery]", |t| t == de.t("roundtrip.check")).await;
    page.scroll_to("[data-testid=delivery-check]").await;
    page.screenshot("delivery-offer-de").await;
    assert_german(page, "the delivery offer", &english).await;
    page.click("Zustellung prüfen", Locator::Css("[data-testid=check-delivery]")).await;
    let checking = page.wait_text("the round trip set up", "[data-testid=delivery-checking]", |t| !t.is_empty()).await;
    assert!(checking.contains(&before(de.t("roundtrip.checking"))), "{checking}");
    let text = world.config();
    assert!(text.contains("[[provider.roundtrip]]"), "{text}");
    assert!(text.contains("# Check delivery: every 15 minutes a test mail"), "{text}");
    assert!(text.contains("# sending\n[[provider.mail]]"), "the user's comment stays: {text}");
    assert!(!text.contains(&servers.password), "no password in the config");

    // (b) The resident sends a test mail and, looking again, finds it.
    let delivered = eventually("the test mail to arrive", Duration::from_mins(2), || async {
        check_now(&world.socket);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let s = summary(&world.socket);
        let check = provider(&s, LOOPBACK)?["checks"].as_array()?.iter().find(|c| c["kind"] == "roundtrip")?.clone();
        (check["outcome"] == "up" && !check["latency_ms"].is_null()).then_some(check)
    })
    .await;
    eprintln!("window: the round trip {}", delivered["message"]);
    page.scroll_to("[data-testid=delivery-check]").await;
    page.screenshot("delivery-checking-de").await;
    assert_german(page, "the delivery check", &english).await;

    // (c) The provider's detail shows the delivery, in German, then in English.
    back(page, &de).await;
    let row = format!(
        "//ul[contains(@class, 'providers')]//button[.//span[@class='name' and normalize-space()={}]]",
        xpath_literal(LOOPBACK)
    );
    page.click("the loopback provider's row", Locator::XPath(&row)).await;
    page.wait_text("the detail's heading", "main h1", |t| t.contains(LOOPBACK)).await;
    let last = page
        .wait_text("the last delivery", "[data-testid=roundtrip-last]", |t| {
            t.starts_with(&before(de.t("roundtrip.last")))
        })
        .await;
    assert!(last.contains(" s"), "a delivery time: {last}");
    page.wait("the delivery times", || async { page.text("[data-testid=delivery-table]").await }).await;
    chart_drawn(page, "delivery-table", "the delivery-time chart").await;
    page.scroll_to("[data-testid=roundtrip]").await;
    page.screenshot("roundtrip-detail-de").await;
    assert_german(page, "the round trip in the detail", &english).await;
    speak("en");
    page.wait_text("the last delivery in English", "[data-testid=roundtrip-last]", |t| {
        t.starts_with(&before(en.t("roundtrip.last")))
    })
    .await;
    chart_drawn(page, "delivery-table", "the delivery-time chart in English").await;
    page.scroll_to("[data-testid=roundtrip]").await;
    page.screenshot("roundtrip-detail-en").await;
    page.click_button(&format!("{} →", en.t("detail.accounts"))).await;
    page.wait_text("the round trip in English", "[data-testid=delivery-checking]", |t| {
        t.contains(&before(en.t("roundtrip.checking")))
    })
    .await;
    page.scroll_to("[data-testid=delivery-check]").await;
    page.screenshot("delivery-checking-en").await;

    // (d) Stopped again: the config is as the user wrote it, and the offer is back.
    page.click_button(&en.t("roundtrip.stop")).await;
    page.wait_text("the offer again", "[data-testid=check-delivery]", |t| t == en.t("roundtrip.check")).await;
    let text = world.config();
    assert!(!text.contains("[[provider.roundtrip]]"), "{text}");
    assert!(text.contains("# sending\n[[provider.mail]]"), "{text}");

    world.finish("the delivery check").await;
    drop(keychain);
}

/// The domain of the first-start test: its mail goes to IONOS (MX), its autoconfig file names
/// IONOS's IMAP server, and an SRV record names a server on a stranger's domain.
const FIRM: &str = "meine-firma.test";
/// A domain without any record: nothing found.
const EMPTY: &str = "leer.test";
const AUTOCONFIG_HOST: &str = "autoconfig.meine-firma.test";

/// The first start, from an email address: the window opens at "Your email address" in the
/// user's language, discovery runs against the namespace's own resolver and a loopback
/// autoconfig site, the stranger's server is shown but not chosen, and one confirmation adds
/// IONOS with the chosen servers and the login (the password in the keychain, never in the
/// file), the config's comment kept. Nothing found leads to the form for the servers. Every
/// step in English and German.
#[test]
fn window_first_start_from_an_email_address() {
    // The name is given to `isolated`, which runs exactly this test again.
    isolated("window_first_start_from_an_email_address", first_start);
}

/// The servers listed on the discovery's screen, as shown.
async fn discovered(page: &Page) -> Vec<String> {
    page.texts("[data-testid=discover-server]").await
}

async fn look_up(page: &Page, texts: &Texts, address: &str) {
    page.type_into("[data-testid=discover-address]", address).await;
    page.click_button(&texts.t("discover.look")).await;
}

async fn first_start() {
    let (en, de) = (Texts::load("en"), Texts::load("de"));
    let english = english(&en, &de);
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = outage_tests::mail::TestPki::for_names(pki_dir.path(), &[AUTOCONFIG_HOST]);
    let autoconfig = format!(
        "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"{FIRM}\">\
         <incomingServer type=\"imap\"><hostname>imap.ionos.de</hostname><port>993</port><socketType>SSL</socketType>\
         <username>%EMAILADDRESS%</username></incomingServer></emailProvider></clientConfig>"
    );
    let _site = outage_tests::https::HttpsSite::start(
        "127.0.0.1:443".parse().unwrap(),
        &pki,
        vec![(
            AUTOCONFIG_HOST,
            "/mail/config-v1.1.xml",
            outage_tests::https::Page::Body("text/xml", autoconfig.into_bytes()),
        )],
    );
    let network = Network {
        records: vec![
            // Every other name under .test does not exist, as for a real unknown domain.
            "--local=/test/".into(),
            format!("--mx-host={FIRM},mx00.kundenserver.de,10"),
            format!("--srv-host=_imaps._tcp.{FIRM},imap.collector.test,993,0"),
            format!("--address=/{AUTOCONFIG_HOST}/127.0.0.1"),
        ],
        ca_file: Some(pki.ca_file.clone()),
    };
    let keychain = Keychain::start();
    let comment = "# Unsere Notiz: bitte stehen lassen";
    let world = World::start_in("first-start", &format!("{comment}\n"), Some(&keychain.bus), network).await;
    let page = &world.page;
    let address = format!("info@{FIRM}");

    // (a) No provider yet: the window opens at the first step, saying what the app does.
    page.wait_text("the first step", "main h1", |t| t == en.t("welcome.title")).await;
    assert_eq!(page.text(".welcome .lead").await.unwrap(), en.t("welcome.lead"));
    page.wait_text("the address step", "[data-testid=discover] h2", |t| t == en.t("discover.title")).await;
    page.screenshot("first-start-en").await;

    // (b) A domain without records: nothing found, and the way to enter the servers.
    look_up(page, &en, &format!("info@{EMPTY}")).await;
    let nothing = en.t("discover.notice.nothing_found");
    page.wait_text("nothing found", "[data-testid=discover-notice]", |t| t == nothing).await;
    page.screenshot("first-start-nothing-en").await;
    page.click_button(&en.t("discover.enterServers")).await;
    page.wait("the form for the servers", || async { page.text("form.mail-form").await }).await;
    page.screenshot("first-start-manual-en").await;

    // (c) The firm's address: IONOS by its MX record, the autoconfig file agreeing with the
    // catalog, the stranger's SRV server listed as such and not chosen. Nothing is added yet.
    look_up(page, &en, &address).await;
    let hosted = en.t("discover.hostedBy").replace("{{name}}", "IONOS");
    page.wait_text("IONOS found", "[data-testid=discover-provider]", |t| t.contains(&hosted)).await;
    let rows = discovered(page).await;
    let row =
        |host: &str| rows.iter().find(|r| r.contains(host)).cloned().unwrap_or_else(|| panic!("{host}: {rows:?}"));
    let ionos_imap = row("imap.ionos.de:993");
    assert!(ionos_imap.contains(&en.t("discover.origin.autoconfig")), "{ionos_imap}");
    assert!(ionos_imap.contains(&en.t("discover.origin.catalog")), "{ionos_imap}");
    let stranger = row("imap.collector.test:993");
    assert!(stranger.contains(&en.t("discover.origin.srv")), "{stranger}");
    assert!(stranger.contains(&en.t("discover.standing.elsewhere")), "{stranger}");
    let checked: Vec<(String, bool)> = page
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=discover-server]')].map((r) => [r.querySelector('code').textContent, r.querySelector('input').checked]);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap();
    assert!(checked.contains(&("imap.collector.test:993".into(), false)), "{checked:?}");
    assert!(checked.contains(&("imap.ionos.de:993".into(), true)), "{checked:?}");
    assert!(!world.config().contains("[[provider]]"), "nothing is added before the confirmation");
    page.scroll_to("[data-testid=discover-result] fieldset").await;
    page.screenshot("first-start-found-en").await;

    // (d) With the login: one confirmation adds IONOS, its chosen servers and the password.
    page.click("the login switch", Locator::Css("[data-testid=discover-login]")).await;
    let password = "Sommer2026!geheim";
    page.type_into("[data-testid=discover] input[type=password]", password).await;
    page.scroll_to("[data-testid=discover-confirm]").await;
    page.screenshot("first-start-login-en").await;
    page.click("the confirmation", Locator::Css("[data-testid=discover-confirm]")).await;
    page.wait("IONOS in the summary", || async { listed(page).await.contains(&"IONOS".into()).then_some(()) }).await;
    let text = world.config();
    assert!(text.contains(comment), "the config's comment was kept:\n{text}");
    assert!(text.contains("preset = \"ionos\""), "{text}");
    assert!(text.contains("host = \"imap.ionos.de\"") && text.contains("host = \"smtp.ionos.de\""), "{text}");
    assert!(text.contains(&format!("username = \"{address}\"")), "{text}");
    assert!(!text.contains("collector"), "the stranger's server was added unasked:\n{text}");
    assert!(!text.contains(password), "the password must not be written into the config");
    let endpoint = "ionos/imap/imap.ionos.de:993";
    let mut delete = Command::new(bin("outage-notifier"));
    delete.args(["credentials", "delete", "ionos", &address, "--endpoint", endpoint]);
    keychain.apply(&mut delete);
    let out = delete.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "the password is in the keychain: {}", String::from_utf8_lossy(&out.stderr));
    page.screenshot("first-start-added-en").await;

    // (e) German, as the config says: the provider removed again, the first step comes back.
    let text = world.config().replace("language = \"en\"", "language = \"de\"");
    std::fs::write(&world.config, text).unwrap();
    let reply = control_roundtrip(
        &world.socket,
        b"{\"id\":3,\"method\":\"remove_provider\",\"provider_id\":\"ionos\",\"delete_history\":true}\n",
    );
    assert!(reply.contains("\"done\""), "{reply}");
    page.wait_text("the first step in German", "main h1", |t| t == de.t("welcome.title")).await;
    page.wait_text("the address step in German", "[data-testid=discover] h2", |t| t == de.t("discover.title")).await;
    page.screenshot("first-start-de").await;
    assert_german(page, "the first step", &english).await;

    look_up(page, &de, &address).await;
    let hosted = de.t("discover.hostedBy").replace("{{name}}", "IONOS");
    page.wait_text("IONOS found, in German", "[data-testid=discover-provider]", |t| t.contains(&hosted)).await;
    page.scroll_to("[data-testid=discover-result] fieldset").await;
    page.screenshot("first-start-found-de").await;
    assert_german(page, "what discovery found", &english).await;
    page.click("the login switch", Locator::Css("[data-testid=discover-login]")).await;
    page.scroll_to("[data-testid=discover-confirm]").await;
    page.screenshot("first-start-login-de").await;
    assert_german(page, "the login and the confirmation", &english).await;

    look_up(page, &de, &format!("info@{EMPTY}")).await;
    let nothing = de.t("discover.notice.nothing_found");
    page.wait_text("nothing found, in German", "[data-testid=discover-notice]", |t| t == nothing).await;
    page.screenshot("first-start-nothing-de").await;
    assert_german(page, "nothing found", &english).await;
    page.click_button(&de.t("discover.enterServers")).await;
    page.wait("the form for the servers", || async { page.text("form.mail-form").await }).await;
    page.scroll_to("form.mail-form").await;
    page.screenshot("first-start-manual-de").await;
    assert_german(page, "the form for the servers", &english).await;

    // (f) The manual form adds a provider named after the domain with the server entered.
    page.type_into("[data-testid=mail-host]", &format!("mail.{EMPTY}")).await;
    page.click("the form's Save button", Locator::Css("form.mail-form button[type=submit]")).await;
    page.wait("the domain's provider in the summary", || async {
        listed(page).await.contains(&EMPTY.to_owned()).then_some(())
    })
    .await;
    let text = world.config();
    assert!(text.contains(comment), "{text}");
    assert!(
        text.contains(&format!("name = \"{EMPTY}\"")) && text.contains(&format!("host = \"mail.{EMPTY}\"")),
        "{text}"
    );
    page.screenshot("first-start-manual-added-de").await;

    world.finish("the first start").await;
    drop(keychain);
}
