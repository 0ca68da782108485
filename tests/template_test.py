"""The SAM template's security and operational properties, read from template.yaml and from SAM's own
transform of it, so that a later edit cannot silently drop them. Run by scripts/test with the venv's
Python (cfn-lint and the SAM translator come with aws-sam-cli)."""

import copy
import functools
import itertools
import json
import os
import unittest
from pathlib import Path

from cfnlint.decode import decode
from samtranslator.translator.transform import transform

from cloudformation_values import PSEUDO_PARAMETERS, Stack, Unmodelled, condition_parameters, conditions_in
from role_permissions import action_matches, function_grants, function_role, holds, resource_matches

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
INSTANCE_ARN = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
ROUTE = "/contact/references/{InstanceId}/{ContactId}"


@functools.lru_cache(maxsize=None)
def _decoded():
    template, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return template


def load():
    """template.yaml as a fresh dictionary (long-form intrinsics), free for a test to change."""
    return copy.deepcopy(_decoded())


def transform_template(template, parameters):
    """SAM's own transform of `template` (a dictionary) for these parameter values, with AWS's managed
    policy names left as ARNs and every local CodeUri replaced by an S3 location."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    class NoManagedPolicies:
        def load(self):
            return {}

    template = copy.deepcopy(template)
    template["Globals"]["Function"]["CodeUri"] = "s3://bucket/key"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function" and "CodeUri" in resource["Properties"]:
            resource["Properties"]["CodeUri"] = "s3://bucket/key"
    return transform(template, {"ConnectInstanceArn": INSTANCE_ARN, **parameters}, NoManagedPolicies())


@functools.lru_cache(maxsize=None)
def _transformed(parameters):
    return transform_template(_decoded(), dict(parameters))


def transformed(authorizer, **parameters):
    """template.yaml after SAM's transform, with Authorizer and these parameters."""
    return copy.deepcopy(_transformed(tuple(sorted({"Authorizer": authorizer, **parameters}.items()))))


FUNCTIONS = ("ListFunction", "DownloadFunction", "FlowFunction")
# Functions that are not the Rust binary: the agent panel's publisher (AgentApp=true).
OTHER_FUNCTIONS = ("PanelPublisherFunction",)
# The Rust binary's functions, one build: the three above and the recordings routes' (EnableRecordings).
RUST_FUNCTIONS = FUNCTIONS + ("RecordingsFunction",)
ENTRY_POINTS = {"ListFunction": "list", "DownloadFunction": "download", "FlowFunction": "contact-flow",
                "RecordingsFunction": "recordings"}


def deployed(name, authorizer="AWS_IAM", **parameters):
    """A function's properties as SAM deploys them: the template's Globals merged in (SAM's own transform)."""
    return transformed(authorizer, **parameters)["Resources"][name]["Properties"]


def resolve(node, template, parameters):
    """What CloudFormation makes of `node` for these parameter values (the defaults otherwise); see
    tests/cloudformation_values.py."""
    return Stack(template, parameters).resolve(node)


def expected_metrics():
    return json.loads((ROOT / "tests" / "expected-metrics.json").read_text())


def resources_of(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


class FunctionTest(unittest.TestCase):
    def setUp(self):
        self.properties = deployed("ListFunction")

    def test_three_arm64_al2023_functions_built_by_cargo_lambda_from_one_build(self):
        template = load()
        functions = resources_of(template, "AWS::Serverless::Function")
        self.assertEqual(sorted(functions), sorted(RUST_FUNCTIONS + OTHER_FUNCTIONS), "one function per entry point, no other")
        functions = {name: f for name, f in functions.items() if name in RUST_FUNCTIONS}
        # What `sam build` compares to build a binary once for several functions (samcli's
        # FunctionBuildDefinition: runtime, codeuri, handler, metadata, architecture): all equal.
        build = {name: (json.dumps(f["Metadata"], sort_keys=True), f["Properties"].get("CodeUri"),
                        f["Properties"].get("Handler"), f["Properties"].get("Runtime"),
                        f["Properties"].get("Architectures")) for name, f in functions.items()}
        self.assertEqual(len(set(build.values())), 1, build)
        self.assertEqual(next(iter(functions.values()))["Metadata"],
                         {"BuildMethod": "rust-cargolambda", "BuildProperties": {"Binary": "connect-references"}})
        for name in RUST_FUNCTIONS:
            properties = deployed(name)
            self.assertEqual(properties["Runtime"], "provided.al2023")
            self.assertEqual(properties["Architectures"], ["arm64"])
            self.assertEqual(properties["Handler"], "bootstrap")
        # The one function of another build: the agent panel's publisher, only with AgentApp.
        publisher = template["Resources"]["PanelPublisherFunction"]
        self.assertEqual(publisher["Condition"], "HostAgentApp")
        self.assertEqual(publisher["Metadata"], {"BuildMethod": "makefile"})
        self.assertNotIn("ENTRY_POINT", json.dumps(publisher))

    def test_each_function_serves_exactly_its_own_entry_point(self):
        for name, entry_point in ENTRY_POINTS.items():
            variables = deployed(name)["Environment"]["Variables"]
            self.assertEqual(variables["ENTRY_POINT"], entry_point, name)

    def test_memory_is_the_size_the_lambda_cpu_bench_chose(self):
        # docs/performance.md: 512 MB, measured by bench/lambda_cpu.py (docs/power-tuning.json).
        measured = json.loads((ROOT / "docs" / "power-tuning.json").read_text())
        sizes = sorted({row["mb"] for row in measured})
        for name in FUNCTIONS:
            self.assertIn(deployed(name)["MemorySize"], sizes, "a size the bench measured")
        self.assertEqual(self.properties["MemorySize"], 512)

    def test_timeout_leaves_room_for_the_flow_limit_and_the_functions_own_margin(self):
        # The function stops waiting for Connect 0.3 s before its deadline and after at most 8 s for flows.
        for name in FUNCTIONS:
            timeout = deployed(name)["Timeout"]
            self.assertGreaterEqual(timeout * 1000, 8000 + 300)
            self.assertLessEqual(timeout, 29, "API Gateway stops waiting after 30 s")

    def test_logs_are_structured_json_in_a_group_with_retention(self):
        groups = resources_of(load(), "AWS::Logs::LogGroup")
        for name in FUNCTIONS:
            logging = deployed(name)["LoggingConfig"]
            self.assertEqual(logging["LogFormat"], "JSON")
            self.assertEqual(logging["ApplicationLogLevel"], {"Ref": "LogLevel"})
            self.assertEqual(logging["LogGroup"], {"Ref": "FunctionLogGroup"})
        for name, group in groups.items():
            self.assertIn("RetentionInDays", group["Properties"], name)

    def test_every_function_and_the_api_log_to_declared_groups_kept_after_the_stack(self):
        # Issue 30 item 8: the audit lines and the access log outlive the stack. Each function (in every
        # configuration that creates it) and the API write to a group the template declares, which
        # CloudFormation keeps on delete and on replacement, with the deployer's retention.
        template = load()
        groups = resources_of(template, "AWS::Logs::LogGroup")
        self.assertEqual(sorted(groups), ["ApiAccessLogGroup", "FunctionLogGroup"])
        for name, group in groups.items():
            self.assertEqual(group.get("DeletionPolicy"), "Retain", name)
            self.assertEqual(group.get("UpdateReplacePolicy"), "Retain", name)
            self.assertEqual(group["Properties"]["RetentionInDays"], {"Ref": "LogRetentionInDays"}, name)
        functions = resources_of(template, "AWS::Serverless::Function")
        resources = transformed("AWS_IAM", **dict(every_switch_on()))["Resources"]
        for name in functions:
            group = resources[name]["Properties"]["LoggingConfig"]["LogGroup"]
            self.assertEqual(list(group), ["Ref"], name)
            self.assertIn(group["Ref"], groups, f"{name} logs to a group the template declares")
        access = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["DestinationArn"]
        self.assertEqual(access, {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]})

    def test_a_stack_deployed_again_under_the_same_name_does_not_collide_with_its_kept_logs(self):
        stack = Stack(load())
        stack_uuid = PSEUDO_PARAMETERS["AWS::StackId"].rsplit("/", 1)[1]
        for name, group in resources_of(stack.template, "AWS::Logs::LogGroup").items():
            group_name = stack.resolve(group["Properties"]["LogGroupName"])
            self.assertTrue(group_name.endswith("-" + stack_uuid), group_name)
            self.assertIn(PSEUDO_PARAMETERS["AWS::StackName"], group_name)

    def test_the_retention_is_the_deployers_choice_among_cloudwatchs_values(self):
        # CloudWatch Logs' RetentionInDays values (PutRetentionPolicy, Amazon CloudWatch Logs API Reference).
        cloudwatch = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653}
        parameter = load()["Parameters"]["LogRetentionInDays"]
        self.assertEqual(set(parameter["AllowedValues"]), cloudwatch)
        self.assertIn(parameter["Default"], cloudwatch)

    def test_lambdas_start_and_report_lines_are_kept(self):
        # Lambda writes START and REPORT (Init Duration, Max Memory Used) at INFO: a system log level of
        # WARN drops them ("Log-level filtering", AWS Lambda Developer Guide).
        for name in FUNCTIONS:
            self.assertIn(deployed(name)["LoggingConfig"]["SystemLogLevel"], ("INFO", "DEBUG"))

    def test_the_allow_list_is_set_from_the_instance_parameter(self):
        for name in FUNCTIONS:
            variables = deployed(name)["Environment"]["Variables"]
            self.assertEqual(variables["ALLOWED_INSTANCE_IDS"], {"Ref": "ConnectInstanceArn"}, name)

    def test_the_connect_endpoint_is_declared_for_sam_local_and_absent_unless_a_parameter_sets_it(self):
        # sam local's --env-vars only overrides variables the template declares.
        for name in FUNCTIONS:
            variables = deployed(name)["Environment"]["Variables"]
            self.assertEqual(
                variables["AWS_ENDPOINT_URL_CONNECT"],
                {"Fn::If": ["CustomConnectEndpoint", {"Ref": "ConnectEndpointUrl"}, {"Ref": "AWS::NoValue"}]},
            )
        template = load()
        self.assertEqual(template["Parameters"]["ConnectEndpointUrl"]["Default"], "")
        self.assertEqual(
            template["Conditions"]["CustomConnectEndpoint"], {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConnectEndpointUrl"}, ""]}]}
        )
        local = json.loads((ROOT / "sam-local-env.json").read_text())["Parameters"]
        self.assertEqual(local["AWS_ENDPOINT_URL_CONNECT"], "http://connect-local:4566")
        self.assertNotIn("ENTRY_POINT", local, "sam local keeps each function's own entry point")

    def test_the_s3_endpoint_is_declared_on_the_recordings_function_only_and_absent_unless_a_parameter_sets_it(self):
        # As AWS_ENDPOINT_URL_CONNECT: declared so that sam local's --env-vars can set it (the browser
        # tests point the recordings' links at a local S3); empty, CloudFormation leaves it out.
        on = {"EnableRecordings": "true", **RECORDINGS}
        declared = {"Fn::If": ["CustomS3Endpoint", {"Ref": "S3EndpointUrl"}, {"Ref": "AWS::NoValue"}]}
        self.assertEqual(deployed("RecordingsFunction", **on)["Environment"]["Variables"]["AWS_ENDPOINT_URL_S3"], declared)
        for name in FUNCTIONS:
            self.assertNotIn("AWS_ENDPOINT_URL_S3", deployed(name, **on)["Environment"]["Variables"], name)
        template = load()
        self.assertEqual(template["Parameters"]["S3EndpointUrl"]["Default"], "")
        self.assertEqual(template["Conditions"]["CustomS3Endpoint"], {"Fn::Not": [{"Fn::Equals": [{"Ref": "S3EndpointUrl"}, ""]}]})
        variables = template["Resources"]["RecordingsFunction"]["Properties"]["Environment"]["Variables"]
        self.assertNotIn("AWS_ENDPOINT_URL_S3", resolve(variables, template, on))
        self.assertEqual(resolve(variables, template, {**on, "S3EndpointUrl": "http://127.0.0.1:4569"})["AWS_ENDPOINT_URL_S3"],
                         "http://127.0.0.1:4569")


INSTANCE = INSTANCE_ARN.split("/")[1]
THIS_INSTANCE = f"arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}"
CONTACTS = f"{THIS_INSTANCE}/contact/*"
FILES = f"{THIS_INSTANCE}/file/*"
CONTACT_ARN = f"{THIS_INSTANCE}/contact/c-1"
FILE_ARN = f"{THIS_INSTANCE}/file/f-1"
OTHER_FILE_ARN = "arn:aws:connect:us-east-1:123456789012:instance/99999999-8888-7777-6666-555555555555/file/f-1"
SWITCHES = ("EnableAttachmentDownloads", "FlowAttachmentLinks", "ResolveTransferredContacts")
# Every parameter that reaches a role (through a condition), with the values the simulation gives it:
# test_every_switch_that_reaches_a_role_is_simulated keeps this list complete.
ROLE_SWITCHES = {
    **{switch: ("false", "true") for switch in SWITCHES},
    "EnableTracing": ("false", "true"),
    "AgentApp": ("false", "true"),
    "EnableRecordings": ("false", "true"),
    "RecordingsKmsKeyArn": ("", "arn:aws:kms:us-east-1:123456789012:key/0b7e3c51-2a4d-4f8e-9c61-7d2f0e5a9b13"),
}
# Where the recordings are, in every configuration (their role's grants name them).
RECORDINGS = {"RecordingsBucket": "example-connect-recordings", "RecordingsPrefix": "connect/example/CallRecordings/"}


def every_configuration():
    """Every combination of the switches that reach a role, as parameter values."""
    for values in itertools.product(*ROLE_SWITCHES.values()):
        yield {**dict(zip(ROLE_SWITCHES, values)), **RECORDINGS}


def grant(action, resource, condition=None):
    """A grant as role_permissions writes it: the action in lower case."""
    return (action.lower(), resource, None if condition is None else json.dumps(condition, sort_keys=True))


# What SAM attaches to every role it generates (AWSLambdaBasicExecutionRole; AWSXrayWriteOnlyAccess,
# because the template's Tracing is a condition SAM cannot read, so it attaches it in either case).
LAMBDA_BASICS = {grant(a, "*") for a in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")}
XRAY_WRITES = {grant(a, "*") for a in ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                       "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")}


# The agent panel's bucket, as the stack names it (a resource of the stack: role_permissions writes it so).
PANEL_BUCKET = "arn:aws:s3:::${PanelBucket}"


def expected_roles(parameters):
    """The exact grants of each function's role for these parameter values: what docs/security.md's
    table of functions says, and nothing else."""
    on = {name: value == "true" for name, value in parameters.items()}
    key = parameters["RecordingsKmsKeyArn"]
    roles = {
        "ListFunction": {grant("connect:ListContactReferences", CONTACTS)}
        | ({grant("connect:DescribeContact", CONTACTS)} if on["ResolveTransferredContacts"] else set()),
        "DownloadFunction": {grant("connect:GetAttachedFile", FILES)} if on["EnableAttachmentDownloads"] else set(),
        "FlowFunction": {grant("connect:ListContactReferences", CONTACTS)}
        | ({grant("connect:GetAttachedFile", FILES)} if on["FlowAttachmentLinks"] else set()),
    }
    if on["EnableRecordings"]:
        bucket, prefix = RECORDINGS["RecordingsBucket"], RECORDINGS["RecordingsPrefix"]
        roles["RecordingsFunction"] = {grant("connect:DescribeContact", CONTACTS),
                                       grant("s3:GetObject", f"arn:aws:s3:::{bucket}/{prefix}*")}
        if key:
            roles["RecordingsFunction"].add(grant("kms:Decrypt", key, {"StringEquals": {
                "kms:ViaService": "s3.us-east-1.amazonaws.com"}}))
    if on["AgentApp"]:
        roles["PanelPublisherFunction"] = {grant("s3:ListBucket", PANEL_BUCKET),
                                           grant("s3:PutObject", PANEL_BUCKET + "/*"),
                                           grant("s3:DeleteObject", PANEL_BUCKET + "/*")}
    return {function: grants | LAMBDA_BASICS | XRAY_WRITES for function, grants in roles.items()}


# Actions no role may ever hold, on any resource: changing or ending contacts, uploading or deleting
# files, any write to S3, encrypting with KMS, handing roles on, invoking functions, deleting logs; and
# every action of a service at once (`connect:*`, `s3:*`, `kms:*`, `*`).
NEVER_ANY_ROLE = (
    "*", "connect:*", "s3:*", "kms:*", "iam:*",
    "connect:StopContact", "connect:StopContactRecording", "connect:UpdateContact", "connect:UpdateContactAttributes",
    "connect:StartAttachedFileUpload", "connect:CompleteAttachedFileUpload", "connect:DeleteAttachedFile",
    "connect:TransferContact", "connect:DeleteInstance", "connect:AssociateInstanceStorageConfig",
    "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy", "s3:PutObjectAcl",
    "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant",
    "iam:PassRole", "sts:AssumeRole", "lambda:InvokeFunction", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
)
NEVER = {
    "ListFunction": NEVER_ANY_ROLE + ("connect:GetAttachedFile", "s3:GetObject", "kms:Decrypt"),
    "DownloadFunction": NEVER_ANY_ROLE + ("connect:ListContactReferences", "connect:DescribeContact", "s3:GetObject",
                                          "kms:Decrypt"),
    "FlowFunction": NEVER_ANY_ROLE + ("connect:DescribeContact", "s3:GetObject", "kms:Decrypt"),
    # The recordings' function reads recordings (its bucket and prefix: the exact set says where) and
    # decrypts them through S3; never lists a bucket, opens attached files or lists references.
    "RecordingsFunction": NEVER_ANY_ROLE + ("connect:GetAttachedFile", "connect:ListContactReferences", "s3:ListBucket",
                                            "kms:DescribeKey"),
    # The panel's publisher writes and deletes the panel's files (in its own bucket only: the exact set
    # says where); it never reads them back, touches Connect or KMS, or changes the bucket itself.
    "PanelPublisherFunction": tuple(a for a in NEVER_ANY_ROLE if a not in ("s3:PutObject", "s3:DeleteObject"))
    + ("connect:ListContactReferences", "connect:GetAttachedFile", "connect:DescribeContact", "s3:GetObject",
       "kms:Decrypt", "s3:DeleteBucket", "s3:PutBucketAcl", "s3:PutBucketPublicAccessBlock"),
}


def role_violations(template, parameters):
    """Everything wrong with the roles of `template` (a dictionary, after SAM's transform) deployed
    with `parameters`: a function holding a grant it should not or lacking one it should, holding an
    action it must never hold, or a role no function uses. Empty when the roles are exact."""
    stack = Stack(template, {"ConnectInstanceArn": INSTANCE_ARN, **parameters})
    found = []
    expected = expected_roles({switch: stack.parameters[switch] for switch in ROLE_SWITCHES})
    if stack.parameters["RecordingsBucket"] != RECORDINGS["RecordingsBucket"] and "RecordingsFunction" in expected:
        found.append("the simulation needs RECORDINGS' bucket")
    functions = stack.resources("AWS::Lambda::Function")
    if sorted(functions) != sorted(expected):
        found.append(f"functions {sorted(functions)}, expected {sorted(expected)}")
    used = set()
    for function in sorted(functions):
        try:
            grants = function_grants(stack, function)
        except Unmodelled as unmodelled:
            found.append(f"{function}: {unmodelled}")
            continue
        used.add(function_role(stack, function))
        wanted = expected.get(function, set())
        found += [f"{function} holds {g}, which it should not" for g in sorted(grants - wanted)]
        found += [f"{function} lacks {g}" for g in sorted(wanted - grants)]
        found += [f"{function} holds {action}, which it must never hold"
                  for action in NEVER.get(function, NEVER_ANY_ROLE) if holds(grants, action)]
    found += [f"role {role} belongs to no function" for role in stack.resources("AWS::IAM::Role") if role not in used]
    return found


def deployed_grants(function, **parameters):
    """The grants of a function's role in template.yaml deployed with `parameters`."""
    stack = Stack(transformed("AWS_IAM", **parameters), {"ConnectInstanceArn": INSTANCE_ARN, **parameters})
    return function_grants(stack, function)


class LeastPrivilegeTest(unittest.TestCase):
    """A policy simulation of each function's role, from every source CloudFormation and SAM can attach
    (tests/role_permissions.py), over every configuration of the switches that reach a role."""

    def test_each_role_holds_exactly_its_grants_in_every_configuration(self):
        configurations = list(every_configuration())
        self.assertEqual(len(configurations), 2 ** len(ROLE_SWITCHES))
        for parameters in configurations:
            self.assertEqual(role_violations(transformed("AWS_IAM", **parameters), parameters), [], parameters)

    def test_every_switch_that_reaches_a_role_is_simulated(self):
        # The conditions used by the functions (their policies, role, tracing) and by IAM resources, and
        # the parameters those conditions read: every one is in ROLE_SWITCHES, or a configuration of the
        # stack would go unsimulated.
        template = load()
        iam_parts = [r for r in template["Resources"].values()
                     if r["Type"] == "AWS::Serverless::Function" or r["Type"].startswith("AWS::IAM::")]
        parameters = set()
        for condition in conditions_in(iam_parts) | conditions_in(template["Globals"]["Function"]):
            parameters |= condition_parameters(template, condition)
        self.assertLessEqual(parameters - {"ConnectEndpointUrl", "S3EndpointUrl"}, set(ROLE_SWITCHES),
                             "ConnectEndpointUrl and S3EndpointUrl only set a variable")

    def test_the_list_function_can_never_open_a_file(self):
        for parameters in every_configuration():
            for authorizer in ("AWS_IAM", "JwtAuthorizer"):
                stack = Stack(transformed(authorizer, **parameters), {"ConnectInstanceArn": INSTANCE_ARN, **parameters})
                grants = function_grants(stack, "ListFunction")
                self.assertFalse(holds(grants, "connect:GetAttachedFile"), parameters)
                self.assertTrue(holds(grants, "connect:ListContactReferences", CONTACT_ARN), parameters)
                self.assertEqual(holds(grants, "connect:DescribeContact", CONTACT_ARN),
                                 parameters["ResolveTransferredContacts"] == "true", parameters)

    def test_the_download_function_can_only_open_this_instances_files_and_only_when_enabled(self):
        for parameters in every_configuration():
            grants = deployed_grants("DownloadFunction", **parameters)
            self.assertFalse(holds(grants, "connect:ListContactReferences"), parameters)
            self.assertFalse(holds(grants, "connect:DescribeContact"), parameters)
            self.assertEqual(holds(grants, "connect:GetAttachedFile", FILE_ARN),
                             parameters["EnableAttachmentDownloads"] == "true", parameters)
            self.assertFalse(holds(grants, "connect:GetAttachedFile", OTHER_FILE_ARN), "another instance")
            self.assertFalse(holds(grants, "connect:*"), "no wildcard grant")

    def test_the_flow_function_lists_and_opens_files_only_when_flows_links_are_enabled(self):
        for parameters in every_configuration():
            grants = deployed_grants("FlowFunction", **parameters)
            self.assertTrue(holds(grants, "connect:ListContactReferences", CONTACT_ARN), parameters)
            self.assertFalse(holds(grants, "connect:DescribeContact"), "flows never ask for it")
            self.assertEqual(holds(grants, "connect:GetAttachedFile", FILE_ARN),
                             parameters["FlowAttachmentLinks"] == "true", parameters)
            self.assertFalse(holds(grants, "connect:GetAttachedFile", OTHER_FILE_ARN), "another instance")

    def test_every_grant_is_on_this_instance_only(self):
        # Every Connect grant of every role names this instance's contacts or files with one wildcard;
        # the only grants on every resource are the logs and traces SAM attaches to every role.
        for parameters in every_configuration():
            for function in FUNCTIONS:
                for action, resource, _ in deployed_grants(function, **parameters) - LAMBDA_BASICS - XRAY_WRITES:
                    self.assertTrue(action.startswith("connect:"), action)
                    self.assertRegex(resource, f"^{THIS_INSTANCE}/(contact|file)/\\*$", (function, action))

    def test_actions_match_case_insensitively_and_resources_case_sensitively_with_iams_wildcards(self):
        self.assertTrue(action_matches("connect:getAttachedFile", "connect:GetAttachedFile"))
        self.assertTrue(action_matches("CONNECT:Get*", "connect:GetAttachedFile"))
        self.assertTrue(action_matches("connect:GetAttached?ile", "connect:GetAttachedFile"))
        self.assertFalse(action_matches("connect:GetAttached?", "connect:GetAttachedFile"))
        self.assertTrue(action_matches("*", "connect:*") and action_matches("connect:*", "connect:*"))
        self.assertFalse(action_matches("connect:Get*", "connect:*"), "covers some Connect actions, not all")
        self.assertTrue(resource_matches(f"{THIS_INSTANCE}/*", FILE_ARN))
        self.assertTrue(resource_matches("arn:aws:connect:*:*:instance/????????-*/file/*", FILE_ARN))
        self.assertFalse(resource_matches(FILES.upper(), FILE_ARN), "ARNs are case-sensitive")
        self.assertFalse(resource_matches(FILES, OTHER_FILE_ARN))

    def test_the_switches_are_off_by_default_and_reach_the_functions(self):
        template = load()
        for switch in SWITCHES:
            self.assertEqual(template["Parameters"][switch]["Default"], "false", switch)
        self.assertEqual(deployed("ListFunction")["Environment"]["Variables"]["RESOLVE_TRANSFERRED_CONTACTS"],
                         {"Ref": "ResolveTransferredContacts"})
        self.assertEqual(deployed("DownloadFunction")["Environment"]["Variables"]["ENABLE_ATTACHMENT_DOWNLOADS"],
                         {"Ref": "EnableAttachmentDownloads"})
        self.assertEqual(deployed("FlowFunction")["Environment"]["Variables"]["ENABLE_ATTACHMENT_DOWNLOADS"],
                         {"Ref": "FlowAttachmentLinks"})


def with_statement(template, function, action, resource="*"):
    """`template` with one more Allow statement in a function's own Policies."""
    policies = template["Resources"][function]["Properties"].setdefault("Policies", [])
    policies.append({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    return template


EVERY_SWITCH_ON = {**{switch: values[-1] for switch, values in ROLE_SWITCHES.items()}, **RECORDINGS}


class RoleMutantTest(unittest.TestCase):
    """The simulation bites: copies of the template, each changed in one way that widens a role, and
    each caught by role_violations (which passes on the template itself, in every configuration)."""

    def violations(self, template, parameters=EVERY_SWITCH_ON):
        return role_violations(transform_template(template, parameters), parameters)

    def assertCaught(self, template, function, wanted, parameters=EVERY_SWITCH_ON):
        found = self.violations(template, parameters)
        self.assertTrue(any(v.startswith(function + " ") and wanted in v for v in found),
                        f"not caught ({function}, {wanted!r}): {found}")

    def test_the_unchanged_template_has_no_violation_with_every_switch_on(self):
        self.assertEqual(self.violations(load()), [])

    def test_a_separate_iam_policy_granting_the_list_role_connect_star_is_caught(self):
        template = load()
        template["Resources"]["WideningPolicy"] = {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "widening", "Roles": [{"Ref": "ListFunctionRole"}],
            "PolicyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "connect:*", "Resource": "*"}]}}}
        self.assertCaught(template, "ListFunction", "connect:*, which it must never hold")
        self.assertCaught(template, "ListFunction", "connect:GetAttachedFile, which it must never hold")

    def test_a_conditional_iam_policy_is_caught_in_the_configuration_that_creates_it(self):
        template = load()
        template["Resources"]["WideningPolicy"] = {"Type": "AWS::IAM::Policy", "Condition": "FlowLinks", "Properties": {
            "PolicyName": "widening", "Roles": [{"Ref": "ListFunctionRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "connect:GetAttachedFile", "Resource": FILES}]}}}
        self.assertEqual(self.violations(template, {**EVERY_SWITCH_ON, "FlowAttachmentLinks": "false"}), [])
        self.assertCaught(template, "ListFunction", "connect:GetAttachedFile, which it must never hold")

    def test_a_managed_policy_resource_naming_the_role_is_caught(self):
        template = load()
        template["Resources"]["WideningManagedPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "Roles": [{"Ref": "DownloadFunctionRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}}}
        self.assertCaught(template, "DownloadFunction", "s3:GetObject, which it must never hold")

    def test_a_role_policy_resource_naming_the_role_is_caught(self):
        template = load()
        template["Resources"]["WideningRolePolicy"] = {"Type": "AWS::IAM::RolePolicy", "Properties": {
            "RoleName": {"Ref": "FlowFunctionRole"}, "PolicyName": "widening",
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "connect:DescribeContact", "Resource": CONTACTS}]}}}
        self.assertCaught(template, "FlowFunction", "connect:DescribeContact, which it must never hold")

    def test_a_managed_policy_arn_in_a_functions_policies_is_caught(self):
        # SAM turns a managed policy's name into an ARN on the role; one this simulation has no document
        # for counts as everything.
        template = load()
        template["Resources"]["ListFunction"]["Properties"]["Policies"].append("AmazonConnect_FullAccess")
        self.assertCaught(template, "ListFunction", "'*', '*', None), which it should not")
        template = load()
        template["Resources"]["WideningManagedPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "connect:StopContact", "Resource": CONTACTS}]}}}
        template["Resources"]["FlowFunction"]["Properties"]["Policies"].append({"Ref": "WideningManagedPolicy"})
        self.assertCaught(template, "FlowFunction", "connect:StopContact, which it must never hold")

    def test_a_sam_policy_template_on_a_function_is_caught(self):
        template = load()
        template["Resources"]["DownloadFunction"]["Properties"]["Policies"].append({"S3CrudPolicy": {"BucketName": "b"}})
        self.assertCaught(template, "DownloadFunction", "s3:PutObject, which it must never hold")
        self.assertCaught(template, "DownloadFunction", "s3:DeleteObject, which it must never hold")

    def test_an_action_spelt_in_another_case_is_caught(self):
        template = with_statement(load(), "ListFunction", "connect:getAttachedFile", FILES)
        self.assertCaught(template, "ListFunction", "connect:GetAttachedFile, which it must never hold")

    def test_a_wildcard_action_covering_a_forbidden_one_is_caught(self):
        template = with_statement(load(), "ListFunction", "connect:Get*", FILES)
        self.assertCaught(template, "ListFunction", "connect:GetAttachedFile, which it must never hold")
        template = with_statement(load(), "ListFunction", "connect:?etAttachedFile", FILES)
        self.assertCaught(template, "ListFunction", "connect:GetAttachedFile, which it must never hold")

    def test_one_forbidden_action_added_to_each_role_is_caught(self):
        for function in expected_roles(EVERY_SWITCH_ON):
            write = "s3:PutObject" if "s3:PutObject" in NEVER[function] else "s3:PutBucketPolicy"
            for action in (NEVER[function][-1], "connect:StopContact", write):
                with self.subTest(function=function, action=action):
                    template = with_statement(load(), function, action)
                    self.assertCaught(template, function, f"{action}, which it must never hold")

    def test_an_allowed_action_on_another_instance_is_caught(self):
        other_files = OTHER_FILE_ARN.rsplit("/", 1)[0] + "/*"
        template = with_statement(load(), "DownloadFunction", "connect:GetAttachedFile", other_files)
        self.assertCaught(template, "DownloadFunction", f"{other_files}', None), which it should not")

    def test_a_grant_a_switch_should_withhold_is_caught_with_the_switch_off(self):
        template = with_statement(load(), "DownloadFunction", "connect:GetAttachedFile", FILES)
        self.assertCaught(template, "DownloadFunction", "which it should not",
                          {**EVERY_SWITCH_ON, "EnableAttachmentDownloads": "false"})

    def test_a_missing_grant_is_caught(self):
        template = load()
        template["Resources"]["ListFunction"]["Properties"]["Policies"] = []
        self.assertCaught(template, "ListFunction", "lacks ('connect:listcontactreferences'")

    def test_a_role_from_outside_the_stack_or_an_unused_role_is_caught(self):
        template = load()
        template["Resources"]["FlowFunction"]["Properties"]["Role"] = "arn:aws:iam::123456789012:role/anything"
        self.assertCaught(template, "FlowFunction", "'*', '*', None), which it should not")
        template = load()
        template["Resources"]["SpareRole"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
        self.assertIn("role SpareRole belongs to no function", self.violations(template))

    def test_a_not_action_statement_counts_as_every_action(self):
        template = load()
        template["Resources"]["ListFunction"]["Properties"]["Policies"].append({"Statement": [
            {"Effect": "Allow", "NotAction": "connect:GetAttachedFile", "Resource": CONTACTS}]})
        self.assertCaught(template, "ListFunction", "connect:StopContact, which it must never hold")


# Connect's general API quota, which GetAttachedFile falls under (it has none of its own): 2 requests a
# second, burst 5, per account and region (Service Quotas, Amazon Connect).
CONNECT_GENERAL_RATE, CONNECT_GENERAL_BURST = 2, 5


# Connect's quotas for the operations the routes reach, (rate a second, burst), per account and region
# (Service Quotas defaults): "Rate of ListContactReferences API requests" L-6840C932 and "Rate of
# DescribeContact API requests" L-371095B8, 10/s (no burst is published: the rate is taken for both);
# GetAttachedFile has none of its own, so Connect's general 2/s, burst 5.
CONNECT_QUOTAS = {
    "ListContactReferences": (10, 10),
    "DescribeContact": (10, 10),
    "GetAttachedFile": (CONNECT_GENERAL_RATE, CONNECT_GENERAL_BURST),
}
# The Connect calls one request makes at most, by function and method: the function's code decides it,
# and the tests named here hold the function to it.
ROUTE_CALLS = {
    # A listing of every type is two ListContactReferences calls (batches of six types); with
    # contact=initial one DescribeContact first. HEAD lists as GET does and drops the body.
    "ListFunction": {"GET": {"ListContactReferences": 2, "DescribeContact": 1},
                     "HEAD": {"ListContactReferences": 2, "DescribeContact": 1}},
    # One GetAttachedFile per click; HEAD checks the request and makes no call
    # (tests/it/attachments.rs head_checks_the_request_and_makes_no_call_nor_does_a_head_of_a_list).
    "DownloadFunction": {"GET": {"GetAttachedFile": 1}, "HEAD": {}},
    # A contact's recordings, or one of them to open: one DescribeContact (then a signature, no call).
    # HEAD is counted as a GET.
    "RecordingsFunction": {"GET": {"DescribeContact": 1}, "HEAD": {"DescribeContact": 1}},
}


def every_switch_on():
    return {**{switch: values[-1] for switch, values in ROLE_SWITCHES.items()}, **RECORDINGS}.items()


def api_routes(parameters):
    """Every route of the HTTP API, {(METHOD, path): (function, throttle rate, throttle burst)}: its
    RouteSettings, or the API's DefaultRouteSettings."""
    stack = Stack(load(), {"ConnectInstanceArn": INSTANCE_ARN, **parameters})
    api = stack.template["Resources"]["HttpApi"]["Properties"]
    default = stack.resolve(api["DefaultRouteSettings"])
    settings = stack.resolve(api.get("RouteSettings", {}))
    routes = {}
    for path, methods in stack.resolve(api["DefinitionBody"]["paths"]).items():
        for method, operation in methods.items():
            key = f"{method.upper()} {path}"
            function = operation["x-amazon-apigateway-integration"]["uri"][2:-len(".Arn}")]
            throttle = settings.get(key, default)
            routes[(method.upper(), path)] = (function, float(throttle["ThrottlingRateLimit"]),
                                              float(throttle["ThrottlingBurstLimit"]))
    return routes


def connect_load(parameters):
    """{operation: (calls a second, calls at once)} at most, over every route of the API (its throttle x
    the calls a request makes) and flows' links (reserved concurrency x each environment's limiter)."""
    stack = Stack(load(), parameters)
    total = {operation: [0.0, 0.0] for operation in CONNECT_QUOTAS}
    for (method, _), (function, rate, burst) in api_routes(parameters).items():
        for operation, calls in ROUTE_CALLS[function][method].items():
            total[operation][0] += rate * calls
            total[operation][1] += burst * calls
    if stack.condition("FlowLinks"):
        concurrency = float(stack.parameters["FlowConcurrency"])
        total["GetAttachedFile"][0] += concurrency * float(stack.parameters["FlowAttachedFileRate"])
        total["GetAttachedFile"][1] += concurrency * float(stack.parameters["FlowAttachedFileBurst"])
    return {operation: tuple(values) for operation, values in total.items()}


class QuotaBoundTest(unittest.TestCase):
    """Every source of Connect calls (each route of the API, flows' links) is bounded across execution
    environments by Lambda's and API Gateway's own controls, and at the defaults, with every source
    enabled, the sources of each operation together stay within its quota."""

    def defaults(self):
        template = load()
        return {name: p.get("Default") for name, p in template["Parameters"].items()}

    def test_the_download_route_is_throttled_to_its_share(self):
        template = load()
        settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"][f"GET {DOWNLOAD_ROUTE}"]
        self.assertEqual(settings["ThrottlingRateLimit"], {"Ref": "AttachedFileRate"})
        self.assertEqual(settings["ThrottlingBurstLimit"], {"Ref": "AttachedFileBurst"})
        variables = deployed("DownloadFunction")["Environment"]["Variables"]
        self.assertEqual(variables["ATTACHED_FILE_RATE"], {"Ref": "AttachedFileRate"})
        self.assertEqual(variables["ATTACHED_FILE_BURST"], {"Ref": "AttachedFileBurst"})

    def test_flows_links_are_bounded_by_reserved_concurrency_times_the_per_environment_rate(self):
        with_links = deployed("FlowFunction", FlowAttachmentLinks="true")
        self.assertEqual(resolve(with_links.get("ReservedConcurrentExecutions"), load(), {"FlowAttachmentLinks": "true"}),
                         self.defaults()["FlowConcurrency"])
        variables = with_links["Environment"]["Variables"]
        self.assertEqual(variables["ATTACHED_FILE_RATE"], {"Ref": "FlowAttachedFileRate"})
        self.assertEqual(variables["ATTACHED_FILE_BURST"], {"Ref": "FlowAttachedFileBurst"})
        # Without links, flows make no GetAttachedFile and need no reserved concurrency.
        without = resolve({"v": deployed("FlowFunction").get("ReservedConcurrentExecutions")}, load(), {})
        self.assertEqual(without, {}, "absent")

    def test_the_list_function_makes_no_get_attached_file_at_all(self):
        self.assertNotIn("ATTACHED_FILE_RATE", deployed("ListFunction")["Environment"]["Variables"])

    def test_the_defaults_stay_within_connects_general_quota_with_every_source_enabled(self):
        rate, burst = connect_load(dict(every_switch_on()))["GetAttachedFile"]
        self.assertLessEqual(rate, CONNECT_GENERAL_RATE, f"{rate}/s")
        self.assertLessEqual(burst, CONNECT_GENERAL_BURST, f"burst {burst}")
        d = self.defaults()
        self.assertEqual(rate, float(d["AttachedFileRate"]) + float(d["FlowConcurrency"]) * float(d["FlowAttachedFileRate"]))

    def test_every_route_counts_in_the_quota_of_each_operation_its_function_calls(self):
        # The sum over every route reaching an operation (each route's throttle x the calls one request
        # makes), flows' share added, stays within Connect's quota for that operation, rate and burst.
        for parameters in (dict(every_switch_on()), {}):
            for operation, (rate, burst) in connect_load(parameters).items():
                quota_rate, quota_burst = CONNECT_QUOTAS[operation]
                self.assertLessEqual(rate, quota_rate, f"{operation}: {rate}/s, {parameters}")
                self.assertLessEqual(burst, quota_burst, f"{operation}: burst {burst}, {parameters}")

    def test_every_route_of_the_api_has_a_known_cost(self):
        # A new route (or method) must say what it costs before the sum above can count it.
        routes = api_routes(dict(every_switch_on()))
        self.assertGreater(len(routes), 0)
        for (method, path), (function, rate, burst) in routes.items():
            self.assertIn(method, ROUTE_CALLS.get(function, {}), f"{method} {path} reaches {function}")
            self.assertGreater(rate, 0)
            self.assertGreaterEqual(burst, 1)

    def test_the_deployment_guides_arithmetic_is_the_templates(self):
        import re

        text = (ROOT / "docs" / "deployment.md").read_text()
        section = text[text.index("## Connect's quotas, route by route"):]
        section = section[:section.index("\n## ")]
        routes = api_routes({})
        for method in ("GET", "HEAD"):
            written = re.search(f"list `{method}` (\\d+)/s", section)
            self.assertIsNotNone(written, method)
            self.assertEqual(float(written.group(1)), routes[(method, ROUTE)][1], method)
        load_ = connect_load(dict(every_switch_on()))
        self.assertIn(f"= {load_['ListContactReferences'][0]:g} |", section)
        self.assertIn(f"| {load_['GetAttachedFile'][0]:g} (burst {load_['GetAttachedFile'][1]:g}) |", section)
        self.assertIn(f"= {load_['DescribeContact'][0]:g} |", section)
        self.assertIn(f"{load()['Resources']['HttpApi']['Properties']['DefaultRouteSettings']['ThrottlingRateLimit']} "
                      "request a second", section)

    def test_the_list_routes_get_and_head_share_the_list_quota(self):
        # GET and HEAD are two routes, each throttled, and HEAD lists too: their throttles together,
        # not each alone, stay within ListContactReferences' 10/s.
        routes = api_routes({})
        get, head = routes[("GET", ROUTE)], routes[("HEAD", ROUTE)]
        self.assertEqual((get[0], head[0]), ("ListFunction", "ListFunction"))
        calls = ROUTE_CALLS["ListFunction"]["HEAD"]["ListContactReferences"]
        self.assertEqual(calls, ROUTE_CALLS["ListFunction"]["GET"]["ListContactReferences"])
        self.assertLessEqual((get[1] + head[1]) * calls, CONNECT_QUOTAS["ListContactReferences"][0])
        self.assertLessEqual((get[2] + head[2]) * calls, CONNECT_QUOTAS["ListContactReferences"][1])


DOWNLOAD_ROUTE = "/contact/attachments/{InstanceId}/{ContactId}/{FileId}"
RECORDINGS_ROUTES = ("/contact/recordings/{InstanceId}/{ContactId}",
                     "/contact/recordings/{InstanceId}/{ContactId}/{RecordingId}")


def policy_resources(name):
    """An execute-api policy of docs/policies/NAME.json, for API abc123 in us-east-1."""
    text = (ROOT / "docs" / "policies" / f"{name}.json").read_text()
    text = text.replace("REGION", "us-east-1").replace("ACCOUNT", "123456789012").replace("API_ID", "abc123")
    return [r for s in json.loads(text)["Statement"] if s["Effect"] == "Allow" for r in s["Resource"]]


def route_arn(method, path):
    """The execute-api ARN API Gateway authorises a request by: api/stage/METHOD/path."""
    return f"arn:aws:execute-api:us-east-1:123456789012:abc123/$default/{method}{path}"


class HttpApiTest(unittest.TestCase):
    def routes(self, authorizer):
        apis = resources_of(transformed(authorizer), "AWS::ApiGatewayV2::Api")
        self.assertEqual(len(apis), 1)
        body = next(iter(apis.values()))["Properties"]["Body"]
        deployed_paths = [path for path, item in resolve(body["paths"], load(), {"Authorizer": authorizer}).items() if item]
        self.assertEqual(sorted(deployed_paths), sorted([ROUTE, DOWNLOAD_ROUTE]), "the list and download routes only")
        self.assertEqual(sorted(body["paths"]), sorted([ROUTE, DOWNLOAD_ROUTE, *RECORDINGS_ROUTES]))
        return body

    def route(self, authorizer):
        body = self.routes(authorizer)
        return body, body["paths"][ROUTE]

    def test_a_list_only_policy_cannot_download_and_the_download_policy_can(self):
        lists = [route_arn(m, f"/contact/references/{INSTANCE}/c-1") for m in ("GET", "HEAD")]
        downloads = [route_arn(m, f"/contact/attachments/{INSTANCE}/c-1/f-1") for m in ("GET", "HEAD")]
        list_only, both = policy_resources("list-only"), policy_resources("list-and-download")
        for arn in lists:
            self.assertTrue(any(resource_matches(r, arn) for r in list_only), arn)
            self.assertTrue(any(resource_matches(r, arn) for r in both), arn)
        for arn in downloads:
            self.assertFalse(any(resource_matches(r, arn) for r in list_only), f"list-only opens {arn}")
            self.assertTrue(any(resource_matches(r, arn) for r in both), arn)
        # Why the download route has a path of its own: IAM's * also matches /, so a route under the
        # list's path would be opened by the list-only policy.
        under_list = route_arn("GET", f"/contact/references/{INSTANCE}/c-1/attachments/f-1")
        self.assertTrue(any(resource_matches(r, under_list) for r in list_only))
        # Each policy resource names a method and a route of the template.
        for resource in list_only + both:
            method, path = resource.split("/*/", 1)[1].split("/", 1)
            self.assertIn(method, ("GET", "HEAD"), resource)
            self.assertTrue(any(route.startswith("/" + path.rstrip("*")) for route in (ROUTE, DOWNLOAD_ROUTE)), resource)

    def test_each_route_requires_its_own_jwt_scope_by_default(self):
        template = load()
        body = self.routes("JwtAuthorizer")
        jwt = {"Authorizer": "JwtAuthorizer"}
        for path, parameter, default in ((ROUTE, "ListAuthorizationScopes", "connect-references/read"),
                                         (DOWNLOAD_ROUTE, "DownloadAuthorizationScopes", "connect-references/download")):
            self.assertEqual(template["Parameters"][parameter]["Default"], default)
            for method in ("get", "head"):
                security = body["paths"][path][method]["security"]
                self.assertEqual(resolve(security, template, jwt), [{"JwtAuthorizer": [default]}], f"{path} {method}")
                scoped = resolve(security, template, {**jwt, parameter: "references/read,references/download"})
                self.assertEqual(scoped, [{"JwtAuthorizer": ["references/read", "references/download"]}])
                self.assertEqual(resolve(security, template, {**jwt, parameter: ""}), [{"JwtAuthorizer": []}],
                                 "empty: any token of the audience, only when chosen")
                self.assertEqual(resolve(security, template, {parameter: "x"}), [{"AWS_IAM": []}], "IAM has no scopes")
        # A token holding only the list scope cannot open files: the scopes differ.
        self.assertNotEqual(template["Parameters"]["ListAuthorizationScopes"]["Default"],
                            template["Parameters"]["DownloadAuthorizationScopes"]["Default"])

    def test_the_access_log_holds_the_path_to_answer_who_opened_a_file(self):
        log_format = load()["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
        fields = json.loads(log_format.replace("$context.", "").replace("$", ""))
        self.assertEqual(fields["path"], "path")
        self.assertIn("userArn", fields)

    def test_the_route_is_authenticated_by_iam_by_default_and_by_jwt_when_chosen(self):
        template = load()
        self.assertEqual(template["Parameters"]["Authorizer"]["Default"], "AWS_IAM")
        body, route = self.route("AWS_IAM")
        self.assertEqual(sorted(route), ["get", "head"], "GET and HEAD only")
        # Every method of every route, the recordings routes included (each inside RecordingsOn).
        for path in (ROUTE, DOWNLOAD_ROUTE, *RECORDINGS_ROUTES):
            self.assertEqual(sorted(body["paths"][path]), ["get", "head"], path)
            for method in ("get", "head"):
                operation = body["paths"][path][method]
                if path in RECORDINGS_ROUTES:
                    condition, operation, absent = operation["Fn::If"]
                    self.assertEqual((condition, absent), ("RecordingsOn", {"Ref": "AWS::NoValue"}), path)
                condition, jwt, iam = operation["security"]["Fn::If"]
                self.assertEqual(condition, "UseJwt", f"{path} {method}")
                self.assertEqual(iam, [{"AWS_IAM": []}], f"{path} {method}")
                self.assertEqual(list(jwt[0]), ["JwtAuthorizer"], f"{path} {method}")
        schemes = body["components"]["securitySchemes"]
        self.assertEqual(schemes["AWS_IAM"]["x-amazon-apigateway-authtype"], "awsSigv4")
        _, jwt_scheme, _ = schemes["JwtAuthorizer"]["Fn::If"]
        self.assertEqual(jwt_scheme["x-amazon-apigateway-authorizer"]["type"], "jwt")
        jwt_configuration = jwt_scheme["x-amazon-apigateway-authorizer"]["jwtConfiguration"]
        self.assertEqual(resolve(jwt_configuration["issuer"], template, {"JwtIssuer": "https://issuer.example"}),
                         "https://issuer.example")
        self.assertEqual(template["Conditions"]["UseJwt"], {"Fn::Or": [
            {"Fn::Equals": [{"Ref": "Authorizer"}, "JwtAuthorizer"]}, {"Condition": "HostAgentApp"}]})
        for parameters, jwt in (({}, False), ({"Authorizer": "JwtAuthorizer"}, True), ({"AgentApp": "true"}, True)):
            self.assertEqual(Stack(template, parameters).condition("UseJwt"), jwt, parameters)

    def test_each_route_integrates_its_own_function_with_payload_2_and_never_the_flow_function(self):
        body = self.routes("AWS_IAM")
        for path, function in ((ROUTE, "ListFunction"), (DOWNLOAD_ROUTE, "DownloadFunction")):
            for method in ("get", "head"):
                integration = body["paths"][path][method]["x-amazon-apigateway-integration"]
                self.assertEqual(integration["type"], "aws_proxy")
                self.assertEqual(integration["payloadFormatVersion"], "2.0")
                self.assertEqual(integration["uri"], {"Fn::GetAtt": [function, "Arn"]}, f"{path} {method}")

    def test_api_gateway_may_invoke_only_through_the_route(self):
        resources = load()["Resources"]
        for name, method, path, function in (
            ("ApiInvokePermission", "GET", "references", "ListFunction"),
            ("ApiHeadInvokePermission", "HEAD", "references", "ListFunction"),
            ("ApiDownloadInvokePermission", "GET", "attachments", "DownloadFunction"),
            ("ApiDownloadHeadInvokePermission", "HEAD", "attachments", "DownloadFunction"),
        ):
            permission = resources[name]["Properties"]
            self.assertEqual(permission["Principal"], "apigateway.amazonaws.com")
            self.assertEqual(permission["FunctionName"], {"Fn::GetAtt": [function, "Arn"]}, name)
            self.assertTrue(permission["SourceArn"]["Fn::Sub"].endswith(f"${{HttpApi}}/*/{method}/contact/{path}/*"))
        for name, method in (("RecordingsInvokePermission", "GET"), ("RecordingsHeadInvokePermission", "HEAD")):
            permission = resources[name]
            self.assertEqual(permission["Condition"], "RecordingsOn")
            self.assertEqual(permission["Properties"]["FunctionName"], {"Fn::GetAtt": ["RecordingsFunction", "Arn"]})
            self.assertTrue(permission["Properties"]["SourceArn"]["Fn::Sub"].endswith(
                f"${{HttpApi}}/*/{method}/contact/recordings/*"))
        api_permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                           and r["Properties"]["Principal"] == "apigateway.amazonaws.com"]
        self.assertEqual(len(api_permissions), 6, "no other way in for API Gateway")

    def test_the_recordings_routes_exist_only_when_enabled_with_their_function_scope_and_throttle(self):
        template = load()
        self.assertEqual(template["Parameters"]["EnableRecordings"]["Default"], "false")
        self.assertEqual(template["Parameters"]["RecordingsAuthorizationScopes"]["Default"], "connect-references/recordings")
        self.assertEqual(template["Resources"]["RecordingsFunction"]["Condition"], "RecordingsOn")
        off = api_routes({})
        self.assertFalse([key for key in off if key[1] in RECORDINGS_ROUTES], "no recordings route by default")
        on = dict(every_switch_on())
        routes = api_routes(on)
        for path in RECORDINGS_ROUTES:
            for method in ("GET", "HEAD"):
                function, rate, burst = routes[(method, path)]
                self.assertEqual(function, "RecordingsFunction")
                self.assertEqual((rate, burst), (float(template["Parameters"]["RecordingsRate"]["Default"]),
                                                 float(template["Parameters"]["RecordingsBurst"]["Default"])))
        stack = Stack(template, {**on, "Authorizer": "JwtAuthorizer"})
        paths = stack.resolve(template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]["paths"])
        for path in RECORDINGS_ROUTES:
            for method in ("get", "head"):
                self.assertEqual(paths[path][method]["security"], [{"JwtAuthorizer": ["connect-references/recordings"]}])
        self.assertNotEqual(paths[ROUTE]["get"]["security"], paths[RECORDINGS_ROUTES[0]]["get"]["security"],
                            "a token that lists references cannot open recordings by that alone")
        variables = deployed("RecordingsFunction", **on)["Environment"]["Variables"]
        self.assertEqual(variables["ENTRY_POINT"], "recordings")
        self.assertEqual(variables["RECORDINGS_BUCKET"], {"Ref": "RecordingsBucket"})
        self.assertEqual(variables["RECORDINGS_PREFIX"], {"Ref": "RecordingsPrefix"})
        self.assertEqual(variables["ALLOWED_INSTANCE_IDS"], {"Ref": "ConnectInstanceArn"})
        self.assertEqual(deployed("RecordingsFunction", **on)["LoggingConfig"]["LogGroup"], {"Ref": "FunctionLogGroup"})

    def test_the_recordings_prefix_cannot_hold_iam_wildcards(self):
        import re

        pattern = load()["Parameters"]["RecordingsPrefix"]["AllowedPattern"]
        for good in ("", "connect/example/CallRecordings/", "a-b_c.d/(x)/"):
            self.assertRegex(good, pattern)
        for bad in ("connect/*", "connect/?", "a b", "connect/\u202e"):
            self.assertIsNone(re.match(pattern, bad), bad)

    def test_the_api_is_throttled_below_connects_quota_and_access_logged(self):
        # Every route has a throttle, and the routes reaching ListContactReferences stay within its quota
        # together (QuotaBoundTest does the sum for every operation).
        load_ = connect_load(dict(every_switch_on()))
        self.assertLessEqual(load_["ListContactReferences"][0], CONNECT_QUOTAS["ListContactReferences"][0])
        self.assertLessEqual(load_["ListContactReferences"][1], CONNECT_QUOTAS["ListContactReferences"][1])
        properties = load()["Resources"]["HttpApi"]["Properties"]
        self.assertIn("DestinationArn", properties["AccessLogSettings"])


class ConnectTest(unittest.TestCase):
    def test_only_this_instance_may_invoke_and_only_the_flow_function(self):
        resources = transformed("AWS_IAM")["Resources"]
        permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
        connect = [p for p in permissions if p["Principal"] == "connect.amazonaws.com"]
        self.assertEqual(len(connect), 1)
        self.assertEqual(connect[0]["FunctionName"], {"Fn::GetAtt": ["FlowFunction", "Arn"]})
        self.assertEqual(connect[0]["SourceArn"], {"Ref": "ConnectInstanceArn"})
        self.assertEqual(connect[0]["SourceAccount"], {"Ref": "AWS::AccountId"})
        # Nothing else grants an invoke: API Gateway's four, on the HTTP functions only.
        self.assertEqual({p["Principal"] for p in permissions}, {"connect.amazonaws.com", "apigateway.amazonaws.com"})
        api = [p["FunctionName"]["Fn::GetAtt"][0] for p in permissions if p["Principal"] == "apigateway.amazonaws.com"]
        self.assertEqual(sorted(set(api)), ["DownloadFunction", "ListFunction", "RecordingsFunction"])

    def test_only_the_flow_function_is_associated_with_the_instance_unless_turned_off(self):
        associations = resources_of(load(), "AWS::Connect::IntegrationAssociation")
        self.assertEqual(sorted(associations), ["ConnectIntegration", "PanelIntegration"])
        lambdas = {n: a for n, a in associations.items() if a["Properties"]["IntegrationType"] == "LAMBDA_FUNCTION"}
        self.assertEqual(list(lambdas), ["ConnectIntegration"])
        association = associations["ConnectIntegration"]
        self.assertEqual(association["Condition"], "Associate")
        self.assertEqual(association["Properties"]["InstanceId"], {"Ref": "ConnectInstanceArn"})
        self.assertEqual(association["Properties"]["IntegrationArn"], {"Fn::GetAtt": ["FlowFunction", "Arn"]})
        # The other one registers the agent app (AgentApp=true), never a function.
        app = associations["PanelIntegration"]
        self.assertEqual((app["Condition"], app["Properties"]["IntegrationType"]), ("HostAgentApp", "APPLICATION"))

    def test_the_instance_parameter_must_be_an_instance_arn(self):
        import re

        pattern = load()["Parameters"]["ConnectInstanceArn"]["AllowedPattern"]
        self.assertRegex(INSTANCE_ARN, pattern)
        self.assertIsNone(re.match(pattern, "*"))
        self.assertIsNone(re.match(pattern, INSTANCE_ARN + "/contact/x"))


class OutputsTest(unittest.TestCase):
    def test_outputs_name_the_url_the_function_the_route_and_the_dashboard(self):
        outputs = load()["Outputs"]
        self.assertLessEqual({"ApiUrl", "FunctionArn", "Route", "DashboardUrl"}, set(outputs))
        self.assertEqual(outputs["FunctionArn"]["Value"], {"Fn::GetAtt": ["FlowFunction", "Arn"]}, "for the flow block")


def alarms():
    return resources_of(load(), "AWS::CloudWatch::Alarm")


def watched(alarm):
    """(namespace, metric name, dimensions) of every metric an alarm reads: its one metric, or each
    MetricStat of a metric-math alarm."""
    properties = alarm["Properties"]
    stats = [m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m]
    if not stats:
        stats = [properties]
    return [(s["Namespace"], s["MetricName"], {d["Name"]: d["Value"] for d in s["Dimensions"]}) for s in stats]


def emitted_by_the_function(namespace, metric, dimensions):
    """Whether the function's EMF lines (tests/expected-metrics.json, which the Rust tests check every
    emitted line against) publish `metric` under exactly these dimension names and values."""
    expected = expected_metrics()
    if namespace != {"Ref": "MetricsNamespace"}:
        return False
    names = sorted(dimensions)
    for directive in expected["directives"]:
        if names in [sorted(s) for s in directive["Dimensions"]] and metric in [m["Name"] for m in directive["Metrics"]]:
            return all(value in expected["dimensionValues"][name] for name, value in dimensions.items())
    return False


def emitted_by_aws(namespace, metric, dimensions):
    """Lambda's and API Gateway's own metrics for this stack's function and API."""
    if namespace == "AWS/Lambda":
        return metric in ("Errors", "Duration", "Throttles") and dimensions in [{"FunctionName": {"Ref": f}} for f in FUNCTIONS]
    if namespace == "AWS/ApiGateway":
        return metric in ("4xx", "5xx", "Count", "Latency") and dimensions == {"ApiId": {"Ref": "HttpApi"}}
    return False


class AlarmsTest(unittest.TestCase):
    def test_the_function_publishes_under_the_namespace_parameter(self):
        template = load()
        variables = template["Globals"]["Function"]["Environment"]["Variables"]
        self.assertEqual(variables["METRICS_NAMESPACE"], {"Ref": "MetricsNamespace"})
        parameter = template["Parameters"]["MetricsNamespace"]
        self.assertEqual(parameter["Default"], expected_metrics()["namespace"])
        import re

        for good in ("ConnectReferences", "Team/Connect refs:prod"):
            self.assertRegex(good, parameter["AllowedPattern"])
        for bad in ("AWS/Lambda", 'a"b', "", "x" * 256):
            self.assertIsNone(re.match(parameter["AllowedPattern"], bad), bad)

    def test_every_alarm_watches_a_metric_that_is_really_emitted(self):
        for name, alarm in alarms().items():
            for namespace, metric, dimensions in watched(alarm):
                self.assertTrue(
                    emitted_by_the_function(namespace, metric, dimensions) or emitted_by_aws(namespace, metric, dimensions),
                    f"{name} watches {namespace} {metric} {dimensions}, which nothing emits",
                )

    def test_the_alarms_cover_what_the_issue_lists(self):
        all_watched = {
            (str(namespace), metric, tuple(sorted((k, str(v)) for k, v in dimensions.items())))
            for a in alarms().values()
            for namespace, metric, dimensions in watched(a)
        }
        ours = str({"Ref": "MetricsNamespace"})
        for wanted in [
            *[("AWS/Lambda", "Errors", (("FunctionName", str({"Ref": f})),)) for f in FUNCTIONS],
            (ours, "Requests", (("Outcome", "THROTTLED"),)),
            (ours, "Requests", (("Outcome", "UPSTREAM_ERROR"),)),
            (ours, "Requests", (("Outcome", "UPSTREAM_TIMEOUT"),)),
            *[("AWS/Lambda", "Duration", (("FunctionName", str({"Ref": f})),)) for f in FUNCTIONS],
            ("AWS/ApiGateway", "5xx", (("ApiId", str({"Ref": "HttpApi"})),)),
            (ours, "Errors", (("EventKind", "contact_flow"),)),
            (ours, "ConnectAccessDenied", (("EventKind", "http"),)),
            (ours, "ConnectAccessDenied", (("EventKind", "contact_flow"),)),
        ]:
            self.assertIn(wanted, all_watched)

    def test_connect_refusing_the_role_alarms_at_once_for_http_and_flows_together(self):
        properties = alarms()["ConnectAccessDeniedAlarm"]["Properties"]
        returned = [m for m in properties["Metrics"] if m.get("ReturnData")]
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned[0]["Expression"], "FILL(http, 0) + FILL(flows, 0)")
        self.assertEqual(properties["Threshold"], 1)

    def test_the_duration_alarm_watches_p99_before_the_timeout(self):
        template = load()
        timeout_ms = template["Globals"]["Function"]["Timeout"] * 1000
        duration = template["Resources"]["DurationNearTimeoutAlarm"]["Properties"]
        stats = [m["MetricStat"] for m in duration["Metrics"] if "MetricStat" in m]
        self.assertEqual({s["Stat"] for s in stats}, {"p99"})
        self.assertEqual(len(stats), len(FUNCTIONS), "each function's p99")
        self.assertIn("MAX(", next(m["Expression"] for m in duration["Metrics"] if m.get("ReturnData")))
        self.assertEqual(duration["Threshold"], 0.8 * timeout_ms)

    def test_each_alarm_says_what_to_do_and_notifies_the_topic_only_when_one_is_given(self):
        template = load()
        topic = "arn:aws:sns:us-east-1:123456789012:on-call"
        for name, alarm in alarms().items():
            properties = alarm["Properties"]
            description = properties["AlarmDescription"]["Fn::Sub"]
            self.assertGreater(len(description), 200, name)
            self.assertEqual(properties["TreatMissingData"], "notBreaching", name)
            self.assertEqual(properties["ComparisonOperator"], "GreaterThanOrEqualToThreshold", name)
            without = resolve(properties, template, {})
            self.assertNotIn("AlarmActions", without, name)
            self.assertNotIn("OKActions", without, name)
            with_topic = resolve(properties, template, {"AlarmTopicArn": topic})
            self.assertEqual(with_topic["AlarmActions"], [topic], name)
            self.assertEqual(with_topic["OKActions"], [topic], name)
        import re

        pattern = template["Parameters"]["AlarmTopicArn"]["AllowedPattern"]
        self.assertRegex(topic, pattern)
        self.assertRegex("", pattern)
        self.assertIsNone(re.match(pattern, "arn:aws:sqs:us-east-1:123456789012:queue"))

    def test_the_alarms_survive_the_sam_transform(self):
        self.assertEqual(set(resources_of(transformed("AWS_IAM"), "AWS::CloudWatch::Alarm")), set(alarms()))


class DashboardTest(unittest.TestCase):
    def body(self):
        text = load()["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
        for placeholder, value in {"${AWS::Region}": "us-east-1", "${MetricsNamespace}": "ConnectReferences",
                                   "${ListFunction}": "list-fn", "${DownloadFunction}": "download-fn",
                                   "${FlowFunction}": "flow-fn", "${HttpApi}": "api"}.items():
            text = text.replace(placeholder, value)
        for alarm in alarms():
            text = text.replace("${%s.Arn}" % alarm, f"arn:{alarm}")
        self.assertNotIn("${", text)
        return json.loads(text)

    def metrics(self, title):
        widget = next(w for w in self.body()["widgets"] if w["properties"]["title"] == title)
        return widget["properties"]["metrics"]

    def test_every_metric_on_the_dashboard_is_emitted(self):
        for widget in self.body()["widgets"]:
            for line in widget["properties"].get("metrics", []):
                namespace, metric, *rest = line
                dimensions = dict(zip(rest[0:-1:2], rest[1::2])) if not isinstance(rest[-1], dict) else dict(zip(rest[0:-2:2], rest[1:-1:2]))
                if namespace == "ConnectReferences":
                    self.assertTrue(emitted_by_the_function({"Ref": "MetricsNamespace"}, metric, dimensions), line)
                else:
                    as_refs = {"list-fn": {"Ref": "ListFunction"}, "download-fn": {"Ref": "DownloadFunction"},
                               "flow-fn": {"Ref": "FlowFunction"}, "api": {"Ref": "HttpApi"}}
                    self.assertTrue(emitted_by_aws(namespace, metric, {k: as_refs[v] for k, v in dimensions.items()}), line)

    def test_it_shows_requests_outcome_codes_connect_latency_cold_starts_and_throttles(self):
        self.assertEqual({line[3] for line in self.metrics("Requests by event kind")},
                         set(expected_metrics()["dimensionValues"]["EventKind"]))
        self.assertEqual([line[3] for line in self.metrics("Outcome codes")], expected_metrics()["dimensionValues"]["Outcome"])
        latency = self.metrics("Connect latency (ms)")
        self.assertEqual({(line[1], line[4]["stat"]) for line in latency}, {("ConnectLatency", "p50"), ("ConnectLatency", "p99")})
        self.assertTrue(all(line[1] == "ColdStarts" for line in self.metrics("Cold starts")))
        self.assertIn(["ConnectReferences", "Requests", "Outcome", "THROTTLED"], [line[:4] for line in self.metrics("Throttles and Connect calls")])
        alarm_widget = next(w for w in self.body()["widgets"] if w["type"] == "alarm")
        self.assertEqual(sorted(alarm_widget["properties"]["alarms"]), sorted(f"arn:{name}" for name in alarms()))


class CorsTest(unittest.TestCase):
    ORIGINS = "https://agents.example.com,http://localhost:5173"

    def cors(self, origins):
        template = load()
        apis = resources_of(transformed("AWS_IAM", AllowedOrigins=origins), "AWS::ApiGatewayV2::Api")
        body = next(iter(apis.values()))["Properties"]["Body"]
        return resolve(body, template, {"AllowedOrigins": origins}).get("x-amazon-apigateway-cors")

    def test_without_origins_there_is_no_cors_at_all(self):
        self.assertEqual(load()["Parameters"]["AllowedOrigins"]["Default"], "")
        self.assertIsNone(self.cors(""))

    def test_listed_origins_only_with_the_routes_methods_and_the_headers_browser_clients_send(self):
        cors = self.cors(self.ORIGINS)
        self.assertEqual(cors["allowOrigins"], ["https://agents.example.com", "http://localhost:5173"])
        self.assertEqual(cors["allowMethods"], ["GET", "HEAD", "OPTIONS"])
        self.assertEqual(cors["allowHeaders"], ["authorization", "content-type", "x-amz-date", "x-amz-security-token"])
        self.assertEqual(cors["exposeHeaders"], ["retry-after"])
        self.assertTrue(0 < cors["maxAge"] <= 7200, "browsers cap preflight caching at 2 hours")
        self.assertIs(cors["allowCredentials"], False)

    def test_the_origins_parameter_refuses_wildcards_paths_and_spaces(self):
        import re

        pattern = load()["Parameters"]["AllowedOrigins"]["AllowedPattern"]
        for good in ("", "https://agents.example.com", self.ORIGINS, "https://crm.example.com:8443"):
            self.assertRegex(good, pattern)
        for bad in ("*", "https://*.example.com", "https://a.example.com/app", "https://a.example.com, https://b.example.com",
                    "agents.example.com", "https://a.example.com,"):
            self.assertIsNone(re.match(pattern, bad), bad)


WORKSPACE = "https://example-contact-centre.my.connect.aws"
CRM = "https://crm.example.com,https://crm2.example.com:8443"
AGENT_APP = {"AgentApp": "true", "AgentWorkspaceOrigin": WORKSPACE}
PANEL_URL = "https://${PanelDistribution.DomainName}/"


def agent_app(**parameters):
    """template.yaml's stack with AgentApp=true (and these parameters)."""
    return Stack(load(), {"ConnectInstanceArn": INSTANCE_ARN, **AGENT_APP, **parameters})


def csp_directives(stack):
    policy = stack.resources()["PanelHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    text = stack.resolve(policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


class AgentAppTest(unittest.TestCase):
    """Issue 32 item 3: with AgentApp=true the stack hosts the panel privately, sends its security
    headers, creates its sign-in (or uses the given one), registers it with the instance and opens the
    API's CORS to it; with AgentApp=false (the default) none of it exists."""

    APP_TYPES = ("AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::CloudFront::Distribution",
                 "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::ResponseHeadersPolicy",
                 "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolResourceServer",
                 "AWS::Cognito::UserPoolClient", "AWS::AppIntegrations::Application", "Custom::PanelFiles")

    def test_off_by_default_and_then_nothing_of_it_exists(self):
        template = load()
        self.assertEqual(template["Parameters"]["AgentApp"]["Default"], "false")
        off = Stack(template, {"ConnectInstanceArn": INSTANCE_ARN})
        self.assertEqual([n for n, r in off.resources().items() if r["Type"] in self.APP_TYPES], [])
        self.assertNotIn("PanelIntegration", off.resources())
        self.assertNotIn("PanelPublisherFunction", off.resources())
        on = agent_app().resources()
        self.assertEqual(sorted({r["Type"] for r in on.values() if r["Type"] in self.APP_TYPES}), sorted(self.APP_TYPES))

    def test_the_panel_is_hosted_privately_behind_cloudfront_origin_access_control(self):
        stack = agent_app()
        resources = stack.resources()
        bucket = stack.resolve(resources["PanelBucket"]["Properties"])
        self.assertEqual(bucket["PublicAccessBlockConfiguration"], {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True})
        self.assertEqual(bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                         ["ServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        self.assertEqual(bucket["OwnershipControls"]["Rules"], [{"ObjectOwnership": "BucketOwnerEnforced"}])
        self.assertNotIn("WebsiteConfiguration", bucket, "never a public website")
        policy = stack.resolve(resources["PanelBucketPolicy"]["Properties"])
        self.assertEqual(policy["Bucket"], "${PanelBucket}")
        allows, denies = ([s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == effect]
                          for effect in ("Allow", "Deny"))
        self.assertEqual(allows, [{
            "Sid": "OnlyThisDistributionReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": PANEL_BUCKET + "/*",
            "Condition": {"StringEquals": {
                "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/${PanelDistribution}"}}}])
        self.assertEqual(len(denies), 1)
        self.assertEqual((denies[0]["Principal"], denies[0]["Action"]), ("*", "s3:*"))
        self.assertEqual(denies[0]["Resource"], [PANEL_BUCKET, PANEL_BUCKET + "/*"])
        self.assertEqual(denies[0]["Condition"], {"Bool": {"aws:SecureTransport": "false"}})
        access = stack.resolve(resources["PanelOriginAccessControl"]["Properties"])["OriginAccessControlConfig"]
        self.assertEqual((access["OriginAccessControlOriginType"], access["SigningBehavior"], access["SigningProtocol"]),
                         ("s3", "always", "sigv4"))
        distribution = stack.resolve(resources["PanelDistribution"]["Properties"])["DistributionConfig"]
        origin, = distribution["Origins"]
        self.assertEqual(origin["DomainName"], "${PanelBucket.RegionalDomainName}")
        self.assertEqual(origin["OriginAccessControlId"], "${PanelOriginAccessControl.Id}")
        self.assertEqual(origin["S3OriginConfig"], {"OriginAccessIdentity": ""}, "no legacy origin access identity")
        behaviour = distribution["DefaultCacheBehavior"]
        self.assertEqual(behaviour["ViewerProtocolPolicy"], "redirect-to-https")
        self.assertEqual(behaviour["AllowedMethods"], ["GET", "HEAD"])
        self.assertEqual(behaviour["ResponseHeadersPolicyId"], "${PanelHeadersPolicy}")
        self.assertEqual(distribution["DefaultRootObject"], "index.html")
        self.assertNotIn("CacheBehaviors", distribution, "every path gets the headers")

    def test_the_headers_policy_sets_csp_frame_ancestors_hsts_nosniff_and_the_referrer_policy(self):
        for crm, ancestors in (("", [WORKSPACE]), (CRM, [WORKSPACE, *CRM.split(",")])):
            stack = agent_app(CrmOrigins=crm)
            csp = csp_directives(stack)
            self.assertEqual(csp["frame-ancestors"], ancestors, "the workspace and the listed CRM origins only")
            self.assertEqual(csp["default-src"], ["'none'"])
            self.assertEqual(csp["script-src"], ["'self'"])
            self.assertEqual(csp["style-src"], ["'self'"])
            for directive in ("base-uri", "form-action", "object-src"):
                self.assertEqual(csp[directive], ["'none'"], directive)
            for values in csp.values():
                self.assertFalse({"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "data:"} & set(values), values)
            self.assertEqual(csp["connect-src"], [
                "'self'", "https://*.execute-api.us-east-1.amazonaws.com", "https://cognito-idp.us-east-1.amazonaws.com",
                "https://${PanelUserPoolDomain}.auth.us-east-1.amazoncognito.com"])
        given = csp_directives(agent_app(JwtIssuer="https://login.example.com/tenant/v2", JwtAudience="panel",
                                         SignInOrigin="https://sso.example.com"))
        self.assertEqual(given["connect-src"][2:], ["https://login.example.com", "https://sso.example.com"])
        headers = agent_app().resolve(agent_app().resources()["PanelHeadersPolicy"]["Properties"])
        security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        self.assertTrue(security["ContentSecurityPolicy"]["Override"])
        hsts = security["StrictTransportSecurity"]
        self.assertTrue(hsts["Override"])
        self.assertGreaterEqual(hsts["AccessControlMaxAgeSec"], 365 * 24 * 3600)
        self.assertEqual(security["ContentTypeOptions"], {"Override": True})
        self.assertEqual(security["ReferrerPolicy"], {"Override": True, "ReferrerPolicy": "no-referrer"})
        self.assertNotIn("FrameOptions", security, "X-Frame-Options would stop the workspace framing the panel")

    def test_the_workspace_origin_is_required_and_only_a_connect_workspace(self):
        import re

        template = load()
        pattern = template["Parameters"]["AgentWorkspaceOrigin"]["AllowedPattern"]
        for good in ("", WORKSPACE, "https://legacy.awsapps.com"):
            self.assertRegex(good, pattern)
        for bad in ("https://*.my.connect.aws", "https://evil.example.com", "http://a.my.connect.aws",
                    "https://a.my.connect.aws/path", "https://a.my.connect.aws.evil.com"):
            self.assertIsNone(re.match(pattern, bad), bad)
        rule = template["Rules"]["AgentAppNeedsItsWorkspace"]
        self.assertEqual(rule["RuleCondition"], {"Fn::Equals": [{"Ref": "AgentApp"}, "true"]})
        self.assertEqual(rule["Assertions"][0]["Assert"], {"Fn::Not": [{"Fn::Equals": [{"Ref": "AgentWorkspaceOrigin"}, ""]}]})

    def test_the_sign_in_is_a_cognito_pool_with_the_scopes_and_a_public_pkce_client(self):
        stack = agent_app()
        resources = stack.resources()
        pool = stack.resolve(resources["PanelUserPool"]["Properties"])
        self.assertTrue(pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], "no self sign-up")
        server = stack.resolve(resources["PanelResourceServer"]["Properties"])
        self.assertEqual(server["Identifier"], "connect-references")
        self.assertEqual({s["ScopeName"] for s in server["Scopes"]}, {"read", "download", "recordings"})
        client = stack.resolve(resources["PanelUserPoolClient"]["Properties"])
        self.assertIs(client["GenerateSecret"], False, "a page cannot keep a secret")
        self.assertEqual(client["AllowedOAuthFlows"], ["code"], "authorization code only (PKCE), never implicit")
        self.assertTrue(client["AllowedOAuthFlowsUserPoolClient"])
        self.assertEqual(client["CallbackURLs"], [PANEL_URL, PANEL_URL + "index.html"])
        self.assertEqual(client["ExplicitAuthFlows"], ["ALLOW_REFRESH_TOKEN_AUTH"], "no password flow through the API")
        self.assertEqual(client["SupportedIdentityProviders"], ["COGNITO"])
        defaults = [stack.parameters["ListAuthorizationScopes"], stack.parameters["DownloadAuthorizationScopes"]]
        self.assertEqual(client["AllowedOAuthScopes"], ["openid", *defaults])
        self.assertEqual(resources["PanelUserPoolClient"].get("DependsOn"), "PanelResourceServer")

    def test_with_jwt_issuer_set_no_sign_in_is_created_and_the_given_one_is_used(self):
        stack = agent_app(JwtIssuer="https://login.example.com/tenant", JwtAudience="panel-client")
        cognito = [n for n, r in stack.resources().items() if r["Type"].startswith("AWS::Cognito::")]
        self.assertEqual(cognito, [])
        authorizer = self.authorizer(stack)
        self.assertEqual(authorizer["issuer"], "https://login.example.com/tenant")
        self.assertEqual(authorizer["audience"], ["panel-client"])
        oidc = stack.resolve(stack.resources()["PanelFiles"]["Properties"])["Config"]["oidc"]
        self.assertEqual((oidc["authority"], oidc["clientId"]), ("https://login.example.com/tenant", "panel-client"))
        rule = load()["Rules"]["JwtNeedsIssuerAndAudience"]
        for parameters, applies in (({"Authorizer": "JwtAuthorizer"}, True), ({"AgentApp": "true"}, False),
                                    ({"AgentApp": "true", "JwtIssuer": "https://i"}, True), ({}, False)):
            self.assertEqual(Stack(load(), parameters).resolve(rule["RuleCondition"]), applies, parameters)

    def authorizer(self, stack):
        body = stack.resolve(stack.template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"])
        return body["components"]["securitySchemes"]["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]["jwtConfiguration"]

    def test_the_jwt_authorizer_trusts_the_created_pool_and_client_and_every_route_needs_it(self):
        stack = agent_app()  # Authorizer stays at its default, AWS_IAM: the app turns JWT on
        authorizer = self.authorizer(stack)
        self.assertEqual(authorizer["issuer"], "https://cognito-idp.us-east-1.amazonaws.com/${PanelUserPool}")
        self.assertEqual(authorizer["audience"], ["${PanelUserPoolClient}"])
        body = stack.resolve(stack.template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"])
        for path, methods in body["paths"].items():
            for method, operation in methods.items():
                self.assertEqual(list(operation["security"][0]), ["JwtAuthorizer"], f"{method} {path}")
        oidc = stack.resolve(stack.resources()["PanelFiles"]["Properties"])["Config"]["oidc"]
        self.assertEqual(oidc, {"authority": authorizer["issuer"], "clientId": "${PanelUserPoolClient}",
                                "scope": "openid connect-references/read connect-references/download"})

    def test_the_app_is_registered_per_contact_with_no_permission_and_associated_with_the_instance(self):
        stack = agent_app()
        application = stack.resolve(stack.resources()["PanelApplication"]["Properties"])
        source = application["ApplicationSourceConfig"]["ExternalUrlConfig"]
        self.assertEqual(source["AccessUrl"], PANEL_URL)
        self.assertEqual(source["ApprovedOrigins"], [], "the frame shows the panel's origin only; sign-in is a popup")
        self.assertEqual(application["ApplicationConfig"], {"ContactHandling": {"Scope": "PER_CONTACT"}})
        # The panel reads only onCreate's context.scope.contactId, which every per-contact app gets: it
        # needs no permission on the workspace's contact or agent data.
        self.assertEqual(application["Permissions"], [])
        association = stack.resolve(stack.resources()["PanelIntegration"]["Properties"])
        self.assertEqual(association, {"InstanceId": INSTANCE_ARN, "IntegrationType": "APPLICATION",
                                       "IntegrationArn": "${PanelApplication.ApplicationArn}"})

    def test_the_apis_cors_allows_the_panels_origin(self):
        for origins, expected in (("", ["https://${PanelDistribution.DomainName}"]),
                                  ("https://agents.example.com", ["https://${PanelDistribution.DomainName}",
                                                                  "https://agents.example.com"])):
            stack = agent_app(AllowedOrigins=origins)
            cors = stack.resolve(stack.template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"])
            self.assertEqual(cors["AllowOrigins"], expected)
            self.assertIs(cors["AllowCredentials"], False)

    def test_config_json_holds_the_keys_the_panel_reads(self):
        stack = agent_app(CrmOrigins=CRM, ResolveTransferredContacts="true")
        files = stack.resolve(stack.resources()["PanelFiles"]["Properties"])
        self.assertEqual(files["Bucket"], "${PanelBucket}")
        self.assertEqual(files["ServiceToken"], "${PanelPublisherFunction.Arn}")
        self.assertEqual(load()["Resources"]["PanelFiles"]["Properties"]["Build"], {"Ref": "PanelPublisherFunction.Version"},
                         "a new build changes the resource, so the files are written again")
        config = files["Config"]
        self.assertEqual(sorted(config), ["apiUrl", "contactInitial", "hostOrigin", "instanceId", "oidc"])
        self.assertEqual(config["apiUrl"], "https://${HttpApi}.execute-api.us-east-1.amazonaws.com")
        self.assertEqual(config["instanceId"], INSTANCE)
        self.assertEqual(config["contactInitial"], "true")
        self.assertEqual(config["hostOrigin"], "https://crm.example.com", "the first CRM origin")
        self.assertEqual(sorted(config["oidc"]), ["authority", "clientId", "scope"])

    def test_with_recordings_the_panel_may_play_them_and_its_client_gets_their_scope(self):
        self.assertEqual(csp_directives(agent_app())["media-src"], ["'none'"])
        stack = agent_app(EnableRecordings="true", **RECORDINGS)
        self.assertEqual(csp_directives(stack)["media-src"],
                         [f"https://{RECORDINGS['RecordingsBucket']}.s3.us-east-1.amazonaws.com"])
        client = stack.resolve(stack.resources()["PanelUserPoolClient"]["Properties"])
        self.assertEqual(client["AllowedOAuthScopes"][-1], "connect-references/recordings")
        scope = stack.resolve(stack.resources()["PanelFiles"]["Properties"])["Config"]["oidc"]["scope"]
        self.assertTrue(scope.endswith(" connect-references/recordings"), scope)

    def test_the_outputs_name_the_panel_and_the_sign_in(self):
        stack = agent_app()
        outputs = stack.resolve(load()["Outputs"])
        self.assertEqual(outputs["PanelUrl"]["Value"], PANEL_URL)
        self.assertTrue(outputs["SignInUrl"]["Value"].startswith(
            "https://${PanelUserPoolDomain}.auth.us-east-1.amazoncognito.com/login?client_id=${PanelUserPoolClient}"))
        self.assertIn("redirect_uri=" + PANEL_URL, outputs["SignInUrl"]["Value"])
        given = agent_app(JwtIssuer="https://login.example.com/t", JwtAudience="c").resolve(load()["Outputs"]["SignInUrl"])
        self.assertEqual(given["Value"], "https://login.example.com/t")
        for name in ("PanelUrl", "SignInUrl", "AgentAppNamespace"):
            self.assertEqual(load()["Outputs"][name]["Condition"], "HostAgentApp", name)


class LintTest(unittest.TestCase):
    """`sam validate --lint` and cfn-lint pass with every switch at the value that is not its default:
    each switch's resources and conditions are checked, not only the default stack's."""

    FLIPPED = {"AgentApp": '"true"', "EnableRecordings": '"true"'}

    def test_sam_validate_and_cfn_lint_pass_with_the_switches_flipped(self):
        import re
        import subprocess
        import tempfile

        text = TEMPLATE.read_text()
        for switch, value in self.FLIPPED.items():
            block = re.compile(rf"(\n  {switch}:\n(?:    .*\n)*?    Default: )\S+")
            self.assertRegex(text, block, switch)
            text = block.sub(lambda m: m.group(1) + value, text, count=1)
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "template.yaml"
            copy.write_text(text)
            environment = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
            lint = subprocess.run(["cfn-lint", str(copy)], capture_output=True, text=True, env=environment)
            self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
            validate = subprocess.run(["sam", "validate", "--lint", "--template", str(copy), "--region", "us-east-1"],
                                      capture_output=True, text=True, env=environment, cwd=folder)
            self.assertEqual(validate.returncode, 0, validate.stdout + validate.stderr)


PUBLISHER = ROOT / "deploy" / "panel-publisher"


def publisher_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("publish", PUBLISHER / "publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeS3:
    """The S3 client calls the publisher makes, over a dictionary of keys."""

    class exceptions:
        class NoSuchBucket(Exception):
            pass

    def __init__(self, keys=(), bucket_exists=True):
        self.objects = {key: {"Body": b""} for key in keys}
        self.bucket_exists = bucket_exists

    def put_object(self, Bucket, Key, Body, ContentType, CacheControl):
        self.objects[Key] = {"Body": Body if isinstance(Body, bytes) else Body.read(), "ContentType": ContentType,
                             "CacheControl": CacheControl}

    def get_paginator(self, _name):
        fake = self

        class Paginator:
            def paginate(self, Bucket):
                if not fake.bucket_exists:
                    raise FakeS3.exceptions.NoSuchBucket()
                return [{"Contents": [{"Key": key} for key in sorted(fake.objects)]}]

        return Paginator()

    def delete_objects(self, Bucket, Delete):
        for item in Delete["Objects"]:
            self.objects.pop(item["Key"], None)


class PanelPublisherTest(unittest.TestCase):
    """deploy/panel-publisher: what `sam build` packages, and what the custom resource writes."""

    CONFIG = {"apiUrl": "https://api.example", "instanceId": INSTANCE, "contactInitial": "false", "hostOrigin": "",
              "oidc": {"authority": "https://issuer.example", "clientId": "c", "scope": "openid"}}

    def site(self, folder, files=("index.html", "panel.js", "panel.css", "config.json")):
        for name in files:
            (Path(folder) / name).write_text(f"<{name}>")
        return folder

    def test_sam_builds_the_publisher_with_the_built_panel_and_without_its_config(self):
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory() as panel, tempfile.TemporaryDirectory() as artifacts:
            self.site(panel)
            subprocess.run(["make", "--makefile", str(PUBLISHER / "Makefile"), "build-PanelPublisherFunction",
                            f"PANEL={panel}"], check=True, env={**os.environ, "ARTIFACTS_DIR": artifacts},
                           cwd=artifacts, capture_output=True)
            built = sorted(str(p.relative_to(artifacts)) for p in Path(artifacts).rglob("*") if p.is_file())
            self.assertEqual(built, ["publish.py", "site/index.html", "site/panel.css", "site/panel.js"])

    def test_it_writes_every_file_and_a_config_json_the_panel_can_read(self):
        import tempfile

        publish = publisher_module()
        with tempfile.TemporaryDirectory() as site:
            self.site(site)
            s3 = FakeS3(keys=["old.js"])
            written = publish.publish(s3, "bucket", {"Config": self.CONFIG}, root=site)
        self.assertEqual(written, ["config.json", "index.html", "panel.css", "panel.js"])
        self.assertEqual(sorted(s3.objects), written, "what an earlier build left is deleted")
        self.assertEqual(s3.objects["index.html"]["ContentType"], "text/html; charset=utf-8")
        self.assertEqual(s3.objects["panel.js"]["ContentType"], "text/javascript; charset=utf-8")
        self.assertEqual({o["CacheControl"] for o in s3.objects.values()}, {"no-cache"})
        config = json.loads(s3.objects["config.json"]["Body"])
        self.assertIs(config["contactInitial"], False, "a boolean, not CloudFormation's string")
        self.assertNotIn("hostOrigin", config, "an empty host origin is left out")
        self.assertEqual(config["oidc"], self.CONFIG["oidc"])
        self.assertNotEqual(s3.objects["config.json"]["Body"], b"<config.json>", "the stack's config, not the build's")

    def test_it_refuses_to_deploy_an_unbuilt_panel(self):
        import tempfile

        publish = publisher_module()
        with tempfile.TemporaryDirectory() as site:
            with self.assertRaisesRegex(RuntimeError, "scripts/build-panel"):
                publish.publish(FakeS3(), "bucket", {"Config": self.CONFIG}, root=site)

    def test_it_answers_cloudformation_and_empties_the_bucket_on_delete(self):
        import http.server
        import threading

        answers = []

        class ResponseUrl(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), ResponseUrl)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        publish = publisher_module()
        event = {"ResponseURL": f"http://127.0.0.1:{server.server_port}/answer", "StackId": "stack", "RequestId": "r",
                 "LogicalResourceId": "PanelFiles", "PhysicalResourceId": "bucket/panel",
                 "ResourceProperties": {"Bucket": "bucket", "Config": self.CONFIG}}
        import contextlib
        import io
        import tempfile

        s3 = FakeS3(keys=["index.html", "config.json", "panel.js"])
        with contextlib.redirect_stdout(io.StringIO()), tempfile.TemporaryDirectory() as site:
            publish.handler({**event, "RequestType": "Delete"}, None, s3=s3)
            self.assertEqual(s3.objects, {})
            publish.handler({**event, "RequestType": "Delete"}, None, s3=FakeS3(bucket_exists=False))
            publish.SITE = self.site(site)
            created = FakeS3()
            publish.handler({**event, "RequestType": "Create"}, None, s3=created)
            self.assertIn("index.html", created.objects)
            publish.SITE = str(Path(site) / "absent")
            publish.handler({**event, "RequestType": "Update"}, None, s3=FakeS3())
        self.assertEqual([a["Status"] for a in answers], ["SUCCESS", "SUCCESS", "SUCCESS", "FAILED"])
        self.assertIn("scripts/build-panel", answers[3]["Reason"])
        self.assertEqual({a["PhysicalResourceId"] for a in answers}, {"bucket/panel"})


if __name__ == "__main__":
    unittest.main()
