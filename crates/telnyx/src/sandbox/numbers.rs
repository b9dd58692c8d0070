//! Numbers the sandbox offers: libphonenumber's example numbers with their
//! last digits varied, and a fixed price per type.

use super::State;
use numberdesk_domain::request::number_mismatch;
use numberdesk_domain::values::{CountryCode, NumberType, PhoneNumber, Price};
use rand::Rng;
use std::collections::HashSet;

/// libphonenumber's example number for a country and type: (country calling
/// code, national significant number).
fn example_number(country: CountryCode, number_type: NumberType) -> Option<(u16, String)> {
    let metadata = phonenumber::metadata::DATABASE.by_id(country.as_str())?;
    let descriptors = metadata.descriptors();
    let descriptor = match number_type {
        NumberType::Local => descriptors.fixed_line(),
        NumberType::Mobile => descriptors.mobile(),
        NumberType::TollFree => descriptors.toll_free(),
        NumberType::SharedCost => descriptors.shared_cost(),
        NumberType::National => descriptors
            .uan()
            .or_else(|| descriptors.voip())
            .or_else(|| descriptors.personal_number())
            .or_else(|| descriptors.fixed_line()),
    }?;
    let example = descriptor.example()?;
    Some((metadata.country_code(), example.to_owned()))
}

/// `count` numbers derived from the example by varying its last digits; in
/// blocks of `block` consecutive numbers when asked. With `area` (the
/// leading national digits of the requested area code) every number starts
/// with those digits, or there are none when the country has no such
/// numbers of that type.
pub(crate) fn generate(
    state: &mut State,
    country: CountryCode,
    number_type: NumberType,
    area: Option<&str>,
    count: usize,
    block: usize,
) -> Vec<PhoneNumber> {
    let Some((calling_code, example)) = example_number(country, number_type) else {
        return Vec::new();
    };
    let fits = |n: &PhoneNumber| number_mismatch(country, number_type, n).is_none();
    let example = match area {
        None => example,
        Some(area) => match in_area(state, calling_code, &example, area, &fits) {
            Some(template) => template,
            None => return Vec::new(),
        },
    };
    // Vary up to 4 trailing digits, keeping at least 3 digits of the example
    // (and the area's digits).
    let keep = area.map_or(3, |a| a.len().max(3));
    let varied = example.len().saturating_sub(keep).min(4);
    let prefix = &example[..example.len() - varied];
    let space: u32 = 10u32.pow(u32::try_from(varied).unwrap_or(0));
    let build = |suffix: u32| -> Option<PhoneNumber> {
        let national = if varied == 0 {
            prefix.to_owned()
        } else {
            format!("{prefix}{suffix:0width$}", width = varied)
        };
        PhoneNumber::parse(&format!("+{calling_code}{national}"))
            .ok()
            .filter(|n| PhoneNumber::parse(n.as_str()).is_ok() && fits(n))
    };
    let block = block.max(1);
    let mut picked: Vec<PhoneNumber> = Vec::new();
    let mut seen: HashSet<PhoneNumber> = HashSet::new();
    let mut attempts = 0usize;
    while picked.len() < count && attempts < count.saturating_mul(20).max(50) {
        attempts += 1;
        let size = block.min(count - picked.len());
        let Ok(size_u32) = u32::try_from(size) else {
            break;
        };
        if size_u32 > space {
            break;
        }
        let start = state.rng.gen_range(0..=space - size_u32);
        let candidate: Option<Vec<PhoneNumber>> = (start..start + size_u32).map(build).collect();
        let Some(candidate) = candidate else {
            continue;
        };
        if candidate
            .iter()
            .any(|n| state.taken.contains(n) || seen.contains(n))
        {
            continue;
        }
        seen.extend(candidate.iter().cloned());
        picked.extend(candidate);
    }
    if picked.is_empty() && block == 1 && count > 0 {
        // Digits could not be varied: offer the example itself.
        if let Ok(number) = PhoneNumber::parse(&format!("+{calling_code}{example}")) {
            if !state.taken.contains(&number) {
                picked.push(number);
            }
        }
    }
    picked
}

/// A national number of the example's length that starts with `area` and
/// is valid (and of the wanted type): the area's digits, then random ones.
fn in_area(
    state: &mut State,
    calling_code: u16,
    example: &str,
    area: &str,
    fits: &dyn Fn(&PhoneNumber) -> bool,
) -> Option<String> {
    if area.is_empty() || !area.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if example.starts_with(area) {
        return Some(example.to_owned());
    }
    let length = example.len().max(area.len());
    for _ in 0..200 {
        let mut national = area.to_owned();
        while national.len() < length {
            national.push(char::from(b'0' + state.rng.gen_range(0..10u8)));
        }
        if PhoneNumber::parse(&format!("+{calling_code}{national}")).is_ok_and(|n| fits(&n)) {
            return Some(national);
        }
    }
    None
}

/// A plausible, fixed price per number type (USD, as Telnyx quotes it):
/// `(monthly, upfront)`.
pub(crate) fn sandbox_price(number_type: NumberType) -> Option<Price> {
    let (monthly, upfront) = match number_type {
        NumberType::Local => ("1.00", "1.00"),
        NumberType::Mobile => ("1.50", "1.00"),
        NumberType::National => ("2.00", "1.00"),
        NumberType::TollFree => ("2.50", "2.00"),
        NumberType::SharedCost => ("3.00", "2.00"),
    };
    Price::from_parts(Some(monthly), Some(upfront), Some("USD"))
}
