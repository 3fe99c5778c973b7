//! One-shot commands: they run the engine in their own process and print.

use std::process::ExitCode;

use anyhow::Context as _;
use outage_core::ipc::{Request, Summary};
use outage_core::text;
use outage_engine::paths::Paths;
use outage_engine::{control, once, runner, settings, store::Store};

pub fn check(paths: &Paths, json: bool, verbose: u8) -> anyhow::Result<ExitCode> {
    init_stderr_logging(verbose);
    let config = settings::load(&paths.config_file)?;
    let language = settings::language(&config);
    let store = Store::open(&paths.database())?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    let summary =
        runtime.block_on(once::check_all(&config, language, &store, runner::system_clock(), &once::cli_policy()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary).context("serialising the summary")?);
    } else {
        print_text(&summary, language);
    }
    Ok(if summary.all_operational() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_text(summary: &Summary, language: text::Language) {
    if summary.providers.is_empty() {
        println!("No providers configured.");
    }
    for p in &summary.providers {
        println!("{:<24} {:<15} {}", p.name, text::state_label(p.state, language), p.verdict_text);
        for c in &p.checks {
            let reason = c.reason.map(|r| format!(" [{}]", r.as_str())).unwrap_or_default();
            println!("    {:<11} {:<8}{reason} {}", c.kind.as_str(), c.outcome.as_str(), c.target);
        }
    }
}

pub fn catalog(json: bool) -> anyhow::Result<ExitCode> {
    let presets = outage_core::catalog::catalog().presets();
    if json {
        println!("{}", serde_json::to_string_pretty(presets).context("serialising the catalog")?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:<18} {:<24} {:<22} MAIL", "ID", "NAME", "STATUS SOURCE");
    for p in presets {
        let status = p.status.as_ref().map_or_else(|| "none".to_owned(), |s| s.format.clone());
        let mail: Vec<String> = p.mail.iter().map(|m| format!("{}:{}", m.host, m.port)).collect();
        let mail = if mail.is_empty() { "—".to_owned() } else { mail.join(" ") };
        println!("{:<18} {:<24} {:<22} {mail}", p.id, p.name, status);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn open(paths: &Paths, route: Option<String>) -> anyhow::Result<ExitCode> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(async {
        let mut client = control::Client::connect(&paths.socket).await?;
        client.request(Request::OpenWindow { route }).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn init_stderr_logging(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let level = if verbose > 1 { "debug" } else { "info" };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(level).try_init();
}
