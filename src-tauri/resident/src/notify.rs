//! Native notifications through notify-rust: org.freedesktop.Notifications over zbus on
//! Linux (no GTK), WinRT toasts on Windows, the notification center on macOS. On Linux a
//! notification for the same root cause replaces the earlier one and a withdrawn one is
//! closed; elsewhere one cannot be replaced or taken back, so there only the newest one for a
//! cause opens anything. A click opens the window at the alert's route.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[cfg(target_os = "linux")]
use notify_rust::{Hint, Timeout};
use notify_rust::{Notification, NotificationResponse};
use outage_core::action::Action;
use outage_core::alert::{self, Effect};
use outage_core::text::APP_NAME;
use tokio::sync::mpsc;

#[derive(Debug, Clone, Default)]
struct Shown {
    /// Server id per root cause, so updates replace instead of stacking.
    ids: HashMap<String, u32>,
    /// Generation per root cause: only the newest notification's click counts.
    generation: HashMap<String, u64>,
}

#[derive(Debug, Clone)]
pub struct Notifier {
    shown: Arc<Mutex<Shown>>,
    actions: mpsc::UnboundedSender<Action>,
}

impl Notifier {
    pub fn new(actions: mpsc::UnboundedSender<Action>) -> Notifier {
        Notifier { shown: Arc::default(), actions }
    }

    pub fn apply(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Notify(alert) => self.show(alert),
                Effect::Withdraw { key } => self.withdraw(&key),
            }
        }
    }

    fn show(&self, alert: alert::Alert) {
        let shown = self.shown.clone();
        let actions = self.actions.clone();
        // The D-Bus calls block, and the handle must stay alive until the notification is
        // answered (GNOME drops notifications whose sender disconnected), so each waits on
        // its own blocking thread.
        tokio::task::spawn_blocking(move || {
            let (previous, generation) = {
                let Ok(mut s) = shown.lock() else { return };
                let g = s.generation.entry(alert.key.clone()).or_insert(0);
                *g += 1;
                let g = *g;
                (s.ids.get(&alert.key).copied(), g)
            };
            let mut n = Notification::new();
            n.appname(APP_NAME).summary(&alert.title).body(&alert.body).action("default", "Open");
            // macOS's notification center has no urgency (its newer API, which needs a signed
            // bundle, has interruption levels).
            #[cfg(not(target_os = "macos"))]
            n.urgency(match alert.urgency {
                alert::Urgency::Low => notify_rust::Urgency::Low,
                alert::Urgency::Normal => notify_rust::Urgency::Normal,
                alert::Urgency::Critical => notify_rust::Urgency::Critical,
            });
            #[cfg(target_os = "linux")]
            {
                n.icon("dialog-warning").hint(Hint::Category("network".into())).timeout(Timeout::Default);
                if let Some(id) = previous {
                    n.id(id);
                }
            }
            #[cfg(not(target_os = "linux"))]
            let _ = previous;
            let handle = match n.show() {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!("notification not shown ({e}); the tray and window still show the state");
                    return;
                }
            };
            #[cfg(target_os = "linux")]
            if let Ok(mut s) = shown.lock() {
                s.ids.insert(alert.key.clone(), handle.id());
            }
            let route = alert.route.clone();
            let key = alert.key.clone();
            let _ = handle.wait_for_response(|response: &NotificationResponse| {
                let current = shown.lock().ok().and_then(|s| s.generation.get(&key).copied());
                if current != Some(generation) {
                    return;
                }
                // The body click, or the one button, "Open" (Windows and macOS show it as one).
                if matches!(response, NotificationResponse::Default | NotificationResponse::Action(_)) {
                    let _ = actions.send(Action::OpenWindow { route: Some(route.clone()) });
                }
                if let (NotificationResponse::Closed(_) | NotificationResponse::Default, Ok(mut s)) =
                    (response, shown.lock())
                {
                    s.ids.remove(&key);
                }
            });
        });
    }

    #[cfg(not(target_os = "linux"))]
    fn withdraw(&self, key: &str) {
        // A toast cannot be taken back; a newer alert for the cause makes its clicks stale.
        if let Ok(mut s) = self.shown.lock() {
            *s.generation.entry(key.to_owned()).or_insert(0) += 1;
        }
    }

    #[cfg(target_os = "linux")]
    fn withdraw(&self, key: &str) {
        let id = self.shown.lock().ok().and_then(|mut s| s.ids.remove(key));
        if let Some(id) = id {
            tokio::task::spawn_blocking(move || {
                // The handle lives on the waiting thread; closing by id is the spec's own call.
                let closed = zbus::blocking::Connection::session().and_then(|c| {
                    c.call_method(
                        Some("org.freedesktop.Notifications"),
                        "/org/freedesktop/Notifications",
                        Some("org.freedesktop.Notifications"),
                        "CloseNotification",
                        &(id,),
                    )
                });
                if let Err(e) = closed {
                    tracing::debug!("closing notification {id}: {e}");
                }
            });
        }
    }
}
