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
    }
}
