//! The POP3 answer parser on arbitrary server bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = outage_engine::mail::replies::pop3(data);
});
