//! Native notifications: org.freedesktop.Notifications over one zbus connection on Linux (no
//! GTK), WinRT toasts on Windows, the notification center on macOS (both through notify-rust).
//! On Linux a notification for the same root cause replaces the earlier one and a withdrawn one
//! is closed; elsewhere one cannot be replaced or taken back, so there only the newest one for a
//! cause opens anything. A click opens the window at the alert's route.

use outage_core::action::Action;
use outage_core::alert::Effect;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Notifier {
    #[cfg(target_os = "linux")]
    inner: xdg::Notifications,
    #[cfg(not(target_os = "linux"))]
    inner: toast::Notifications,
}

impl Notifier {
    pub fn new(shell: mpsc::UnboundedSender<Action>) -> Notifier {
        #[cfg(target_os = "linux")]
        let inner = xdg::Notifications::new(shell);
        #[cfg(not(target_os = "linux"))]
        let inner = toast::Notifications::new(shell);
        Notifier { inner }
    }

    /// Shows and withdraws; `language` names the notification's button.
    pub fn apply(&self, effects: Vec<Effect>, language: outage_core::text::Language) {
        let open = outage_core::text::open_action(language);
        for effect in effects {
            match effect {
                Effect::Notify(alert) => self.inner.show(alert, open),
                Effect::Withdraw { key } => self.inner.withdraw(&key),
            }
        }
    }
}

/// Escapes text for servers that read the body as markup (the `body-markup` capability:
/// GNOME, KDE, dunst, mako). Status-page text is untrusted: `<b>` or `<img …>` in an incident
/// title must show as written, and a bare `&` ("AT&T") is invalid markup that some servers
/// answer by dropping the whole body. Summaries get the same treatment, since some servers
/// format them with the body.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Linux: one long-lived session-bus connection sends every notification and hears every
/// click and close, matched by notification id. Servers (dunst, xfce4-notifyd) report those
/// only to the connection that sent a notification's latest version, so a connection per
/// notification left the replaced one's listener waiting forever — a blocked thread per
/// replacement, and a runtime that could never shut down. Nothing here blocks a thread, and
/// the listener is a task that ends with the runtime.
#[cfg(target_os = "linux")]
mod xdg {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use futures_util::StreamExt as _;
    use outage_core::action::Action;
    use outage_core::alert;
    use outage_core::text::APP_NAME;
    use tokio::sync::mpsc;
    use zbus::zvariant::Value;

    const SERVICE: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";
    /// A server that does not answer within this is treated as absent for this notification.
    const CALL_LIMIT: Duration = Duration::from_secs(10);

    #[derive(Debug, Default)]
    struct Shown {
        /// Server id per root cause, so updates replace instead of stacking.
        ids: HashMap<String, u32>,
        /// Root cause and route per server id, for clicks and closes.
        by_id: HashMap<u32, (String, String)>,
    }

    impl Shown {
        /// The notification is gone from the screen: forget it, unless its id already
        /// belongs to a newer version of the same cause.
        fn forget(&mut self, id: u32) {
            if let Some((key, _)) = self.by_id.remove(&id)
                && self.ids.get(&key) == Some(&id)
            {
                self.ids.remove(&key);
            }
        }
    }

    /// The connection and what the server said it can do.
    #[derive(Debug)]
    struct Bus {
        connection: zbus::Connection,
        markup: bool,
    }

    #[derive(Debug, Clone)]
    pub struct Notifications {
        shown: Arc<Mutex<Shown>>,
        shell: mpsc::UnboundedSender<Action>,
        /// Connected on first use; the lock also keeps shows and withdrawals in order.
        bus: Arc<tokio::sync::Mutex<Option<Bus>>>,
    }

    impl Notifications {
        pub fn new(shell: mpsc::UnboundedSender<Action>) -> Notifications {
            Notifications { shown: Arc::default(), shell, bus: Arc::default() }
        }

        pub fn show(&self, alert: alert::Alert, open: &'static str) {
            let this = self.clone();
            tokio::spawn(async move {
                let mut bus = this.bus.lock().await;
                let Some(b) = this.connect(&mut bus).await else { return };
                let previous = this.shown.lock().ok().and_then(|s| s.ids.get(&alert.key).copied());
                let (summary, body) = if b.markup {
                    (super::escape_markup(&alert.title), super::escape_markup(&alert.body))
                } else {
                    (alert.title.clone(), alert.body.clone())
                };
                let urgency: u8 = match alert.urgency {
                    alert::Urgency::Low => 0,
                    alert::Urgency::Normal => 1,
                    alert::Urgency::Critical => 2,
                };
                let hints: HashMap<&str, Value<'_>> =
                    HashMap::from([("urgency", Value::U8(urgency)), ("category", Value::from("network"))]);
                let args = (
                    APP_NAME,
                    previous.unwrap_or(0),
                    "dialog-warning",
                    summary.as_str(),
                    body.as_str(),
                    vec!["default", open],
                    hints,
                    // The server's default expiry.
                    -1i32,
                );
                let call = b.connection.call_method(Some(SERVICE), PATH, Some(SERVICE), "Notify", &args);
                let id = match tokio::time::timeout(CALL_LIMIT, call).await {
                    Ok(Ok(reply)) => reply.body().deserialize::<u32>(),
                    Ok(Err(e)) => Err(e),
                    Err(_) => Err(zbus::Error::Failure("no answer from the notification server".into())),
                };
                match id {
                    Ok(id) => {
                        if let Ok(mut s) = this.shown.lock() {
                            if let Some(old) = previous.filter(|old| *old != id) {
                                s.by_id.remove(&old);
                            }
                            s.ids.insert(alert.key.clone(), id);
                            s.by_id.insert(id, (alert.key, alert.route));
                        }
                    }
                    Err(e) => {
                        tracing::warn!("notification not shown ({e}); the tray and window still show the state");
                    }
                }
            });
        }

        pub fn withdraw(&self, key: &str) {
            let this = self.clone();
            let key = key.to_owned();
            tokio::spawn(async move {
                // The id is looked up behind the bus lock, after every earlier show has its
                // answer: a withdrawal right after a show still finds the notification.
                let mut bus = this.bus.lock().await;
                let id = this.shown.lock().ok().and_then(|mut s| {
                    let id = s.ids.remove(&key)?;
                    s.by_id.remove(&id);
                    Some(id)
                });
                let Some(id) = id else { return };
                let Some(b) = this.connect(&mut bus).await else { return };
                let args = (id,);
                let call = b.connection.call_method(Some(SERVICE), PATH, Some(SERVICE), "CloseNotification", &args);
                match tokio::time::timeout(CALL_LIMIT, call).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::debug!("closing notification {id}: {e}"),
                    Err(_) => tracing::debug!("closing notification {id}: no answer"),
                }
            });
        }

        /// The connection, made on first use (and retried on the next notification if the
        /// session bus was not there), with its listener for clicks and closes.
        async fn connect<'b>(&self, bus: &'b mut Option<Bus>) -> Option<&'b Bus> {
            if bus.is_none() {
                match self.open().await {
                    Ok(b) => *bus = Some(b),
                    Err(e) => {
                        tracing::warn!("notifications unavailable ({e}); the tray and window still show the state");
                    }
                }
            }
            bus.as_ref()
        }

        async fn open(&self) -> zbus::Result<Bus> {
            let connection = zbus::Connection::session().await?;
            let signals = |member: &'static str| -> zbus::Result<zbus::MatchRule<'static>> {
                Ok(zbus::MatchRule::builder()
                    .msg_type(zbus::message::Type::Signal)
                    .interface(SERVICE)?
                    .path(PATH)?
                    .member(member)?
                    .build())
            };
            // Subscribed before the first Notify, so no early click is missed.
            let clicks = zbus::MessageStream::for_match_rule(signals("ActionInvoked")?, &connection, None).await?;
            let closes = zbus::MessageStream::for_match_rule(signals("NotificationClosed")?, &connection, None).await?;
            tokio::spawn(listen(futures_util::stream::select(clicks, closes), self.shown.clone(), self.shell.clone()));
            let capabilities = connection
                .call_method(Some(SERVICE), PATH, Some(SERVICE), "GetCapabilities", &())
                .await
                .and_then(|reply| reply.body().deserialize::<Vec<String>>());
            let markup = match capabilities {
                Ok(caps) => caps.iter().any(|c| c == "body-markup"),
                // Unknown: escaping shows entities on a plain-text server, which is ugly but
                // safe; not escaping on a markup server is neither.
                Err(e) => {
                    tracing::debug!("notification server capabilities unknown: {e}");
                    true
                }
            };
            Ok(Bus { connection, markup })
        }
    }

    /// Dispatches clicks and closes by notification id until the connection ends.
    async fn listen(
        mut signals: impl futures_util::Stream<Item = zbus::Result<zbus::Message>> + Unpin,
        shown: Arc<Mutex<Shown>>,
        shell: mpsc::UnboundedSender<Action>,
    ) {
        while let Some(message) = signals.next().await {
            let Ok(message) = message else { continue };
            let header = message.header();
            match header.member().map(zbus::names::MemberName::as_str) {
                Some("ActionInvoked") => {
                    let Ok((id, _action)) = message.body().deserialize::<(u32, String)>() else { continue };
                    let route = shown.lock().ok().and_then(|mut s| {
                        let route = s.by_id.get(&id).map(|(_, route)| route.clone());
                        // The body click, or the one button, "Open": the notification is done.
                        s.forget(id);
                        route
                    });
                    if let Some(route) = route {
                        let _ = shell.send(Action::OpenWindow { route: Some(route) });
                    }
                }
                Some("NotificationClosed") => {
                    let Ok((id, _reason)) = message.body().deserialize::<(u32, u32)>() else { continue };
                    if let Ok(mut s) = shown.lock() {
                        s.forget(id);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Windows and macOS: notify-rust's toasts, which cannot be replaced or taken back.
#[cfg(not(target_os = "linux"))]
mod toast {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use notify_rust::{Notification, NotificationResponse};
    use outage_core::action::Action;
    use outage_core::alert;
    use outage_core::text::APP_NAME;
    use tokio::sync::mpsc;

    #[derive(Debug, Clone)]
    pub struct Notifications {
        /// Generation per root cause: only the newest notification's click counts.
        generation: Arc<Mutex<HashMap<String, u64>>>,
        shell: mpsc::UnboundedSender<Action>,
    }

    impl Notifications {
        pub fn new(shell: mpsc::UnboundedSender<Action>) -> Notifications {
            Notifications { generation: Arc::default(), shell }
        }

        pub fn show(&self, alert: alert::Alert, open: &'static str) {
            let generations = self.generation.clone();
            let shell = self.shell.clone();
            // The calls block, and the handle must stay alive until the toast is answered.
            tokio::task::spawn_blocking(move || {
                let generation = {
                    let Ok(mut g) = generations.lock() else { return };
                    let g = g.entry(alert.key.clone()).or_insert(0);
                    *g += 1;
                    *g
                };
                let mut n = Notification::new();
                n.appname(APP_NAME).summary(&alert.title).body(&alert.body).action("default", open);
                // macOS's notification center has no urgency (its newer API, which needs a
                // signed bundle, has interruption levels).
                #[cfg(not(target_os = "macos"))]
                n.urgency(match alert.urgency {
                    alert::Urgency::Low => notify_rust::Urgency::Low,
                    alert::Urgency::Normal => notify_rust::Urgency::Normal,
                    alert::Urgency::Critical => notify_rust::Urgency::Critical,
                });
                let handle = match n.show() {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::warn!("notification not shown ({e}); the tray and window still show the state");
                        return;
                    }
                };
                let route = alert.route.clone();
                let key = alert.key.clone();
                let _ = handle.wait_for_response(|response: &NotificationResponse| {
                    let current = generations.lock().ok().and_then(|g| g.get(&key).copied());
                    if current != Some(generation) {
                        return;
                    }
                    // The body click, or the one button, "Open" (both platforms show it as one).
                    if matches!(response, NotificationResponse::Default | NotificationResponse::Action(_)) {
                        let _ = shell.send(Action::OpenWindow { route: Some(route.clone()) });
                    }
                });
            });
        }

        pub fn withdraw(&self, key: &str) {
            // A toast cannot be taken back; a newer alert for the cause makes its clicks stale.
            if let Ok(mut g) = self.generation.lock() {
                *g.entry(key.to_owned()).or_insert(0) += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape_markup;

    #[test]
    fn markup_is_escaped_and_plain_text_kept() {
        assert_eq!(
            escape_markup("Hostile <b>Inc</b> <img src=x onerror=alert(1)> at AT&T"),
            "Hostile &lt;b&gt;Inc&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt; at AT&amp;T"
        );
        assert_eq!(escape_markup("Störung: E-Mail „Cluster 3“"), "Störung: E-Mail „Cluster 3“");
        // Already-escaped text is shown as written, not decoded.
        assert_eq!(escape_markup("&amp;"), "&amp;amp;");
    }
}
