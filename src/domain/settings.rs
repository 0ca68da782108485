//! Every environment variable the function reads, in one typed table: its name, its default, its range
//! and what it means, and the template parameters that set it in a deployment (with their own defaults
//! where a deployment wants another, and why). The parsers take their defaults and ranges from here;
//! `tests/it/facts.rs` checks the template's parameters (Default, MinValue, MaxValue, AllowedValues) and
//! docs/deployment.md's table of variables against it, so that none of the four can drift.

/// What values a setting takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// `true` or `false`, any case; unset or empty is the default.
    Flag,
    /// A number from `min` to `max`.
    Number { min: f64, max: f64 },
    /// A whole number from `min` to `max`.
    Whole { min: u32, max: u32 },
    /// Free text, checked by its own parser.
    Text,
}

/// A template parameter that sets a setting in a deployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameter {
    pub name: &'static str,
    /// The parameter's Default, as template.yaml writes it.
    pub default: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub name: &'static str,
    /// The value when unset; `None` where unset means "off" or "none" rather than a value.
    pub default: Option<&'static str>,
    pub range: Range,
    pub meaning: &'static str,
    /// The template parameters that set it (one per function that gets it).
    pub parameters: &'static [Parameter],
    /// Why a parameter's default differs from the setting's own, where one does.
    pub why_the_template_differs: Option<&'static str>,
}

pub(crate) const ALLOWED_INSTANCE_IDS: Setting = Setting {
    name: "ALLOWED_INSTANCE_IDS",
    default: None,
    range: Range::Text,
    meaning: "comma-separated bare instance ids or instance ARNs; any other instance gets 403 before any call",
    parameters: &[],
    why_the_template_differs: None,
};

pub(crate) const ENTRY_POINT: Setting = Setting {
    name: "ENTRY_POINT",
    default: None,
    range: Range::Text,
    meaning: "list, download, contact-flow, recordings or all; required in Lambda",
    parameters: &[],
    why_the_template_differs: None,
};

pub(crate) const ENABLE_ATTACHMENT_DOWNLOADS: Setting = Setting {
    name: "ENABLE_ATTACHMENT_DOWNLOADS",
    default: Some("false"),
    range: Range::Flag,
    meaning: "lets this function call GetAttachedFile",
    parameters: &[
        Parameter { name: "EnableAttachmentDownloads", default: "false" },
        Parameter { name: "FlowAttachmentLinks", default: "false" },
    ],
    why_the_template_differs: None,
};

pub(crate) const RESOLVE_TRANSFERRED_CONTACTS: Setting = Setting {
    name: "RESOLVE_TRANSFERRED_CONTACTS",
    default: Some("false"),
    range: Range::Flag,
    meaning: "lets HTTP callers ask contact=initial (DescribeContact)",
    parameters: &[Parameter { name: "ResolveTransferredContacts", default: "false" }],
    why_the_template_differs: None,
};

pub(crate) const ATTACHED_FILE_RATE: Setting = Setting {
    name: "ATTACHED_FILE_RATE",
    default: Some("2"),
    range: Range::Number { min: 0.01, max: 100.0 },
    meaning: "GetAttachedFile calls a second this execution environment may make",
    parameters: &[
        Parameter { name: "AttachedFileRate", default: "1" },
        Parameter { name: "FlowAttachedFileRate", default: "0.33" },
    ],
    why_the_template_differs: Some(
        "the function alone may take Connect's whole general quota (2/s, burst 5); the template shares it \
         between the download route and flows' links (docs/security.md)",
    ),
};

pub(crate) const ATTACHED_FILE_BURST: Setting = Setting {
    name: "ATTACHED_FILE_BURST",
    default: Some("5"),
    range: Range::Whole { min: 1, max: 100 },
    meaning: "GetAttachedFile calls at once before the rate applies",
    parameters: &[
        Parameter { name: "AttachedFileBurst", default: "2" },
        Parameter { name: "FlowAttachedFileBurst", default: "1" },
    ],
    why_the_template_differs: ATTACHED_FILE_RATE.why_the_template_differs,
};

pub(crate) const METRICS_NAMESPACE: Setting = Setting {
    name: "METRICS_NAMESPACE",
    default: Some("ConnectReferences"),
    range: Range::Text,
    meaning: "the CloudWatch namespace of the function's metrics",
    parameters: &[Parameter { name: "MetricsNamespace", default: "ConnectReferences" }],
    why_the_template_differs: None,
};

pub(crate) const CONNECT_CONNECTION_WARMUP: Setting = Setting {
    name: "CONNECT_CONNECTION_WARMUP",
    default: Some("true"),
    range: Range::Text,
    meaning: "false skips opening the Connect connection during init",
    parameters: &[],
    why_the_template_differs: None,
};

pub(crate) const RECORDINGS_BUCKET: Setting = Setting {
    name: "RECORDINGS_BUCKET",
    default: None,
    range: Range::Text,
    meaning: "the S3 bucket whose recordings may be signed; unset: recordings are not configured",
    parameters: &[Parameter { name: "RecordingsBucket", default: "" }],
    why_the_template_differs: None,
};

pub(crate) const RECORDINGS_PREFIX: Setting = Setting {
    name: "RECORDINGS_PREFIX",
    default: None,
    range: Range::Text,
    meaning: "the folder of RECORDINGS_BUCKET they sit under; unset: the whole bucket",
    parameters: &[Parameter { name: "RecordingsPrefix", default: "" }],
    why_the_template_differs: None,
};

/// The whole table, in docs/deployment.md's order.
pub const ALL: [Setting; 10] = [
    ALLOWED_INSTANCE_IDS,
    ENTRY_POINT,
    ENABLE_ATTACHMENT_DOWNLOADS,
    ATTACHED_FILE_RATE,
    ATTACHED_FILE_BURST,
    RESOLVE_TRANSFERRED_CONTACTS,
    METRICS_NAMESPACE,
    CONNECT_CONNECTION_WARMUP,
    RECORDINGS_BUCKET,
    RECORDINGS_PREFIX,
];

impl Setting {
    /// The range in words, as docs/deployment.md writes it (`0.01–100`), where it has one.
    pub fn range_in_words(&self) -> Option<String> {
        match self.range {
            Range::Number { min, max } => Some(format!("{min}–{max}")),
            Range::Whole { min, max } => Some(format!("{min}–{max}")),
            Range::Flag | Range::Text => None,
        }
    }

    /// A number setting's value: its default when unset or empty; `None` when out of range or not a number.
    pub(crate) fn number(&self, value: Option<&str>) -> Option<f64> {
        let Range::Number { min, max } = self.range else { return None };
        let text = value.map(str::trim).filter(|s| !s.is_empty()).or(self.default)?;
        text.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= min && *n <= max)
    }

    /// A whole-number setting's value: its default when unset or empty; `None` when out of range.
    pub(crate) fn whole(&self, value: Option<&str>) -> Option<u32> {
        let Range::Whole { min, max } = self.range else { return None };
        let text = value.map(str::trim).filter(|s| !s.is_empty()).or(self.default)?;
        text.parse::<u32>().ok().filter(|n| (min..=max).contains(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_default_when_unset_and_refuse_what_is_out_of_range() {
        assert_eq!(ATTACHED_FILE_RATE.number(None), Some(2.0));
        assert_eq!(ATTACHED_FILE_RATE.number(Some(" ")), Some(2.0));
        assert_eq!(ATTACHED_FILE_RATE.number(Some("0.01")), Some(0.01));
        for bad in ["0", "100.5", "NaN", "inf", "two"] {
            assert_eq!(ATTACHED_FILE_RATE.number(Some(bad)), None, "{bad}");
        }
        assert_eq!(ATTACHED_FILE_BURST.whole(None), Some(5));
        assert_eq!(ATTACHED_FILE_BURST.whole(Some("0")), None);
        assert_eq!(ATTACHED_FILE_BURST.whole(Some("1.5")), None);
        assert_eq!(ATTACHED_FILE_RATE.range_in_words().as_deref(), Some("0.01–100"));
        assert_eq!(ATTACHED_FILE_BURST.range_in_words().as_deref(), Some("1–100"));
    }

    #[test]
    fn every_name_is_unique_and_every_differing_template_default_says_why() {
        let mut names: Vec<&str> = ALL.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for setting in ALL {
            let differs =
                setting.parameters.iter().any(|p| Some(p.default) != setting.default && !p.default.is_empty());
            assert_eq!(differs, setting.why_the_template_differs.is_some(), "{}", setting.name);
        }
    }
}
