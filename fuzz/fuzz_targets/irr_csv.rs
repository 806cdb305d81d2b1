//! The ratings CSV reader of `takes irr`, both layouts: never panics, and
//! what it accepts can be analysed without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for ratings in [takes_irr::read_long(data), takes_irr::read_wide(data)]
        .into_iter()
        .flatten()
    {
        let _ = takes_irr::report(&ratings);
    }
});
