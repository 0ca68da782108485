//! Which Connect instances this deployment serves (`ALLOWED_INSTANCE_IDS`), checked before any call to Connect.

use std::collections::HashSet;

use crate::domain::attached_file::ArnScope;
use crate::domain::config::SettingError;
use crate::domain::error::{Error, ErrorKind};
use crate::domain::query::parse_instance_id;

/// The allow-list. Unset means every instance the role can reach; set means only those listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedInstances {
    ids: Option<HashSet<String>>,
    /// Partition, region and account of the first instance given as an ARN (the template gives the
    /// instance's ARN): the deployment's own, for the contact ARNs `GetAttachedFile` wants.
    scope: Option<ArnScope>,
}

impl AllowedInstances {
    /// No restriction beyond the function's IAM role.
    pub fn any() -> Self {
        AllowedInstances { ids: None, scope: None }
    }

    /// Reads the comma-separated list of bare ids or instance ARNs.
    ///
    /// A variable that is set but lists nothing allows nothing: a deployment that meant to restrict
    /// access and got the value wrong fails closed. A malformed entry is a start-up error.
    pub fn from_setting(setting: Option<&str>) -> Result<Self, SettingError> {
        let Some(setting) = setting else {
            return Ok(Self::any());
        };
        let entries = setting.split(',').map(str::trim).filter(|entry| !entry.is_empty());
        let ids = entries
            .clone()
            .map(parse_instance_id)
            .collect::<Result<HashSet<_>, _>>()
            .map_err(|error| SettingError::new("ALLOWED_INSTANCE_IDS", error.message))?;
        let scope = entries.filter_map(ArnScope::of).next();
        Ok(AllowedInstances { ids: Some(ids), scope })
    }

    /// The configured instance's partition, region and account, when it was given as an ARN.
    pub(crate) fn arn_scope(&self) -> Option<&ArnScope> {
        self.scope.as_ref()
    }

    /// Refuses an instance outside the list with `ACCESS_DENIED`.
    pub(crate) fn check(&self, instance_id: &str) -> Result<(), Error> {
        match &self.ids {
            Some(ids) if !ids.contains(instance_id) => {
                Err(Error::new(ErrorKind::AccessDenied, "this function does not serve that Amazon Connect instance"))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn unset_allows_any_instance() {
        assert!(AllowedInstances::from_setting(None).unwrap().check("anything").is_ok());
    }

    #[test]
    fn listed_ids_and_arns_are_allowed_and_others_denied() {
        let other = "99999999-8888-7777-6666-555555555555";
        let setting = format!(" {other} ,arn:aws:connect:eu-west-2:123456789012:instance/{ID}");
        let allowed = AllowedInstances::from_setting(Some(&setting)).unwrap();
        assert!(allowed.check(ID).is_ok());
        assert!(allowed.check(other).is_ok());
        assert_eq!(allowed.check("third").unwrap_err().kind, ErrorKind::AccessDenied);
        let scope = allowed.arn_scope().unwrap();
        assert_eq!(
            (scope.partition.as_str(), scope.region.as_str(), scope.account.as_str()),
            ("aws", "eu-west-2", "123456789012")
        );
        assert_eq!(AllowedInstances::from_setting(Some(ID)).unwrap().arn_scope(), None);
    }

    #[test]
    fn set_but_empty_allows_nothing() {
        let allowed = AllowedInstances::from_setting(Some(" , ")).unwrap();
        assert_eq!(allowed.check(ID).unwrap_err().kind, ErrorKind::AccessDenied);
    }

    #[test]
    fn a_malformed_entry_is_refused_at_start_up() {
        let error = AllowedInstances::from_setting(Some("arn:aws:connect:bad")).unwrap_err();
        assert_eq!(error.variable, "ALLOWED_INSTANCE_IDS");
        assert!(error.to_string().starts_with("ALLOWED_INSTANCE_IDS: "), "{error}");
    }
}
