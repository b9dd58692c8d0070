//! Is a number in the area a request asks for? Checked, with the country
//! and type checks of [`super::number_mismatch`], before a number is
//! ordered:
//!
//! * **area code**, when the request's area code is digits (spaces,
//!   dashes, dots and brackets ignored): the number's national significant
//!   number must start with it. In the NANP that is the NPA, the first three
//!   digits of the number itself; elsewhere it is the national destination
//!   code, written with or without the country's trunk prefix (`020` and
//!   `20` are both Amsterdam's). An area code that is not digits cannot be
//!   checked from the number and is left to the carrier's search;
//! * **city** and **region**, where the carrier's region information gives
//!   them ([`NumberPlace`]): the requested city must be one of the number's
//!   localities (Telnyx `rate_center` / `location`), the requested region one
//!   of its regions (Telnyx `state`), compared without case, punctuation or
//!   spacing; US states and Canadian provinces match by name or by code. A
//!   number whose carrier says nothing about its locality (or region) is not
//!   refused for it.

use super::number_checks::number_mismatch;
use super::region_names::region_code;
use crate::ports::{AvailableNumber, NumberPlace, NumberSearch};
use crate::values::{AreaCode, City, CountryCode, PhoneNumber, Region};
use phonenumber::metadata::DATABASE;

/// The leading national digits of numbers in `area_code` in `country`: its
/// digits, less the country's trunk prefix when it starts with it (`020` →
/// `20` in NL, `1212` → `212` in the US). `None` when the area code is not
/// digits.
pub fn area_code_digits(country: CountryCode, area_code: &AreaCode) -> Option<String> {
    let mut digits = String::new();
    for c in area_code.as_str().chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    if digits.is_empty() {
        return None;
    }
    let trunk = DATABASE
        .by_id(country.as_str())
        .and_then(|m| m.national_prefix().map(str::to_owned));
    match trunk {
        Some(trunk) if digits.len() > trunk.len() && digits.starts_with(&trunk) => {
            Some(digits[trunk.len()..].to_owned())
        }
        _ => Some(digits),
    }
}

/// The national significant number of a number: its E.164 digits after the
/// country calling code.
fn national_digits(number: &PhoneNumber) -> Option<String> {
    let parsed = phonenumber::parse(None, number.as_str()).ok()?;
    let code = parsed.code().value().to_string();
    number
        .as_str()
        .strip_prefix('+')?
        .strip_prefix(code.as_str())
        .map(str::to_owned)
}

/// Why `number` is not in `area_code` (of `country`), or `None` when it is
/// or the area code cannot be checked from the number (not digits).
pub fn area_code_mismatch(
    country: CountryCode,
    area_code: &AreaCode,
    number: &PhoneNumber,
) -> Option<String> {
    let wanted = area_code_digits(country, area_code)?;
    match national_digits(number) {
        Some(national) if national.starts_with(&wanted) => None,
        _ => Some(format!(
            "{number} is not in area code {}",
            area_code.as_str().trim()
        )),
    }
}

/// Letters and digits only, upper case, one space between words: how names
/// are compared.
fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// A locality is the city when its words are the city's, or begin with them
/// (`CHICAGO ZONE 1` is in Chicago; `NEWARK` is not in `New`).
fn locality_is(locality: &str, city: &str) -> bool {
    let (locality, city) = (words(locality), words(city));
    !city.is_empty() && locality.starts_with(&city)
}

fn region_is(region: &str, wanted: &str) -> bool {
    let same = |a: &str, b: &str| {
        let (a, b) = (words(a), words(b));
        !a.is_empty() && a == b
    };
    same(region, wanted)
        || match (region_code(region), region_code(wanted)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
}

/// Why the carrier's `place` of a number is not the requested city or
/// region, or `None` when it is, or when the carrier did not say.
pub fn place_mismatch(
    city: Option<&City>,
    region: Option<&Region>,
    place: &NumberPlace,
) -> Option<String> {
    if let Some(city) = city {
        if !place.localities.is_empty()
            && !place
                .localities
                .iter()
                .any(|l| locality_is(l, city.as_str()))
        {
            return Some(format!(
                "the carrier places it in {}, not {}",
                place.localities.join(" / "),
                city.as_str().trim()
            ));
        }
    }
    if let Some(region) = region {
        if !place.regions.is_empty() && !place.regions.iter().any(|r| region_is(r, region.as_str()))
        {
            return Some(format!(
                "the carrier places it in {}, not {}",
                place.regions.join(" / "),
                region.as_str().trim()
            ));
        }
    }
    None
}

/// Why a number the carrier offered for `search` does not fit it (country,
/// type, area code, city, region), or `None` when it may be ordered.
pub fn candidate_mismatch(search: &NumberSearch, candidate: &AvailableNumber) -> Option<String> {
    let number = &candidate.phone_number;
    number_mismatch(search.country, search.number_type, number)
        .or_else(|| {
            search
                .area_code
                .as_ref()
                .and_then(|area| area_code_mismatch(search.country, area, number))
        })
        .or_else(|| {
            place_mismatch(
                search.city.as_ref(),
                search.region.as_ref(),
                &candidate.place,
            )
            .map(|why| format!("{number}: {why}"))
        })
}

#[cfg(test)]
#[path = "area_checks_tests.rs"]
mod tests;
