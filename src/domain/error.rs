//! The ways a request can fail, each with the stable code every adapter reports. (How HTTP callers see
//! each kind, its status, is the HTTP adapter's business: see `status_of` there.)

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
    /// Connect kept throttling after the SDK's retries.
    Throttled,
    /// Connect failed, answered something unreadable, or could not be reached.
    Upstream,
    /// Connect did not answer before our deadline.
    UpstreamTimeout,
    /// Anything else: a fault of this function or of its configuration.
    Internal,
    /// An attached file that is not ready yet (PROCESSING, DRAFTING): ask again later.
    FileNotReady,
    /// An attached file that will never open (REJECTED, FAILED, DELETED).
    FileUnavailable,
    /// The recordings routes of a deployment that configured no recordings bucket (`RECORDINGS_BUCKET`).
    RecordingsNotConfigured,
    /// A recording Connect lists as DELETED: no link, ever.
    RecordingDeleted,
    /// A recording stored outside the deployment's recordings bucket and prefix, or not in S3: never signed.
    RecordingOutOfScope,
}

impl ErrorKind {
    /// Every kind, for tests and documentation that must cover the whole table.
    pub(crate) const ALL: [ErrorKind; 12] = [
        ErrorKind::Validation,
        ErrorKind::AccessDenied,
        ErrorKind::NotFound,
        ErrorKind::Throttled,
        ErrorKind::Upstream,
        ErrorKind::UpstreamTimeout,
        ErrorKind::Internal,
        ErrorKind::FileNotReady,
        ErrorKind::FileUnavailable,
        ErrorKind::RecordingsNotConfigured,
        ErrorKind::RecordingDeleted,
        ErrorKind::RecordingOutOfScope,
    ];

    /// The stable, machine-readable code: the one table of codes.
    pub(crate) const fn code(self) -> &'static str {
        match self {
            ErrorKind::Validation => "VALIDATION_ERROR",
            ErrorKind::AccessDenied => "ACCESS_DENIED",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Throttled => "THROTTLED",
            ErrorKind::Upstream => "UPSTREAM_ERROR",
            ErrorKind::UpstreamTimeout => "UPSTREAM_TIMEOUT",
            ErrorKind::Internal => "INTERNAL_ERROR",
            ErrorKind::FileNotReady => "FILE_NOT_READY",
            ErrorKind::FileUnavailable => "FILE_UNAVAILABLE",
            ErrorKind::RecordingsNotConfigured => "RECORDINGS_NOT_CONFIGURED",
            ErrorKind::RecordingDeleted => "RECORDING_DELETED",
            ErrorKind::RecordingOutOfScope => "RECORDING_OUT_OF_SCOPE",
        }
    }
}

/// How much of a caller's value an error message quotes back.
pub(crate) const QUOTE_LIMIT: usize = 64;

/// Quotes a caller's value for an error message, cut short and with control characters escaped.
pub(crate) fn quote(value: &str) -> String {
    let mut quoted: String = value.chars().take(QUOTE_LIMIT).flat_map(char::escape_debug).collect();
    if value.chars().count() > QUOTE_LIMIT {
        quoted.push('…');
    }
    format!("\"{quoted}\"")
}

/// A failure with a message meant for the person calling: no SDK debug text, no customer data
/// beyond what the caller sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into() }
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Validation, message)
    }

    pub(crate) fn code(&self) -> &'static str {
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
    fn codes_match_the_published_table() {
        let codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            codes,
            [
                "VALIDATION_ERROR",
                "ACCESS_DENIED",
                "NOT_FOUND",
                "THROTTLED",
                "UPSTREAM_ERROR",
                "UPSTREAM_TIMEOUT",
                "INTERNAL_ERROR",
                "FILE_NOT_READY",
                "FILE_UNAVAILABLE",
                "RECORDINGS_NOT_CONFIGURED",
                "RECORDING_DELETED",
                "RECORDING_OUT_OF_SCOPE"
            ]
        );
    }

    #[test]
    fn every_code_is_distinct() {
        let codes: HashSet<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }
}
