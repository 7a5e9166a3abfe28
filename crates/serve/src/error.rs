//! Errors a request can end in, each with its HTTP status and a JSON body
//! `{"error": CODE, "message": TEXT}`.

use crate::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Why a request was not served. Verdicts against a program are never errors: they are
/// answered with 200 and the result.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not the JSON the endpoint expects, or a field has an invalid value.
    #[error("{0}")]
    BadRequest(String),
    /// The language is not one this server runs.
    #[error("unsupported language `{0}`: this server runs python, cpp and c (and wasm/wat)")]
    UnsupportedLanguage(String),
    /// The body is over the configured limit.
    #[error("request body is larger than this server's limit of {0} bytes")]
    TooLarge(usize),
    /// Every queue slot is taken.
    #[error("the server is busy ({0} requests admitted, the queue is full); retry later")]
    Busy(usize),
    /// A token is configured and the request did not carry it.
    #[error("missing or wrong bearer token (send `Authorization: Bearer TOKEN`)")]
    Unauthorized,
    /// Any other rejection of the request body by the HTTP layer.
    #[error("{message}")]
    Rejected {
        /// The status the HTTP layer chose.
        status: StatusCode,
        /// Its explanation.
        message: String,
    },
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::UnsupportedLanguage(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Rejected { status, .. } => *status,
        }
    }

    /// A short machine-readable code for the body's `error` field.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::UnsupportedLanguage(_) => "unsupported_language",
            ApiError::TooLarge(_) => "body_too_large",
            ApiError::Busy(_) => "busy",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Rejected { .. } => "rejected",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code(), "message": self.to_string()});
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Busy(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

/// A JSON body decoded whatever its `Content-Type`; every failure is an [`ApiError`] with a
/// clear message (413 over the body limit, 400 for malformed JSON or wrong fields).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(state.config().max_body_bytes),
                status => ApiError::Rejected {
                    status,
                    message: rejection.body_text(),
                },
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
    }
}
