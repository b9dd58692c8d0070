use crate::values::{
    Address, AreaCode, City, Comment, CompanyName, ContactName, CountryCode, EmailAddress,
    InvalidValue, NumberType, Quantity, RangeSize, Region, RequestedArea, UseCase,
    ValidationErrors, VatNumber, WebUrl,
};
use serde::{Deserialize, Serialize};

/// What a customer asked for, as unchecked input from any API.
///
/// Field names are the REST contract's (plus the optional fields of the other
/// provider's request), so validation errors name the field the client sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInput {
    /// ISO 3166-1 alpha-2, required.
    pub country: Option<String>,
    /// One of [`NumberType`], required.
    pub number_type: Option<String>,
    /// Required free text.
    pub use_case: Option<String>,
    /// Required.
    pub contact_name: Option<String>,
    /// Required e-mail address.
    pub contact_email: Option<String>,
    /// Optional area or city preference.
    pub requested_area: Option<String>,
    /// Optional.
    pub company_name: Option<String>,
    /// Optional; may be empty.
    pub vat_number: Option<String>,
    /// Optional.
    pub address: Option<String>,
    /// Optional http(s) URL; blank means none.
    pub website: Option<String>,
    /// 1–1000, default 1.
    pub quantity: Option<i64>,
    /// Consecutive block size, 2–1000; quantity must be a multiple of it.
    pub range_size: Option<i64>,
    /// Optional area code.
    pub area_code: Option<String>,
    /// Optional city.
    pub city: Option<String>,
    /// Optional region or state.
    pub region: Option<String>,
    /// Optional customer comment.
    pub comment: Option<String>,
    /// Optional http(s) URL that receives the request on every status change.
    pub callback_url: Option<String>,
}

/// A validated request: every field already checked, so the aggregate and
/// adapters never see bad customer input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetails {
    /// Country the numbers are in.
    pub country: CountryCode,
    /// Kind of number.
    pub number_type: NumberType,
    /// What the numbers are for.
    pub use_case: UseCase,
    /// Who to talk to.
    pub contact_name: ContactName,
    /// Where to write.
    pub contact_email: EmailAddress,
    /// Free-form area preference.
    pub requested_area: Option<RequestedArea>,
    /// Company operating the numbers.
    pub company_name: Option<CompanyName>,
    /// Company VAT number.
    pub vat_number: Option<VatNumber>,
    /// Company address.
    pub address: Option<Address>,
    /// Company website.
    pub website: Option<WebUrl>,
    /// How many numbers.
    pub quantity: Quantity,
    /// Block size when consecutive ranges are wanted.
    pub range_size: Option<RangeSize>,
    /// Area code to search in.
    pub area_code: Option<AreaCode>,
    /// City to search in.
    pub city: Option<City>,
    /// Region or state to search in.
    pub region: Option<Region>,
    /// The customer's comment.
    pub comment: Option<Comment>,
    /// Where status changes are POSTed.
    pub callback_url: Option<WebUrl>,
}

fn required<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<T> {
    match value {
        None => {
            errors.add(field, "is required");
            None
        }
        Some(text) => errors.check(field, parse(text)),
    }
}

/// Parses an optional field; `Ok(None)` when absent, so a present but invalid
/// value is still reported.
fn optional<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(text) => errors.check(field, parse(text)).map(Some),
    }
}

/// Like [`optional`], but a blank string means "not given" (clients send
/// `""` for fields they leave empty, as the contract's `vat_number` shows).
fn optional_non_blank<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<Option<T>> {
    match value {
        Some(text) if text.trim().is_empty() => Some(None),
        _ => optional(errors, field, value, parse),
    }
}

impl RequestDetails {
    /// Validates every field and reports all failures at once.
    pub fn parse(input: &RequestInput) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let e = &mut errors;
        let country = required(e, "country", &input.country, CountryCode::parse);
        let number_type = required(e, "number_type", &input.number_type, str::parse);
        let use_case = required(e, "use_case", &input.use_case, UseCase::parse);
        let contact_name = required(e, "contact_name", &input.contact_name, ContactName::parse);
        let contact_email = required(
            e,
            "contact_email",
            &input.contact_email,
            EmailAddress::parse,
        );
        let requested_area = optional_non_blank(
            e,
            "requested_area",
            &input.requested_area,
            RequestedArea::parse,
        );
        let company_name = optional(e, "company_name", &input.company_name, CompanyName::parse);
        let vat_number = optional(e, "vat_number", &input.vat_number, VatNumber::parse);
        let address = optional(e, "address", &input.address, Address::parse);
        let website = optional_non_blank(e, "website", &input.website, WebUrl::parse);
        let quantity = match input.quantity {
            None => Some(Quantity::default()),
            Some(n) => e.check("quantity", Quantity::new(n)),
        };
        let range_size = match input.range_size {
            None => Some(None),
            Some(n) => e.check("range_size", RangeSize::new(n)).map(Some),
        };
        let area_code = optional_non_blank(e, "area_code", &input.area_code, AreaCode::parse);
        let city = optional_non_blank(e, "city", &input.city, City::parse);
        let region = optional_non_blank(e, "region", &input.region, Region::parse);
        let comment = optional_non_blank(e, "comment", &input.comment, Comment::parse);
        let callback_url =
            optional_non_blank(e, "callback_url", &input.callback_url, WebUrl::parse);

        if let (Some(q), Some(Some(r))) = (quantity, range_size) {
            if q.get() % r.get() != 0 {
                e.add(
                    "range_size",
                    format!(
                        "quantity ({}) must be a multiple of range_size ({})",
                        q.get(),
                        r.get()
                    ),
                );
            }
        }

        match (
            country,
            number_type,
            use_case,
            contact_name,
            contact_email,
            requested_area,
            company_name,
            vat_number,
            address,
            website,
            quantity,
            range_size,
            area_code,
            city,
            region,
            comment,
            callback_url,
        ) {
            (
                Some(country),
                Some(number_type),
                Some(use_case),
                Some(contact_name),
                Some(contact_email),
                Some(requested_area),
                Some(company_name),
                Some(vat_number),
                Some(address),
                Some(website),
                Some(quantity),
                Some(range_size),
                Some(area_code),
                Some(city),
                Some(region),
                Some(comment),
                Some(callback_url),
            ) if errors.is_empty() => Ok(Self {
                country,
                number_type,
                use_case,
                contact_name,
                contact_email,
                requested_area,
                company_name,
                vat_number,
                address,
                website,
                quantity,
                range_size,
                area_code,
                city,
                region,
                comment,
                callback_url,
            }),
            _ => Err(errors),
        }
    }
}
