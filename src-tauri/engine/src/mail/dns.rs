//! Name resolution for the mail probes: A and AAAA through hickory, so that "the name does not
//! exist" and "the DNS server does not answer" are told apart (getaddrinfo folds both into one
//! error). A fresh resolver per probe: a monitor must not answer from a cache.
//!
//! The system's resolver configuration is used unless `OUTAGE_NOTIFIER_DNS` names a server
//! (`IP:PORT`): that is for tests (a dnsmasq or a silent socket on loopback) and for people
//! who want to watch one particular resolver.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::Resolver;
use hickory_resolver::config::{ConnectionConfig, LookupIpStrategy, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use outage_core::model::Reason;

use super::{Fail, Hint};

/// The environment variable that points the probes at one DNS server.
pub const DNS_ENV: &str = "OUTAGE_NOTIFIER_DNS";

/// Which DNS server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dns {
    /// `/etc/resolv.conf` (or the OS's equivalent) and the hosts file.
    System,
    /// One server, over UDP with TCP fallback.
    Server(SocketAddr),
}

impl Dns {
    /// From `OUTAGE_NOTIFIER_DNS`, else the system's configuration. A value that is not
    /// `IP:PORT` is ignored with a warning rather than silently resolving elsewhere.
    pub fn from_env() -> Dns {
        match std::env::var(DNS_ENV) {
            Ok(value) if !value.trim().is_empty() => {
                if let Ok(addr) = value.trim().parse::<SocketAddr>() {
                    Dns::Server(addr)
                } else {
                    tracing::warn!("{DNS_ENV}={value:?} is not IP:PORT; using the system's resolver");
                    Dns::System
                }
            }
            _ => Dns::System,
        }
    }

    /// The addresses of `host`, or why there are none.
    pub async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, Fail> {
        resolve(self.builder()?, host, 2).await
    }

    /// A fresh resolver for this server with the probes' settings, for other record types
    /// (discovery's MX and SRV).
    pub(crate) fn resolver(&self) -> Result<Resolver<TokioRuntimeProvider>, Fail> {
        configured(self.builder()?, 2)
    }

    fn builder(&self) -> Result<hickory_resolver::ResolverBuilder<TokioRuntimeProvider>, Fail> {
        Ok(match self {
            Dns::System => Resolver::builder_tokio().map_err(|e| {
                Fail::transient(Reason::Dns, format!("cannot read the system's DNS configuration: {e}"))
            })?,
            Dns::Server(addr) => {
                let mut server = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut server.connections {
                    connection.port = addr.port();
                }
                Resolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![server]),
                    TokioRuntimeProvider::default(),
                )
            }
        })
    }
}

/// How a DNS server is asked when it is asked directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// Asks one DNS server directly for `host` over one transport, past the system's resolver:
/// the connectivity guard's question to an anchor. One attempt, at most `wait`.
pub async fn ask(server: SocketAddr, transport: Transport, host: &str, wait: Duration) -> Result<Vec<IpAddr>, Fail> {
    let mut connection = match transport {
        Transport::Udp => ConnectionConfig::udp(),
        Transport::Tcp => ConnectionConfig::tcp(),
    };
    connection.port = server.port();
    let config = NameServerConfig::new(server.ip(), true, vec![connection]);
    let mut builder =
        Resolver::builder_with_config(ResolverConfig::from_name_servers(vec![config]), TokioRuntimeProvider::default());
    builder.options_mut().timeout = wait;
    // The name is absolute: no search domain of the machine's may be tried after it.
    builder.options_mut().ndots = 0;
    resolve(builder, host, 1).await
}

fn configured(
    mut builder: hickory_resolver::ResolverBuilder<TokioRuntimeProvider>,
    attempts: usize,
) -> Result<Resolver<TokioRuntimeProvider>, Fail> {
    {
        let options = builder.options_mut();
        options.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        // The probe's own step timeout bounds the whole lookup; these keep one lost UDP
        // packet from costing all of it.
        if options.timeout > Duration::from_secs(2) {
            options.timeout = Duration::from_secs(2);
        }
        options.attempts = attempts;
        options.cache_size = 0;
    }
    builder.build().map_err(|e| Fail::transient(Reason::Dns, format!("cannot set up the DNS resolver: {e}")))
}

async fn resolve(
    builder: hickory_resolver::ResolverBuilder<TokioRuntimeProvider>,
    host: &str,
    attempts: usize,
) -> Result<Vec<IpAddr>, Fail> {
    let resolver = configured(builder, attempts)?;
    match resolver.lookup_ip(host).await {
        Ok(found) => {
            let ips: Vec<IpAddr> = found.iter().collect();
            if ips.is_empty() {
                Err(Fail::permanent(Reason::Dns, format!("{host} has no A or AAAA record")).hinting(Hint::NoSuchHost))
            } else {
                Ok(ips)
            }
        }
        Err(e) if e.is_nx_domain() => {
            Err(Fail::permanent(Reason::Dns, format!("{host} does not exist in DNS (NXDOMAIN)"))
                .hinting(Hint::NoSuchHost))
        }
        Err(e) if e.is_no_records_found() => {
            Err(Fail::permanent(Reason::Dns, format!("{host} has no A or AAAA record")).hinting(Hint::NoSuchHost))
        }
        Err(e) => Err(Fail::transient(Reason::Dns, format!("DNS lookup of {host} failed: {e}"))),
    }
}
