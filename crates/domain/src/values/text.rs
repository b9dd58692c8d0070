//! Bounded, trimmed free-text values.

use super::InvalidValue;
use serde::{Deserialize, Serialize};

/// Trims `input` and checks it against the rules every free-text field shares:
/// not blank (unless `allow_empty`), at most `max` characters, no control
/// characters except newlines and tabs where `multiline` is set, and no
/// bidirectional-override characters that can disguise text.
pub(crate) fn clean_text(
    input: &str,
    max: usize,
    allow_empty: bool,
    multiline: bool,
) -> Result<String, InvalidValue> {
    let trimmed = input.trim();
    if trimmed.is_empty() && !allow_empty {
        return Err(InvalidValue::new("must not be blank"));
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(InvalidValue::new(format!(
            "must be at most {max} characters (got {length})"
        )));
    }
    if !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_whitespace() || is_invisible(c))
    {
        return Err(InvalidValue::new(
            "must contain a visible character (not only spaces or zero-width characters)",
        ));
    }
    if let Some(bad) = trimmed.chars().find(|c| is_forbidden(*c, multiline)) {
        return Err(InvalidValue::new(format!(
            "must not contain control or direction-override characters (found U+{:04X})",
            bad as u32
        )));
    }
    Ok(trimmed.to_owned())
}

/// Trims a single-token value (an address, a URL) and checks it is present
/// and at most `max` characters; the caller checks its syntax.
pub(crate) fn trimmed_within(input: &str, max: usize) -> Result<&str, InvalidValue> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(InvalidValue::new("must not be blank"));
    }
    if trimmed.chars().count() > max {
        return Err(InvalidValue::new(format!(
            "must be at most {max} characters"
        )));
    }
    Ok(trimmed)
}

/// Characters that print nothing: zero-width spaces and joiners, the word
/// joiner, the byte-order mark, the soft hyphen and the Mongolian vowel separator.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

pub(crate) fn is_forbidden(c: char, multiline: bool) -> bool {
    let allowed_whitespace = multiline && (c == '\n' || c == '\t' || c == '\r');
    (c.is_control() && !allowed_whitespace)
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, allow_empty = $empty:expr, multiline = $multi:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest value accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims and validates; see the type's documentation for the rules.
            pub fn parse(input: &str) -> Result<Self, InvalidValue> {
                clean_text(input, $max, $empty, $multi).map(Self)
            }

            /// The cleaned text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// What the customer will use the numbers for ("Customer support"); ops read
    /// it to pick the right product, so it must say something.
    UseCase, max = 200, allow_empty = false, multiline = false
);
bounded_text!(
    /// The person ops contact about the request.
    ContactName, max = 200, allow_empty = false, multiline = false
);
bounded_text!(
    /// The legal name regulators ask for in many countries; may be empty
    /// because the REST contract allows `""`.
    CompanyName, max = 200, allow_empty = true, multiline = false
);
bounded_text!(
    /// VAT or company registration number; the contract's example sends `""`.
    VatNumber, max = 64, allow_empty = true, multiline = false
);
bounded_text!(
    /// Postal address, needed where numbers require a local presence.
    Address, max = 500, allow_empty = true, multiline = true
);
bounded_text!(
    /// Free-form area preference from the REST contract ("Amsterdam", "020").
    RequestedArea, max = 100, allow_empty = false, multiline = false
);
bounded_text!(
    /// Area code (national destination code) to search numbers in.
    AreaCode, max = 16, allow_empty = false, multiline = false
);
bounded_text!(
    /// City (the carrier's "locality") to search numbers in.
    City, max = 100, allow_empty = false, multiline = false
);
bounded_text!(
    /// Region or state (the carrier's "administrative area"); needed for NANPA.
    Region, max = 100, allow_empty = false, multiline = false
);
bounded_text!(
    /// The customer's extra instructions (a distribution group, an IP address).
    Comment, max = 2000, allow_empty = false, multiline = true
);
bounded_text!(
    /// Who on the operations team owns the request (a name or e-mail).
    Assignee, max = 200, allow_empty = false, multiline = false
);
bounded_text!(
    /// Internal notes of the operations team; never shown as customer input.
    OpsNotes, max = 10_000, allow_empty = true, multiline = true
);
bounded_text!(
    /// Why a request was rejected, cancelled or failed; shown to the customer.
    Reason, max = 2000, allow_empty = false, multiline = true
);
bounded_text!(
    /// The carrier's identifier of a placed order (a Telnyx number-order UUID,
    /// or `manual:...` for numbers obtained outside the carrier API).
    CarrierOrderId, max = 128, allow_empty = false, multiline = false
);

#[cfg(test)]
mod tests {
    use super::{CompanyName, ContactName};

    #[test]
    fn text_needs_a_visible_character() {
        for invisible in ["\u{200b}", " \u{200b}\u{feff} ", "\u{2060}", "\u{00ad}"] {
            assert!(ContactName::parse(invisible).is_err(), "{invisible:?}");
            assert!(CompanyName::parse(invisible).is_err(), "{invisible:?}");
        }
        assert!(CompanyName::parse("").is_ok());
        assert!(ContactName::parse("Jane\u{200d}Doe").is_ok());
    }
}
