//! One-shot commands: they run the engine in their own process and print.

/// Prints a line to stdout. A reader that went away (`outage-notifier report | head`) is
/// not an error of ours: stop quietly instead of panicking like `println!` would.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! out_raw {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!($($arg)*))
    };
}

pub fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("outage-notifier: cannot write to stdout: {e}");
        std::process::exit(2);
    }
}

use std::process::ExitCode;

use anyhow::Context as _;
use outage_core::summary::Summary;
use outage_core::text;
use outage_engine::credentials::{self, Entry};
use outage_engine::paths::Paths;
use outage_engine::{config_file, control, one_shot, runner, store::Store};

pub fn check(paths: &Paths, json: bool, verbose: u8) -> anyhow::Result<ExitCode> {
    init_stderr_logging(verbose);
    let config = config_file::load(&paths.config_file)?;
    let language = config_file::language(&config);
    let store = Store::open(&paths.database())?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let summary = runtime.block_on(one_shot::check_all(
        &config,
        language,
        &store,
        runner::system_clock(),
        &one_shot::cli_policy(),
    ))?;
    if json {
        out!("{}", serde_json::to_string_pretty(&summary).context("serialising the summary")?);
    } else {
        print_text(&summary, language);
    }
    Ok(if summary.all_operational() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_text(summary: &Summary, language: text::Language) {
    if summary.providers.is_empty() {
        out!("{}", text::no_providers(language));
    }
    for p in &summary.providers {
        out!("{:<24} {:<15} {}", p.name, text::state_label(p.state, language), p.verdict_text);
        for c in &p.checks {
            // In words, as the report names checks: the ids and enums are `--json`'s.
            let what = outage_core::report::words::probed(
                &outage_core::report::Probed { kind: c.kind, target: c.target.clone() },
                language,
            );
            let reason = c.reason.map(|r| format!(" — {}", text::reason_words(r, language))).unwrap_or_default();
            let mut details: Vec<String> = c.latency_ms.map(|ms| format!("{ms} ms")).into_iter().collect();
            details.extend(c.cert_days_left.map(|days| text::certificate_days_left(days, language)));
            let details = if details.is_empty() { String::new() } else { format!(" ({})", details.join(", ")) };
            out!("    {what}: {}{reason}{details}", text::outcome_label(c.outcome, language));
        }
    }
}

pub fn detect(url: &str, json: bool, verbose: u8) -> anyhow::Result<ExitCode> {
    init_stderr_logging(verbose);
    let Some(base) = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https")) else {
        anyhow::bail!("`{url}` is not an http(s) URL");
    };
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let clock = runner::system_clock();
    let now = clock();
    let client = outage_engine::http::client()?;
    let found = runtime.block_on(outage_engine::detect::detect(
        &client,
        &base,
        std::time::Duration::from_secs(10),
        std::time::Duration::from_mins(1),
        now,
    ));
    match found {
        Ok(d) => {
            // Read it once more to say what it shows.
            let shown = runtime.block_on(async {
                let response = outage_engine::http::get(
                    &client,
                    d.endpoint.as_str(),
                    std::time::Duration::from_secs(10),
                    outage_engine::http::DEFAULT_BODY_CAP,
                    None,
                    now,
                )
                .await;
                match response {
                    Ok(outage_engine::http::Response::Body(f)) => d.format.parse(&f.body, now).ok(),
                    _ => None,
                }
            });
            if json {
                let value = serde_json::json!({
                    "url": url,
                    "format": d.format.as_str(),
                    "endpoint": d.endpoint.as_str(),
                    "state": shown.as_ref().map(|s| s.overall().as_str()),
                    "components": shown.as_ref().map(|s| s.components.len()),
                    "incidents": shown.as_ref().map(|s| s.incidents.len()),
                });
                out!("{}", serde_json::to_string_pretty(&value).context("serialising")?);
            } else {
                out!("{}: {} at {}", url, d.format.as_str(), d.endpoint);
                if let Some(s) = shown {
                    out!(
                        "  now: {}, {} components, {} open incidents or maintenances",
                        s.overall().as_str(),
                        s.components.len(),
                        s.incidents.len()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(not_found) => {
            if json {
                let tried: Vec<_> = not_found
                    .tried
                    .iter()
                    .map(|(u, why)| serde_json::json!({"url": u.as_str(), "result": why}))
                    .collect();
                let value = serde_json::json!({"url": url, "format": null, "tried": tried});
                out!("{}", serde_json::to_string_pretty(&value).context("serialising")?);
            } else {
                out!("{url}: {not_found}");
                for (u, why) in &not_found.tried {
                    out!("  {u}: {why}");
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

pub fn history(paths: &Paths, provider: Option<&str>, limit: usize, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open(&paths.database())?;
    let rows = store.recent(provider, limit)?;
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id, "check": o.check_id, "provider": o.provider_id, "kind": o.kind.as_str(),
                    "at": o.at, "outcome": o.outcome.as_str(), "reason": o.reason.map(outage_core::model::Reason::as_str),
                    "message": o.message, "latency_ms": o.latency_ms, "state": o.state.map(outage_core::model::State::as_str),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&rows).context("serialising")?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        out!("No observations stored yet.");
    }
    for o in &rows {
        let reason = o.reason.map(|r| format!(" [{}]", r.as_str())).unwrap_or_default();
        let state = o.state.map(|s| format!(" page: {}", s.as_str())).unwrap_or_default();
        let latency = o.latency_ms.map(|l| format!(" {l} ms")).unwrap_or_default();
        let message = o.message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default();
        out!("{} {:<28} {:<8}{reason}{state}{latency}{message}", o.at, o.check_id, o.outcome.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

/// The `report` command's arguments, as given.
#[derive(Debug)]
pub struct ReportArgs {
    pub from: Option<String>,
    pub to: Option<String>,
    pub days: Option<u32>,
    pub providers: Vec<String>,
    pub format: Option<String>,
    pub out: Option<std::path::PathBuf>,
    pub language: Option<String>,
}

pub fn report(paths: &Paths, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    use outage_engine::report::{self, Format};
    let format = match (&args.format, &args.out) {
        (Some(f), _) => Format::parse(f).with_context(|| format!("unknown format `{f}`: use md, pdf, csv or json"))?,
        (None, Some(out)) => Format::of_path(out).unwrap_or(Format::Markdown),
        (None, None) => Format::Markdown,
    };
    if args.out.is_none() {
        match format {
            Format::Pdf => anyhow::bail!("a PDF cannot go to the terminal: add --out FILE.pdf"),
            Format::Csv => anyhow::bail!(
                "CSV is three files (outages, days, degraded stretches): add --out NAME.csv to write NAME-outages.csv, NAME-days.csv and NAME-degraded.csv"
            ),
            Format::Markdown | Format::Json => {}
        }
    }
    let config = config_file::load(&paths.config_file)?;
    let language = match &args.language {
        Some(l) => text::Language::parse(l).with_context(|| format!("unknown language `{l}`: use de or en"))?,
        None => config_file::language(&config),
    };
    let now = runner::system_clock()();
    let (from, to) = period(args, now)?;
    let store = Store::open(&paths.database())?;
    let request = report::Request { from, to, providers: args.providers.clone(), language };
    // Shown in the zone the rest of the app shows times in, each moment in its own offset.
    let built = report::build_in(&store, &config, &request, now, &report::computer_name(), &chrono::Local)?;
    match &args.out {
        Some(out) => {
            for path in report::export(&built, format, out)? {
                eprintln!("{}", path.display());
            }
        }
        None if format == Format::Json => out!("{}", report::json(&built)?),
        None => out_raw!("{}", outage_core::report::markdown(&built)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The period from `--from`, `--to` and `--days` in local time: a bare date for `--to`
/// includes that day; without any, the last 30 days.
fn period(
    args: &ReportArgs,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> anyhow::Result<(chrono::DateTime<chrono::FixedOffset>, chrono::DateTime<chrono::FixedOffset>)> {
    let days = |n: u32| chrono::TimeDelta::days(i64::from(n));
    let to = match &args.to {
        Some(t) => moment(t, true, now)?,
        None => now,
    };
    let from = match (&args.from, args.days) {
        (Some(f), None) => moment(f, false, now)?,
        (Some(f), Some(n)) => {
            let from = moment(f, false, now)?;
            return Ok((from, from + days(n)));
        }
        (None, n) => to - days(n.unwrap_or(30)),
    };
    Ok((from, to))
}

/// `YYYY-MM-DD` (its start, or with `end_of_day` the next midnight) or `YYYY-MM-DDTHH:MM`,
/// in the local offset of `now`.
fn moment(
    text: &str,
    end_of_day: bool,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> anyhow::Result<chrono::DateTime<chrono::FixedOffset>> {
    let naive = if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let date = if end_of_day { date + chrono::TimeDelta::days(1) } else { date };
        date.and_hms_opt(0, 0, 0)
    } else {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()
    };
    let local = naive
        .and_then(|n| n.and_local_timezone(chrono::Local).earliest())
        .with_context(|| format!("`{text}` is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM"))?;
    // The offset in force at that moment: an October date is shown in summer time.
    let _ = now;
    Ok(local.fixed_offset())
}

pub fn catalog(json: bool) -> anyhow::Result<ExitCode> {
    let presets = outage_core::catalog::catalog().presets();
    if json {
        out!("{}", serde_json::to_string_pretty(presets).context("serialising the catalog")?);
        return Ok(ExitCode::SUCCESS);
    }
    out!("{:<18} {:<24} {:<22} MAIL", "ID", "NAME", "STATUS SOURCE");
    for p in presets {
        let status = p.status.as_ref().map_or_else(
            || "none".to_owned(),
            |s| if s.verified { s.format.clone() } else { format!("{} (not verified)", s.format) },
        );
        let mail: Vec<String> = p.mail.iter().map(|m| format!("{}:{}", m.host, m.port)).collect();
        let mail = if mail.is_empty() { "—".to_owned() } else { mail.join(" ") };
        out!("{:<18} {:<24} {:<22} {mail}", p.id, p.name, status);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn discover(
    paths: &Paths,
    address: &str,
    json: bool,
    resolver: Option<std::net::SocketAddr>,
    ca_file: Option<std::path::PathBuf>,
    verbose: u8,
) -> anyhow::Result<ExitCode> {
    use outage_core::discover;
    init_stderr_logging(verbose);
    let Some(domain) = discover::domain_of(address) else {
        anyhow::bail!("`{address}` is not a mail address");
    };
    // A broken config must not stop a user from finding their servers.
    let language = config_file::load(&paths.config_file).map_or_else(
        |_| text::Language::from_locale(std::env::var("LANG").ok().as_deref()),
        |c| config_file::language(&c),
    );
    let mut options = outage_engine::discover::Options::from_env();
    if let Some(addr) = resolver {
        options.dns = outage_engine::mail::Dns::Server(addr);
    }
    options.ca_file = ca_file;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let found = runtime.block_on(outage_engine::discover::lookup(&domain, &options))?;
    let found = discover::decide(&domain, &found, outage_core::catalog::catalog());
    if json {
        out!("{}", serde_json::to_string_pretty(&found).context("serialising the discovery")?);
    } else {
        print_discovery(&found, language);
    }
    Ok(if found.found_anything() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_discovery(found: &outage_core::discover::Discovery, language: text::Language) {
    use outage_core::discover::Standing;
    if let Some(p) = &found.provider {
        out!("{}", text::discovery_provider(p, language));
        if let Some(url) = &p.status_page {
            out!("  {url}");
        }
    }
    let provider = found.provider.as_ref().map(|p| p.name.as_str());
    for c in &found.servers {
        let origins: Vec<&str> = c.origins.iter().map(|o| text::discovery_origin(*o, language)).collect();
        let mark = if c.selected {
            "+"
        } else if c.standing == Standing::Elsewhere {
            "!"
        } else {
            " "
        };
        out!(
            "{mark} {:<5} {}:{} {:<9} {} — {}",
            c.kind.as_str(),
            c.host,
            c.port,
            c.tls.as_str(),
            origins.join(", "),
            text::discovery_standing(c.standing, provider, language)
        );
    }
    for notice in &found.notices {
        out!("{}", text::discovery_notice(notice, language));
    }
}

pub fn open(paths: &Paths, route: Option<String>) -> anyhow::Result<ExitCode> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(async {
        let mut client = control::Client::connect(&paths.socket).await?;
        client.open_window(route).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The check ids of the provider's configured endpoints that log in as `username`; `None`
/// when the config cannot be read (said on stderr).
fn endpoints_of(paths: &Paths, provider_id: &str, username: &str) -> Option<Vec<String>> {
    match config_file::load(&paths.config_file) {
        Ok(config) => Some(
            config
                .providers
                .iter()
                .filter(|p| p.id == provider_id)
                .flat_map(|p| p.mail.iter())
                .filter(|m| m.username.as_deref() == Some(username))
                .map(|m| m.check_id(provider_id))
                .collect(),
        ),
        Err(e) => {
            eprintln!("note: {e}");
            None
        }
    }
}

/// The entries `credentials set|delete` works on: the one endpoint asked for, else every
/// configured endpoint of the provider with that username and the provider's own entry.
fn entries<'a>(provider_id: &'a str, endpoint: Option<&'a str>, configured: &'a [String]) -> Vec<Entry<'a>> {
    match endpoint {
        Some(check_id) => vec![Entry::Endpoint(check_id)],
        None => configured.iter().map(|c| Entry::Endpoint(c)).chain([Entry::Provider(provider_id)]).collect(),
    }
}

fn named(entry: Entry<'_>) -> String {
    match entry {
        Entry::Endpoint(check_id) => check_id.to_owned(),
        Entry::Provider(provider_id) => format!("{provider_id} (its other endpoints)"),
    }
}

/// `credentials set`: the password comes from stdin (without echo on a terminal) and goes
/// straight into the keychain.
pub fn credentials_set(
    paths: &Paths,
    provider_id: &str,
    username: &str,
    endpoint: Option<&str>,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    if let Some(check_id) = endpoint
        && !check_id.starts_with(&format!("{provider_id}/"))
    {
        anyhow::bail!(
            "--endpoint {check_id} is not an endpoint of provider `{provider_id}` (it starts with `{provider_id}/`)"
        );
    }
    // Warn about a typo now rather than at the first failed probe; storing still works, so a
    // password can be set before the config names it.
    let configured = endpoints_of(paths, provider_id, username).unwrap_or_default();
    let used = match endpoint {
        Some(check_id) => configured.iter().any(|c| c == check_id),
        None => !configured.is_empty(),
    };
    if !used {
        let which = endpoint.map_or_else(String::new, |c| format!(" with check id {c}"));
        eprintln!(
            "note: no [[provider.mail]] of provider `{provider_id}`{which} in {} has username = \"{username}\"",
            paths.config_file.display()
        );
    }
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprint!("Password for {username} ({provider_id}): ");
        set_echo(false);
    }
    let mut line = String::new();
    let read = stdin.read_line(&mut line);
    if interactive {
        set_echo(true);
        eprintln!();
    }
    read.context("reading the password from standard input")?;
    // Only the line ending goes: spaces may belong to the password.
    let password = credentials::Secret::new(line.trim_end_matches(['\r', '\n']).to_owned());
    line.clear();
    if password.is_empty() {
        anyhow::bail!("no password given on standard input");
    }
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    for entry in entries(provider_id, endpoint, &configured) {
        runtime.block_on(credentials::set(entry, username, password.clone()))?;
        eprintln!("stored the password for {username} at {} in the keychain", named(entry));
    }
    Ok(ExitCode::SUCCESS)
}

/// `credentials delete`: exit 1 when nothing was stored.
pub fn credentials_delete(
    paths: &Paths,
    provider_id: &str,
    username: &str,
    endpoint: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let configured =
        if endpoint.is_some() { Vec::new() } else { endpoints_of(paths, provider_id, username).unwrap_or_default() };
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let mut removed = false;
    for entry in entries(provider_id, endpoint, &configured) {
        if runtime.block_on(credentials::delete(entry, username))? {
            eprintln!("removed the password for {username} at {} from the keychain", named(entry));
            removed = true;
        }
    }
    if removed {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("no password for {username} ({provider_id}) was stored");
        Ok(ExitCode::from(1))
    }
}

/// Turns terminal echo off and on with `stty`, so a typed password is not shown (the
/// workspace forbids the unsafe code a termios call would need).
fn set_echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}

pub fn init_stderr_logging(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let level = if verbose > 1 { "debug" } else { "info" };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(level).try_init();
}
