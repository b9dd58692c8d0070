//! How field names of bad input are spelled for each transport: the use
//! cases and the domain name fields in snake_case (`phone_numbers[0]`),
//! GraphQL clients see camelCase (`phoneNumbers[0]`), in `fields` and in
//! the message.

/// `message` with each `field:` that starts a word (not `number_type:`
/// for `type`) spelled `renamed:`.
pub(crate) fn rename_in_message(message: &str, field: &str, renamed: &str) -> String {
    let pattern = format!("{field}:");
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(&pattern) {
        let before = rest[..at].chars().next_back().or(out.chars().next_back());
        let starts_word =
            before.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '[')));
        out.push_str(&rest[..at]);
        out.push_str(if starts_word { renamed } else { field });
        out.push(':');
        rest = &rest[at + pattern.len()..];
    }
    out.push_str(rest);
    out
}

/// `phone_numbers[0]` → `phoneNumbers[0]`: GraphQL names its fields in camelCase.
pub(crate) fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        match c {
            '_' if !out.is_empty() => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{camel_case, rename_in_message};

    #[test]
    fn fields_become_camel_case() {
        assert_eq!(camel_case("phone_numbers[0]"), "phoneNumbers[0]");
        assert_eq!(camel_case("callback_url"), "callbackUrl");
        assert_eq!(camel_case("country"), "country");
    }

    #[test]
    fn only_whole_field_names_are_renamed_in_a_message() {
        assert_eq!(
            rename_in_message("invalid input: type: a; number_type: b", "type", "kind"),
            "invalid input: kind: a; number_type: b"
        );
        assert_eq!(
            rename_in_message(
                "callback_url: must be public",
                "callback_url",
                "input.callbackUrl"
            ),
            "input.callbackUrl: must be public"
        );
        assert_eq!(
            rename_in_message("no field here", "callback_url", "callbackUrl"),
            "no field here"
        );
    }
}
