//! The rules for the prices an order records.

use super::NumberRequestError;
use crate::values::{NumberPrice, PhoneNumber};
use std::collections::BTreeSet;

/// Each price must be for a number of the order, and at most one per number.
/// Numbers without a price are allowed (the carrier may not have quoted one).
pub(super) fn check_prices(
    phone_numbers: &[PhoneNumber],
    prices: &[NumberPrice],
) -> Result<(), NumberRequestError> {
    let mut seen = BTreeSet::new();
    for price in prices {
        if !phone_numbers.contains(&price.phone_number) {
            return Err(NumberRequestError::invalid(
                "prices",
                format!("{} is not in the order", price.phone_number),
            ));
        }
        if !seen.insert(&price.phone_number) {
            return Err(NumberRequestError::invalid(
                "prices",
                format!("{} is priced twice", price.phone_number),
            ));
        }
    }
    Ok(())
}
