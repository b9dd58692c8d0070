//! Running Prism on Telnyx's full published spec behind a recording proxy,
//! for the contract tests of the release endpoints (the same harness as
//! `prism_contract.rs`): the spec at
//! `<workspace>/../shared/telnyx/telnyx-openapi-spec3.full.yml` (or
//! `TELNYX_SPEC_PATH`), Prism from `.tools/prism`, `PRISM_BIN` or `PATH`.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub violations: Option<String>,
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn spec_path() -> PathBuf {
    match std::env::var_os("TELNYX_SPEC_PATH") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_root().join("../shared/telnyx/telnyx-openapi-spec3.full.yml"),
    }
}

pub fn prism_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("PRISM_BIN").filter(|b| !b.is_empty()) {
        return Some(PathBuf::from(bin));
    }
    let local = workspace_root().join(".tools/prism/node_modules/.bin/prism");
    if local.is_file() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("prism"))
            .find(|candidate| candidate.is_file())
    })
}

pub fn required() -> bool {
    std::env::var("NUMBERDESK_REQUIRE_PRISM").is_ok_and(|v| v == "1")
}

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("local addr").port()
}

/// A recording proxy in front of Prism: strips the `/v2` base path, keeps
/// every status and `sl-violations` header, and can ask Prism for a chosen
/// error (`Prefer: code=…`) when the path holds `prefer-<code>`.
pub async fn start_proxy(
    prism: Url,
    log: Arc<Mutex<Vec<Exchange>>>,
) -> (Url, tokio::task::JoinHandle<()>) {
    let http = reqwest::Client::new();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let http = http.clone();
            let prism = prism.clone();
            let log = log.clone();
            async move {
                let path = uri
                    .path()
                    .strip_prefix("/v2")
                    .unwrap_or(uri.path())
                    .to_owned();
                let mut target = prism.clone();
                target.set_path(&path);
                target.set_query(uri.query());
                let mut request = http.request(method.clone(), target).body(body.to_vec());
                for name in ["authorization", "content-type", "accept"] {
                    if let Some(value) = headers.get(name) {
                        request = request.header(name, value.clone());
                    }
                }
                if let Some(code) = path.split("prefer-").nth(1) {
                    request = request.header("prefer", format!("code={code}"));
                }
                let response = match request.send().await {
                    Ok(response) => response,
                    Err(err) => {
                        return (StatusCode::BAD_GATEWAY, format!("proxy: {err}")).into_response()
                    }
                };
                let status = response.status().as_u16();
                let violations = response
                    .headers()
                    .get("sl-violations")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let bytes = response.bytes().await.unwrap_or_default();
                log.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Exchange {
                        method,
                        path,
                        status,
                        violations,
                    });
                let mut out: Response = (
                    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                    bytes.to_vec(),
                )
                    .into_response();
                out.headers_mut()
                    .insert("content-type", HeaderValue::from_static("application/json"));
                out
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let addr = listener.local_addr().expect("proxy addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (
        Url::parse(&format!("http://{addr}/v2")).expect("proxy url"),
        task,
    )
}

pub async fn wait_until_ready(child: &mut tokio::process::Child, base: &Url, log_path: &Path) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("http client");
    let probe = base.join("number_orders/ready-probe").expect("probe url");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            panic!("prism exited early ({status}):\n{log}");
        }
        if http
            .get(probe.clone())
            .bearer_auth("probe")
            .send()
            .await
            .is_ok()
        {
            return;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            panic!("prism did not start within 90 s:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// How Prism answers: the spec's examples, or responses generated from its
/// schemas with a fixed seed (reproducible in CI).
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// The spec's examples.
    Static,
    /// Generated responses, with this seed.
    Dynamic(u32),
}

/// A running Prism mock and the proxy in front of it.
pub struct Prism {
    /// The proxy's base URL (with `/v2`), for the client.
    pub base_url: Url,
    /// Every exchange through the proxy.
    pub exchanges: Arc<Mutex<Vec<Exchange>>>,
    child: tokio::process::Child,
    proxy: tokio::task::JoinHandle<()>,
    log_path: PathBuf,
}

impl Prism {
    /// Starts Prism in `mode`; `None` (after printing SKIPPED) without Prism,
    /// unless `NUMBERDESK_REQUIRE_PRISM=1`, where it panics.
    pub async fn start(mode: Mode) -> Option<Prism> {
        let spec = spec_path();
        let Some(prism) = prism_binary() else {
            assert!(
                !required(),
                "NUMBERDESK_REQUIRE_PRISM=1 but prism is not installed (run scripts/install-prism.sh)"
            );
            println!("SKIPPED: prism not installed (run scripts/install-prism.sh)");
            return None;
        };
        assert!(
            spec.is_file(),
            "Telnyx spec not found at {}",
            spec.display()
        );
        let port = free_port();
        let log_path = std::env::temp_dir().join(format!("numberdesk-prism-{port}.log"));
        let log_file = std::fs::File::create(&log_path).expect("prism log file");
        let mut command = tokio::process::Command::new(&prism);
        command
            .arg("mock")
            .arg("-h")
            .arg("127.0.0.1")
            .arg("-p")
            .arg(port.to_string());
        if let Mode::Dynamic(seed) = mode {
            command.arg("--dynamic").arg("--seed").arg(seed.to_string());
        }
        let mut child = command
            .arg(&spec)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone().expect("log file")))
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .expect("start prism");
        let prism_url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("prism url");
        wait_until_ready(&mut child, &prism_url, &log_path).await;
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let (base_url, proxy) = start_proxy(prism_url, exchanges.clone()).await;
        Some(Prism {
            base_url,
            exchanges,
            child,
            proxy,
            log_path,
        })
    }

    /// Every exchange so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops Prism and the proxy.
    pub async fn stop(mut self) {
        self.proxy.abort();
        let _ = self.child.kill().await;
        let _ = std::fs::remove_file(&self.log_path);
    }
}
