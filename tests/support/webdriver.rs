//! The window under WebDriver: tauri-driver (which runs WebKitWebDriver, which runs the window
//! binary) on loopback ports, a fantoccini session on it, the UI's own text catalogs, and page
//! helpers that poll with deadlines and leave a screenshot behind when a wait times out.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

pub use crate::eventually;

/// `tauri-driver` from `PATH`, or where `cargo install` puts it when that is not on `PATH`.
fn tauri_driver_program() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("tauri-driver")).find(|f| f.is_file()))
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path
        .or_else(|| cargo_home.map(|c| c.join("bin/tauri-driver")).filter(|f| f.is_file()))
        .expect("tauri-driver is not installed: `cargo install tauri-driver --locked` (cargo xtask test installs it)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
}

/// tauri-driver in a process group of its own, so that dropping it ends WebKitWebDriver and
/// the window it started too, however the test ends.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
}

impl TauriDriver {
    /// Starts tauri-driver with its output in `log`; `configure` sets the environment the
    /// window inherits (WebKitWebDriver starts it with tauri-driver's environment).
    pub fn start(log: &Path, configure: impl FnOnce(&mut Command)) -> TauriDriver {
        let port = free_port();
        let native_port = free_port();
        if let Some(dir) = log.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let out = std::fs::File::create(log).expect("tauri-driver log");
        let err = out.try_clone().expect("tauri-driver log");
        let mut command = Command::new(tauri_driver_program());
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        configure(&mut command);
        let child = command.spawn().expect("start tauri-driver");
        TauriDriver { child, port }
    }

    /// A WebDriver session on a freshly started `application` (an absolute path); a wait that
    /// times out leaves `artifacts/window-<label>-failure.png`.
    pub async fn session(&self, application: &Path, artifacts: &Path, label: &str) -> Page {
        let addr = format!("127.0.0.1:{}", self.port);
        eventually("tauri-driver to listen", Duration::from_mins(1), || async {
            TcpStream::connect(&addr).ok().map(drop)
        })
        .await;
        let mut capabilities = serde_json::Map::new();
        capabilities
            .insert("tauri:options".into(), serde_json::json!({ "application": application.to_string_lossy() }));
        let url = format!("http://{addr}");
        // Starting WebKit and the window on a loaded two-core machine takes a while; hyper
        // itself would wait for ever.
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let client = tokio::time::timeout(Duration::from_mins(3), builder.connect(&url))
            .await
            .expect("no WebDriver session within 180 s")
            .expect("WebDriver session");
        Page { client, artifacts: artifacts.to_path_buf(), label: label.to_owned() }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The UI's text catalog for one language (`ui/src/locales/<lang>.json`), so the test finds
/// buttons by what a person reads in that language.
#[derive(Debug)]
pub struct Texts(Value);

impl Texts {
    pub fn load(lang: &str) -> Texts {
        let path = crate::workspace().join("ui/src/locales").join(format!("{lang}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Texts(serde_json::from_str(&text).expect("catalog JSON"))
    }

    /// Every text in the catalog with its dotted key, in the catalog's order.
    pub fn all(&self) -> Vec<(String, String)> {
        fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                        walk(&key, v, out);
                    }
                }
                Value::String(s) => out.push((prefix.to_owned(), s.clone())),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk("", &self.0, &mut out);
        out
    }

    /// The text at a dotted key, such as `add.open`.
    pub fn t(&self, key: &str) -> String {
        key.split('.')
            .try_fold(&self.0, |v, k| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no text {key} in the catalog"))
            .to_owned()
    }
}

/// An XPath string literal for any text (XPath 1 has no escapes).
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A chart as the page drew it (see [`Page::chart`]).
#[derive(Debug)]
pub struct Chart {
    /// Whether its table is on the page at all.
    pub found: bool,
    /// Why the window drew no chart, as its table records it.
    pub error: Option<String>,
    /// The canvas's size in device pixels, when there is one.
    pub width: u32,
    pub height: u32,
    /// Pixels of the canvas that are not fully transparent.
    pub painted: u32,
    /// Whether the table is only read out (the chart shown instead).
    pub hidden: bool,
}

impl Chart {
    /// Panics unless a canvas of some size is there with a line drawn on it.
    pub fn assert_drawn(&self, what: &str) {
        assert!(self.found, "{what}: no chart table on the page");
        assert!(
            self.width > 0 && self.height > 0,
            "{what}: no canvas drawn ({self:?}); the window said: {}",
            self.error.as_deref().unwrap_or("nothing")
        );
        // Axes alone paint a few hundred pixels; the line and its points add more.
        assert!(self.painted > 500, "{what}: the canvas is (nearly) empty: {self:?}");
        assert!(self.hidden, "{what}: the table is shown although the chart is drawn: {self:?}");
    }
}

/// The window's page in a WebDriver session.
#[derive(Debug)]
pub struct Page {
    pub client: Client,
    artifacts: PathBuf,
    label: String,
}

/// How long a person would wait at most for the page on a busy machine.
pub const PATIENCE: Duration = Duration::from_mins(1);
/// How long one WebDriver command may take before the webview counts as hung.
const COMMAND: Duration = Duration::from_secs(30);

impl Page {
    /// The text of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
            // An element re-rendered between find and read is simply read next time.
            if let Ok(text) = element.text().await {
                texts.push(text);
            }
        }
        texts
    }

    /// The text of the first element matching `css`, if there is one.
    pub async fn text(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// What the page says, for failure messages.
    pub async fn body(&self) -> String {
        self.text("body").await.unwrap_or_else(|| "<no body>".into())
    }

    /// Polls `check` until it returns `Some`; on timeout saves `window-<label>-failure.png` and
    /// panics with what the page said then.
    pub async fn wait<T, F: Future<Output = Option<T>>>(&self, what: &str, mut check: impl FnMut() -> F) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // A webview that stopped answering must fail the wait, not hang it: WebDriver
            // commands have no deadline of their own.
            if let Ok(Some(v)) = tokio::time::timeout(COMMAND, check()).await {
                return v;
            }
            if Instant::now() >= deadline {
                // The text first: a screenshot that hangs blocks every command after it.
                let body = tokio::time::timeout(COMMAND, self.body()).await.unwrap_or_else(|_| "<no answer>".into());
                let shot = self.artifacts.join(format!("window-{}-failure.png", self.label));
                if let Ok(png) = self.capture().await {
                    let _ = std::fs::create_dir_all(&self.artifacts);
                    let _ = std::fs::write(&shot, png);
                }
                panic!(
                    "timed out after {PATIENCE:?} waiting for {what}; the page said:\n{body}\n(see {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the first element matching `css` has a text that `accept` takes; returns it.
    pub async fn wait_text(&self, what: &str, css: &str, accept: impl Fn(&str) -> bool) -> String {
        self.wait(what, || async { self.text(css).await.filter(|t| accept(t)) }).await
    }

    /// Clicks the element at `locator` once it is there and takes the click.
    pub async fn click(&self, what: &str, locator: Locator<'_>) {
        self.wait(what, || async { self.client.find(locator).await.ok()?.click().await.ok() }).await;
    }

    /// Clicks the button whose whole text is `label` (ignoring surrounding space).
    pub async fn click_button(&self, label: &str) {
        self.click(&format!("the button {label:?}"), Locator::XPath(&button_xpath(label))).await;
    }

    /// Clicks the button whose whole text is `label` once, if there is one; whether it did.
    pub async fn click_button_once(&self, label: &str) -> bool {
        match self.client.find(Locator::XPath(&button_xpath(label))).await {
            Ok(button) => button.click().await.is_ok(),
            Err(_) => false,
        }
    }

    /// Types `text` into the field at `css`, replacing what it held. Clearing alone may not
    /// raise an input event, but the typing after it does, and Svelte's bindings then read
    /// the field's whole value.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait(&format!("the field {css} to take input"), || async {
            let field = self.client.find(Locator::Css(css)).await.ok()?;
            field.clear().await.ok()?;
            field.send_keys(text).await.ok()
        })
        .await;
    }

    /// Scrolls the first element at `css` into view (its bottom at the window's), so that a
    /// screenshot shows it.
    pub async fn scroll_to(&self, css: &str) {
        let script = "document.querySelector(arguments[0])?.scrollIntoView({ block: 'end' });";
        let _ = tokio::time::timeout(COMMAND, self.client.execute(script, vec![Value::from(css)])).await;
    }

    /// What the chart next to the table `[data-testid=<testid>]` drew: its canvas's size and
    /// how many of its pixels are painted, read back from the canvas itself — or why there is
    /// no canvas (the table's `data-chart-error`).
    pub async fn chart(&self, testid: &str) -> Chart {
        const READ: &str = "const table = document.querySelector(`[data-testid=${arguments[0]}]`);
            if (!table) return { found: false };
            const canvas = table.parentElement.querySelector('.latency-chart canvas');
            const error = table.getAttribute('data-chart-error');
            if (!canvas) return { found: true, error };
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
            return { found: true, error, width: canvas.width, height: canvas.height, painted,
                hidden: table.classList.contains('visually-hidden') };";
        let value = tokio::time::timeout(COMMAND, self.client.execute(READ, vec![Value::from(testid)]))
            .await
            .unwrap_or_else(|_| panic!("reading the chart of {testid} took over {COMMAND:?}"))
            .unwrap_or_else(|e| panic!("reading the chart of {testid}: {e}"));
        let number = |key: &str| value[key].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Chart {
            found: value["found"].as_bool().unwrap_or(false),
            error: value["error"].as_str().map(str::to_owned),
            width: number("width"),
            height: number("height"),
            painted: number("painted"),
            hidden: value["hidden"].as_bool().unwrap_or(false),
        }
    }

    /// The webview as PNG bytes.
    async fn capture(&self) -> Result<Vec<u8>, String> {
        // WebKitGTK answers a screenshot after the view's next repaint, and a page where
        // nothing moves is never repainted under Xvfb: the request would hang, and every
        // command after it. A blinking caret keeps repainting (a focused text field was seen
        // to make it work), so a nearly invisible field in a corner gets the focus meanwhile.
        const POKE: &str = "const p = document.createElement('input'); p.id = 'screenshot-poke';
            p.style.cssText = 'position:fixed;right:0;bottom:0;width:2px;height:2px;opacity:0.01;border:0;padding:0';
            document.body.appendChild(p); const done = arguments[0];
            requestAnimationFrame(() => requestAnimationFrame(() => done()));";
        const UNPOKE: &str = "document.getElementById('screenshot-poke')?.remove();";
        let late = |what: &str| format!("{what} took over {COMMAND:?}");
        tokio::time::timeout(COMMAND, self.client.execute_async(POKE, vec![]))
            .await
            .map_err(|_| late("the script before the screenshot"))?
            .map_err(|e| format!("the script before the screenshot: {e}"))?;
        let focus = async {
            let poke = self.client.find(Locator::Css("#screenshot-poke")).await?;
            // Shift alone: focuses the field as typing does, and types nothing.
            poke.send_keys("\u{E008}").await
        };
        tokio::time::timeout(COMMAND, focus)
            .await
            .map_err(|_| late("focusing before the screenshot"))?
            .map_err(|e| format!("focusing before the screenshot: {e}"))?;
        let png = tokio::time::timeout(COMMAND, self.client.screenshot())
            .await
            .map_err(|_| late("the screenshot"))?
            .map_err(|e| format!("the screenshot: {e}"))?;
        let _ = tokio::time::timeout(COMMAND, self.client.execute(UNPOKE, vec![])).await;
        Ok(png)
    }

    /// Saves the webview as `artifacts/window-<name>.png` and checks it is not one flat colour.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.capture().await.unwrap_or_else(|e| panic!("no screenshot of {name}: {e}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "the screenshot of {name} is not a PNG");
        std::fs::create_dir_all(&self.artifacts).expect("artifacts dir");
        let path = self.artifacts.join(format!("window-{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        let variation = crate::desktop::variation(&path, "4000x4000+0+0");
        assert!(variation > 0.02, "the screenshot of {name} is blank (variation {variation}): {}", path.display());
        path
    }
}

/// The button whose whole text is `label`, ignoring surrounding space.
fn button_xpath(label: &str) -> String {
    format!("//button[normalize-space()={}]", xpath_literal(label))
}
