//! The connectivity guard — "is it me or them" — that a broken network cannot fool. The
//! network counts as working only on an answer a middlebox cannot fake: a DNS anchor is asked
//! directly (UDP, then TCP) for a name that must exist and has to answer with addresses; an
//! HTTPS anchor has to answer over TLS whose certificate verifies. A bare TCP connect proves
//! nothing: hotel Wi-Fi and broken routers accept connections to anything.
//!
//! Beyond online and offline, the guard names two causes that are the user's network, not any
//! provider's: a system resolver that does not resolve names that exist while the anchors
//! answer (`Network::Dns`), and a network that intercepts HTTPS and redirects plain HTTP to a
//! sign-in page (`Network::SignIn`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared, join_all};
use outage_core::config::Anchor;
use outage_core::model::{Network, Reason};

use crate::mail::dns::{self, Dns, Transport};

/// The name DNS anchors are asked for, and the system resolver is checked with: reserved by
/// RFC 2606, served by IANA, resolvable from every working resolver.
pub const WELL_KNOWN_NAME: &str = "example.com.";

/// What one anchor showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A DNS anchor answered the well-known name.
    Resolved,
    /// An HTTPS anchor answered over verified TLS.
    Verified,
    /// An HTTPS anchor was intercepted: a certificate for another name, or plain HTTP sent to
    /// another host.
    Intercepted,
    /// Nothing usable.
    Silent,
}

/// Whether the network reaches the outside world, within `timeout` for each anchor. `names_failed`
/// says the probe that asked failed to resolve a name: then a working internet with a system
/// resolver that cannot resolve the well-known name is `Network::Dns`.
pub async fn probe(anchors: &[Anchor], timeout: Duration, names_failed: bool) -> Network {
    if anchors.is_empty() {
        return Network::Online;
    }
    let seen = join_all(anchors.iter().map(|anchor| look(anchor, timeout))).await;
    let verified = seen.contains(&Seen::Verified);
    if seen.contains(&Seen::Intercepted) && !verified {
        // DNS anchors may well answer through a captive portal (DNS is what it lets pass).
        return Network::SignIn;
    }
    if !verified && !seen.contains(&Seen::Resolved) {
        return Network::Offline;
    }
    if names_failed && !system_resolves(timeout).await {
        return Network::Dns;
    }
    Network::Online
}

/// How long a look at the anchors answers for failures that come after it started. Probes
/// that time out together do so within a second or two of each other; the network they saw
/// is the same, and a look that started this recently saw it too.
const LOOK_ANSWERS_FOR: Duration = Duration::from_secs(1);

/// The guard shared by the probes of one scheduler or one `check` run: probes that fail
/// together ask the network once. The first failure starts a look at the anchors; failures
/// that come while it runs, or within [`LOOK_ANSWERS_FOR`] of its start, take its answer —
/// 200 servers that time out in the same second are one question to the anchors, not 200,
/// each with its own resolver and sockets lingering for seconds (issue 14: that was the
/// largest part of `check`'s heap against 200 silent servers). Later failures ask afresh.
#[derive(Clone, Default)]
pub struct Guard(Arc<Mutex<Vec<Look>>>);

/// A look at the anchors, under way or done, and what it was asked.
struct Look {
    started: tokio::time::Instant,
    anchors: Vec<Anchor>,
    timeout: Duration,
    names_failed: bool,
    answer: Shared<BoxFuture<'static, Network>>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let looks = self.0.lock().map_or(0, |looks| looks.len());
        f.debug_struct("Guard").field("looks", &looks).finish()
    }
}

impl Guard {
    /// [`probe`], or the answer of a look with the same question that is under way or
    /// started less than [`LOOK_ANSWERS_FOR`] ago.
    pub async fn probe(&self, anchors: &[Anchor], timeout: Duration, names_failed: bool) -> Network {
        let answer = {
            let Ok(mut looks) = self.0.lock() else { return probe(anchors, timeout, names_failed).await };
            let now = tokio::time::Instant::now();
            // Done and too old to answer: forgotten, so the list stays as short as the burst.
            looks.retain(|l| l.answer.peek().is_none() || now.duration_since(l.started) < LOOK_ANSWERS_FOR);
            let same = |l: &&Look| {
                l.names_failed == names_failed
                    && l.timeout == timeout
                    && l.anchors == anchors
                    && (l.answer.peek().is_none() || now.duration_since(l.started) < LOOK_ANSWERS_FOR)
            };
            if let Some(look) = looks.iter().find(same) {
                look.answer.clone()
            } else {
                let owned = anchors.to_vec();
                let answer = async move { probe(&owned, timeout, names_failed).await }.boxed().shared();
                looks.push(Look {
                    started: now,
                    anchors: anchors.to_vec(),
                    timeout,
                    names_failed,
                    answer: answer.clone(),
                });
                answer
            }
        };
        answer.await
    }
}

/// Whether the system's resolver (or the one `OUTAGE_NOTIFIER_DNS` names, as the mail probes
/// use) resolves the well-known name: NXDOMAIN, SERVFAIL and silence are all a no.
pub async fn system_resolves(timeout: Duration) -> bool {
    let resolver = Dns::from_env();
    matches!(tokio::time::timeout(timeout, resolver.lookup(WELL_KNOWN_NAME)).await, Ok(Ok(_)))
}

async fn look(anchor: &Anchor, timeout: Duration) -> Seen {
    match anchor {
        Anchor::Dns(server) => {
            let Some(server) = server_address(server).await else { return Seen::Silent };
            // UDP first; TCP when UDP gets nothing (a network that drops UDP, or a truncated
            // answer). Either must carry a real answer for the well-known name.
            for transport in [Transport::Udp, Transport::Tcp] {
                let asked = dns::ask(server, transport, WELL_KNOWN_NAME, timeout);
                if matches!(tokio::time::timeout(timeout, asked).await, Ok(Ok(_))) {
                    return Seen::Resolved;
                }
            }
            Seen::Silent
        }
        Anchor::Https(url) => https(url, timeout).await,
    }
}

/// A DNS anchor's address. An IP literal is used as it is; a name has to be resolved first,
/// which only works when the system resolver does.
async fn server_address(server: &str) -> Option<SocketAddr> {
    if let Ok(addr) = server.parse::<SocketAddr>() {
        return Some(addr);
    }
    tokio::net::lookup_host(server).await.ok()?.next()
}

async fn https(url: &url::Url, timeout: Duration) -> Seen {
    let Some(client) = guard_client() else { return Seen::Silent };
    let answered = tokio::time::timeout(timeout, client.get(url.as_str()).send()).await;
    match answered {
        // Any status over verified TLS: the real server answered.
        Ok(Ok(_)) => return Seen::Verified,
        Ok(Err(e)) if crate::http::reason_of(&e) == Reason::Certificate => return Seen::Intercepted,
        _ => {}
    }
    // A portal that lets no HTTPS through at all still answers plain HTTP with a redirect
    // to its own sign-in page; the anchor itself would only redirect to its own https URL.
    let mut plain = url.clone();
    if plain.set_scheme("http").is_err() || plain.set_port(None).is_err() {
        return Seen::Silent;
    }
    let Ok(Ok(response)) = tokio::time::timeout(timeout, client.get(plain.as_str()).send()).await else {
        return Seen::Silent;
    };
    let elsewhere = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| plain.join(l).ok())
        .is_some_and(|to| to.host_str() != url.host_str());
    if response.status().is_redirection() && elsewhere { Seen::Intercepted } else { Seen::Silent }
}

/// The guard's own client: it follows no redirect (a redirect to another host is what a
/// portal does) and keeps no connection, so every look is a fresh TLS handshake.
fn guard_client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            crate::http::install_crypto_provider();
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .connect_timeout(Duration::from_secs(5))
                .build()
                .map_err(|e| tracing::warn!("the connectivity guard has no HTTP client: {e}"))
                .ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TCP listener that accepts and never says a word, and a port where nothing listens.
    #[tokio::test]
    async fn an_anchor_that_only_accepts_connections_proves_nothing() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let accepting = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        let t = Duration::from_secs(1);
        let anchors = [Anchor::Dns(accepting), Anchor::Dns(closed)];
        assert_eq!(probe(&anchors, t, false).await, Network::Offline);
        assert_eq!(probe(&[], t, false).await, Network::Online, "no anchors: nothing to go by");
    }

    /// Probes that fail together ask the anchors once; a failure a second later asks afresh.
    #[tokio::test]
    async fn failures_at_the_same_moment_ask_the_anchors_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        // A DNS anchor that hears every question (UDP datagrams, TCP connections) and answers none.
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        let tcp = tokio::net::TcpListener::bind(addr).await.unwrap();
        let heard = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&heard);
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let mut held = Vec::new();
            loop {
                tokio::select! {
                    Ok(_) = udp.recv_from(&mut buf) => { counted.fetch_add(1, Ordering::SeqCst); }
                    Ok((socket, _)) = tcp.accept() => { counted.fetch_add(1, Ordering::SeqCst); held.push(socket); }
                }
            }
        });
        let anchors = [Anchor::Dns(addr.to_string())];
        let t = Duration::from_millis(300);
        assert_eq!(probe(&anchors, t, false).await, Network::Offline);
        let one_look = heard.swap(0, Ordering::SeqCst);
        assert!(one_look > 0, "the anchor heard the look");

        let guard = Guard::default();
        let answers = join_all((0..20).map(|_| guard.probe(&anchors, t, false))).await;
        assert!(answers.iter().all(|n| *n == Network::Offline));
        assert_eq!(heard.swap(0, Ordering::SeqCst), one_look, "20 failures at once, one look");
        assert_eq!(format!("{guard:?}"), "Guard { looks: 1 }");

        tokio::time::sleep(LOOK_ANSWERS_FOR).await;
        assert_eq!(guard.probe(&anchors, t, false).await, Network::Offline);
        assert_eq!(heard.load(Ordering::SeqCst), one_look, "a later failure asks afresh");
        assert_eq!(format!("{guard:?}"), "Guard { looks: 1 }", "the old look is forgotten");
    }
}
