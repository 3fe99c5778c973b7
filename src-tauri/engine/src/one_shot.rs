//! One-shot checks for the CLI (`check`): every check once, failures confirmed with quick
//! re-checks seconds apart, so the verdict matches what the tray would say.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use outage_core::check::{Check, CheckState, checks_of};
use outage_core::config::Config;
use outage_core::confirm::RecheckPolicy;
use outage_core::fusion;
use outage_core::model::Network;
use outage_core::model::{CheckKind, Reason};
use outage_core::summary::Summary;
use outage_core::text::Language;

use crate::EngineError;
use crate::probe::PageCache;
use crate::runner::{Clock, probe_guarded};
use crate::store::Store;

/// The CLI cannot wait 30 s to confirm; these re-checks still rule out one lost packet.
pub fn cli_policy() -> RecheckPolicy {
    RecheckPolicy {
        failures_to_confirm: 3,
        successes_to_recover: 1,
        rechecks: vec![Duration::from_secs(2), Duration::from_secs(3)],
        recovery_recheck: Some(Duration::from_secs(2)),
    }
}

/// Runs every check of `config` once (with confirmation), stores each probe, and summarises.
pub async fn check_all(
    config: &Config,
    language: Language,
    store: &Store,
    clock: Clock,
    policy: &RecheckPolicy,
) -> Result<Summary, EngineError> {
    let client = crate::http::client()?;
    // A round trip spans many minutes and sends mail: the resident measures it, not a
    // one-shot run (its check stays "not checked yet" here).
    let checks: Vec<Check> =
        config.providers.iter().flat_map(checks_of).filter(|c| c.kind() != CheckKind::Roundtrip).collect();
    let pages = PageCache::default();
    let network_guard = crate::connectivity::Guard::default();
    // The same cap as the scheduler: a long config must not open a thousand sockets at once.
    let permits = tokio::sync::Semaphore::new(crate::runner::CONCURRENCY);
    let runs = checks.iter().map(|check| {
        let client = &client;
        let pages = &pages;
        let network_guard = &network_guard;
        let permits = &permits;
        let clock = clock.clone();
        async move {
            let mut seen = Vec::new();
            let mut state = CheckState::default();
            loop {
                // A slot is held for the probe only, never through the pause before a
                // re-check: waiting must not keep other checks from running.
                let (result, network) = {
                    let _permit = permits.acquire().await.ok();
                    probe_guarded(
                        check,
                        client,
                        config.settings.timeout,
                        &config.settings.connectivity,
                        Network::Online,
                        &clock,
                        pages,
                        network_guard,
                    )
                    .await
                };
                let observation = result.observation;
                let offline = observation.reason == Some(Reason::Offline);
                // The same step as the scheduler's: quick re-checks cannot change a permanent
                // answer, and repeated wrong logins can get the account blocked, so those are
                // confirmed at once.
                let observed = state.observe(&observation, policy);
                seen.push(observation.clone());
                match observed.recheck_in {
                    // Offline waits for the network, and a server that asks us to wait (429/503
                    // with Retry-After) is not asked again within this run: one run cannot
                    // confirm either, so it reports what it saw.
                    Some(delay) if !observed.published && !offline && result.retry_after.is_none() => {
                        tokio::time::sleep(delay).await;
                    }
                    _ => {
                        if !observed.published {
                            state.conclude(observation);
                        }
                        return (check, state, network, seen);
                    }
                }
            }
        }
    });
    let results = join_all(runs).await;

    let mut states = BTreeMap::new();
    let mut network = Network::Online;
    for (check, state, net, seen) in results {
        let interval = config
            .providers
            .iter()
            .find(|p| p.id == check.provider_id)
            .map_or(config.settings.interval, |p| p.interval(&config.settings));
        // Observations only, never outages: a one-shot run sees no outage end, and an
        // outage without one would stand in the evidence for ever.
        for observation in &seen {
            store.insert(&check.provider_id, observation, interval.saturating_mul(3))?;
            if let Some(snapshot) = observation.snapshot() {
                store.record_snapshot(&check.provider_id, snapshot, observation.at.timestamp_millis())?;
            }
        }
        network = network.worse(net);
        states.insert(check.id.clone(), state);
    }
    Ok(fusion::summarize(config, &states, network, language, clock()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    // The history keeps an observation valid for a few intervals; an interval the parser
    // did not bound (a config built in code) must not overflow that span.
    #[tokio::test]
    async fn an_endless_interval_is_stored_without_overflow() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let text = format!(
            "[[provider]]\nid = \"p\"\nstatus_page = \"http://127.0.0.1:{port}/\"\nstatus_format = \"statuspage\"\n"
        );
        let mut config = outage_core::config::parse(&text, "c.toml").unwrap();
        config.settings.interval = Duration::MAX;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
        let policy =
            RecheckPolicy { failures_to_confirm: 1, successes_to_recover: 1, rechecks: vec![], recovery_recheck: None };
        let summary = check_all(&config, Language::En, &store, crate::runner::system_clock(), &policy).await.unwrap();
        assert_eq!(summary.providers.len(), 1);
    }
}
