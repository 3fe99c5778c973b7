//! The Linux tray: a StatusNotifierItem over D-Bus (ksni), no GTK. It renders what
//! `outage_core::tray::appearance` decided and reports menu choices on a channel.

use std::collections::HashMap;

use ksni::TrayMethods as _;
use outage_core::action::Action;
use outage_core::text::APP_NAME;
use outage_core::tray::{MenuEntry, TrayAppearance, TrayIcon};
use tokio::sync::mpsc;

/// The tray icons, decoded once into SNI's ARGB32 pixmaps.
#[derive(Debug, Clone)]
pub struct Icons(HashMap<TrayIcon, ksni::Icon>);

impl Icons {
    pub fn load() -> anyhow::Result<Icons> {
        let mut icons = HashMap::new();
        for (which, bytes) in crate::icons::SOURCES {
            icons.insert(which, decode(bytes).map_err(|e| anyhow::anyhow!("tray icon {}: {e}", which.name()))?);
        }
        Ok(Icons(icons))
    }
}

fn decode(png_bytes: &[u8]) -> Result<ksni::Icon, png::DecodingError> {
    let (rgba, width, height) = crate::icons::rgba(png_bytes)?;
    // StatusNotifierItem pixmaps are ARGB32 in network byte order.
    let data = rgba.chunks_exact(4).flat_map(|p| [p[3], p[0], p[1], p[2]]).collect();
    Ok(ksni::Icon {
        width: i32::try_from(width).unwrap_or(i32::MAX),
        height: i32::try_from(height).unwrap_or(i32::MAX),
        data,
    })
}

#[derive(Debug)]
struct Tray {
    appearance: TrayAppearance,
    icons: Icons,
    actions: mpsc::UnboundedSender<Action>,
}

impl ksni::Tray for Tray {
    fn id(&self) -> String {
        "outage-notifier".into()
    }

    fn title(&self) -> String {
        APP_NAME.into()
    }

    fn icon_name(&self) -> String {
        // Hosts that prefer names get none; the pixmap carries the state.
        String::new()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icons.0.get(&self.appearance.icon).cloned().into_iter().collect()
    }

    fn status(&self) -> ksni::Status {
        if self.appearance.attention { ksni::Status::NeedsAttention } else { ksni::Status::Active }
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            icon_name: String::new(),
            icon_pixmap: Vec::new(),
            title: APP_NAME.into(),
            description: self.appearance.tooltip.clone(),
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.actions.send(Action::OpenWindow { route: None });
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        self.appearance.menu.iter().map(menu_item).collect()
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        // No tray host (CI, GNOME without the extension): keep running; ksni registers
        // again when a watcher appears.
        tracing::warn!("no StatusNotifier host: {reason:?}; the tray appears once one runs");
        true
    }

    fn watcher_online(&self) {
        tracing::info!("StatusNotifier host appeared; tray registered");
    }
}

fn menu_item(entry: &MenuEntry) -> ksni::MenuItem<Tray> {
    // Underscores would be read as access-key markers.
    let escape = |label: &str| label.replace('_', "__");
    match entry {
        MenuEntry::Separator => ksni::MenuItem::Separator,
        MenuEntry::Item { label, action } => {
            let action = action.clone();
            ksni::menu::StandardItem {
                label: escape(label),
                activate: Box::new(move |tray: &mut Tray| {
                    let _ = tray.actions.send(action.clone());
                }),
                ..Default::default()
            }
            .into()
        }
        MenuEntry::Check { label, checked, action } => {
            let action = action.clone();
            ksni::menu::CheckmarkItem {
                label: escape(label),
                checked: *checked,
                activate: Box::new(move |tray: &mut Tray| {
                    let _ = tray.actions.send(action.clone());
                }),
                ..Default::default()
            }
            .into()
        }
        MenuEntry::Submenu { label, entries } => ksni::menu::SubMenu {
            label: escape(label),
            submenu: entries.iter().map(menu_item).collect(),
            ..Default::default()
        }
        .into(),
    }
}

/// The running tray; `None` inside when no session bus exists at all.
pub struct TrayHandle(Option<ksni::Handle<Tray>>);

impl std::fmt::Debug for TrayHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TrayHandle").field(&self.0.is_some()).finish()
    }
}

pub async fn start(appearance: TrayAppearance, icons: Icons, actions: mpsc::UnboundedSender<Action>) -> TrayHandle {
    let tray = Tray { appearance, icons, actions };
    match tray.assume_sni_available(true).spawn().await {
        Ok(handle) => TrayHandle(Some(handle)),
        Err(e) => {
            tracing::warn!("tray unavailable ({e}); the window and CLI still work");
            TrayHandle(None)
        }
    }
}

impl TrayHandle {
    pub async fn show(&self, appearance: TrayAppearance) {
        if let Some(handle) = &self.0 {
            handle.update(move |tray| tray.appearance = appearance).await;
        }
    }
}
