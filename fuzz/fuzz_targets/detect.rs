//! Format detection on arbitrary bytes, with and without a content type; a recognised
//! format must then parse or fail, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // A fixed instant: parsing must not depend on the fuzzing machine's clock.
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").expect("a valid instant");
    for content_type in [None, Some("application/json"), Some("text/html"), Some("application/rss+xml")] {
        if let Some(format) = outage_core::formats::detect::recognise(data, content_type) {
            let _ = format.parse(data, now);
        }
    }
});
