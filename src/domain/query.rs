//! A validated request for a contact's references: which instance, which contact, which reference
//! types, and the options (whose references, download links).
//!
//! Every adapter (HTTP, contact flow) hands its raw strings to [`ReferenceQuery::parse`] as one
//! [`RawQuery`], so the rules live in one place, each caller gets the same answers, and a parsed query
//! is complete: no adapter fills in a field afterwards.

use crate::domain::arn::Arn;
use crate::domain::attached_file::{parse_download_links, UrlExpiry};
use crate::domain::connect_id::{check_contact_or_file_id, check_instance_id};
use crate::domain::error::{quote, Error};
use crate::domain::reference::ReferenceType;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// The longest `nextToken` read (Connect's model gives it no bound; Connect documents it as always null).
pub(crate) const MAX_NEXT_TOKEN_LEN: usize = 2048;
/// Connect accepts at most this many types per call; more are fetched in several calls.
pub(crate) const TYPES_PER_CALL: usize = 6;
/// How many `referenceTypes` items (after splitting on commas) we read before refusing: there are
/// only a dozen real types, so a longer list is a mistake or an attack, refused before any work.
pub(crate) const MAX_TYPE_ITEMS: usize = 64;

/// A request that passed every rule: ids are bare and within Connect's limits, types are known,
/// unique and in the caller's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceQuery {
    pub(crate) instance_id: String,
    pub(crate) contact_id: String,
    pub reference_types: Vec<ReferenceType>,
    pub(crate) next_token: Option<String>,
    /// Whose references: the contact as given, or (HTTP `contact=initial`) its initial contact.
    pub(crate) contact_scope: ContactScope,
    /// `Some` when the caller asked for attachments' download links (`include=downloadUrl`).
    pub(crate) download_links: Option<UrlExpiry>,
}

/// What an adapter read from its event, still unchecked and already percent-decoded. `None` means
/// the caller did not give it; list items may themselves hold comma-separated values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawQuery<'a> {
    pub instance_id: &'a str,
    pub contact_id: &'a str,
    /// `None`: every known type.
    pub reference_types: Option<Vec<&'a str>>,
    pub next_token: Option<&'a str>,
    /// `contact`: absent, or `initial`.
    pub contact: Option<&'a str>,
    /// `include`: absent, or `downloadUrl`.
    pub include: Option<Vec<&'a str>>,
    pub url_expiry: Option<&'a str>,
}

/// Which contact's references a query is about. Connect keys references by the *initial* contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ContactScope {
    /// The contact id as the caller gave it (the default).
    #[default]
    AsGiven,
    /// The initial contact of the given one, found with `DescribeContact` (a transferred contact's
    /// references are keyed by the contact it was transferred from).
    Initial,
}

impl ContactScope {
    /// The HTTP `contact` parameter: absent, or `initial`.
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, Error> {
        match raw {
            None => Ok(ContactScope::AsGiven),
            Some(value) if value.eq_ignore_ascii_case("initial") => Ok(ContactScope::Initial),
            Some(value) => Err(Error::validation(format!(
                "contact {} is not a contact scope; the only value is contact=initial (list the references of the transferred contact's initial contact)",
                quote(value)
            ))),
        }
    }
}

impl ReferenceQuery {
    /// Validates everything the caller gave, in one place.
    pub fn parse(raw: RawQuery<'_>) -> Result<Self, Error> {
        let query = ReferenceQuery {
            instance_id: parse_instance_id(raw.instance_id)?,
            contact_id: parse_contact_id(raw.contact_id)?,
            reference_types: match raw.reference_types {
                Some(items) => parse_reference_types(items)?,
                None => all_reference_types(),
            },
            next_token: raw.next_token.map(parse_next_token).transpose()?,
            contact_scope: ContactScope::parse(raw.contact)?,
            download_links: parse_download_links(raw.include, raw.url_expiry)?,
        };
        // A token continues one Connect call; a query of several batches is always answered whole.
        if query.next_token.is_some() && query.reference_types.len() > TYPES_PER_CALL {
            return Err(Error::validation(format!(
                "nextToken continues a listing of at most {TYPES_PER_CALL} reference types; give referenceTypes too"
            )));
        }
        Ok(query)
    }

    /// The types in batches that Connect accepts in one call, in the caller's order.
    pub(crate) fn batches(&self) -> impl Iterator<Item = &[ReferenceType]> {
        self.reference_types.chunks(TYPES_PER_CALL)
    }
}

/// Every reference type, in the SDK's order.
pub(crate) fn all_reference_types() -> Vec<ReferenceType> {
    ReferenceType::ALL.to_vec()
}

/// Takes a bare instance id or an instance ARN (`arn:<partition>:connect:<region>:<account>:instance/<id>`)
/// and returns the bare id, which is what Connect's path carries.
pub(crate) fn parse_instance_id(raw: &str) -> Result<String, Error> {
    let id = if raw.starts_with("arn:") {
        instance_id_from_arn(raw).ok_or_else(|| {
            Error::validation(format!(
                "InstanceId {} is not an Amazon Connect instance ARN (arn:<partition>:connect:<region>:<account>:instance/<id>)",
                quote(raw)
            ))
        })?
    } else {
        raw
    };
    check_instance_id("InstanceId", id)?;
    Ok(id.to_owned())
}

fn instance_id_from_arn(arn: &str) -> Option<&str> {
    let id = Arn::parse(arn)?.connect_instance_resource()?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

pub(crate) fn parse_contact_id(raw: &str) -> Result<String, Error> {
    check_contact_or_file_id("ContactId", raw)?;
    Ok(raw.to_owned())
}

pub(crate) fn parse_next_token(raw: &str) -> Result<String, Error> {
    check_text("nextToken", raw, MAX_NEXT_TOKEN_LEN)?;
    Ok(raw.to_owned())
}

/// Splits on commas, upper-cases, drops duplicates (first one wins) and refuses unknown names.
pub(crate) fn parse_reference_types<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Vec<ReferenceType>, Error> {
    let mut types: Vec<ReferenceType> = Vec::new();
    let mut seen_items = 0;
    for item in items.into_iter().flat_map(|value| value.split(',')) {
        seen_items += 1;
        if seen_items > MAX_TYPE_ITEMS {
            return Err(Error::validation(format!(
                "referenceTypes lists more than {MAX_TYPE_ITEMS} values; there are only {} reference types",
                ReferenceType::ALL.len()
            )));
        }
        let name = item.trim();
        if name.is_empty() {
            continue;
        }
        let reference_type = ReferenceType::from_name(name).ok_or_else(|| {
            Error::validation(format!(
                "unknown reference type {}; valid types are {}",
                quote(name),
                ReferenceType::names()
            ))
        })?;
        if !types.contains(&reference_type) {
            types.push(reference_type);
        }
    }
    if types.is_empty() {
        return Err(Error::validation(format!(
            "referenceTypes is empty; omit it for all types, or give some of {}",
            ReferenceType::names()
        )));
    }
    Ok(types)
}

/// Unicode general category Cf.
fn is_format_character(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

fn check_text(field: &str, value: &str, max_len: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::validation(format!("{field} is required")));
    }
    let len = value.chars().count();
    if len > max_len {
        return Err(Error::validation(format!("{field} is {len} characters long; at most {max_len} are allowed")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(format!("{field} contains control characters")));
    }
    // Format characters (bidi overrides, zero-width spaces, …) are invisible: in an audit line or a log
    // they can make an id read as another. No Connect id holds one.
    if value.chars().any(is_format_character) {
        return Err(Error::validation(format!(
            "{field} contains invisible format characters (Unicode category Cf, such as bidi overrides or zero-width spaces)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorKind;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";

    fn parse_types(items: &[&str]) -> Result<Vec<&'static str>, Error> {
        parse_reference_types(items.iter().copied()).map(|types| types.into_iter().map(ReferenceType::as_str).collect())
    }

    fn parse(instance_id: &str, types: Option<Vec<&str>>, next_token: Option<&str>) -> Result<ReferenceQuery, Error> {
        ReferenceQuery::parse(RawQuery {
            instance_id,
            contact_id: "c",
            reference_types: types,
            next_token,
            ..RawQuery::default()
        })
    }

    fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
        let error = result.expect_err("should be refused");
        assert_eq!(error.kind, ErrorKind::Validation);
        error.message
    }

    #[test]
    fn bare_instance_id_is_kept() {
        assert_eq!(parse_instance_id(INSTANCE).unwrap(), INSTANCE);
    }

    #[test]
    fn instance_arn_yields_the_bare_id_in_every_partition() {
        for partition in ["aws", "aws-us-gov", "aws-cn"] {
            let arn = format!("arn:{partition}:connect:us-east-1:123456789012:instance/{INSTANCE}");
            assert_eq!(parse_instance_id(&arn).unwrap(), INSTANCE);
        }
    }

    #[test]
    fn malformed_arns_are_refused() {
        for arn in [
            "arn:aws:connect:us-east-1:123456789012:instance/",
            "arn:aws:s3:us-east-1:123456789012:instance/abc",
            "arn:aws:connect:us-east-1:1234:instance/abc",
            "arn:aws:connect:us-east-1:123456789012:queue/abc",
            "arn:aws:connect:us-east-1:123456789012:instance/abc/contact/def",
            "arn:aws:connect::123456789012:instance/abc",
            "arn:aws:connect",
        ] {
            assert!(message(parse_instance_id(arn)).contains("ARN"), "{arn}");
        }
    }

    #[test]
    fn an_instance_id_bare_or_in_an_arn_has_the_models_uuid_shape() {
        assert_eq!(parse_instance_id(INSTANCE).unwrap(), INSTANCE);
        assert_eq!(
            parse_instance_id(&format!("arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}")).unwrap(),
            INSTANCE
        );
        for bad in [&"a".repeat(36) as &str, "", ".", "..", "11111111-2222-3333-4444-55555555555."] {
            assert!(message(parse_instance_id(bad)).contains("not an Amazon Connect instance id"), "{bad}");
        }
        let arn_of_a_dot = "arn:aws:connect:us-east-1:123456789012:instance/..";
        assert!(message(parse_instance_id(arn_of_a_dot)).contains("not an Amazon Connect instance id"));
    }

    #[test]
    fn instance_id_with_a_slash_is_refused() {
        assert!(message(parse_instance_id("abc/def")).contains("InstanceId"));
    }

    #[test]
    fn contact_id_is_1_to_256_ascii_id_characters() {
        assert!(parse_contact_id(&"c".repeat(256)).is_ok());
        assert!(message(parse_contact_id(&"é".repeat(2))).contains("not an Amazon Connect id"));
        assert!(message(parse_contact_id(&"c".repeat(257))).contains("at most 256"));
        assert!(message(parse_contact_id("")).contains("ContactId is required"));
    }

    #[test]
    fn control_characters_are_refused_in_every_field() {
        assert!(message(parse_contact_id("abc\ndef")).contains("not an Amazon Connect id"));
        assert!(message(parse_instance_id("abc\u{0}")).contains("not an Amazon Connect instance id"));
        assert!(message(parse_next_token("t\u{7f}")).contains("control"));
    }

    #[test]
    fn format_characters_are_refused_in_every_field_like_control_characters() {
        // U+202E right-to-left override, U+200B zero-width space, U+2066 left-to-right isolate,
        // U+FEFF zero-width no-break space, U+00AD soft hyphen, U+E0041 a tag character.
        for invisible in ['\u{202e}', '\u{200b}', '\u{2066}', '\u{feff}', '\u{ad}', '\u{e0041}'] {
            let id = format!("c0ffee{invisible}00");
            assert!(message(parse_contact_id(&id)).contains("not an Amazon Connect id"), "{invisible:?}");
            assert!(message(parse_instance_id(&id)).contains("not an Amazon Connect instance id"), "{invisible:?}");
            assert!(message(parse_next_token(&id)).contains("format characters"), "{invisible:?}");
        }
        // Visible non-ASCII text is not a format character, but no Connect id holds it either.
        assert!(message(parse_contact_id("é-ß-中")).contains("not an Amazon Connect id"));
    }

    #[test]
    fn next_token_is_1_to_2048_and_passed_through_verbatim() {
        let token = "a%2Fb+c==".to_string() + &"x".repeat(2039);
        assert_eq!(parse_next_token(&token).unwrap(), token);
        assert!(message(parse_next_token(&"x".repeat(2049))).contains("at most 2048"));
        assert!(message(parse_next_token("")).contains("nextToken is required"));
    }

    #[test]
    fn types_from_repeated_keys_and_commas_are_merged_in_order_case_insensitively() {
        assert_eq!(
            parse_types(&["url,Attachment", "EMAIL", "url", "attachment"]).unwrap(),
            ["URL", "ATTACHMENT", "EMAIL"]
        );
    }

    #[test]
    fn blank_items_between_commas_are_ignored() {
        assert_eq!(parse_types(&[" url , ,date,"]).unwrap(), ["URL", "DATE"]);
    }

    #[test]
    fn a_types_parameter_with_no_type_is_refused() {
        assert!(message(parse_types(&["", ","])).contains("referenceTypes is empty"));
    }

    #[test]
    fn unknown_type_is_named_and_the_valid_ones_listed() {
        let text = message(parse_types(&["URL", "VOICEMAIL"]));
        assert!(text.contains("\"VOICEMAIL\""), "{text}");
        for valid in ReferenceType::ALL.map(ReferenceType::as_str) {
            assert!(text.contains(valid), "{text} lacks {valid}");
        }
    }

    #[test]
    fn too_many_type_items_are_refused_before_looking_at_them() {
        let many = vec!["URL"; MAX_TYPE_ITEMS + 1];
        assert!(message(parse_types(&many)).contains("more than 64"));
        assert!(parse_types(&vec!["URL"; MAX_TYPE_ITEMS]).is_ok());
    }

    #[test]
    fn omitted_types_mean_every_type_the_sdk_knows_in_its_order() {
        let query = parse(INSTANCE, None, None).unwrap();
        assert_eq!(query.reference_types, ReferenceType::ALL);
        let names: Vec<&str> = query.reference_types.iter().map(|t| t.as_str()).collect();
        assert!(names.len() > TYPES_PER_CALL);
    }

    #[test]
    fn omitted_types_are_fetched_in_batches_of_six() {
        let query = parse(INSTANCE, None, None).unwrap();
        let sizes: Vec<usize> = query.batches().map(<[_]>::len).collect();
        assert_eq!(sizes, [6, ReferenceType::ALL.len() - 6]);
    }

    #[test]
    fn next_token_needs_a_single_batch_of_types() {
        let refused = parse(INSTANCE, None, Some("t"));
        assert!(message(refused).contains("nextToken"));
        let query = parse(INSTANCE, Some(vec!["URL"]), Some("t")).unwrap();
        assert_eq!(query.next_token.as_deref(), Some("t"));
    }

    #[test]
    fn quoted_values_are_cut_and_escaped() {
        let long = "\"".repeat(100);
        let quoted = quote(&long);
        assert!(quoted.ends_with("…\""));
        assert_eq!(quoted.matches("\\\"").count(), crate::domain::error::QUOTE_LIMIT);
    }
}
