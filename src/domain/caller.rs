//! Who caused an invocation's Connect calls, as the audit line names them: the principal in separate
//! fields, each bounded, never one string that a claim could forge (a JWT `sub` holding
//! ` client_id=…` stays inside `sub`). Only as trustworthy as the invoke path: API Gateway sets the
//! HTTP fields; a hand-made event sent with `lambda:InvokeFunction` can say anything (docs/security.md).

/// The longest caller field the audit line carries, in characters; a longer one is cut and ends in `…`.
pub(crate) const MAX_CALLER_FIELD_CHARS: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// An HTTP caller API Gateway authenticated with IAM: the principal's ARN.
    Iam { principal_arn: String },
    /// An HTTP caller API Gateway authenticated with a JWT: its `sub` and its client (`client_id`, else `azp`).
    Jwt { sub: String, client_id: String },
    /// An HTTP request without either (a function URL without auth, an ALB).
    Unauthenticated,
    /// A contact flow of the instance: the event's instance ARN and current contact (checked by shape
    /// before the caller is built). Connect's documented event carries no flow ARN.
    ContactFlow { instance_arn: String, contact_id: String },
}

impl Caller {
    pub(crate) fn iam(principal_arn: &str) -> Self {
        Caller::Iam { principal_arn: bounded(principal_arn) }
    }

    pub(crate) fn jwt(sub: &str, client_id: &str) -> Self {
        Caller::Jwt { sub: bounded(sub), client_id: bounded(client_id) }
    }

    pub(crate) fn contact_flow(instance_arn: &str, contact_id: &str) -> Self {
        Caller::ContactFlow { instance_arn: bounded(instance_arn), contact_id: bounded(contact_id) }
    }

    /// The audit line's `caller.type`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Caller::Iam { .. } => "iam",
            Caller::Jwt { .. } => "jwt",
            Caller::Unauthenticated => "unauthenticated",
            Caller::ContactFlow { .. } => "contact-flow",
        }
    }

    /// The audit line's `caller` fields besides `type`, each a separate JSON member.
    pub(crate) fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            Caller::Iam { principal_arn } => vec![("principal_arn", principal_arn)],
            Caller::Jwt { sub, client_id } => vec![("sub", sub), ("client_id", client_id)],
            Caller::Unauthenticated => Vec::new(),
            Caller::ContactFlow { instance_arn, contact_id } => {
                vec![("instance_arn", instance_arn), ("contact_id", contact_id)]
            }
        }
    }

    /// Whose share of the file rate a call takes: one key per principal, the fields kept apart by a
    /// separator no field can hold unescaped (each is escaped first).
    pub(crate) fn share_key(&self) -> String {
        let mut key = self.kind().to_owned();
        for (name, value) in self.fields() {
            key.push('\n');
            key.push_str(name);
            key.push('=');
            key.extend(value.chars().flat_map(char::escape_default));
        }
        key
    }
}

fn bounded(value: &str) -> String {
    if value.chars().count() <= MAX_CALLER_FIELD_CHARS {
        return value.to_owned();
    }
    let mut cut: String = value.chars().take(MAX_CALLER_FIELD_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sub_that_spells_a_client_stays_inside_sub() {
        let forged = Caller::jwt("alice client_id=admin-console", "panel");
        assert_eq!(forged.fields(), [("sub", "alice client_id=admin-console"), ("client_id", "panel")]);
        assert_ne!(forged.share_key(), Caller::jwt("alice", "admin-console").share_key());
        let newline = Caller::jwt("alice\nclient_id=admin-console", "panel");
        assert_ne!(newline.share_key(), Caller::jwt("alice", "admin-console\nclient_id=panel").share_key());
    }

    #[test]
    fn every_caller_field_is_bounded() {
        let long = "a".repeat(10_000);
        for caller in [Caller::iam(&long), Caller::jwt(&long, &long), Caller::contact_flow(&long, &long)] {
            for (name, value) in caller.fields() {
                assert_eq!(value.chars().count(), MAX_CALLER_FIELD_CHARS, "{name}");
                assert!(value.ends_with('…'), "{name}");
            }
        }
        let exact = "b".repeat(MAX_CALLER_FIELD_CHARS);
        assert_eq!(Caller::iam(&exact).fields(), [("principal_arn", exact.as_str())]);
    }

    #[test]
    fn each_kind_of_caller_names_its_type() {
        assert_eq!(Caller::iam("arn:aws:iam::1:user/a").kind(), "iam");
        assert_eq!(Caller::jwt("s", "c").kind(), "jwt");
        assert_eq!(Caller::Unauthenticated.kind(), "unauthenticated");
        assert_eq!(Caller::contact_flow("arn", "c").kind(), "contact-flow");
        assert!(Caller::Unauthenticated.fields().is_empty());
    }
}
