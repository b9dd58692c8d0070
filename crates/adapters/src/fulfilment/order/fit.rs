//! Which offered numbers may be ordered: those that fit the request
//! (country, type, area code, city, region — see the domain's
//! `candidate_mismatch`). With a `range_size`, a block is kept whole or
//! dropped whole, so what is ordered stays consecutive.

use numberdesk_domain::ports::{AvailableNumber, NumberSearch};
use numberdesk_domain::request::candidate_mismatch;

/// The offered numbers that fit `search`, in the carrier's order, and why
/// each of the others does not.
pub(super) fn fitting(
    search: &NumberSearch,
    offered: Vec<AvailableNumber>,
) -> (Vec<AvailableNumber>, Vec<String>) {
    let block = search.range_size.map_or(1, |r| usize::from(r.get())).max(1);
    let mut fit = Vec::new();
    let mut refused = Vec::new();
    for chunk in offered.chunks(block) {
        let misfits: Vec<String> = chunk
            .iter()
            .filter_map(|n| candidate_mismatch(search, n))
            .collect();
        if misfits.is_empty() && chunk.len() == block {
            fit.extend(chunk.iter().cloned());
        } else if misfits.is_empty() {
            refused.push(format!(
                "{} numbers are not a whole block of {block}",
                chunk.len()
            ));
        } else {
            refused.extend(misfits);
        }
    }
    (fit, refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use numberdesk_domain::values::{AreaCode, CountryCode, NumberType, PhoneNumber, RangeSize};

    fn offered(numbers: &[&str]) -> Vec<AvailableNumber> {
        numbers
            .iter()
            .map(|n| AvailableNumber::unpriced(PhoneNumber::parse(n).expect("number")))
            .collect()
    }

    fn search(range: Option<i64>) -> NumberSearch {
        NumberSearch {
            country: CountryCode::parse("US").expect("country"),
            number_type: NumberType::Local,
            area_code: AreaCode::parse("212").ok(),
            city: None,
            region: None,
            limit: 2,
            range_size: range.and_then(|r| RangeSize::new(r).ok()),
        }
    }

    #[test]
    fn drops_numbers_outside_the_area_and_says_why() {
        let (fit, refused) = fitting(
            &search(None),
            offered(&["+12015550123", "+12125550123", "+12125550124"]),
        );
        let fit: Vec<&str> = fit.iter().map(|n| n.phone_number.as_str()).collect();
        assert_eq!(fit, ["+12125550123", "+12125550124"]);
        assert_eq!(refused.len(), 1);
        assert!(
            refused[0].contains("+12015550123 is not in area code 212"),
            "{refused:?}"
        );
    }

    #[test]
    fn a_block_with_one_misfit_is_dropped_whole() {
        let (fit, refused) = fitting(
            &search(Some(2)),
            offered(&[
                "+12125550123",
                "+12015550124",
                "+12125550125",
                "+12125550126",
            ]),
        );
        let fit: Vec<&str> = fit.iter().map(|n| n.phone_number.as_str()).collect();
        assert_eq!(fit, ["+12125550125", "+12125550126"]);
        assert_eq!(refused.len(), 1);
    }
}
