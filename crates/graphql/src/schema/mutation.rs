//! The request lifecycle as mutations. Each returns the updated request.
//!
//! Who may call what is decided before a resolver runs: [`OpsOnly`] guards
//! the ops fields, and [`Scope`] holds the caller and the requests they see.

use super::context::{camel_case, OpsOnly, Scope};
use super::inputs::SubmitNumberRequestInput;
use super::types::NumberRequestObject;
use async_graphql::{Context, Object, Result, ID};
use numberdesk_application::use_cases::{self, ManualProvisioning};
use numberdesk_application::{ordering, ApiError};
use numberdesk_domain::request::RequestInput;
use numberdesk_domain::values::{
    Assignee, CarrierOrderId, InvalidValue, OpsNotes, PhoneNumber, Reason,
};
use numberdesk_domain::NumberRequestCommand;
use tracing::instrument;

/// The root of every change.
#[derive(Default)]
pub struct Mutation;

fn arg<T>(field: &str, result: Result<T, InvalidValue>) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::bad_field(field, e.reason))
}

/// Runs one command on a request the caller sees.
async fn run(
    scope: Scope<'_>,
    id: &ID,
    command: NumberRequestCommand,
) -> Result<NumberRequestObject, ApiError> {
    let view = scope.target(id, "id").await?;
    Ok(
        use_cases::execute(scope.state, view.uuid, command, &scope.metadata())
            .await?
            .into(),
    )
}

#[Object(name = "LifecycleMutation")]
impl Mutation {
    /// Opens a request for an organisation you may use.
    #[instrument(skip_all, fields(organization_id = input.organization_id), err(Debug, level = "info"))]
    async fn submit_number_request(
        &self,
        ctx: &Context<'_>,
        input: SubmitNumberRequestInput,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let organization_id = input.organization_id;
        if i32::try_from(organization_id).is_err() || organization_id < 1 {
            return Err(ApiError::bad_field(
                "input.organizationId",
                "must be a positive 32-bit integer",
            )
            .into());
        }
        let input = RequestInput::try_from(input)?;
        let view = use_cases::submit_to_organization(
            scope.state,
            scope.principal,
            organization_id,
            &input,
            &scope.metadata(),
        )
        .await
        .map_err(|error| error.rename_fields(|field| format!("input.{}", camel_case(field))))?;
        Ok(view.into())
    }

    /// Gives a request to an operator (again to reassign; after a failure it starts a new attempt). Ops only.
    #[graphql(guard = "OpsOnly(\"assign requests\")")]
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn assign_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee: String,
        notes: Option<String>,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let assignee = arg("assignee", Assignee::parse(&assignee))?;
        let notes = notes
            .as_deref()
            .map(|n| arg("notes", OpsNotes::parse(n)))
            .transpose()?;
        let view = scope.target(&id, "id").await?;
        let meta = scope.metadata();
        Ok(
            use_cases::assign_with_notes(scope.state, view.uuid, assignee, notes, &meta)
                .await?
                .into(),
        )
    }

    /// Replaces the operations team's notes. Ops only.
    #[graphql(guard = "OpsOnly(\"edit ops notes\")")]
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn update_ops_notes(
        &self,
        ctx: &Context<'_>,
        id: ID,
        notes: String,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let command = NumberRequestCommand::UpdateNotes {
            notes: arg("notes", OpsNotes::parse(&notes))?,
        };
        Ok(run(scope, &id, command).await?)
    }

    /// Searches the carrier and orders the request's numbers. Ops only.
    #[graphql(guard = "OpsOnly(\"order numbers\")")]
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn order_numbers(&self, ctx: &Context<'_>, id: ID) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let view = scope.target(&id, "id").await?;
        Ok(
            ordering::order_numbers(scope.state, view.uuid, &scope.metadata())
                .await?
                .into(),
        )
    }

    /// Records numbers obtained outside the carrier API as live. On an
    /// assigned request it first records a manual order of these numbers. Ops only.
    #[graphql(guard = "OpsOnly(\"mark numbers provisioned\")")]
    #[instrument(skip_all, fields(id = %id.as_str(), numbers = phone_numbers.len()), err(Debug, level = "info"))]
    async fn mark_provisioned(
        &self,
        ctx: &Context<'_>,
        id: ID,
        phone_numbers: Vec<String>,
        carrier_order_id: Option<String>,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
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
        let view = scope.target(&id, "id").await?;
        let input = ManualProvisioning {
            phone_numbers: numbers,
            carrier_order_id: order_id,
        };
        Ok(
            use_cases::provision_manually(scope.state, &view, input, &scope.metadata())
                .await?
                .into(),
        )
    }

    /// Refuses a request. Ops only.
    #[graphql(guard = "OpsOnly(\"reject requests\")")]
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn reject_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let command = NumberRequestCommand::Reject {
            reason: arg("reason", Reason::parse(&reason))?,
        };
        Ok(run(scope, &id, command).await?)
    }

    /// Withdraws a request (its owner or ops).
    #[instrument(skip_all, fields(id = %id.as_str()), err(Debug, level = "info"))]
    async fn cancel_number_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<NumberRequestObject> {
        let scope = Scope::of(ctx)?;
        let reason = reason
            .as_deref()
            .map(|r| arg("reason", Reason::parse(r)))
            .transpose()?;
        let view = scope.target(&id, "id").await?;
        Ok(
            use_cases::cancel(scope.state, view.uuid, reason, &scope.metadata())
                .await?
                .into(),
        )
    }
}
