//! Does a number fit a request? Checked before a number is ordered and when
//! an order or a provisioned number is recorded, with libphonenumber's
//! metadata (the `phonenumber` crate):
//!
//! * **country**: the number's region (e.g. `+1 970…` is `US`, `+1 416…` is
//!   `CA`) must be the request's country;
//! * **number type**, where the number tells it: a `toll_free` request takes
//!   only toll-free numbers, and a `local` request never a toll-free one.
//!   Types libphonenumber cannot tell apart (fixed line or mobile in the US)
//!   are accepted.

use crate::values::{CountryCode, NumberType, PhoneNumber};
use phonenumber::metadata::DATABASE;
use phonenumber::Type;

/// The region (ISO 3166 alpha-2) a number belongs to, when libphonenumber
/// knows it.
pub fn number_region(number: &PhoneNumber) -> Option<String> {
    let parsed = phonenumber::parse(None, number.as_str()).ok()?;
    parsed
        .country()
        .id()
        .map(|id| AsRef::<str>::as_ref(&id).to_owned())
}

/// Why `number` does not fit a request for `country` / `number_type`, or
/// `None` when it fits.
pub fn number_mismatch(
    country: CountryCode,
    number_type: NumberType,
    number: &PhoneNumber,
) -> Option<String> {
    let Ok(parsed) = phonenumber::parse(None, number.as_str()) else {
        return Some(format!("{number} is not a valid number"));
    };
    let region = parsed
        .country()
        .id()
        .map(|id| AsRef::<str>::as_ref(&id).to_owned());
    match region {
        Some(region) if region != country.as_str() => {
            return Some(format!(
                "{number} is a {region} number, not {}",
                country.as_str()
            ));
        }
        Some(_) => {}
        None => {
            let wanted = DATABASE.by_id(country.as_str()).map(|m| m.country_code());
            if wanted.is_some_and(|code| code != parsed.code().value()) {
                return Some(format!(
                    "{number} is not a {} number (country code +{})",
                    country.as_str(),
                    parsed.code().value()
                ));
            }
        }
    }
    let actual = parsed.number_type(&DATABASE);
    let refused = match number_type {
        NumberType::TollFree => !matches!(actual, Type::TollFree | Type::Unknown),
        NumberType::Local => actual == Type::TollFree,
        NumberType::SharedCost => actual == Type::TollFree,
        NumberType::Mobile | NumberType::National => actual == Type::TollFree,
    };
    refused.then(|| {
        format!(
            "{number} is a {} number, not {}",
            type_name(actual),
            number_type.as_str()
        )
    })
}

fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::TollFree => "toll-free",
        Type::FixedLine => "fixed-line",
        Type::Mobile => "mobile",
        Type::FixedLineOrMobile => "geographic",
        Type::PremiumRate => "premium-rate",
        Type::SharedCost => "shared-cost",
        Type::Voip => "VoIP",
        Type::PersonalNumber => "personal",
        Type::Pager => "pager",
        Type::Uan => "UAN",
        Type::Voicemail => "voicemail",
        _ => "unknown-type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> PhoneNumber {
        PhoneNumber::parse(text).expect("valid number")
    }

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).expect("country")
    }

    #[test]
    fn refuses_a_number_of_another_country() {
        let us = number("+19705555098");
        assert_eq!(number_region(&us).as_deref(), Some("US"));
        assert_eq!(number_mismatch(country("US"), NumberType::Local, &us), None);
        let gb = number_mismatch(country("GB"), NumberType::Local, &us);
        assert!(gb.is_some_and(|why| why.contains("US number, not GB")));
        let nl = number_mismatch(country("NL"), NumberType::Local, &us);
        assert!(nl.is_some());
        let toronto = number("+14165550123");
        assert!(number_mismatch(country("US"), NumberType::Local, &toronto).is_some());
    }

    #[test]
    fn refuses_the_wrong_number_type_where_the_number_tells_it() {
        let toll_free = number("+18005550199");
        let geographic = number("+12015550123");
        assert_eq!(
            number_mismatch(country("US"), NumberType::TollFree, &toll_free),
            None
        );
        let why = number_mismatch(country("US"), NumberType::TollFree, &geographic);
        assert!(
            why.as_deref().is_some_and(|w| w.contains("not toll_free")),
            "{why:?}"
        );
        assert!(number_mismatch(country("US"), NumberType::Local, &toll_free).is_some());
        assert_eq!(
            number_mismatch(country("US"), NumberType::Local, &geographic),
            None
        );
    }
}
