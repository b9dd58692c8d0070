//! What an order of a number will do, decided by the search that found it.

use numberdesk_domain::ports::{NumberSearch, SandboxOutcome};

/// The outcome the search's area code or city selects: `666`/`fail` fail,
/// `555`/`pending` stay pending for a while, anything else succeeds.
pub(crate) fn behaviour_of(search: &NumberSearch) -> SandboxOutcome {
    let areas = [
        search.area_code.as_ref().map(|a| a.as_str()),
        search.city.as_ref().map(|c| c.as_str()),
    ];
    let is = |words: [&str; 2]| {
        areas
            .iter()
            .flatten()
            .any(|area| words.iter().any(|w| area.trim().eq_ignore_ascii_case(w)))
    };
    if is(["666", "fail"]) {
        SandboxOutcome::Fail
    } else if is(["555", "pending"]) {
        SandboxOutcome::Pending
    } else {
        SandboxOutcome::Immediate
    }
}
