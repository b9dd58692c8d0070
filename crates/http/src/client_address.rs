//! The client's address of a request. [`crate::serve::serve`] puts it into
//! every request's extensions; the rate limits read it here. Its own module,
//! so that the limits need not import the server loop (which imports the
//! limits).

use axum::extract::ConnectInfo;
use std::net::SocketAddr;

/// The address of the client of a request, when served by
/// [`crate::serve::serve`].
pub fn client_address(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address)
}
