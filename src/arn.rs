//! ARNs as this function reads them: the one parser behind instance ids, file ids and the partition,
//! region and account a contact's ARN is built from.

/// The parts of a well-formed ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`, with an
/// `aws…` partition, a region and a 12-digit account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        let (prefix, partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let well_formed = prefix == "arn"
            && partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some(Arn { partition, service, region, account, resource })
    }

    /// The resource of an Amazon Connect ARN under `instance/`, e.g. `<id>` or `<id>/file/<fileId>`.
    pub fn connect_instance_resource(&self) -> Option<&'a str> {
        (self.service == "connect").then_some(())?;
        self.resource.strip_prefix("instance/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_arn_is_split_into_its_parts() {
        let arn = Arn::parse("arn:aws-cn:connect:cn-north-1:123456789012:instance/i-1/file/f:1").unwrap();
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account, arn.resource),
            ("aws-cn", "connect", "cn-north-1", "123456789012", "instance/i-1/file/f:1")
        );
        assert_eq!(arn.connect_instance_resource(), Some("i-1/file/f:1"));
    }

    #[test]
    fn anything_else_is_not_an_arn() {
        for bad in [
            "",
            "arn:aws:connect:us-east-1:12345:instance/i",
            "arn:gcp:connect:us-east-1:123456789012:x",
            "arn:aws:connect::123456789012:instance/i",
            "urn:aws:connect:us-east-1:123456789012:x",
            "arn:aws:connect:us-east-1:12345678901a:instance/i",
            "arn:aws:connect:us-east-1:123456789012",
        ] {
            assert_eq!(Arn::parse(bad), None, "{bad}");
        }
        let lambda = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:f").unwrap();
        assert_eq!(lambda.connect_instance_resource(), None);
    }
}
