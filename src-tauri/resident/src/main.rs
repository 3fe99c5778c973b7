//! `outage-notifier`: the resident process (tray, notifications, control socket, engine) and
//! the command-line interface. Without a subcommand it starts the tray app.

mod app;
mod autostart;
mod cli;
#[cfg(any(windows, target_os = "macos"))]
mod desktop;
mod icons;
mod notify;
#[cfg(target_os = "linux")]
mod tray;
mod window;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tells you the moment your mail hoster, office suite or messenger fails — and whether the
/// fault is yours, your provider's or your account's.
///
/// Without a command, starts the tray app (or, if it already runs, opens its window).
#[derive(Debug, Parser)]
#[command(name = "outage-notifier", version, max_term_width = 100)]
struct Args {
    /// Config file (TOML). Default: config.toml in the platform's config directory.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the history database and logs. Default: the platform's data directory.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Also log to stderr (repeat for more detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every check once and print the summary.
    ///
    /// Exit status: 0 when every provider is operational, 1 when any is not, 2 on an error
    /// of ours (bad config, unwritable data directory).
    Check {
        /// Print DESIGN.md's JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Find out which status-page format a URL serves (what `status_page` without
    /// `status_format` does on the first probe).
    ///
    /// Exit status: 0 when a format was found, 1 when none was, 2 when the URL is not http(s).
    Detect {
        /// The page's base URL or a feed/API URL, e.g. https://www.githubstatus.com/
        url: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Find a mail address's provider, its status page and its mail servers: from the
    /// domain's MX records (matched against the catalog), its RFC 6186 SRV records and its
    /// autoconfig file. Nothing is probed and nothing is added; `check` watches only what the
    /// config lists.
    ///
    /// Servers on another domain than the provider's or the address's own are listed but
    /// never proposed. Exit status: 0 when something was found, 1 when nothing was, 2 when
    /// the address is not one.
    Discover {
        /// The mail address, e.g. info@meine-firma.de (or just its domain).
        address: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Ask this DNS server (IP:PORT) instead of the system's resolver; the same as
        /// OUTAGE_NOTIFIER_DNS for the mail probes.
        #[arg(long, value_name = "IP:PORT")]
        resolver: Option<std::net::SocketAddr>,
        /// Also trust this CA (PEM) for the autoconfig request, as `ca_file` does for a mail
        /// server.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// List the built-in provider presets (`preset = "ID"` in the config).
    Catalog {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the stored observations, newest first.
    History {
        /// Only this provider.
        #[arg(long, value_name = "ID")]
        provider: Option<String>,
        /// How many observations.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make the evidence report: availability over the time we measured, the outages we
    /// detected, what each provider said and when, and the times we could not measure.
    ///
    /// Markdown and JSON go to standard output unless `--out` is given. A PDF needs `--out`.
    /// CSV is three files: `--out NAME.csv` writes NAME-outages.csv, NAME-days.csv and
    /// NAME-degraded.csv (and NAME-mails.csv, the late and lost test mails, when a provider
    /// has a round trip).
    /// Files are written completely or not at all.
    Report {
        /// The period's first day (YYYY-MM-DD, or YYYY-MM-DDTHH:MM), local time.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// The period's last day (included), or a moment (YYYY-MM-DDTHH:MM); default now.
        #[arg(long, value_name = "DATE", conflicts_with = "days")]
        to: Option<String>,
        /// The period: this many days (up to `--to`, or back from now).
        #[arg(long, value_name = "N")]
        days: Option<u32>,
        /// Only these providers (repeatable); default all.
        #[arg(long = "provider", value_name = "ID")]
        providers: Vec<String>,
        /// md, pdf, csv or json; default from --out's extension, else md.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// de or en; default the config's language.
        #[arg(long, value_name = "LANG")]
        language: Option<String>,
        /// Same as --format json.
        #[arg(long, hide = true)]
        json: bool,
    },
    /// Store or remove a mail login's password in the OS keychain.
    ///
    /// The password is read from standard input (typed without echo on a terminal) and goes
    /// only into the keychain: never into the config, the history or a log.
    Credentials {
        #[command(subcommand)]
        action: CredentialsAction,
    },
    /// Ask the running tray app to show its window.
    Open {
        /// Where to open it, e.g. `/provider/domainfactory`.
        #[arg(long)]
        route: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CredentialsAction {
    /// Read a password from standard input and store it for PROVIDER_ID and USERNAME.
    ///
    /// Without --endpoint it is stored for every mail endpoint of the provider that logs in
    /// as USERNAME, and as the provider's password for that username, which endpoints without
    /// one of their own use (e.g. ones added to the config later). With --endpoint it is
    /// stored for that endpoint alone, so two endpoints with the same username (IMAP and
    /// POP3, say) can have different passwords.
    Set {
        /// The provider's `id` in the config.
        provider_id: String,
        /// The `username` of its `[[provider.mail]]` entries.
        username: String,
        /// Only this endpoint: its check id, `PROVIDER_ID/KIND/HOST:PORT` as `check` prints
        /// it, e.g. `df/imap/sslin.df.eu:993`.
        #[arg(long, value_name = "CHECK_ID")]
        endpoint: Option<String>,
    },
    /// Remove the stored password of PROVIDER_ID and USERNAME: without --endpoint every one
    /// `set` without --endpoint would write, with it only that endpoint's.
    Delete {
        provider_id: String,
        username: String,
        /// Only this endpoint (its check id, as for `set`).
        #[arg(long, value_name = "CHECK_ID")]
        endpoint: Option<String>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let paths = match outage_engine::paths::Paths::resolve(args.config.as_deref(), args.data_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("outage-notifier: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match args.command {
        None => {
            let autostart = autostart::Autostart::new(&paths, args.config.as_deref(), args.data_dir.as_deref());
            app::run(&paths, &autostart, args.verbose)
        }
        Some(Command::Check { json }) => cli::check(&paths, json, args.verbose),
        Some(Command::Catalog { json }) => cli::catalog(json),
        Some(Command::Discover { address, json, resolver, ca_file }) => {
            cli::discover(&paths, &address, json, resolver, ca_file, args.verbose)
        }
        Some(Command::Detect { url, json }) => cli::detect(&url, json, args.verbose),
        Some(Command::History { provider, limit, json }) => cli::history(&paths, provider.as_deref(), limit, json),
        Some(Command::Report { from, to, days, providers, format, out, language, json }) => {
            let format = if json { Some("json".to_owned()) } else { format };
            cli::report(&paths, &cli::ReportArgs { from, to, days, providers, format, out, language })
        }
        Some(Command::Open { route }) => cli::open(&paths, route),
        Some(Command::Credentials { action: CredentialsAction::Set { provider_id, username, endpoint } }) => {
            cli::credentials_set(&paths, &provider_id, &username, endpoint.as_deref())
        }
        Some(Command::Credentials { action: CredentialsAction::Delete { provider_id, username, endpoint } }) => {
            cli::credentials_delete(&paths, &provider_id, &username, endpoint.as_deref())
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("outage-notifier: {e:#}");
            ExitCode::from(2)
        }
    }
}
