//! The mail autoconfig reader (`discover::autoconfig::parse`) on arbitrary bytes: any input is
//! a list of servers or an error, and a list never holds more than the cap, a plaintext
//! server or a host that is not a host name.
#![no_main]

use outage_core::catalog::TlsMode;
use outage_core::discover::autoconfig;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(servers) = autoconfig::parse(data, "example.test") {
        assert!(!servers.is_empty() && servers.len() <= autoconfig::MAX_SERVERS);
        for s in &servers {
            assert_ne!(s.tls, TlsMode::None);
            assert_ne!(s.port, 0);
            assert!(outage_core::discover::domain_of(&s.host).is_some() || !s.host.contains('.'), "{}", s.host);
        }
    }
});
