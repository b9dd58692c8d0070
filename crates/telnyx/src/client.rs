//! [`TelnyxClient`]: a typed client for the Telnyx API v2 number-ordering
//! endpoints, exactly as Telnyx's OpenAPI description defines them.

use crate::config::ClientConfig;
use crate::error::TelnyxError;
use crate::retry::{retry_after, Idempotency, RetryPolicy};
use crate::types::{
    ApiErrorBody, AvailablePhoneNumbersQuery, AvailablePhoneNumbersResponse,
    CreateNumberOrderRequest, DataEnvelope, ListEnvelope, ListNumberOrdersQuery, NumberOrder,
    NumberOrderPhoneNumber, NumberOrderWithPhoneNumbers, SubNumberOrder, TelnyxApiError,
};
use chrono::Utc;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

/// A Telnyx API v2 client: Bearer auth, timeouts, and retries with jittered
/// exponential backoff on 429 (honouring `Retry-After` /
/// `x-ratelimit-reset`), 5xx and connection errors; never on other 4xx.
///
/// `POST /number_orders` is not idempotent at Telnyx, so
/// [`TelnyxClient::create_number_order`] is only re-sent when Telnyx
/// certainly did nothing (429, no connection). After a timeout or a 5xx the
/// error [is ambiguous](TelnyxError::is_ambiguous): look the order up by
/// `customer_reference` before placing it again (the provider does).
#[derive(Debug, Clone)]
pub struct TelnyxClient {
    http: reqwest::Client,
    base_url: Url,
    pub(crate) retry: RetryPolicy,
}

impl TelnyxClient {
    /// Builds the client.
    pub fn new(config: &ClientConfig) -> Result<Self, TelnyxError> {
        if config.base_url.cannot_be_a_base() {
            return Err(TelnyxError::InvalidRequest(format!(
                "base URL {} cannot be a base",
                config.base_url
            )));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.api_key.expose()))
            .map_err(|_| {
                TelnyxError::InvalidRequest("API key has characters not allowed in a header".into())
            })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(concat!("numberdesk-telnyx/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| TelnyxError::InvalidRequest(e.to_string()))?;
        Ok(Self {
            http,
            base_url: config.base_url.clone(),
            retry: config.retry,
        })
    }

    /// The API base URL in use.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `GET /available_phone_numbers`: numbers that can be ordered now.
    pub async fn list_available_phone_numbers(
        &self,
        query: &AvailablePhoneNumbersQuery,
    ) -> Result<AvailablePhoneNumbersResponse, TelnyxError> {
        let url = self.url(&["available_phone_numbers"], &query.to_query_pairs())?;
        self.get(url).await
    }

    /// `POST /number_orders`: buys the numbers. Re-sent only after a 429 or a
    /// failed connection; any other failure is returned at once.
    pub async fn create_number_order(
        &self,
        request: &CreateNumberOrderRequest,
    ) -> Result<NumberOrderWithPhoneNumbers, TelnyxError> {
        let url = self.url(&["number_orders"], &[])?;
        let body = serde_json::to_vec(request)
            .map_err(|e| TelnyxError::InvalidRequest(format!("cannot encode order: {e}")))?;
        let envelope: DataEnvelope<NumberOrderWithPhoneNumbers> = self
            .retry
            .run(Idempotency::NonIdempotent, || {
                self.send_once(Method::POST, url.clone(), Some(body.clone()))
            })
            .await?;
        Ok(envelope.data)
    }

    /// `GET /number_orders/{number_order_id}`: one order with its numbers and
    /// their statuses.
    pub async fn get_number_order(
        &self,
        number_order_id: &str,
    ) -> Result<NumberOrderWithPhoneNumbers, TelnyxError> {
        let url = self.url(&["number_orders", non_empty(number_order_id)?], &[])?;
        let envelope: DataEnvelope<NumberOrderWithPhoneNumbers> = self.get(url).await?;
        Ok(envelope.data)
    }

    /// `GET /number_orders` with filters and paging (for example
    /// `filter[customer_reference]`).
    pub async fn list_number_orders(
        &self,
        query: &ListNumberOrdersQuery,
    ) -> Result<ListEnvelope<NumberOrder>, TelnyxError> {
        let url = self.url(&["number_orders"], &query.to_query_pairs())?;
        self.get(url).await
    }

    /// `GET /number_orders?filter[customer_reference]=…`: the orders placed
    /// with our reference (first page of up to 250).
    pub async fn find_number_orders_by_reference(
        &self,
        customer_reference: &str,
    ) -> Result<Vec<NumberOrder>, TelnyxError> {
        let query = ListNumberOrdersQuery {
            customer_reference: Some(customer_reference.to_owned()),
            page_number: Some(1),
            page_size: Some(250),
            ..ListNumberOrdersQuery::default()
        };
        Ok(self.list_number_orders(&query).await?.data)
    }

    /// `GET /number_order_phone_numbers`: numbers in orders, optionally for
    /// one country (`filter[country_code]`, the only filter the spec has).
    pub async fn list_number_order_phone_numbers(
        &self,
        country_code: Option<&str>,
    ) -> Result<ListEnvelope<NumberOrderPhoneNumber>, TelnyxError> {
        let pairs: Vec<(String, String)> = country_code
            .map(|c| vec![("filter[country_code]".to_owned(), c.to_owned())])
            .unwrap_or_default();
        let url = self.url(&["number_order_phone_numbers"], &pairs)?;
        self.get(url).await
    }

    /// `GET /number_order_phone_numbers/{id}`: one number of an order.
    pub async fn get_number_order_phone_number(
        &self,
        number_order_phone_number_id: &str,
    ) -> Result<NumberOrderPhoneNumber, TelnyxError> {
        let url = self.url(
            &[
                "number_order_phone_numbers",
                non_empty(number_order_phone_number_id)?,
            ],
            &[],
        )?;
        let envelope: DataEnvelope<NumberOrderPhoneNumber> = self.get(url).await?;
        Ok(envelope.data)
    }

    /// `GET /sub_number_orders/{id}`: one sub-order (one country and number
    /// type of an order) with its regulatory requirements.
    pub async fn get_sub_number_order(
        &self,
        sub_number_order_id: &str,
        include_phone_numbers: bool,
    ) -> Result<SubNumberOrder, TelnyxError> {
        let pairs = [(
            "filter[include_phone_numbers]".to_owned(),
            include_phone_numbers.to_string(),
        )];
        let url = self.url(
            &["sub_number_orders", non_empty(sub_number_order_id)?],
            &pairs,
        )?;
        let envelope: DataEnvelope<SubNumberOrder> = self.get(url).await?;
        Ok(envelope.data)
    }

    /// `GET /sub_number_orders?filter[order_request_id]=…`: the sub-orders of
    /// one order.
    pub async fn list_sub_number_orders(
        &self,
        order_request_id: &str,
    ) -> Result<ListEnvelope<SubNumberOrder>, TelnyxError> {
        let pairs = [(
            "filter[order_request_id]".to_owned(),
            non_empty(order_request_id)?.to_owned(),
        )];
        let url = self.url(&["sub_number_orders"], &pairs)?;
        self.get(url).await
    }

    pub(crate) fn url(
        &self,
        segments: &[&str],
        query: &[(String, String)],
    ) -> Result<Url, TelnyxError> {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| TelnyxError::InvalidRequest("base URL cannot be a base".into()))?
            .pop_if_empty()
            .extend(segments);
        url.set_query(None);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, TelnyxError> {
        self.retry
            .run(Idempotency::Idempotent, || {
                self.send_once(Method::GET, url.clone(), None)
            })
            .await
    }

    pub(crate) async fn send_once<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<T, TelnyxError> {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| TelnyxError::from_reqwest(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TelnyxError::from_reqwest(&e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| TelnyxError::Decode {
                status: status.as_u16(),
                message: e.to_string(),
            });
        }
        let errors = parse_errors(status, &bytes);
        Err(if status == StatusCode::TOO_MANY_REQUESTS {
            TelnyxError::RateLimited {
                retry_after: retry_after(&headers, Utc::now()),
                errors,
            }
        } else if status.is_server_error() {
            TelnyxError::Server {
                status: status.as_u16(),
                errors,
            }
        } else {
            TelnyxError::Api {
                status: status.as_u16(),
                errors,
            }
        })
    }
}

pub(crate) fn non_empty(id: &str) -> Result<&str, TelnyxError> {
    if id.trim().is_empty() {
        Err(TelnyxError::InvalidRequest("empty id".into()))
    } else {
        Ok(id)
    }
}

/// Telnyx's `errors[]`, or one synthetic error holding the start of a body
/// that is not the documented shape (a proxy's HTML page, say).
fn parse_errors(status: StatusCode, bytes: &[u8]) -> Vec<TelnyxApiError> {
    if let Ok(body) = serde_json::from_slice::<ApiErrorBody>(bytes) {
        if !body.errors.is_empty() {
            return body.errors;
        }
    }
    if bytes.is_empty() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(bytes);
    let snippet: String = text.chars().take(200).collect();
    vec![TelnyxApiError {
        code: format!("http_{}", status.as_u16()),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        detail: Some(snippet),
        ..TelnyxApiError::default()
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;

    fn client(base: &str) -> Option<TelnyxClient> {
        let key = ApiKey::new("k").ok()?;
        let config = ClientConfig::new(key).with_base_url(Url::parse(base).ok()?);
        TelnyxClient::new(&config).ok()
    }

    #[test]
    fn builds_urls_under_the_base_path() {
        let Some(c) = client("https://api.telnyx.com/v2") else {
            panic!("client");
        };
        let url = c
            .url(&["number_orders", "a/b c"], &[])
            .map(|u| u.to_string());
        assert_eq!(
            url.ok().as_deref(),
            Some("https://api.telnyx.com/v2/number_orders/a%2Fb%20c")
        );
        let Some(c) = client("http://127.0.0.1:4010/") else {
            panic!("client");
        };
        let pairs = [("filter[customer_reference]".to_owned(), "a&b".to_owned())];
        let url = c.url(&["number_orders"], &pairs).map(|u| u.to_string());
        assert_eq!(
            url.ok().as_deref(),
            Some("http://127.0.0.1:4010/number_orders?filter%5Bcustomer_reference%5D=a%26b")
        );
    }

    #[test]
    fn parses_error_bodies() {
        let body = br#"{"errors":[{"code":"10015","title":"Bad Request","detail":"x","source":{"pointer":"/phone_numbers"}}]}"#;
        let errors = parse_errors(StatusCode::UNPROCESSABLE_ENTITY, body);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "10015");
        assert_eq!(
            errors[0].source.as_ref().and_then(|s| s.pointer.as_deref()),
            Some("/phone_numbers")
        );
        let html = parse_errors(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(html[0].code, "http_502");
        assert!(parse_errors(StatusCode::BAD_GATEWAY, b"").is_empty());
    }
}
