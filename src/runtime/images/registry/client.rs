//! A small blocking client for the OCI distribution API (`/v2/`): manifests
//! and blobs, with Docker's token flow (`WWW-Authenticate: Bearer realm=…`)
//! and basic auth, every byte checked against its digest.
//!
//! HTTPS always, its certificate verified; a registry configured insecure is
//! tried over HTTPS with any certificate first and over plain HTTP when that
//! fails, as Docker does.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use sha2::{Digest, Sha256};
use ureq::http::Response;
use ureq::Body;

use super::credentials::{self, Credentials};
use super::PullError;
use crate::runtime::images::digest;
use crate::runtime::images::reference::Reference;

/// Largest manifest, index or image configuration accepted.
pub const MAX_DOCUMENT: u64 = 8 * 1024 * 1024;

pub struct Client {
    agent: ureq::Agent,
    host: String,
    repository: String,
    name: String,
    insecure: bool,
    plain_http: Mutex<bool>,
    credentials: Option<Credentials>,
    authorization: Mutex<Option<String>>,
}

impl Client {
    pub fn new(reference: &Reference, insecure: bool) -> Client {
        // As Docker's insecure-registries: any certificate, else plain HTTP.
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(insecure)
            .build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            // An idle registry is a failed pull; a large layer may take long.
            .timeout_per_read(Some(Duration::from_secs(60)))
            .build();
        Client {
            agent: config.into(),
            host: reference.api_host().to_string(),
            repository: reference.repository.clone(),
            name: reference.familiar(),
            insecure,
            plain_http: Mutex::new(false),
            credentials: credentials::lookup(&reference.registry),
            authorization: Mutex::new(None),
        }
    }

    fn url(&self, path: &str) -> String {
        let scheme = if *lock(&self.plain_http) {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}/v2/{}/{path}", self.host, self.repository)
    }

    /// GET with the current authorization; on 401, authenticates and retries once.
    fn get(&self, path: &str, accept: &str) -> Result<Response<Body>, PullError> {
        self.get_from(path, accept, None)
    }

    /// [`Client::get`], from byte `from` on when given (`Range: bytes=N-`).
    fn get_from(
        &self,
        path: &str,
        accept: &str,
        from: Option<u64>,
    ) -> Result<Response<Body>, PullError> {
        let mut authenticated = false;
        loop {
            let response = self.send(path, accept, from)?;
            let status = response.status().as_u16();
            if status == 401 && !authenticated {
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                self.authenticate(&challenge)?;
                authenticated = true;
                continue;
            }
            return match status {
                200..=299 => Ok(response),
                401 | 403 => Err(self.denied()),
                404 => Err(PullError::NotFound {
                    name: self.name.clone(),
                    what: path.to_string(),
                }),
                _ => Err(PullError::Status {
                    url: self.url(path),
                    status,
                }),
            };
        }
    }

    fn send(
        &self,
        path: &str,
        accept: &str,
        from: Option<u64>,
    ) -> Result<Response<Body>, PullError> {
        loop {
            let url = self.url(path);
            let mut request = self.agent.get(&url).header("Accept", accept);
            if let Some(from) = from {
                request = request.header("Range", format!("bytes={from}-"));
            }
            if let Some(auth) = lock(&self.authorization).clone() {
                request = request.header("Authorization", auth);
            }
            match request.call() {
                Ok(response) => return Ok(response),
                Err(e) if self.insecure && !*lock(&self.plain_http) && !is_status(&e) => {
                    tracing::debug!("{url}: {e}; insecure registry, trying plain HTTP");
                    *lock(&self.plain_http) = true;
                }
                Err(e) => {
                    let mut reason = e.to_string();
                    // Unreachable is unreachable; a TLS or protocol failure may be plain HTTP.
                    if !self.insecure && !is_status(&e) && !unreachable(&e) {
                        reason.push_str(
                            " (a registry speaking plain HTTP must be listed in insecure-registries)",
                        );
                    }
                    return Err(PullError::Http { url, reason });
                }
            }
        }
    }

    fn denied(&self) -> PullError {
        PullError::Denied {
            name: self.name.clone(),
            with_credentials: self.credentials.is_some(),
        }
    }

    fn basic(&self) -> Option<String> {
        self.credentials.as_ref().map(|c| {
            let raw = format!("{}:{}", c.username, c.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        })
    }

    /// Answers a `WWW-Authenticate` challenge: basic credentials, or a bearer
    /// token from the realm (with the credentials, when there are some).
    fn authenticate(&self, challenge: &str) -> Result<(), PullError> {
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            let basic = self.basic().ok_or_else(|| self.denied())?;
            *lock(&self.authorization) = Some(basic);
            return Ok(());
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(self.denied());
        }
        let params = parse_params(params);
        let param = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let realm = param("realm").ok_or_else(|| self.denied())?;
        let scope =
            param("scope").unwrap_or_else(|| format!("repository:{}:pull", self.repository));
        let url = token_url(&realm, &scope, param("service").as_deref());
        let mut request = self.agent.get(&url);
        if let Some(basic) = self.basic() {
            request = request.header("Authorization", basic);
        }
        let mut response = request.call().map_err(|e| PullError::Http {
            url: realm.clone(),
            reason: e.to_string(),
        })?;
        if !response.status().is_success() {
            return Err(self.denied());
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT)
            .read_to_vec()
            .map_err(|e| PullError::Http {
                url: realm.clone(),
                reason: e.to_string(),
            })?;
        let token: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| PullError::Http {
                url: realm.clone(),
                reason: format!("invalid token response: {e}"),
            })?;
        let token = token["token"]
            .as_str()
            .or(token["access_token"].as_str())
            .ok_or_else(|| self.denied())?;
        *lock(&self.authorization) = Some(format!("Bearer {token}"));
        Ok(())
    }

    /// A manifest or index by tag or digest: its bytes and digest (checked
    /// when asked for by digest).
    pub fn manifest(&self, reference: &str) -> Result<(Vec<u8>, String), PullError> {
        let path = format!("manifests/{reference}");
        let mut response = self.get(&path, crate::runtime::images::oci::MANIFEST_ACCEPT)?;
        let bytes = read_limited(&mut response, &self.url(&path))?;
        let actual = digest::format(Sha256::new_with_prefix(&bytes));
        if reference.contains(':') && actual != reference {
            return Err(mismatch(
                &format!("manifest of {}", self.name),
                reference,
                actual,
            ));
        }
        Ok((bytes, actual))
    }

    /// A small blob (the image configuration), checked.
    pub fn small_blob(&self, blob_digest: &str) -> Result<Vec<u8>, PullError> {
        let path = format!("blobs/{blob_digest}");
        let mut response = self.get(&path, "*/*")?;
        let bytes = read_limited(&mut response, &self.url(&path))?;
        let actual = digest::format(Sha256::new_with_prefix(&bytes));
        if actual != blob_digest {
            return Err(mismatch(
                &format!("blob {blob_digest}"),
                blob_digest,
                actual,
            ));
        }
        Ok(bytes)
    }

    /// Downloads a blob of `size` bytes into `file`, continuing after the
    /// bytes it already holds (a `Range` request; from the start when the
    /// registry answers with the whole blob). Every byte, old and new, is
    /// hashed: more bytes than announced or a digest other than `blob_digest`
    /// is refused, and the file is then emptied. On any other failure the
    /// bytes received stay, for the next pull. `progress` gets every chunk.
    pub fn blob_to_file(
        &self,
        blob_digest: &str,
        size: u64,
        file: &mut File,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), PullError> {
        let path = format!("blobs/{blob_digest}");
        let url = self.url(&path);
        let failed = |reason: String| PullError::Http {
            url: url.clone(),
            reason,
        };
        let io_failed = |e: io::Error| failed(format!("partial blob {blob_digest}: {e}"));
        let (mut hasher, mut have) = resume_point(file, size).map_err(io_failed)?;
        if have == size {
            return finish(file, hasher, blob_digest);
        }
        let mut response = self.get_from(&path, "*/*", (have > 0).then_some(have))?;
        if have > 0 && response.status().as_u16() != 206 {
            // The registry sent the whole blob: start over.
            tracing::debug!("{url}: range not honoured; downloading from the start");
            file.set_len(0).map_err(io_failed)?;
            (hasher, have) = (Sha256::new(), 0);
        } else if have > 0 {
            let range = response
                .headers()
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !range.starts_with(&format!("bytes {have}-")) {
                file.set_len(0).map_err(io_failed)?;
                return Err(failed(format!(
                    "asked for bytes {have}- of {blob_digest}, got Content-Range {range:?}"
                )));
            }
            tracing::debug!("{url}: resuming at byte {have} of {size}");
        }
        progress(have);
        file.seek(SeekFrom::Start(have)).map_err(io_failed)?;
        let mut reader = response.body_mut().as_reader().take(size - have + 1);
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = have;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(failed(e.to_string())),
            };
            let chunk = &buf[..n];
            hasher.update(chunk);
            file.write_all(chunk).map_err(io_failed)?;
            total += n as u64;
            progress(n as u64);
        }
        if total > size {
            file.set_len(0).map_err(io_failed)?;
        }
        if total != size {
            return Err(failed(format!(
                "blob {blob_digest}: {total} bytes received, {size} announced"
            )));
        }
        finish(file, hasher, blob_digest)
    }
}

/// Hashes the bytes `file` already holds: the hasher and the offset to
/// continue from (0, emptying the file, when it holds more than `size`).
fn resume_point(file: &mut File, size: u64) -> io::Result<(Sha256, u64)> {
    let have = file.metadata()?.len();
    let mut hasher = Sha256::new();
    if have > size {
        file.set_len(0)?;
        return Ok((hasher, 0));
    }
    file.seek(SeekFrom::Start(0))?;
    let copied = io::copy(&mut (&mut *file).take(have), &mut HashWriter(&mut hasher))?;
    Ok((hasher, copied))
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Checks the complete blob's digest (emptying the file when wrong) and syncs it.
fn finish(file: &mut File, hasher: Sha256, blob_digest: &str) -> Result<(), PullError> {
    let actual = digest::format(hasher);
    if actual != blob_digest {
        let _ = file.set_len(0);
        return Err(mismatch(
            &format!("blob {blob_digest}"),
            blob_digest,
            actual,
        ));
    }
    file.sync_all().map_err(|e| PullError::Http {
        url: blob_digest.to_string(),
        reason: e.to_string(),
    })
}

fn mismatch(what: &str, expected: &str, actual: String) -> PullError {
    PullError::DigestMismatch {
        what: what.to_string(),
        expected: expected.to_string(),
        actual,
    }
}

fn read_limited(response: &mut Response<Body>, url: &str) -> Result<Vec<u8>, PullError> {
    response
        .body_mut()
        .with_config()
        .limit(MAX_DOCUMENT)
        .read_to_vec()
        .map_err(|e| PullError::Http {
            url: url.to_string(),
            reason: e.to_string(),
        })
}

/// A name that does not resolve or a host that does not answer: no hint
/// about plain HTTP (a registry speaking it answers, then fails TLS).
fn unreachable(e: &ureq::Error) -> bool {
    use io::ErrorKind::*;
    match e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => {
            matches!(
                io.kind(),
                ConnectionRefused | NetworkUnreachable | HostUnreachable | TimedOut
            ) || io.to_string().contains("lookup address")
        }
        _ => false,
    }
}

fn is_status(e: &ureq::Error) -> bool {
    matches!(e, ureq::Error::StatusCode(_))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `realm="…",service="…"` → pairs (quoted values may hold commas).
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        params.push((key, value.to_string()));
        rest = after.trim_start_matches(',').trim();
    }
    params
}

/// The token request: the realm (which may carry a query of its own) with
/// `scope` and `service` added.
fn token_url(realm: &str, scope: &str, service: Option<&str>) -> String {
    let separator = if realm.contains('?') { '&' } else { '?' };
    let mut url = format!("{realm}{separator}scope={}", encode(scope));
    if let Some(service) = service {
        url.push_str(&format!("&service={}", encode(service)));
    }
    url
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_challenge_params() {
        let p = parse_params(
            r#"realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push""#,
        );
        assert_eq!(
            p[0],
            ("realm".into(), "https://auth.docker.io/token".into())
        );
        assert_eq!(p[1].1, "registry.docker.io");
        assert_eq!(p[2].1, "repository:library/busybox:pull,push");
        assert_eq!(encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
    }

    #[test]
    fn test_token_url_keeps_the_realm_query() {
        assert_eq!(
            token_url(
                "https://auth.example/token",
                "repository:a:pull",
                Some("reg")
            ),
            "https://auth.example/token?scope=repository%3Aa%3Apull&service=reg"
        );
        assert_eq!(
            token_url(
                "https://auth.example/token?account=x",
                "repository:a:pull",
                None
            ),
            "https://auth.example/token?account=x&scope=repository%3Aa%3Apull"
        );
    }
}
