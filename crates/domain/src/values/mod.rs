//! Value objects: each one can only be built from valid input, so code that
//! holds one never has to check it again.
//!
//! Every constructor trims its input, bounds its length and refuses control
//! characters; serde deserialisation goes through the same constructor.

mod country;
mod email;
mod error;
mod number_type;
mod phone_number;
mod price;
mod quantity;
mod text;
mod web_url;

pub use country::CountryCode;
pub use email::EmailAddress;
pub use error::{InvalidValue, ValidationErrors};
pub use number_type::NumberType;
pub use phone_number::PhoneNumber;
pub use price::{Amount, Currency, NumberPrice, Price};
pub use quantity::{Quantity, RangeSize};
pub use text::{
    Address, AreaCode, Assignee, CarrierOrderId, City, Comment, CompanyName, ContactName, OpsNotes,
    Reason, Region, RequestedArea, UseCase, VatNumber,
};
pub use web_url::WebUrl;
