//! The GraphQL websocket (graphql-transport-ws, and the older
//! subscriptions-transport-ws) around async-graphql's protocol handler:
//!
//! - the first message is read here: a `connection_init` without a valid key
//!   closes the socket with **4403 Forbidden** (async-graphql would close
//!   with 1002), a socket that sends no `connection_init` within 10 s with
//!   4408, anything else first with 4401/4400 as the protocol says;
//! - an accepted `connection_init` is replayed to async-graphql, with the
//!   caller and its key already in the connection data;
//! - at most `GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET` subscriptions run at once:
//!   the next `subscribe` is answered with an `error` for its id, the others
//!   keep running; a completed or stopped one frees its slot.

use crate::state::HttpState;
use async_graphql::http::{
    WebSocket as ProtocolHandler, WebSocketProtocols as Protocols, WsMessage,
};
use async_graphql::Data;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt};
use numberdesk_graphql::schema::{Caller, SubscriberKey};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a new socket may take to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one upgraded websocket until either side closes it.
#[tracing::instrument(name = "graphql_ws", skip_all)]
pub async fn serve(socket: WebSocket, state: HttpState, protocol: Protocols) {
    let (mut sink, mut stream) = socket.split();
    let first = match tokio::time::timeout(INIT_TIMEOUT, next_data(&mut stream)).await {
        Ok(Some(first)) => first,
        Ok(None) => return,
        Err(_) => return close(&mut sink, 4408, "Connection initialisation timeout").await,
    };
    let data = match admit(&state, &first).await {
        Ok(data) => data,
        Err((code, reason)) => return close(&mut sink, code, reason).await,
    };

    let slots = Slots::new(state.app.settings.max_subscriptions_per_socket);
    let (refusals, mut refused) = mpsc::unbounded_channel::<String>();
    let input = {
        let slots = slots.clone();
        futures::stream::once(async move { first }).chain(
            futures::stream::unfold(stream, |mut stream| async move {
                next_data(&mut stream).await.map(|data| (data, stream))
            })
            .filter_map(move |data| {
                let admitted = slots.admit(&data, protocol, &refusals);
                async move { admitted.then_some(data) }
            }),
        )
    };
    let handler = ProtocolHandler::new(state.schema.clone(), input, protocol).connection_data(data);
    let mut handler = Box::pin(handler);
    loop {
        let message = tokio::select! {
            out = handler.next() => match out {
                Some(WsMessage::Text(text)) => {
                    slots.observe_outgoing(&text);
                    Message::Text(text.into())
                }
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })),
                None => break,
            },
            Some(text) = refused.recv() => Message::Text(text.into()),
        };
        if sink.send(message).await.is_err() {
            break;
        }
    }
}

/// The next text or binary message's bytes; `None` once the socket closed.
async fn next_data(stream: &mut futures::stream::SplitStream<WebSocket>) -> Option<Bytes> {
    while let Some(message) = stream.next().await {
        match message.ok()? {
            Message::Text(text) => return Some(Bytes::copy_from_slice(text.as_bytes())),
            Message::Binary(bytes) => return Some(bytes),
            Message::Close(_) => return None,
            Message::Ping(_) | Message::Pong(_) => continue,
        }
    }
    None
}

async fn close(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    code: u16,
    reason: &'static str,
) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    // The client may be gone already; there is nobody left to tell.
    let _ = sink.send(Message::Close(Some(frame))).await;
}

/// Checks the first message: a `connection_init` with a valid key gives the
/// connection's data; anything else, the close code and reason.
async fn admit(state: &HttpState, first: &[u8]) -> Result<Data, (u16, &'static str)> {
    let message: Value = serde_json::from_slice(first).map_err(|_| (4400u16, "Invalid message"))?;
    if message["type"] != "connection_init" {
        return Err((4401, "Unauthorized"));
    }
    let payload = &message["payload"];
    let authorization = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let caller = match Caller::resolve(&state.app, authorization.as_deref()).await {
        Ok(caller) => caller,
        Err(error) => {
            tracing::warn!(error = ?error, "websocket key check failed");
            return Err((1011, "Internal error"));
        }
    };
    // A socket without a valid key could only ever receive errors.
    if let Caller(Err(why)) = &caller {
        tracing::info!(%why, "websocket connection_init refused");
        return Err((4403, "Forbidden"));
    }
    let mut data = Data::default();
    data.insert(caller);
    if let Some(authorization) = authorization {
        data.insert(SubscriberKey(authorization));
    }
    Ok(data)
}

/// The ids of the subscriptions running on one socket.
#[derive(Clone)]
struct Slots {
    active: Arc<Mutex<HashSet<String>>>,
    max: usize,
}

impl Slots {
    fn new(max: usize) -> Self {
        Self {
            active: Arc::new(Mutex::new(HashSet::new())),
            max,
        }
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // The set stays consistent even if a holder panicked.
        self.active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a client message goes on to the protocol handler: a
    /// `subscribe` over the cap does not, and is answered here.
    fn admit(
        &self,
        data: &[u8],
        protocol: Protocols,
        refusals: &mpsc::UnboundedSender<String>,
    ) -> bool {
        let Some((kind, id)) = kind_and_id(data) else {
            return true;
        };
        let mut active = self.active();
        match kind.as_str() {
            "subscribe" | "start" => {
                if active.contains(&id) || active.len() < self.max {
                    active.insert(id);
                    return true;
                }
                let message = format!(
                    "at most {} subscriptions may run on one websocket \
                     (GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET); complete one first",
                    self.max
                );
                let error = json!({"message": message, "extensions": {"code": "RATE_LIMITED"}});
                let payload = match protocol {
                    Protocols::GraphQLWS => json!([error]),
                    Protocols::SubscriptionsTransportWS => error,
                };
                let reply = json!({"type": "error", "id": id, "payload": payload});
                // The receiver lives as long as the socket's loop.
                let _ = refusals.send(reply.to_string());
                false
            }
            "complete" | "stop" => {
                active.remove(&id);
                true
            }
            _ => true,
        }
    }

    /// Frees the slot of a subscription the server completed or failed.
    fn observe_outgoing(&self, text: &str) {
        if let Some((kind, id)) = kind_and_id(text.as_bytes()) {
            if kind == "complete" || kind == "error" {
                self.active().remove(&id);
            }
        }
    }
}

/// A protocol message's `type` and `id`, when it has both.
fn kind_and_id(data: &[u8]) -> Option<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "type")]
        kind: String,
        id: Option<String>,
    }
    let envelope: Envelope = serde_json::from_slice(data).ok()?;
    Some((envelope.kind, envelope.id?))
}

#[cfg(test)]
mod tests {
    use super::Slots;
    use async_graphql::http::WebSocketProtocols as Protocols;

    fn subscribe(id: &str) -> Vec<u8> {
        format!(
            r#"{{"id":"{id}","type":"subscribe","payload":{{"query":"subscription {{ x }}"}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn the_next_subscription_over_the_cap_is_refused_and_a_completed_one_frees_its_slot() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let slots = Slots::new(2);
        assert!(slots.admit(&subscribe("1"), Protocols::GraphQLWS, &tx));
        assert!(slots.admit(&subscribe("2"), Protocols::GraphQLWS, &tx));
        assert!(!slots.admit(&subscribe("3"), Protocols::GraphQLWS, &tx));
        assert!(rx.try_recv().expect("a refusal").contains("\"id\":\"3\""));
        slots.observe_outgoing(r#"{"id":"1","type":"complete"}"#);
        assert!(slots.admit(&subscribe("3"), Protocols::GraphQLWS, &tx));
        assert!(slots.admit(
            br#"{"id":"2","type":"complete"}"#,
            Protocols::GraphQLWS,
            &tx
        ));
        assert!(slots.admit(&subscribe("4"), Protocols::GraphQLWS, &tx));
    }
}
