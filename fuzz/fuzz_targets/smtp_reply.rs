//! The SMTP reply parser on arbitrary server bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = outage_engine::mail::replies::smtp(data);
});
