//! Refuses, when a request is created, a `callback_url` that names a host
//! callbacks would never be delivered to: loopback, private, link-local
//! (cloud metadata at 169.254.169.254), unique-local and reserved addresses
//! in any spelling the URL standard accepts (`0x7f000001`, `2130706433`,
//! `[::1]`), and `localhost` names. Unless `ALLOW_PRIVATE_CALLBACKS` is set.
//!
//! Delivery checks the resolved address again (a public name can resolve
//! to a private address, and DNS can change); this check makes the refusal
//! visible to the client at once, on the field.

use crate::error::ApiError;
use numberdesk_adapters::fulfilment::callbacks::public_address;
use numberdesk_domain::values::WebUrl;

/// Host names that never leave the machine or the cloud network.
fn private_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "metadata.google.internal"
        || name.ends_with(".internal")
        || name.ends_with(".local")
}

/// `Err` (a bad `field`) when `url` names a private host and private
/// callbacks are not allowed.
pub fn check_callback_url(url: &WebUrl, allow_private: bool, field: &str) -> Result<(), ApiError> {
    if allow_private {
        return Ok(());
    }
    let class = match (url.host_ip(), url.host_name()) {
        (Some(ip), _) => public_address(ip).err(),
        (None, Some(name)) if private_name(&name) => Some("local"),
        _ => None,
    };
    match class {
        None => Ok(()),
        Some(class) => Err(ApiError::bad_field(
            field,
            format!("must be a public address: callbacks are not sent to {class} hosts"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check_callback_url;
    use numberdesk_domain::values::WebUrl;

    #[test]
    fn private_hosts_are_refused_in_every_spelling() {
        for url in [
            "http://127.0.0.1/cb",
            "http://localhost:8080/cb",
            "http://[::1]/cb",
            "http://10.1.2.3/cb",
            "http://169.254.169.254/latest/meta-data",
            "http://0x7f000001/cb",
            "http://2130706433/cb",
            "http://[::ffff:127.0.0.1]/cb",
            "http://metadata.google.internal/cb",
        ] {
            let parsed = WebUrl::parse(url).expect("a URL");
            assert!(
                check_callback_url(&parsed, false, "callback_url").is_err(),
                "{url}"
            );
            assert!(
                check_callback_url(&parsed, true, "callback_url").is_ok(),
                "{url}"
            );
        }
        let public = WebUrl::parse("https://hooks.acme.example/cb").expect("a URL");
        assert!(check_callback_url(&public, false, "callback_url").is_ok());
    }
}
