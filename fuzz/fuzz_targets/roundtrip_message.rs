//! The round trip's reader of the messages a look finds (`roundtrip::read_message`) on
//! arbitrary bytes: never a panic, and a message it calls ours names a key of the check's tag.
#![no_main]

use outage_core::roundtrip;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let tag = roundtrip::tag("p/roundtrip/smtp.example.test/u@example.test");
    if let Some(seen) = roundtrip::read_message(data, &tag) {
        let digits = seen.key.strip_prefix(&tag).and_then(|rest| rest.strip_prefix('-'));
        assert!(digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())), "{}", seen.key);
    }
});
