//! What an order of a number will do, decided by the search that found it.

use numberdesk_domain::ports::NumberSearch;

/// What an order of a number will do, decided by the search that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Immediate,
    Pending,
    Fail,
}

impl Behaviour {
    pub(crate) fn of(search: &NumberSearch) -> Self {
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
            Behaviour::Fail
        } else if is(["555", "pending"]) {
            Behaviour::Pending
        } else {
            Behaviour::Immediate
        }
    }
}
