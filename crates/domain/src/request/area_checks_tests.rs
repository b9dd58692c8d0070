use super::*;
use crate::values::NumberType;
use proptest::prelude::*;

fn number(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).expect("valid number")
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("country")
}

fn area(text: &str) -> AreaCode {
    AreaCode::parse(text).expect("area code")
}

fn place(localities: &[&str], regions: &[&str]) -> NumberPlace {
    NumberPlace {
        localities: localities.iter().map(|s| (*s).to_owned()).collect(),
        regions: regions.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn search(
    code: &str,
    area_code: Option<&str>,
    city: Option<&str>,
    region: Option<&str>,
) -> NumberSearch {
    NumberSearch {
        country: country(code),
        number_type: NumberType::Local,
        area_code: area_code.map(area),
        city: city.map(|c| City::parse(c).expect("city")),
        region: region.map(|r| Region::parse(r).expect("region")),
        limit: 1,
        range_size: None,
    }
}

#[test]
fn the_nanp_area_code_is_the_npa_of_the_number() {
    let us = country("US");
    let manhattan = number("+12125550123");
    let new_jersey = number("+12015550123");
    assert_eq!(area_code_mismatch(us, &area("212"), &manhattan), None);
    assert_eq!(area_code_mismatch(us, &area("(212)"), &manhattan), None);
    assert_eq!(
        area_code_mismatch(us, &area("1212"), &manhattan),
        None,
        "trunk prefix 1"
    );
    let why = area_code_mismatch(us, &area("212"), &new_jersey);
    assert!(
        why.as_deref()
            .is_some_and(|w| w.contains("not in area code 212")),
        "{why:?}"
    );
    assert!(area_code_mismatch(us, &area("201"), &manhattan).is_some());
}

#[test]
fn elsewhere_the_area_code_is_the_leading_national_digits() {
    let nl = country("NL");
    let amsterdam = number("+31201234567");
    let rotterdam = number("+31101234567");
    assert_eq!(area_code_digits(nl, &area("020")).as_deref(), Some("20"));
    assert_eq!(area_code_mismatch(nl, &area("020"), &amsterdam), None);
    assert_eq!(area_code_mismatch(nl, &area("20"), &amsterdam), None);
    assert!(area_code_mismatch(nl, &area("020"), &rotterdam).is_some());
    // Italy keeps the leading zero in the number itself.
    let it = country("IT");
    let milan = number("+390212345678");
    assert_eq!(area_code_digits(it, &area("02")).as_deref(), Some("02"));
    assert_eq!(area_code_mismatch(it, &area("02"), &milan), None);
    assert!(area_code_mismatch(it, &area("06"), &milan).is_some());
}

#[test]
fn an_area_code_that_is_not_digits_is_left_to_the_carrier() {
    let us = country("US");
    assert_eq!(area_code_digits(us, &area("pending")), None);
    assert_eq!(
        area_code_mismatch(us, &area("pending"), &number("+12015550123")),
        None
    );
}

#[test]
fn city_and_region_are_checked_where_the_carrier_says() {
    let chicago = City::parse("Chicago").expect("city");
    let illinois = Region::parse("Illinois").expect("region");
    let il = Region::parse("il").expect("region");
    let there = place(&["CHICAGO ZONE 1"], &["IL"]);
    assert_eq!(
        place_mismatch(Some(&chicago), Some(&illinois), &there),
        None
    );
    assert_eq!(place_mismatch(Some(&chicago), Some(&il), &there), None);
    let elsewhere = place(&["NEW YORK"], &["NY"]);
    let why = place_mismatch(Some(&chicago), None, &elsewhere);
    assert!(
        why.as_deref()
            .is_some_and(|w| w.contains("NEW YORK, not Chicago")),
        "{why:?}"
    );
    assert!(place_mismatch(None, Some(&illinois), &elsewhere).is_some());
    // Nothing said, nothing refused.
    assert_eq!(
        place_mismatch(Some(&chicago), Some(&illinois), &NumberPlace::default()),
        None
    );
    // A word prefix, not a letter prefix.
    let new = City::parse("New").expect("city");
    assert!(place_mismatch(Some(&new), None, &place(&["NEWARK"], &[])).is_some());
}

#[test]
fn a_candidate_must_fit_country_type_area_and_place() {
    let wanted = search("US", Some("212"), Some("New York"), Some("NY"));
    let fits = AvailableNumber {
        place: place(&["NEW YORK"], &["NY"]),
        ..AvailableNumber::unpriced(number("+12125550123"))
    };
    assert_eq!(candidate_mismatch(&wanted, &fits), None);
    let wrong_area = AvailableNumber::unpriced(number("+12015550123"));
    assert!(candidate_mismatch(&wanted, &wrong_area).is_some());
    let wrong_city = AvailableNumber {
        place: place(&["BUFFALO"], &["NY"]),
        ..AvailableNumber::unpriced(number("+12125550124"))
    };
    assert!(candidate_mismatch(&wanted, &wrong_city).is_some_and(|w| w.contains("BUFFALO")));
    let canadian = AvailableNumber::unpriced(number("+14165550123"));
    assert!(candidate_mismatch(&search("US", None, None, None), &canadian).is_some());
}

proptest! {
    /// Any valid US number is in the area code of its own first three
    /// digits and in no other three-digit area code.
    #[test]
    fn a_us_number_is_in_its_npa_only(npa in 200u32..1000, rest in 2_000_000u32..10_000_000, other in 200u32..1000) {
        let Ok(n) = PhoneNumber::parse(&format!("+1{npa}{rest}")) else { return Ok(()); };
        let us = country("US");
        prop_assert_eq!(area_code_mismatch(us, &area(&npa.to_string()), &n), None);
        if other != npa {
            prop_assert!(area_code_mismatch(us, &area(&other.to_string()), &n).is_some());
        }
    }

    /// With or without the trunk prefix, an NL area code means the same.
    #[test]
    fn the_trunk_prefix_does_not_matter(ndc in 10u32..100, rest in 1_000_000u32..10_000_000) {
        let Ok(n) = PhoneNumber::parse(&format!("+31{ndc}{rest}")) else { return Ok(()); };
        let nl = country("NL");
        let with = area_code_mismatch(nl, &area(&format!("0{ndc}")), &n);
        let without = area_code_mismatch(nl, &area(&ndc.to_string()), &n);
        prop_assert_eq!(with, None);
        prop_assert_eq!(without, None);
    }

    /// The city check never depends on case or spacing.
    #[test]
    fn names_compare_without_case_or_spacing(name in "[A-Za-z]{1,10}( [A-Za-z]{1,10}){0,2}") {
        let city = City::parse(&name.to_lowercase()).expect("city");
        let there = place(&[&format!("  {}  ", name.to_uppercase())], &[]);
        prop_assert_eq!(place_mismatch(Some(&city), None, &there), None);
    }
}
