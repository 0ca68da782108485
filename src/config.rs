//! Start-up configuration errors: a setting the function refuses to start with. Kept apart from the
//! request error kinds, which are what callers see; these only ever reach the operator, in the log and
//! as the init failure Lambda reports.

use std::fmt;

/// An environment variable whose value the function cannot serve with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub variable: &'static str,
    pub reason: String,
}

impl SettingError {
    pub fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        SettingError { variable, reason: reason.into() }
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.reason)
    }
}

impl std::error::Error for SettingError {}
