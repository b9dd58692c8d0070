//! Serde types for the Telnyx API v2 number-ordering endpoints, field for
//! field as Telnyx's published OpenAPI description
//! (`shared/telnyx/telnyx-number-ordering.openapi.yml`) defines them.
//!
//! Every type both serialises and deserialises, so the fake Telnyx server in
//! the tests speaks exactly what the client expects. Response fields are
//! optional where the spec does not mark them required, and enums keep an
//! `Unknown` variant so a value Telnyx adds later does not break parsing.

mod common;
mod errors;
mod number_order_phone_number;
mod order;
mod phone_number;
mod search;
mod sub_order;
mod webhook;

pub use common::{DataEnvelope, ListEnvelope, Open, PaginationMeta, PhoneNumberType};
pub use errors::{ApiErrorBody, TelnyxApiError, TelnyxErrorMeta, TelnyxErrorSource};
pub use number_order_phone_number::NumberOrderPhoneNumber;
pub use order::{
    CreateNumberOrderRequest, ListNumberOrdersQuery, NewOrderPhoneNumber, NumberOrder,
    NumberOrderWithPhoneNumbers, OrderPhoneNumber, OrderStatus, PhoneNumbersJobPhoneNumber,
    RegulatoryRequirementWithValue, RequirementFieldType, RequirementsStatus,
};
pub use phone_number::PhoneNumberRecord;
pub use search::{
    AvailablePhoneNumber, AvailablePhoneNumbersMetadata, AvailablePhoneNumbersQuery,
    AvailablePhoneNumbersResponse, CostInformation, Feature, NumberFeature, RegionInformation,
};
pub use sub_order::{SubNumberOrder, SubNumberOrderRegulatoryRequirement};
pub use webhook::{WebhookDeliveryMeta, WebhookEvent, WebhookEventData};
