//! The tray app: claims the single-instance lock, runs the engine, and wires its summary to
//! the tray, the notifications and the window. Every decision is core's; this only connects.

use std::process::ExitCode;

use anyhow::Context as _;
use outage_core::action::Action;
use outage_core::alert::{self, AlertState};
use outage_core::protocol::{Controls, Snoozed};
use outage_core::summary::Summary;
use outage_core::tray;
use outage_engine::config_file;
use outage_engine::control::{self, Claim, ShellRequest};
use outage_engine::paths::Paths;
use outage_engine::runner::{self, Command};
use outage_engine::store::Store;
use tokio::sync::{broadcast, mpsc};

use crate::autostart::Autostart;
use crate::window::Windows;

/// What the platform's shell needs from the thread that owns the desktop: nothing on Linux
/// (the tray is D-Bus, served from the runtime), the event loop's proxy on Windows and macOS.
#[cfg(any(windows, target_os = "macos"))]
type Platform = crate::desktop::TrayProxy;
#[cfg(not(any(windows, target_os = "macos")))]
type Platform = ();

pub fn run(paths: &Paths, autostart: &Autostart, verbose: u8) -> anyhow::Result<ExitCode> {
    #[cfg(any(windows, target_os = "macos"))]
    return crate::desktop::with_event_loop(|tray| serve(paths, autostart, verbose, tray));
    #[cfg(not(any(windows, target_os = "macos")))]
    serve(paths, autostart, verbose, ())
}

fn serve(paths: &Paths, autostart: &Autostart, verbose: u8, platform: Platform) -> anyhow::Result<ExitCode> {
    // A first start has no config file yet: the window greets the user once (the marker in
    // the data folder says it did), instead of a tray icon that says nothing.
    let welcome = paths.data_dir.join("welcomed");
    let greet = !paths.config_file.exists() && !welcome.exists();
    let config = config_file::load(&paths.config_file)?;
    let mut language = config_file::language(&config);
    // Before any thread starts: all of them on the heap the trims give back. Should glibc
    // refuse, threads get arenas of their own, as they did before: memory, nothing else.
    #[cfg(target_os = "linux")]
    let _ = outage_engine::working_set::one_heap();
    // One thread is plenty for a process that waits on timers and sockets all day; blocking
    // work (SQLite, D-Bus notifications) goes to the blocking pool.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let result = runtime.block_on(async move {
        let listener = match control::claim(&paths.socket)? {
            Claim::Primary(listener) => listener,
            Claim::Secondary => {
                // Already running: ask it to show its window, and leave.
                let mut client = control::Client::connect(&paths.socket).await?;
                client.open_window(None).await?;
                println!("{}", outage_core::text::already_running(language));
                return Ok(ExitCode::SUCCESS);
            }
        };
        let _log_guard = init_logging(paths, verbose);
        tracing::info!(config = %paths.config_file.display(), data = %paths.data_dir.display(), "resident starting");

        let store = Store::open_all_day(&paths.database())?;
        let clock = runner::system_clock();
        let mut policy = alert::Policy::from_config(&config.alerts, language);
        let mut network_watch = outage_engine::netwatch::NetworkWatch::new()
            .map_err(|e| tracing::warn!("network changes go unnoticed until the next check: {e}"))
            .ok();
        let mut config_watch = match config_file::ensure_config_dir(&paths.config_file)
            .map_err(|e| anyhow::anyhow!(e))
            .and_then(|_| Ok(config_file::ConfigWatch::new(&paths.config_file)?))
        {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!("config changes need a restart: {e:#}");
                None
            }
        };
        let (engine, engine_task) = runner::start(config, language, store, clock.clone())?;
        let (shell_tx, mut shell_rx) = mpsc::unbounded_channel::<ShellRequest>();
        let (navigate_tx, _) = broadcast::channel::<String>(8);
        let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(control::serve(
            listener,
            engine.clone(),
            control::Files { database: paths.database(), config: paths.config_file.clone() },
            shell_tx,
            navigate_tx.clone(),
            // Sent, or dropped on an early return: either way the server stops.
            async {
                let _ = server_stopped.await;
            },
        ));
        let mut windows = Windows::new(paths.socket.clone(), navigate_tx);
        // Told when the all-clear for the last open problem went out.
        let outage_over = std::sync::Arc::new(tokio::sync::Notify::new());
        // Linux keeps every page of the program start-up touched mapped (`outage_engine::working_set`).
        #[cfg(target_os = "linux")]
        tokio::spawn(outage_engine::working_set::keep_trimmed(
            outage_engine::working_set::Moments {
                window_closed: windows.closings(),
                probes_settled: engine.settled(),
                outage_over: outage_over.clone(),
            },
            outage_engine::working_set::trim,
        ));
        if greet {
            windows.open(Some("/welcome".into()));
            if let Err(e) = std::fs::create_dir_all(&paths.data_dir).and_then(|()| std::fs::write(&welcome, b"")) {
                tracing::warn!("the welcome may show again at the next start: {e}");
            }
        }

        // The tray menu's and the notifications' actions; the control socket's come as requests.
        let (actions_tx, mut actions_rx) = mpsc::unbounded_channel::<Action>();
        let mut updates = engine.subscribe();
        let first = updates.borrow_and_update().clone();
        let state_file = paths.alert_state();
        let mut alerts = load_alerts(&state_file);
        let mut saved = alerts.durable();
        let shell =
            Shell::start(&first, &controls(&alerts, &policy, autostart, language, clock()), language, actions_tx, platform).await?;

        let mut terminate = signal_stream()?;
        // Looks for a closed window while one is open, and only then: on an idle machine a
        // wake-up costs about a millisecond of CPU, and this was most of the idle resident's
        // (BENCHMARKS.md, issue 13's quiet seconds). Skip: a tick missed while no window was
        // open is not made up for when one opens.
        let mut reap = tokio::time::interval(std::time::Duration::from_secs(5));
        reap.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        // Reminders, settling, snooze and quiet-hours ends are driven by the clock, not only by
        // summary changes. After sleep the interval simply resumes; the policy notices the gap.
        let mut alert_tick = tokio::time::interval(std::time::Duration::from_mins(1));
        let mut was_quiet = policy.quiet_hours.and_then(|q| q.until(clock())).is_some();
        alert_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let durable = alerts.durable();
            if durable != saved {
                save_alerts(&state_file, &durable).await;
                saved = durable;
            }
            // What the user asked for, from the tray menu, a notification or the control socket.
            let action = tokio::select! {
                changed = updates.changed() => {
                    if changed.is_err() { break; }
                    let summary = updates.borrow_and_update().clone();
                    shell.show(tray::appearance(&summary, &controls(&alerts, &policy, autostart, language, clock()), language)).await;
                    let effects = advance(&mut alerts, alert::Input::Summary(summary), &policy, clock(), &outage_over);
                    deliver(&engine, &shell, effects, language).await;
                    continue;
                }
                _ = alert_tick.tick() => {
                    let paused = alerts.paused_until();
                    let effects = advance(&mut alerts, alert::Input::Tick, &policy, clock(), &outage_over);
                    deliver(&engine, &shell, effects, language).await;
                    let quiet = policy.quiet_hours.and_then(|q| q.until(clock())).is_some();
                    if paused != alerts.paused_until() || quiet != was_quiet {
                        was_quiet = quiet;
                        // A pause ran out, quiet hours began or ended: the tray says so.
                        let summary = updates.borrow().clone();
                        shell.show(tray::appearance(&summary, &controls(&alerts, &policy, autostart, language, clock()), language)).await;
                    }
                    continue;
                }
                Some(action) = actions_rx.recv() => action,
                Some(request) = shell_rx.recv() => match request {
                    ShellRequest::Action(action) => action,
                    ShellRequest::Controls(reply) => { let _ = reply.send(controls(&alerts, &policy, autostart, language, clock())); continue; }
                    ShellRequest::TooManyWindows { max } => {
                        // The refused window exits with its reason on stderr, where nobody
                        // looks: the person hears it here.
                        shell.notify(vec![alert::Effect::Notify(windows_alert(max, language))], language);
                        continue;
                    }
                },
                () = config_changed(config_watch.as_mut()) => {
                    match config_file::reload(&paths.config_file) {
                        Ok(config) => {
                            tracing::info!(providers = config.providers.len(), "config changed; reloading");
                            language = config_file::language(&config);
                            policy = alert::Policy::from_config(&config.alerts, language);
                            engine.send(Command::Reload(Box::new(config))).await;
                            // Withdraw the notice about an earlier broken edit, if any.
                            shell.notify(vec![alert::Effect::Withdraw { key: CONFIG_ALERT.into() }], language);
                        }
                        Err(e) => {
                            // Keep running with what we had; tell the user once, where and what.
                            tracing::error!("config not applied, keeping the previous one: {e}");
                            shell.notify(vec![alert::Effect::Notify(config_alert(&e, language))], language);
                        }
                    }
                    continue;
                }
                () = network_changed(network_watch.as_mut()) => {
                    engine.send(Command::NetworkChanged).await;
                    continue;
                }
                _ = reap.tick(), if windows.is_open() => { windows.reap(); continue; }
                () = terminate.recv() => break,
            };
            match action {
                Action::OpenWindow { route } => {
                    windows.open(route);
                    continue;
                }
                Action::CheckNow => {
                    engine.send(Command::CheckNow).await;
                    continue;
                }
                Action::Quit => break,
                Action::SetAutostart(on) => autostart.set(on),
                action @ (Action::Snooze { .. } | Action::Mute { .. } | Action::Unmute { .. } | Action::Pause(_) | Action::Resume) => {
                    tracing::info!(?action, "alert control");
                    let effects = advance(&mut alerts, alert::Input::Action(action), &policy, clock(), &outage_over);
                    deliver(&engine, &shell, effects, language).await;
                }
            }
            let summary = updates.borrow().clone();
            shell.show(tray::appearance(&summary, &controls(&alerts, &policy, autostart, language, clock()), language)).await;
        }
        tracing::info!("resident stopping");
        // A snooze or mute acknowledged just before the end still counts.
        while let Ok(request) = shell_rx.try_recv() {
            if let ShellRequest::Action(action) = request
                && action.concerns_alerts()
            {
                alerts = alert::step(alerts, alert::Input::Action(action), &policy, clock()).0;
            }
        }
        save_alerts(&state_file, &alerts.durable()).await;
        windows.close();
        let _ = stop_server.send(());
        let _ = server.await;
        engine.send(Command::Shutdown).await;
        let _ = engine_task.await;
        Ok(ExitCode::SUCCESS)
    });
    // Nothing left behind may hold the process after Quit or SIGTERM: a blocking call to a
    // hung D-Bus server, or a toast still waiting for its answer, is abandoned (dropping the
    // runtime would wait for it forever).
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    result
}

/// Advances the alert policy by one input, and tells `over` when this step ended the last
/// problem the user knew of (the resident gives back what the outage needed in memory).
fn advance(
    alerts: &mut AlertState,
    input: alert::Input,
    policy: &alert::Policy,
    now: chrono::DateTime<chrono::FixedOffset>,
    over: &tokio::sync::Notify,
) -> Vec<alert::Effect> {
    let was_open = alerts.problem_open();
    let (next, effects) = alert::step(std::mem::take(alerts), input, policy, now);
    *alerts = next;
    if was_open && !alerts.problem_open() {
        over.notify_one();
    }
    effects
}

/// The alert memory of the last run; a missing or unreadable file starts afresh (an unreadable
/// one is kept aside for a look, never silently overwritten).
fn load_alerts(path: &std::path::Path) -> AlertState {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            let aside = path.with_extension("json.unreadable");
            tracing::warn!("{} unreadable ({e}); starting afresh, kept as {}", path.display(), aside.display());
            let _ = std::fs::rename(path, &aside);
            AlertState::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => AlertState::default(),
        Err(e) => {
            tracing::warn!("cannot read {}: {e}; starting afresh", path.display());
            AlertState::default()
        }
    }
}

/// Writes the alert memory atomically (temp file, fsync, rename): a crash or a full disk
/// leaves the previous file, never half of one.
async fn save_alerts(path: &std::path::Path, state: &AlertState) {
    let path = path.to_owned();
    let bytes = match serde_json::to_vec(state) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("cannot encode the alert state: {e}");
            return;
        }
    };
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write as _;
        let tmp = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!("cannot save mutes and snoozes: {e}"),
        Err(e) => tracing::error!("saving mutes and snoozes panicked: {e}"),
    }
}

/// The notification key of "your config has an error", replaced by each new error.
const CONFIG_ALERT: &str = "config";

/// Resolves when the config file changed; never without a watch.
async fn config_changed(watch: Option<&mut config_file::ConfigWatch>) {
    match watch {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

/// Resolves when the machine's network changed; never without a watch.
async fn network_changed(watch: Option<&mut outage_engine::netwatch::NetworkWatch>) {
    match watch {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

fn config_alert(error: &outage_engine::EngineError, language: outage_core::text::Language) -> alert::Alert {
    use outage_core::text;
    // What happened in the user's language first; the parser's or the system's own words
    // (technical, English) follow on a line of their own for whoever fixes the file.
    let body = match error {
        outage_engine::EngineError::ConfigDeleted { path } => text::config_deleted(path, language),
        outage_engine::EngineError::Config(e) => {
            let hint = e.hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
            format!("{}\n{}{hint}", text::config_invalid(&e.file, e.line, language), e.message)
        }
        outage_engine::EngineError::ReadConfig { path, source } => {
            format!("{}\n{source}", text::config_unreadable(path, language))
        }
        other => other.to_string(),
    };
    alert::Alert {
        key: CONFIG_ALERT.into(),
        title: text::config_not_applied(language).into(),
        body,
        urgency: alert::Urgency::Normal,
        route: "/settings".into(),
    }
}

/// A window was refused because `max` are open already (left-over ones, almost always).
fn windows_alert(max: usize, language: outage_core::text::Language) -> alert::Alert {
    use outage_core::text;
    alert::Alert {
        key: alert::WINDOWS_KEY.into(),
        title: text::window_not_opened(language).into(),
        body: text::too_many_windows(max, language),
        urgency: alert::Urgency::Normal,
        route: "/".into(),
    }
}

/// What the user has silenced, for the tray menu and the window.
fn controls(
    alerts: &AlertState,
    policy: &alert::Policy,
    autostart: &Autostart,
    language: outage_core::text::Language,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Controls {
    Controls {
        paused_until: alerts.paused_until(),
        quiet_until: policy.quiet_hours.and_then(|q| q.until(now)),
        snoozed: alerts
            .snoozed()
            .map(|(provider_id, until)| Snoozed { provider_id: provider_id.to_owned(), until })
            .collect(),
        muted: alerts.muted().map(str::to_owned).collect(),
        autostart: autostart.enabled(),
        language: Some(language),
    }
}

/// Shows the alerts and keeps each one in the history, as evidence of what the user was told.
async fn deliver(
    engine: &runner::EngineHandle,
    shell: &Shell,
    effects: Vec<alert::Effect>,
    language: outage_core::text::Language,
) {
    for effect in &effects {
        if let alert::Effect::Notify(a) = effect {
            let record = Command::RecordAlert { key: a.key.clone(), title: a.title.clone(), body: a.body.clone() };
            engine.send(record).await;
        }
    }
    shell.notify(effects, language);
}

/// The platform's tray and notifications.
struct Shell {
    #[cfg(target_os = "linux")]
    tray: crate::tray::TrayHandle,
    #[cfg(any(windows, target_os = "macos"))]
    tray: crate::desktop::TrayProxy,
    notifier: crate::notify::Notifier,
}

impl Shell {
    #[cfg(target_os = "linux")]
    async fn start(
        first: &Summary,
        controls: &Controls,
        language: outage_core::text::Language,
        actions: mpsc::UnboundedSender<Action>,
        (): Platform,
    ) -> anyhow::Result<Shell> {
        let icons = crate::tray::Icons::load()?;
        let tray = crate::tray::start(tray::appearance(first, controls, language), icons, actions.clone()).await;
        Ok(Shell { tray, notifier: crate::notify::Notifier::new(actions) })
    }

    #[cfg(any(windows, target_os = "macos"))]
    #[allow(clippy::unused_async)] // the same signature as on Linux, where starting awaits D-Bus
    async fn start(
        first: &Summary,
        controls: &Controls,
        language: outage_core::text::Language,
        actions: mpsc::UnboundedSender<Action>,
        tray: Platform,
    ) -> anyhow::Result<Shell> {
        let appearance = tray::appearance(first, controls, language);
        tray.send(crate::desktop::TrayCommand::Start { appearance, actions: actions.clone() });
        Ok(Shell { tray, notifier: crate::notify::Notifier::new(actions) })
    }

    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    #[allow(clippy::unused_async)]
    async fn start(
        _first: &Summary,
        _controls: &Controls,
        _language: outage_core::text::Language,
        actions: mpsc::UnboundedSender<Action>,
        (): Platform,
    ) -> anyhow::Result<Shell> {
        let _ = actions;
        anyhow::bail!("the tray app runs on Linux, Windows and macOS; `check`, `open` and the window work everywhere")
    }

    #[allow(clippy::unused_async)]
    async fn show(&self, appearance: tray::TrayAppearance) {
        #[cfg(target_os = "linux")]
        self.tray.show(appearance).await;
        #[cfg(any(windows, target_os = "macos"))]
        self.tray.send(crate::desktop::TrayCommand::Show(appearance));
    }

    fn notify(&self, effects: Vec<alert::Effect>, language: outage_core::text::Language) {
        self.notifier.apply(effects, language);
    }
}

/// SIGTERM and SIGINT end the app cleanly.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

#[cfg_attr(not(unix), allow(clippy::unnecessary_wraps))] // registering can fail on Unix only
fn signal_stream() -> anyhow::Result<Signals> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }
    #[cfg(not(unix))]
    Ok(Signals {})
}

impl Signals {
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs to a daily-rotated file in the data dir (and stderr with `-v`). No secrets are ever
/// logged: probes redact before anything reaches a message.
fn init_logging(paths: &Paths, verbose: u8) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 | 1 => "info",
        _ => "debug",
    };
    if let Err(e) = std::fs::create_dir_all(paths.logs()) {
        eprintln!("outage-notifier: cannot create {}: {e}", paths.logs().display());
    }
    let file = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("outage-notifier")
        .filename_suffix("log")
        .max_log_files(7)
        .build(paths.logs());
    let (file_layer, guard) = match file {
        Ok(appender) => {
            // The default queue holds 128,000 lines, allocated and touched up front: 4 MiB, a
            // fifth of the idle resident (issue 20). It logs a few lines a minute; a burst
            // beyond a thousand waiting lines loses lines, never blocks the resident.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(1_000)
                .lossy(true)
                .finish(appender);
            (Some(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer)), Some(guard))
        }
        Err(e) => {
            eprintln!("outage-notifier: cannot write logs to {}: {e}", paths.logs().display());
            (None, None)
        }
    };
    let stderr_layer = (verbose > 0).then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new(level))
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    guard
}

#[cfg(test)]
mod tests {
    use outage_core::alert::{self, AlertState};
    use outage_core::model::{Network, State, Verdict};
    use outage_core::summary::{ProviderSummary, Summary};
    use outage_core::text::{self, Language};

    fn summary(at: chrono::DateTime<chrono::FixedOffset>, state: State, verdict: Verdict) -> Summary {
        Summary {
            checked_at: at,
            network: Network::Online,
            language: Language::En,
            providers: vec![ProviderSummary {
                id: "df".into(),
                name: "DomainFactory".into(),
                state,
                verdict,
                verdict_text: String::new(),
                since: None,
                status_page: None,
                preset: None,
                components: Vec::new(),
                incidents: Vec::new(),
                checks: Vec::new(),
            }],
            storage: None,
        }
    }

    /// Whether `over` was told (a permit is waiting), without waiting for it.
    fn told(over: &tokio::sync::Notify) -> bool {
        use std::future::Future as _;
        let mut notified = std::pin::pin!(over.notified());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        notified.as_mut().poll(&mut context).is_ready()
    }

    /// The memory an outage needed is given back with its all-clear (issue 20): the resident
    /// tells its trimmer when the policy's step ended the last open problem, and only then.
    #[test]
    fn the_trimmer_hears_when_the_all_clear_ended_the_last_problem() {
        let over = tokio::sync::Notify::new();
        let policy = alert::Policy::new(Language::En);
        let mut alerts = AlertState::default();
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap();
        let minute = |n: i64| start + chrono::TimeDelta::minutes(n);
        let effects = super::advance(
            &mut alerts,
            alert::Input::Summary(summary(minute(0), State::MajorOutage, Verdict::ProviderConfirmed)),
            &policy,
            minute(0),
            &over,
        );
        assert_eq!(effects.len(), 1, "the outage is told: {effects:?}");
        assert!(!told(&over), "an outage begins");
        let calm = summary(minute(30), State::Operational, Verdict::AllWell);
        let mut heard = Vec::new();
        for n in 1..=60 {
            // The provider is well again from minute 30; the shell ticks every minute.
            let input = if n == 30 { alert::Input::Summary(calm.clone()) } else { alert::Input::Tick };
            let effects = super::advance(&mut alerts, input, &policy, minute(n), &over);
            let all_clear =
                effects.iter().any(|e| matches!(e, alert::Effect::Notify(a) if a.title.contains("back to normal")));
            if told(&over) {
                assert!(all_clear, "minute {n}: told without the all-clear: {effects:?}");
                heard.push(n);
            }
        }
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert!(heard[0] >= 40, "not before the calm settled: {heard:?}");
    }

    /// A broken edit of the config is told in the user's language, with the file and line;
    /// the parser's own words follow on a line of their own for whoever fixes the file.
    #[test]
    fn a_broken_config_is_told_in_the_users_language() {
        let e = outage_core::config::parse("[settings]\ninterval = \"1 Minute\"\n", "/x/config.toml").unwrap_err();
        let line = e.line;
        assert_eq!(line, Some(2), "{e}");
        let error = outage_engine::EngineError::Config(e);
        for language in [Language::De, Language::En] {
            let alert = super::config_alert(&error, language);
            assert_eq!(alert.title, text::config_not_applied(language));
            let (first, technical) = alert.body.split_once('\n').expect("two lines");
            assert_eq!(first, text::config_invalid("/x/config.toml", line, language));
            assert!(technical.contains("1 Minute"), "{technical}");
        }
    }
}
