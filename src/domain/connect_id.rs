//! Connect's ids by their shape, checked before any call on every entry point. Connect's service model
//! (botocore `connect/2017-08-08/service-2.json`) gives the instance id a pattern: `InstanceIdOrArn`
//! ends in a lower-case UUID (`[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`). It gives
//! contact and file ids (`ContactId`, `FileId`) no pattern, only 1..256 characters; the ids Connect
//! itself mints for them are UUIDs. So an instance id must be that UUID, and a contact or file id is
//! 1..256 of `A-Z a-z 0-9 - _`: every UUID, and any other id Connect might mint in that alphabet, but
//! never `.` or `..`, `/`, `%`, a space, or an invisible or non-ASCII character in Connect's request
//! path or in an audit line (docs/security.md).

use crate::domain::error::{quote, Error};

/// `ContactId` and `FileId` in Connect's model: 1..256 characters.
pub(crate) const MAX_CONTACT_OR_FILE_ID_LEN: usize = 256;

/// The shape an instance id has: a lower-case UUID, as `InstanceIdOrArn`'s pattern ends.
pub(crate) fn check_instance_id(field: &str, value: &str) -> Result<(), Error> {
    if is_lower_case_uuid(value) {
        return Ok(());
    }
    Err(Error::validation(format!(
        "{field} {} is not an Amazon Connect instance id (a lower-case UUID, as in Connect's service model)",
        quote(value)
    )))
}

/// The shape a contact or file id has: 1..256 ASCII letters, digits, `-` or `_`.
pub(crate) fn check_contact_or_file_id(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::validation(format!("{field} is required")));
    }
    let len = value.chars().count();
    if len > MAX_CONTACT_OR_FILE_ID_LEN {
        return Err(Error::validation(format!(
            "{field} is {len} characters long; at most {MAX_CONTACT_OR_FILE_ID_LEN} are allowed"
        )));
    }
    if !value.bytes().all(is_id_byte) {
        return Err(Error::validation(format!(
            "{field} {} is not an Amazon Connect id: only ASCII letters, digits, '-' and '_' are allowed",
            quote(value)
        )));
    }
    Ok(())
}

fn is_id_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

fn is_lower_case_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
            group.len() == len && group.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn an_instance_id_is_a_lower_case_uuid_as_connects_model_says() {
        assert!(check_instance_id("InstanceId", INSTANCE).is_ok());
        assert!(check_instance_id("InstanceId", "0a1b2c3d-4e5f-6789-abcd-ef0123456789").is_ok());
        for bad in [
            "11111111-2222-3333-4444-55555555555",   // one short
            "11111111-2222-3333-4444-5555555555555", // one long
            "11111111-2222-3333-4444-55555555555G",
            "11111111-2222-3333-4444-55555555555A", // upper case: not the model's pattern
            "111111112222-3333-4444-555555555555",
            "11111111-2222-3333-4444-555555555555-",
            "x",
            "",
            ".",
            "..",
            "11111111-2222-3333-4444-５55555555555", // a full-width digit
        ] {
            let error = check_instance_id("InstanceId", bad).unwrap_err();
            assert_eq!(error.code(), "VALIDATION_ERROR", "{bad}");
        }
    }

    #[test]
    fn contact_and_file_ids_are_ascii_letters_digits_dash_and_underscore_up_to_256() {
        for good in [INSTANCE, "c0ffee00-0000-4000-8000-000000000001", "SEED-att-approved", "a_b", "Z"] {
            assert!(check_contact_or_file_id("FileId", good).is_ok(), "{good}");
        }
        assert!(check_contact_or_file_id("FileId", &"a".repeat(256)).is_ok());
        for bad in [
            ".",
            "..",
            "a.b",
            "a/b",
            "a%2Fb",
            "a b",
            "a\u{200b}b", // zero-width space (Cf)
            "a\u{2800}b", // braille blank: invisible, but not Cf
            "a\u{3164}b", // Hangul filler: invisible, category Lo
            "caf\u{e9}",  // non-ASCII
            "a\u{7f}b",   // DEL
            "a\u{ff0d}b", // a full-width hyphen
        ] {
            let error = check_contact_or_file_id("FileId", bad).unwrap_err();
            assert_eq!(error.code(), "VALIDATION_ERROR", "{bad:?}");
        }
        let long = check_contact_or_file_id("ContactId", &"a".repeat(257)).unwrap_err();
        assert_eq!(long.message, "ContactId is 257 characters long; at most 256 are allowed");
        assert_eq!(check_contact_or_file_id("ContactId", "").unwrap_err().message, "ContactId is required");
    }
}
