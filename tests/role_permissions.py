"""A role's effective permissions in a deployed stack, from every source CloudFormation and SAM can
attach to it, as IAM evaluates them for identity policies. Used by tests/template_test.py.

The sources, read from SAM's own transform of the template (so that SAM policy templates, managed
policy names and a function's `Policies` arrive as CloudFormation holds them):
- the role's `Policies` (SAM puts a function's inline statements and expanded policy templates there);
- the role's `ManagedPolicyArns`: AWS managed policies this module knows the documents of, or a
  `AWS::IAM::ManagedPolicy` of the stack; any other ARN counts as granting everything;
- `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources whose `Roles` name the role, and
  `AWS::IAM::RolePolicy` resources whose `RoleName` does;
- a function whose `Role` is not a role of the stack counts as holding everything.

A grant is (action, resource, condition): the action in lower case (IAM's action names are
case-insensitive), the resource as written (ARNs are case-sensitive), the statement's Condition as
canonical JSON or None. `NotAction` and `NotResource` count as `*` (more than they give, never less)."""

import json
import re

from cloudformation_values import Unmodelled

# AWS managed policies' documents ("AWS managed policy reference", docs.aws.amazon.com): the only two
# SAM attaches to a function's generated role.
MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"}],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                       "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
         "Resource": ["*"]}],
}
EVERYTHING = ("*", "*", None)


def listed(value):
    return value if isinstance(value, list) else [value]


def wildcard(pattern, flags=0):
    """IAM's wildcards: `*` any run of characters (`/` and `:` included), `?` one character."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), flags)


def action_matches(pattern, action):
    """Whether an Action element covers `action`, case-insensitively, with IAM's wildcards. A pattern
    with wildcards covers a wildcard `action` only if it matches its text: `connect:*` and `*` cover
    `connect:*`, `connect:Get*` does not."""
    return wildcard(pattern, re.IGNORECASE).fullmatch(action) is not None


def resource_matches(pattern, arn):
    """Whether a Resource element covers `arn`: IAM's wildcards, case-sensitive."""
    return wildcard(pattern).fullmatch(arn) is not None


def statement_grants(statement):
    """The (action, resource, condition) grants of one resolved Allow statement."""
    effect = statement.get("Effect")
    if effect != "Allow":
        raise Unmodelled(f"a {effect} statement in a role's policy: {statement}")
    actions = ["*"] if "NotAction" in statement else listed(statement["Action"])
    resources = ["*"] if "NotResource" in statement else listed(statement["Resource"])
    condition = json.dumps(statement["Condition"], sort_keys=True) if "Condition" in statement else None
    for resource in resources:
        if not isinstance(resource, str):
            raise Unmodelled(f"a resource these tests cannot evaluate: {resource}")
    return {(action.lower(), resource, condition) for action in actions for resource in resources}


def document_grants(document):
    return set().union(*(statement_grants(s) for s in listed(document.get("Statement", [])))) if document else set()


def role_grants(stack, role):
    """Every grant the stack's role `role` (a logical id) holds, from every source."""
    resources = stack.resources()
    properties = stack.resolve(resources[role].get("Properties", {}))
    name = properties.get("RoleName", "${%s}" % role)
    names = {"${%s}" % role, name}
    grants = set()
    for policy in properties.get("Policies", []):
        grants |= document_grants(policy["PolicyDocument"])
    for arn in properties.get("ManagedPolicyArns", []):
        managed = arn[2:-1] if isinstance(arn, str) and arn.startswith("${") else None
        if arn in MANAGED_POLICIES:
            for statement in MANAGED_POLICIES[arn]:
                grants |= statement_grants(statement)
        elif managed in resources and resources[managed]["Type"] == "AWS::IAM::ManagedPolicy":
            grants |= document_grants(stack.resolve(resources[managed]["Properties"]["PolicyDocument"]))
        else:
            grants.add(EVERYTHING)
    for other, resource in resources.items():
        kind = resource["Type"]
        if kind not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
            continue
        attached = stack.resolve(resource.get("Properties", {}))
        targets = [attached.get("RoleName")] if kind == "AWS::IAM::RolePolicy" else attached.get("Roles", [])
        if names & set(targets):
            grants |= document_grants(attached["PolicyDocument"])
    return grants


def function_role(stack, function):
    """The logical id of the role a (transformed) Lambda function runs with, or None when it is not a
    role of this stack."""
    role = stack.resolve(stack.template["Resources"][function]["Properties"].get("Role"))
    match = re.fullmatch(r"\$\{(\w+)\.Arn\}", role or "")
    if match and stack.template["Resources"].get(match.group(1), {}).get("Type") == "AWS::IAM::Role":
        return match.group(1)
    return None


def function_grants(stack, function):
    """Every grant a function of the stack holds through its execution role."""
    role = function_role(stack, function)
    return {EVERYTHING} if role is None else role_grants(stack, role)


def holds(grants, action, resource=None):
    """Whether the grants allow `action` (on `resource`, or on any resource when None)."""
    return any(action_matches(a, action) and (resource is None or resource_matches(r, resource))
               for a, r, _ in grants)
