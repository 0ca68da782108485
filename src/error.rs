//! The ways a request can fail, each with the stable code and HTTP status that every adapter reports.

use std::fmt;

/// A failure kind. Its [`code`](ErrorKind::code) is part of the public contract: callers branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller sent something we, or Connect, cannot accept.
    Validation,
    /// The instance is not one this deployment serves, or Connect refused our role.
    AccessDenied,
    /// No such contact or instance in Connect, or no such route.
    NotFound,
    /// Only GET and HEAD exist.
    MethodNotAllowed,
    /// Connect kept throttling after the SDK's retries.
    Throttled,
    /// Connect failed, answered something unreadable, or could not be reached.
    Upstream,
    /// Connect did not answer before our deadline.
    UpstreamTimeout,
    /// Anything else: a fault of this function or of its configuration.
    Internal,
}

impl ErrorKind {
    /// Every kind, for tests and documentation that must cover the whole table.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::Validation,
        ErrorKind::AccessDenied,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Throttled,
        ErrorKind::Upstream,
        ErrorKind::UpstreamTimeout,
        ErrorKind::Internal,
    ];

    /// The one table of codes and statuses.
    const fn row(self) -> (&'static str, u16) {
        match self {
            ErrorKind::Validation => ("VALIDATION_ERROR", 400),
            ErrorKind::AccessDenied => ("ACCESS_DENIED", 403),
            ErrorKind::NotFound => ("NOT_FOUND", 404),
            ErrorKind::MethodNotAllowed => ("METHOD_NOT_ALLOWED", 405),
            ErrorKind::Throttled => ("THROTTLED", 429),
            ErrorKind::Upstream => ("UPSTREAM_ERROR", 502),
            ErrorKind::UpstreamTimeout => ("UPSTREAM_TIMEOUT", 504),
            ErrorKind::Internal => ("INTERNAL_ERROR", 500),
        }
    }

    /// The stable, machine-readable code.
    pub const fn code(self) -> &'static str {
        self.row().0
    }

    /// The HTTP status an HTTP caller sees.
    pub const fn status(self) -> u16 {
        self.row().1
    }
}

/// A failure with a message meant for the person calling: no SDK debug text, no customer data
/// beyond what the caller sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Validation, message)
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_statuses_match_the_published_table() {
        let table: Vec<(&str, u16)> = ErrorKind::ALL.iter().map(|k| (k.code(), k.status())).collect();
        assert_eq!(
            table,
            [
                ("VALIDATION_ERROR", 400),
                ("ACCESS_DENIED", 403),
                ("NOT_FOUND", 404),
                ("METHOD_NOT_ALLOWED", 405),
                ("THROTTLED", 429),
                ("UPSTREAM_ERROR", 502),
                ("UPSTREAM_TIMEOUT", 504),
                ("INTERNAL_ERROR", 500),
            ]
        );
    }

    #[test]
    fn every_code_is_distinct() {
        let codes: HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }
}
