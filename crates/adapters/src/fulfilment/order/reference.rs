//! The carrier `customer_reference` of a request's fulfilment attempt.

use uuid::Uuid;

/// The carrier `customer_reference` of a request's fulfilment attempt: the
/// request's id for the first attempt, `"{id}:attempt-{n}"` for later ones
/// (a failed attempt's order must not be found again by the next attempt).
pub fn customer_reference(request: Uuid, attempt: u32) -> String {
    if attempt <= 1 {
        request.to_string()
    } else {
        format!("{request}:attempt-{attempt}")
    }
}

/// The request a `customer_reference` belongs to.
pub fn request_of_reference(reference: &str) -> Option<Uuid> {
    let id = reference.split(':').next()?;
    Uuid::parse_str(id.trim()).ok()
}

/// The attempt a `customer_reference` names: `n` for `"{id}:attempt-{n}"`,
/// 1 for the bare request id; `None` when it names no request.
pub fn attempt_of_reference(reference: &str) -> Option<u32> {
    request_of_reference(reference)?;
    match reference.split_once(':') {
        None => Some(1),
        Some((_, rest)) => rest.trim().strip_prefix("attempt-")?.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_the_request_and_later_attempts() {
        let id = Uuid::new_v4();
        assert_eq!(customer_reference(id, 1), id.to_string());
        assert_eq!(customer_reference(id, 3), format!("{id}:attempt-3"));
        assert_eq!(request_of_reference(&customer_reference(id, 1)), Some(id));
        assert_eq!(request_of_reference(&customer_reference(id, 3)), Some(id));
        assert_eq!(request_of_reference("not-a-request"), None);
        assert_eq!(attempt_of_reference(&customer_reference(id, 1)), Some(1));
        assert_eq!(attempt_of_reference(&customer_reference(id, 3)), Some(3));
        assert_eq!(attempt_of_reference(&format!("{id}:other")), None);
        assert_eq!(attempt_of_reference("not-a-request"), None);
    }
}
