//! Start-up configuration errors: a setting the function refuses to start with. Kept apart from the
//! request error kinds, which are what callers see; these only ever reach the operator, in the log and
//! as the init failure Lambda reports.

use std::fmt;

use crate::domain::settings;

/// An environment variable whose value the function cannot serve with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub(crate) variable: &'static str,
    pub(crate) reason: String,
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

/// The opt-in features a deployment allows (template parameters; off unless set to `true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// `RESOLVE_TRANSFERRED_CONTACTS`: HTTP callers may ask for `contact=initial` (`DescribeContact`).
    pub resolve_transferred_contacts: bool,
    /// `ENABLE_ATTACHMENT_DOWNLOADS`: callers may ask for `include=downloadUrl` (`GetAttachedFile`).
    pub attachment_downloads: bool,
}

impl Features {
    pub fn from_settings(
        resolve_transferred_contacts: Option<&str>,
        attachment_downloads: Option<&str>,
    ) -> Result<Self, SettingError> {
        Ok(Features {
            resolve_transferred_contacts: flag("RESOLVE_TRANSFERRED_CONTACTS", resolve_transferred_contacts)?,
            attachment_downloads: flag("ENABLE_ATTACHMENT_DOWNLOADS", attachment_downloads)?,
        })
    }
}

/// How often this execution environment may call `GetAttachedFile` (`ATTACHED_FILE_RATE` and
/// `ATTACHED_FILE_BURST`; their defaults and ranges are in [`settings`]): by default Connect's general
/// quota, where the operation has none of its own. Lower both when other tools share the account's quota.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileRate {
    pub per_second: f64,
    pub burst: u32,
}

impl FileRate {
    /// Default and range from the settings' one table ([`settings`]).
    pub fn from_settings(rate: Option<&str>, burst: Option<&str>) -> Result<Self, SettingError> {
        let (rate_setting, burst_setting) = (settings::ATTACHED_FILE_RATE, settings::ATTACHED_FILE_BURST);
        let per_second = rate_setting.number(rate).ok_or_else(|| {
            SettingError::new(
                rate_setting.name,
                format!("must be a number of calls a second from {}", words(&rate_setting)),
            )
        })?;
        let burst = burst_setting.whole(burst).ok_or_else(|| {
            SettingError::new(burst_setting.name, format!("must be a whole number from {}", words(&burst_setting)))
        })?;
        Ok(FileRate { per_second, burst })
    }
}

/// A range as an error message says it: "0.01 to 100".
fn words(setting: &settings::Setting) -> String {
    setting.range_in_words().unwrap_or_default().replace('–', " to ")
}

/// One of the function's entry points. Each is deployed as a function of its own, with a role that
/// holds only the Connect actions of that entry point (`template.yaml`), from the same binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPoint {
    /// `GET|HEAD /contact/references/{InstanceId}/{ContactId}`: `ListContactReferences` (and
    /// `DescribeContact` for `contact=initial`); never `GetAttachedFile`.
    List,
    /// `GET|HEAD /contact/attachments/{InstanceId}/{ContactId}/{FileId}`: `GetAttachedFile` only.
    Download,
    /// Amazon Connect contact flows: `ListContactReferences`, and `GetAttachedFile` where the flows'
    /// links are enabled.
    ContactFlow,
    /// `GET|HEAD /contact/recordings/{InstanceId}/{ContactId}[/{RecordingId}]`: `DescribeContact` only,
    /// and S3 links signed for the configured recordings bucket and prefix.
    Recordings,
}

impl EntryPoint {
    pub(crate) const ALL: [EntryPoint; 4] =
        [EntryPoint::List, EntryPoint::Download, EntryPoint::ContactFlow, EntryPoint::Recordings];

    /// The `ENTRY_POINT` value naming it.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            EntryPoint::List => "list",
            EntryPoint::Download => "download",
            EntryPoint::ContactFlow => "contact-flow",
            EntryPoint::Recordings => "recordings",
        }
    }
}

/// The entry points this function serves (`ENTRY_POINT`): one name, or `all`. In Lambda (where
/// `AWS_LAMBDA_FUNCTION_NAME` is set) it must be said: an unset `ENTRY_POINT` stops start-up instead of
/// serving every entry point with one role, and `all` is how the tests, `scripts/local` and
/// `cargo lambda watch` ask for them all. Outside Lambda, unset is `all`. Every function of the template
/// names exactly one (`tests/template_test.py`), and refuses the events of the others before any call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryPoints {
    only: Option<EntryPoint>,
}

impl Default for EntryPoints {
    fn default() -> Self {
        EntryPoints::all()
    }
}

impl EntryPoints {
    pub const fn all() -> Self {
        EntryPoints { only: None }
    }

    pub const fn only(entry_point: EntryPoint) -> Self {
        EntryPoints { only: Some(entry_point) }
    }

    pub(crate) fn serves(self, entry_point: EntryPoint) -> bool {
        self.only.is_none_or(|only| only == entry_point)
    }

    /// `in_lambda`: whether the process runs in Lambda (or its emulator), where the setting is required.
    pub fn from_setting(setting: Option<&str>, in_lambda: bool) -> Result<Self, SettingError> {
        let Some(value) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
            if in_lambda {
                return Err(SettingError::new(
                    "ENTRY_POINT",
                    "must be set in Lambda: list, download, contact-flow, or all to serve every entry point",
                ));
            }
            return Ok(EntryPoints::all());
        };
        if value.eq_ignore_ascii_case("all") {
            return Ok(EntryPoints::all());
        }
        EntryPoint::ALL
            .into_iter()
            .find(|e| value.eq_ignore_ascii_case(e.name()))
            .map(EntryPoints::only)
            .ok_or_else(|| SettingError::new("ENTRY_POINT", "must be list, download, contact-flow, recordings or all"))
    }
}

/// `true` or `false` (any case); unset or empty is `false`.
fn flag(variable: &'static str, setting: Option<&str>) -> Result<bool, SettingError> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(false),
        Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(SettingError::new(variable, "must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_off_unless_set_to_true_and_other_values_stop_start_up() {
        assert_eq!(Features::from_settings(None, None).unwrap(), Features::default());
        assert!(!Features::from_settings(Some(""), Some("")).unwrap().resolve_transferred_contacts);
        assert!(!Features::from_settings(Some("FALSE"), None).unwrap().resolve_transferred_contacts);
        let both = Features::from_settings(Some("True"), Some("true")).unwrap();
        assert!(both.resolve_transferred_contacts && both.attachment_downloads);
        let refused = Features::from_settings(Some("yes"), None).unwrap_err();
        assert_eq!(refused.to_string(), "RESOLVE_TRANSFERRED_CONTACTS: must be true or false");
        let refused = Features::from_settings(None, Some("1")).unwrap_err();
        assert_eq!(refused.to_string(), "ENABLE_ATTACHMENT_DOWNLOADS: must be true or false");
    }

    #[test]
    fn entry_points_are_one_name_or_all_and_unset_is_all_only_outside_lambda() {
        assert_eq!(EntryPoints::from_setting(None, false).unwrap(), EntryPoints::all());
        assert_eq!(EntryPoints::from_setting(Some("ALL"), false).unwrap(), EntryPoints::all());
        assert_eq!(EntryPoints::from_setting(Some("all"), true).unwrap(), EntryPoints::all());
        for unset in [None, Some(""), Some("  ")] {
            let refused = EntryPoints::from_setting(unset, true).unwrap_err();
            assert_eq!(refused.variable, "ENTRY_POINT", "{unset:?}");
            assert!(refused.to_string().contains("must be set in Lambda"), "{refused}");
        }
        let list = EntryPoints::from_setting(Some("list"), true).unwrap();
        assert!(list.serves(EntryPoint::List));
        assert!(!list.serves(EntryPoint::Download) && !list.serves(EntryPoint::ContactFlow));
        let recordings = EntryPoints::from_setting(Some("recordings"), true).unwrap();
        assert!(recordings.serves(EntryPoint::Recordings) && !recordings.serves(EntryPoint::List));
        assert!(!list.serves(EntryPoint::Recordings));
        let flows = EntryPoints::from_setting(Some(" Contact-Flow "), true).unwrap();
        assert_eq!(flows, EntryPoints::only(EntryPoint::ContactFlow));
        assert!(EntryPoint::ALL.iter().all(|e| EntryPoints::all().serves(*e)));
        for bad in ["flows", "list,download", "*"] {
            assert_eq!(EntryPoints::from_setting(Some(bad), true).unwrap_err().variable, "ENTRY_POINT", "{bad}");
        }
    }

    #[test]
    fn the_file_rate_defaults_to_connects_general_quota_and_refuses_nonsense() {
        assert_eq!(FileRate::from_settings(None, Some("")).unwrap(), FileRate { per_second: 2.0, burst: 5 });
        assert_eq!(FileRate::from_settings(Some("0.5"), Some("1")).unwrap(), FileRate { per_second: 0.5, burst: 1 });
        assert_eq!(FileRate::from_settings(Some("0"), None).unwrap_err().variable, "ATTACHED_FILE_RATE");
        assert_eq!(FileRate::from_settings(Some("NaN"), None).unwrap_err().variable, "ATTACHED_FILE_RATE");
        assert_eq!(FileRate::from_settings(None, Some("0")).unwrap_err().variable, "ATTACHED_FILE_BURST");
    }
}
