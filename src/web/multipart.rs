//! Uploads: one extractor, [`CsrfMultipart`], reads a `multipart/form-data` body and checks its
//! `csrf_token` part the same way [`super::forms::CsrfForm`] checks a url-encoded form, so no
//! upload handler checks CSRF by hand. The body limit is the route's `PayloadConfig`.

use std::collections::HashMap;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::access::{Authorized, Policy};
use super::error::AppError;
use super::forms::{body_error, verify_token, LocalFuture};
use crate::auth::csrf;
use crate::domain::lang::Msg;

/// One part of a `multipart/form-data` body.
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file's base name as the browser sent it (no directories), for messages.
    pub filename: Option<String>,
    /// The raw content.
    pub data: Vec<u8>,
}

/// A `multipart/form-data` body whose CSRF token was checked.
pub struct CsrfMultipart {
    parts: Vec<Part>,
}

impl CsrfMultipart {
    /// Take the file part named `field`: its base name (if the browser sent one) and bytes.
    pub fn take_file(&mut self, field: &str) -> Option<(Option<String>, Vec<u8>)> {
        let at = self.parts.iter().position(|p| p.name == field)?;
        let part = self.parts.remove(at);
        Some((part.filename, part.data))
    }

    /// The text parts (after any [`take_file`](Self::take_file)) as field → value.
    pub fn text_fields(&self) -> HashMap<String, String> {
        self.parts
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    String::from_utf8_lossy(&p.data).into_owned(),
                )
            })
            .collect()
    }
}

impl FromRequest for CsrfMultipart {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| body_error(&e, "an upload"))?;
            let parts = parse(&req, &bytes).ok_or_else(|| {
                AppError::BadRequest(Msg::fixed(
                    "Filen skickades inte som multipart/form-data.",
                    "the upload is not multipart/form-data",
                ))
            })?;
            let token = parts
                .iter()
                .find(|p| p.name == csrf::FIELD)
                .map(|p| String::from_utf8_lossy(&p.data).into_owned())
                .unwrap_or_default();
            verify_token(&req, &token)?;
            Ok(CsrfMultipart { parts })
        })
    }
}

/// An upload by a user whose role passes `P`. Access is decided before the body is read: two
/// separate extractors are polled together, and a refused body (no token, too large) could
/// answer before the session lookup does, so a logged-out visitor would see 403 or 413 instead
/// of the login page depending on timing.
pub struct AuthorizedUpload<P: Policy> {
    /// Who uploads.
    pub auth: Authorized<P>,
    /// The checked upload.
    pub upload: CsrfMultipart,
}

impl<P: Policy> FromRequest for AuthorizedUpload<P> {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = Authorized::<P>::from_request(req, payload);
        let upload = CsrfMultipart::from_request(req, payload);
        Box::pin(async move {
            let auth = auth.await?;
            Ok(AuthorizedUpload {
                auth,
                upload: upload.await?,
            })
        })
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A header parameter (`name="…"`) of a part's `Content-Disposition`.
fn param(head: &str, key: &str) -> Option<String> {
    head.split(';')
        .find_map(|p| p.trim().strip_prefix(key))
        .map(|n| n.lines().next().unwrap_or("").trim_matches('"').to_owned())
}

/// The parts of a `multipart/form-data` body (RFC 7578), or `None` when it is not one. A small
/// reader is enough here: forms with a token, a few fields and one file.
// FUTURE: switch to actix-multipart if uploads grow beyond these forms.
fn parse(req: &HttpRequest, body: &[u8]) -> Option<Vec<Part>> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return None;
    }
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    while let Some(next) = find(body, &delimiter, at) {
        let chunk = body.get(at..next)?;
        let chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        let chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
        if let Some(split) = find(chunk, b"\r\n\r\n", 0) {
            let head = String::from_utf8_lossy(chunk.get(..split)?).into_owned();
            // Browsers send the base name; keep only that and nothing that looks like a path.
            let filename = param(&head, "filename=").and_then(|n| {
                let base = n.rsplit(['/', '\\']).next().unwrap_or("").trim();
                (!base.is_empty()).then(|| base.to_owned())
            });
            if let Some(name) = param(&head, "name=") {
                parts.push(Part {
                    name,
                    filename,
                    data: chunk.get(split + 4..)?.to_vec(),
                });
            }
        }
        at = next + delimiter.len();
    }
    Some(parts)
}
