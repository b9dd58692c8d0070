//! The request lifecycle as mutations. Each returns the updated request.

use super::context::{caller, camel_case, request_id};
use super::inputs::SubmitNumberRequestInput;
use super::query::visible_request;
use super::types::NumberRequestObject;
use crate::auth::{metadata, require_ops, scoped_organizations};
use crate::error::ApiError;
use crate::state::AppState;
use async_graphql::{Context, Object, Result, ID};
use numberdesk_adapters::tenancy::Principal;
use numberdesk_adapters::NumberRequestView;
use numberdesk_application::use_cases::{self, ManualProvisioning};
use numberdesk_domain::request::{number_mismatch, RequestDetails, RequestInput};
use numberdesk_domain::values::{
    Assignee, CarrierOrderId, CountryCode, InvalidValue, NumberType, OpsNotes, PhoneNumber, Reason,
};
use numberdesk_domain::NumberRequestCommand;
use std::collections::BTreeMap;

/// The root of every change.
#[derive(Default)]
pub struct Mutation;

fn arg<T>(field: &str, result: Result<T, InvalidValue>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::bad_field(field, e.reason))
}

fn http_request_id(ctx: &Context<'_>) -> Option<String> {
    ctx.data_opt::<crate::schema::RequestId>()
        .map(|r| r.0.clone())
}

async fn run(
    ctx: &Context<'_>,
    state: &AppState,
    principal: &Principal,
    view: NumberRequestView,
    command: NumberRequestCommand,
) -> Result<NumberRequestObject, ApiError> {
    let meta = metadata(principal, http_request_id(ctx));
    Ok(use_cases::execute(state, view.uuid, command, &meta)
        .await?
        .into())
}

async fn target(ctx: &Context<'_>, id: &ID) -> Result<NumberRequestView, ApiError> {
    request_id(id, "id")?;
    visible_request(ctx, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("number request not found".into()))
}

#[Object]
impl Mutation {
    /// Opens a request for an organisation you may use.
    async fn submit_number_request(
        &self,
        ctx: &Context<'_>,
        input: SubmitNumberRequestInput,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        let organization_id = input.organization_id;
        if i32::try_from(organization_id).is_err() || organization_id < 1 {
            return Err(ApiError::bad_field(
                "input.organizationId",
                "must be a positive 32-bit integer",
            )
            .into());
        }
        let scope = scoped_organizations(state, principal, Some(organization_id)).await?;
        let org = match scope {
            Some(ids) if ids.is_empty() => None,
            _ => state
                .tenancy
                .organization(organization_id)
                .await
                .map_err(ApiError::from)?,
        }
        .ok_or_else(|| ApiError::NotFound(format!("organization {organization_id} not found")))?;
        let details = RequestDetails::parse(&RequestInput::from(input)).map_err(|errors| {
            let fields: BTreeMap<String, String> = errors
                .fields()
                .iter()
                .map(|(field, reason)| (format!("input.{}", camel_case(field)), reason.clone()))
                .collect();
            ApiError::BadInput {
                message: errors.to_string(),
                fields,
            }
        })?;
        if let Some(url) = &details.callback_url {
            let allow = state.fulfilment.settings().allow_private_callbacks;
            crate::callback_policy::check_callback_url(url, allow, "input.callbackUrl")?;
        }
        let meta = metadata(principal, http_request_id(ctx));
        let mut created = None;
        use_cases::submit(
            state,
            principal,
            (org.id, org.account_id),
            details,
            None,
            &meta,
            |view| {
                created = Some(view);
                Ok(String::new())
            },
        )
        .await?;
        let view =
            created.ok_or_else(|| ApiError::Internal("submit returned no request".into()))?;
        Ok(view.into())
    }

    /// Gives a request to an operator (again to reassign; after a failure it starts a new attempt). Ops only.
    async fn assign_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee: String,
        notes: Option<String>,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "assign requests")?;
        let assignee = arg("assignee", Assignee::parse(&assignee))?;
        let notes = notes
            .as_deref()
            .map(|n| arg("notes", OpsNotes::parse(n)))
            .transpose()?;
        let view = target(ctx, &id).await?;
        let meta = metadata(principal, http_request_id(ctx));
        Ok(
            use_cases::assign_with_notes(state, view.uuid, assignee, notes, &meta)
                .await?
                .into(),
        )
    }

    /// Replaces the operations team's notes. Ops only.
    async fn update_ops_notes(
        &self,
        ctx: &Context<'_>,
        id: ID,
        notes: String,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "edit ops notes")?;
        let command = NumberRequestCommand::UpdateNotes {
            notes: arg("notes", OpsNotes::parse(&notes))?,
        };
        let view = target(ctx, &id).await?;
        Ok(run(ctx, state, principal, view, command).await?)
    }

    /// Searches the carrier and orders the request's numbers. Ops only.
    async fn order_numbers(&self, ctx: &Context<'_>, id: ID) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "order numbers")?;
        let view = target(ctx, &id).await?;
        let meta = metadata(principal, http_request_id(ctx));
        Ok(crate::ordering::order_numbers(state, view.uuid, &meta)
            .await?
            .into())
    }

    /// Records numbers obtained outside the carrier API as live. On an
    /// assigned request it first records a manual order of these numbers. Ops only.
    async fn mark_provisioned(
        &self,
        ctx: &Context<'_>,
        id: ID,
        phone_numbers: Vec<String>,
        carrier_order_id: Option<String>,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "mark numbers provisioned")?;
        let numbers = phone_numbers
            .iter()
            .enumerate()
            .map(|(i, n)| arg(&format!("phoneNumbers[{i}]"), PhoneNumber::parse(n)))
            .collect::<Result<Vec<_>, _>>()?;
        if numbers.is_empty() {
            return Err(
                ApiError::bad_field("phoneNumbers", "must list at least one number").into(),
            );
        }
        let order_id = match carrier_order_id {
            Some(id) => arg("carrierOrderId", CarrierOrderId::parse(&id))?,
            None => arg(
                "carrierOrderId",
                CarrierOrderId::parse(&format!("manual:{}", uuid::Uuid::new_v4())),
            )?,
        };
        let view = target(ctx, &id).await?;
        // Numbers of another country or type never reach the log.
        if let (Ok(country), Ok(number_type)) = (
            CountryCode::parse(&view.country),
            view.number_type.parse::<NumberType>(),
        ) {
            for (i, number) in numbers.iter().enumerate() {
                if let Some(why) = number_mismatch(country, number_type, number) {
                    return Err(ApiError::bad_field(&format!("phoneNumbers[{i}]"), why).into());
                }
            }
        }
        let meta = metadata(principal, http_request_id(ctx));
        let input = ManualProvisioning {
            phone_numbers: numbers,
            carrier_order_id: order_id,
        };
        Ok(
            use_cases::provision_manually(state, view.uuid, input, &meta)
                .await?
                .into(),
        )
    }

    /// Refuses a request. Ops only.
    async fn reject_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        require_ops(principal, "reject requests")?;
        let command = NumberRequestCommand::Reject {
            reason: arg("reason", Reason::parse(&reason))?,
        };
        let view = target(ctx, &id).await?;
        Ok(run(ctx, state, principal, view, command).await?)
    }

    /// Withdraws a request (its owner or ops).
    async fn cancel_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<NumberRequestObject> {
        let (state, principal) = caller(ctx)?;
        let command = NumberRequestCommand::Cancel {
            reason: reason
                .as_deref()
                .map(|r| arg("reason", Reason::parse(r)))
                .transpose()?,
        };
        let view = target(ctx, &id).await?;
        // Never cancel under an order in flight: its numbers would be bought
        // and tracked nowhere.
        if let Some(why) = state
            .fulfilment
            .order_in_flight(view.uuid)
            .await
            .map_err(ApiError::from)?
        {
            return Err(ApiError::Conflict(why).into());
        }
        Ok(run(ctx, state, principal, view, command).await?)
    }
}
