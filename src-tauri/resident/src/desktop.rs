//! The Windows and macOS tray: `tray-icon` on a windowless `tao` event loop, which owns the
//! main thread (macOS requires it; its notification center also answers there) while the
//! engine runs on a thread of its own. It renders what `outage_core::tray::appearance`
//! decided and reports menu choices on a channel, like the Linux StatusNotifierItem in
//! `tray.rs`.

use std::collections::HashMap;

use outage_core::action::Action;
use outage_core::tray::{MenuEntry, TrayAppearance, TrayIcon};
use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn as _;
use tokio::sync::mpsc;
use tray_icon::TrayIconBuilder;
use tray_icon::menu::{CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuId, MenuItem, PredefinedMenuItem, Submenu};
#[cfg(windows)]
use tray_icon::{MouseButton, MouseButtonState, TrayIconEvent};

/// What the engine thread asks of the event loop.
#[derive(Debug)]
pub enum TrayCommand {
    /// Create the tray icon; its menu choices go to `actions`.
    Start {
        appearance: TrayAppearance,
        actions: mpsc::UnboundedSender<Action>,
    },
    Show(TrayAppearance),
    /// The engine thread is done: leave the event loop.
    Exit,
}

#[derive(Debug)]
enum UserEvent {
    Tray(TrayCommand),
    Menu(MenuEvent),
    /// Clicks on the icon itself (on macOS a click opens the menu instead).
    #[cfg(windows)]
    Icon(TrayIconEvent),
}

/// The engine thread's handle on the tray. Sending fails only once the loop has ended.
#[derive(Debug, Clone)]
pub struct TrayProxy(EventLoopProxy<UserEvent>);

impl TrayProxy {
    pub fn send(&self, command: TrayCommand) {
        if self.0.send_event(UserEvent::Tray(command)).is_err() {
            tracing::debug!("the tray's event loop has ended");
        }
    }
}

/// Runs `work` (the engine and everything async) on a thread of its own while this thread
/// runs the event loop the tray needs; returns `work`'s result once it ends.
pub fn with_event_loop<T: Send>(work: impl FnOnce(TrayProxy) -> T + Send) -> T {
    let mut event_loop: EventLoop<UserEvent> = EventLoopBuilder::with_user_event().build();
    // A menu-bar app: no Dock icon, no app menu.
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS as _};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    let proxy = event_loop.create_proxy();
    let menu_proxy = proxy.clone();
    MenuEvent::set_event_handler(Some(move |e| {
        let _ = menu_proxy.send_event(UserEvent::Menu(e));
    }));
    #[cfg(windows)]
    {
        let icon_proxy = proxy.clone();
        TrayIconEvent::set_event_handler(Some(move |e| {
            let _ = icon_proxy.send_event(UserEvent::Icon(e));
        }));
    }
    std::thread::scope(|scope| {
        let engine = scope.spawn(move || {
            let result = work(TrayProxy(proxy.clone()));
            let _ = proxy.send_event(UserEvent::Tray(TrayCommand::Exit));
            result
        });
        let mut tray = Tray::default();
        event_loop.run_return(|event, _, flow| {
            *flow = ControlFlow::Wait;
            match event {
                Event::UserEvent(UserEvent::Tray(TrayCommand::Exit)) => *flow = ControlFlow::Exit,
                Event::UserEvent(UserEvent::Tray(TrayCommand::Start { appearance, actions })) => {
                    tray.start(&appearance, actions);
                }
                Event::UserEvent(UserEvent::Tray(TrayCommand::Show(appearance))) => tray.show(&appearance),
                Event::UserEvent(UserEvent::Menu(e)) => tray.chosen(&e.id),
                #[cfg(windows)]
                Event::UserEvent(UserEvent::Icon(TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                })) => tray.send(Action::OpenWindow { route: None }),
                _ => {}
            }
        });
        match engine.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The tray icon once created, with the action behind each menu item of the current menu.
#[derive(Default)]
struct Tray {
    icon: Option<tray_icon::TrayIcon>,
    actions: Option<mpsc::UnboundedSender<Action>>,
    menu: HashMap<MenuId, Action>,
    icons: HashMap<TrayIcon, tray_icon::Icon>,
}

impl Tray {
    fn start(&mut self, appearance: &TrayAppearance, actions: mpsc::UnboundedSender<Action>) {
        self.actions = Some(actions);
        match load_icons() {
            Ok(icons) => self.icons = icons,
            Err(e) => tracing::error!("tray icons: {e}"),
        }
        let (menu, ids) = build_menu(&appearance.menu);
        self.menu = ids;
        let mut builder = TrayIconBuilder::new().with_tooltip(&appearance.tooltip).with_menu(Box::new(menu));
        // A left click opens the window; the menu is on the right button, as Windows users expect.
        #[cfg(windows)]
        {
            builder = builder.with_title(outage_core::text::APP_NAME).with_menu_on_left_click(false);
        }
        // A template image: macOS draws it in the menu bar's own colour, light or dark; the
        // glyph tells the state.
        #[cfg(target_os = "macos")]
        {
            builder = builder.with_icon_as_template(true);
        }
        if let Some(icon) = self.icons.get(&appearance.icon) {
            builder = builder.with_icon(icon.clone());
        }
        match builder.build() {
            Ok(icon) => self.icon = Some(icon),
            // No notification area (a locked-down shell): keep running, the window still works.
            Err(e) => tracing::warn!("tray unavailable ({e}); the window and CLI still work"),
        }
    }

    fn show(&mut self, appearance: &TrayAppearance) {
        let Some(icon) = &self.icon else { return };
        #[cfg(windows)]
        let set = icon.set_icon(self.icons.get(&appearance.icon).cloned());
        #[cfg(target_os = "macos")]
        let set = icon.set_icon_with_as_template(self.icons.get(&appearance.icon).cloned(), true);
        if let Err(e) = set {
            tracing::warn!("tray icon not updated: {e}");
        }
        if let Err(e) = icon.set_tooltip(Some(&appearance.tooltip)) {
            tracing::warn!("tray tooltip not updated: {e}");
        }
        let (menu, ids) = build_menu(&appearance.menu);
        icon.set_menu(Some(Box::new(menu)));
        self.menu = ids;
    }

    fn chosen(&self, id: &MenuId) {
        if let Some(action) = self.menu.get(id) {
            self.send(action.clone());
        }
    }

    fn send(&self, action: Action) {
        if let Some(actions) = &self.actions {
            let _ = actions.send(action);
        }
    }
}

/// The menu core decided, with an id per item that maps back to its action.
fn build_menu(entries: &[MenuEntry]) -> (Menu, HashMap<MenuId, Action>) {
    let menu = Menu::new();
    let mut ids = HashMap::new();
    for entry in entries {
        let item = menu_item(entry, &mut ids);
        if let Err(e) = menu.append(item.as_ref()) {
            tracing::warn!("tray menu item left out: {e}");
        }
    }
    (menu, ids)
}

fn menu_item(entry: &MenuEntry, ids: &mut HashMap<MenuId, Action>) -> Box<dyn IsMenuItem> {
    // `&` marks an access key in Windows menus.
    let escape = |label: &str| label.replace('&', "&&");
    match entry {
        MenuEntry::Separator => Box::new(PredefinedMenuItem::separator()),
        MenuEntry::Item { label, action } => {
            let item = MenuItem::new(escape(label), true, None);
            ids.insert(item.id().clone(), action.clone());
            Box::new(item)
        }
        MenuEntry::Check { label, checked, action } => {
            let item = CheckMenuItem::new(escape(label), true, *checked, None);
            ids.insert(item.id().clone(), action.clone());
            Box::new(item)
        }
        MenuEntry::Submenu { label, entries } => {
            let submenu = Submenu::new(escape(label), true);
            for entry in entries {
                let item = menu_item(entry, ids);
                if let Err(e) = submenu.append(item.as_ref()) {
                    tracing::warn!("tray menu item left out: {e}");
                }
            }
            Box::new(submenu)
        }
    }
}

/// The state icons: for the taskbar's notification area, dark by default, on Windows; as
/// template images (only the shape counts) for the macOS menu bar.
fn load_icons() -> Result<HashMap<TrayIcon, tray_icon::Icon>, String> {
    let mut icons = HashMap::new();
    for (which, bytes) in crate::icons::SOURCES {
        let (rgba, width, height) = crate::icons::rgba(bytes).map_err(|e| format!("{}: {e}", which.name()))?;
        #[cfg(target_os = "macos")]
        let rgba = crate::icons::template(&rgba);
        let icon = tray_icon::Icon::from_rgba(rgba, width, height).map_err(|e| format!("{}: {e}", which.name()))?;
        icons.insert(which, icon);
    }
    Ok(icons)
}
