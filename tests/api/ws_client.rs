//! The graphql-transport-ws client of the subscription tests: connect with
//! the key in `connection_init`, send a message, and read the next protocol
//! message (or close code) within a wait the caller chooses.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// A client websocket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `base`'s `/graphql/ws` and sends `connection_init` with `key`; the
/// answer (ack or refusal) is the caller's to read.
pub async fn connect(base: &str, key: &str) -> Socket {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connects");
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {key}")}}),
    )
    .await;
    socket
}

/// Sends one protocol message.
pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("sends");
}

/// The next protocol message within `wait` (pings answered and skipped);
/// `None` when the socket closed. Panics when nothing came in time.
pub async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(wait, socket.next())
            .await
            .unwrap_or_else(|_| panic!("a message within {wait:?}"))?;
        match message.ok()? {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).expect("json");
                if value["type"] == "ping" {
                    send(socket, json!({"type": "pong"})).await;
                    continue;
                }
                return Some(value);
            }
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// The code of the socket's next close frame within `wait`.
pub async fn close_code(socket: &mut Socket, wait: Duration) -> Option<u16> {
    loop {
        let message = tokio::time::timeout(wait, socket.next())
            .await
            .unwrap_or_else(|_| panic!("a message within {wait:?}"))?;
        if let Message::Close(frame) = message.ok()? {
            return frame.map(|f| f.code.into());
        }
    }
}
