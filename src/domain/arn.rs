//! ARNs as this function reads them: the one parser behind instance ids, file ids and the partition,
//! region and account a contact's ARN is built from. Strict on purpose: every part before the resource
//! has a fixed shape, so a `/` (or anything else) smuggled into a partition or region is refused, and
//! an ARN the function accepts can never be read as a path of another route.

/// The parts of a well-formed ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource: &'a str,
}

impl<'a> Arn<'a> {
    pub(crate) fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        let (prefix, partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let well_formed = prefix == "arn"
            && is_partition(partition)
            && is_service(service)
            && is_region(region)
            && is_account(account)
            && !resource.is_empty();
        well_formed.then_some(Arn { partition, service, region, account, resource })
    }

    /// The resource of an Amazon Connect ARN under `instance/`, e.g. `<id>` or `<id>/file/<fileId>`.
    pub(crate) fn connect_instance_resource(&self) -> Option<&'a str> {
        (self.service == "connect").then_some(())?;
        self.resource.strip_prefix("instance/")
    }
}

/// `aws` and its other partitions: `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-eusc`, …
/// (lower-case words after `aws`, joined by `-`).
fn is_partition(text: &str) -> bool {
    let mut words = text.split('-');
    words.next() == Some("aws") && words.all(is_lower_word)
}

/// A service prefix: lower-case letters, digits and `-` (`connect`, `lambda`, `execute-api`).
fn is_service(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A region: lower-case words joined by `-`, ending in a number (`us-east-1`, `us-gov-west-1`,
/// `cn-north-1`, `eusc-de-east-1`, `us-isob-east-1`).
fn is_region(text: &str) -> bool {
    let words: Vec<&str> = text.split('-').collect();
    let Some((number, names)) = words.split_last() else {
        return false;
    };
    names.len() >= 2
        && names.iter().all(|word| is_lower_word(word))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_lower_word(word: &str) -> bool {
    (1..=16).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_lowercase())
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
    fn every_partition_and_region_shape_aws_uses_is_accepted() {
        for (partition, region) in [
            ("aws", "us-east-1"),
            ("aws", "ap-southeast-5"),
            ("aws-cn", "cn-northwest-1"),
            ("aws-us-gov", "us-gov-west-1"),
            ("aws-iso", "us-iso-east-1"),
            ("aws-iso-b", "us-isob-east-1"),
            ("aws-eusc", "eusc-de-east-1"),
        ] {
            let text = format!("arn:{partition}:connect:{region}:123456789012:instance/i");
            assert!(Arn::parse(&text).is_some(), "{text}");
        }
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
            "arn:aws:connect:us-east-1:123456789012:",
        ] {
            assert_eq!(Arn::parse(bad), None, "{bad}");
        }
        let lambda = Arn::parse("arn:aws:lambda:us-east-1:123456789012:function:f").unwrap();
        assert_eq!(lambda.connect_instance_resource(), None);
    }

    #[test]
    fn a_service_is_lower_case_letters_digits_and_dashes_up_to_64() {
        for service in ["connect", "execute-api", "s3", "route53", "a".repeat(64).as_str()] {
            let text = format!("arn:aws:{service}:us-east-1:123456789012:x");
            assert_eq!(Arn::parse(&text).map(|arn| arn.service), Some(service), "{text}");
        }
        for service in ["", "Connect", "con_nect", "con.nect", "a".repeat(65).as_str()] {
            let text = format!("arn:aws:{service}:us-east-1:123456789012:x");
            assert_eq!(Arn::parse(&text), None, "{text}");
        }
    }

    #[test]
    fn a_slash_or_other_text_outside_the_resource_is_refused() {
        for bad in [
            // The finding: a partition carrying a route's path.
            "arn:aws/GET/contact/references/x:connect:us-east-1:123456789012:instance/i",
            "arn:awsx:connect:us-east-1:123456789012:instance/i",
            "arn:aws-:connect:us-east-1:123456789012:instance/i",
            "arn:AWS:connect:us-east-1:123456789012:instance/i",
            "arn:aws:con/nect:us-east-1:123456789012:instance/i",
            "arn:aws:connect:us-east-1/x:123456789012:instance/i",
            "arn:aws:connect:us/east-1:123456789012:instance/i",
            "arn:aws:connect:us-east:123456789012:instance/i",
            "arn:aws:connect:east-1:123456789012:instance/i",
            "arn:aws:connect:US-EAST-1:123456789012:instance/i",
            "arn:aws:connect:us-east-1 :123456789012:instance/i",
            "arn:aws:connect:us-east-123:123456789012:instance/i",
            "arn:aws\u{200b}:connect:us-east-1:123456789012:instance/i",
        ] {
            assert_eq!(Arn::parse(bad), None, "{bad}");
        }
    }
}
