//! Notices when the machine's network changes — an address appears or goes (Wi-Fi switched,
//! VPN up, cable plugged) — so every check runs again before anything is judged.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt as _;
use if_watch::{IfEvent, IpNet, tokio::IfWatcher};
use tokio::time::Instant;

/// The OS reports the addresses it already has as a first burst; those are not a change.
const INVENTORY: Duration = Duration::from_secs(2);
/// Interfaces come up in steps (link, IPv4, IPv6): one change per burst.
const SETTLE: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct NetworkWatch {
    watcher: IfWatcher,
    addresses: HashSet<IpNet>,
    inventory_until: Instant,
    /// A change was seen and is settling (kept across a cancelled `changed`).
    pending: bool,
}

impl NetworkWatch {
    pub fn new() -> std::io::Result<NetworkWatch> {
        Ok(NetworkWatch {
            watcher: IfWatcher::new()?,
            addresses: HashSet::new(),
            inventory_until: Instant::now() + INVENTORY,
            pending: false,
        })
    }

    /// The next event that adds or removes an address, if it changes what we know.
    async fn next_change(&mut self) -> bool {
        loop {
            let changed = match self.watcher.next().await {
                Some(Ok(IfEvent::Up(net))) => self.addresses.insert(net),
                Some(Ok(IfEvent::Down(net))) => self.addresses.remove(&net),
                Some(Err(e)) => {
                    tracing::debug!("network watch: {e}");
                    continue;
                }
                None => {
                    // The OS watch ended: no more news, ever.
                    std::future::pending::<()>().await;
                    return false;
                }
            };
            if changed && Instant::now() >= self.inventory_until {
                return true;
            }
        }
    }

    /// Waits until the set of addresses changes and the burst settles. Cancel-safe.
    pub async fn changed(&mut self) {
        if !self.pending {
            while !self.next_change().await {}
            self.pending = true;
        }
        while tokio::time::timeout(SETTLE, self.next_change()).await.is_ok() {}
        self.pending = false;
    }
}
