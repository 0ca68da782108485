"""The SAM template's security and operational properties, read from template.yaml and from SAM's own
transform of it, so that a later edit cannot silently drop them. Run by scripts/test with the venv's
Python (cfn-lint and the SAM translator come with aws-sam-cli)."""

import json
import os
import unittest
from pathlib import Path

from cfnlint.decode import decode
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
INSTANCE_ARN = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555"
ROUTE = "/contact/references/{InstanceId}/{ContactId}"


def load():
    template, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return template


def transformed(authorizer):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

    class NoManagedPolicies:
        def load(self):
            return {}

    template = load()
    template["Resources"]["ReferencesFunction"]["Properties"]["CodeUri"] = "s3://bucket/key"
    parameters = {"ConnectInstanceArn": INSTANCE_ARN, "Authorizer": authorizer}
    return transform(template, parameters, NoManagedPolicies())


def resources_of(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


class FunctionTest(unittest.TestCase):
    def setUp(self):
        self.function = load()["Resources"]["ReferencesFunction"]
        self.properties = self.function["Properties"]

    def test_is_an_arm64_al2023_custom_runtime_built_by_cargo_lambda(self):
        self.assertEqual(self.properties["Runtime"], "provided.al2023")
        self.assertEqual(self.properties["Architectures"], ["arm64"])
        self.assertEqual(self.properties["Handler"], "bootstrap")
        self.assertEqual(self.function["Metadata"]["BuildMethod"], "rust-cargolambda")
        self.assertEqual(self.function["Metadata"]["BuildProperties"]["Binary"], "connect-references")

    def test_timeout_leaves_room_for_the_flow_limit_and_the_functions_own_margin(self):
        # The function stops waiting for Connect 0.3 s before its deadline and after at most 8 s for flows.
        self.assertGreaterEqual(self.properties["Timeout"] * 1000, 8000 + 300)
        self.assertLessEqual(self.properties["Timeout"], 29, "API Gateway stops waiting after 30 s")

    def test_logs_are_structured_json_in_a_group_with_retention(self):
        logging = self.properties["LoggingConfig"]
        self.assertEqual(logging["LogFormat"], "JSON")
        self.assertEqual(logging["ApplicationLogLevel"], {"Ref": "LogLevel"})
        groups = resources_of(load(), "AWS::Logs::LogGroup")
        self.assertEqual(logging["LogGroup"], {"Ref": "FunctionLogGroup"})
        for name, group in groups.items():
            self.assertIn("RetentionInDays", group["Properties"], name)

    def test_the_allow_list_is_set_from_the_instance_parameter(self):
        variables = self.properties["Environment"]["Variables"]
        self.assertEqual(variables["ALLOWED_INSTANCE_IDS"], {"Ref": "ConnectInstanceArn"})

    def test_the_connect_endpoint_is_declared_for_sam_local_and_absent_unless_a_parameter_sets_it(self):
        # sam local's --env-vars only overrides variables the template declares.
        variables = self.properties["Environment"]["Variables"]
        self.assertEqual(
            variables["AWS_ENDPOINT_URL_CONNECT"],
            {"Fn::If": ["CustomConnectEndpoint", {"Ref": "ConnectEndpointUrl"}, {"Ref": "AWS::NoValue"}]},
        )
        template = load()
        self.assertEqual(template["Parameters"]["ConnectEndpointUrl"]["Default"], "")
        self.assertEqual(
            template["Conditions"]["CustomConnectEndpoint"], {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConnectEndpointUrl"}, ""]}]}
        )
        local = json.loads((ROOT / "sam-local-env.json").read_text())["ReferencesFunction"]
        self.assertEqual(local["AWS_ENDPOINT_URL_CONNECT"], "http://connect-local:4566")


class LeastPrivilegeTest(unittest.TestCase):
    def test_the_role_may_only_list_references_of_this_instances_contacts(self):
        for authorizer in ("AWS_IAM", "JwtAuthorizer"):
            roles = resources_of(transformed(authorizer), "AWS::IAM::Role")
            statements = [
                statement
                for role in roles.values()
                for policy in role["Properties"].get("Policies", [])
                for statement in policy["PolicyDocument"]["Statement"]
            ]
            self.assertEqual(len(statements), 1, statements)
            statement = statements[0]
            self.assertEqual(statement["Effect"], "Allow")
            self.assertEqual(statement["Action"], "connect:ListContactReferences")
            resource = statement["Resource"]["Fn::Sub"][0]
            self.assertEqual(
                resource,
                "arn:${AWS::Partition}:connect:${AWS::Region}:${AWS::AccountId}:instance/${InstanceId}/contact/*",
            )
            self.assertNotIn("*", resource.replace("/contact/*", ""))
            for role in roles.values():
                managed = role["Properties"].get("ManagedPolicyArns", [])
                for arn in managed:
                    self.assertRegex(str(arn), "AWSLambdaBasicExecutionRole|AWSXrayWriteOnlyAccess", arn)


class HttpApiTest(unittest.TestCase):
    def route(self, authorizer):
        apis = resources_of(transformed(authorizer), "AWS::ApiGatewayV2::Api")
        self.assertEqual(len(apis), 1)
        body = next(iter(apis.values()))["Properties"]["Body"]
        self.assertEqual(list(body["paths"]), [ROUTE], "the only route")
        return body, body["paths"][ROUTE]

    def test_the_route_is_authenticated_by_iam_by_default_and_by_jwt_when_chosen(self):
        template = load()
        self.assertEqual(template["Parameters"]["Authorizer"]["Default"], "AWS_IAM")
        body, route = self.route("AWS_IAM")
        self.assertEqual(sorted(route), ["get", "head"], "GET and HEAD only")
        for method in ("get", "head"):
            condition, jwt, iam = route[method]["security"]["Fn::If"]
            self.assertEqual(condition, "UseJwt")
            self.assertEqual(iam, [{"AWS_IAM": []}])
            self.assertEqual(jwt, [{"JwtAuthorizer": []}])
        schemes = body["components"]["securitySchemes"]
        self.assertEqual(schemes["AWS_IAM"]["x-amazon-apigateway-authtype"], "awsSigv4")
        _, jwt_scheme, _ = schemes["JwtAuthorizer"]["Fn::If"]
        self.assertEqual(jwt_scheme["x-amazon-apigateway-authorizer"]["type"], "jwt")
        self.assertEqual(jwt_scheme["x-amazon-apigateway-authorizer"]["jwtConfiguration"]["issuer"], {"Ref": "JwtIssuer"})
        self.assertEqual(template["Conditions"]["UseJwt"], {"Fn::Equals": [{"Ref": "Authorizer"}, "JwtAuthorizer"]})

    def test_the_integration_is_the_function_with_payload_2(self):
        _, route = self.route("AWS_IAM")
        for method in ("get", "head"):
            integration = route[method]["x-amazon-apigateway-integration"]
            self.assertEqual(integration["type"], "aws_proxy")
            self.assertEqual(integration["payloadFormatVersion"], "2.0")
            self.assertEqual(integration["uri"], {"Fn::GetAtt": ["ReferencesFunction", "Arn"]})

    def test_api_gateway_may_invoke_only_through_the_route(self):
        resources = load()["Resources"]
        for name, method in (("ApiInvokePermission", "GET"), ("ApiHeadInvokePermission", "HEAD")):
            permission = resources[name]["Properties"]
            self.assertEqual(permission["Principal"], "apigateway.amazonaws.com")
            self.assertTrue(permission["SourceArn"]["Fn::Sub"].endswith(f"${{HttpApi}}/*/{method}/contact/references/*"))
        api_permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                           and r["Properties"]["Principal"] == "apigateway.amazonaws.com"]
        self.assertEqual(len(api_permissions), 2, "no other way in for API Gateway")

    def test_the_api_is_throttled_below_connects_quota_and_access_logged(self):
        properties = load()["Resources"]["HttpApi"]["Properties"]
        self.assertLessEqual(properties["DefaultRouteSettings"]["ThrottlingRateLimit"], 10)
        self.assertIn("DestinationArn", properties["AccessLogSettings"])


class ConnectTest(unittest.TestCase):
    def test_only_this_instance_may_invoke_the_function(self):
        permission = load()["Resources"]["ConnectInvokePermission"]["Properties"]
        self.assertEqual(permission["Principal"], "connect.amazonaws.com")
        self.assertEqual(permission["SourceArn"], {"Ref": "ConnectInstanceArn"})
        self.assertEqual(permission["SourceAccount"], {"Ref": "AWS::AccountId"})

    def test_the_function_is_associated_with_the_instance_unless_turned_off(self):
        association = load()["Resources"]["ConnectIntegration"]
        self.assertEqual(association["Condition"], "Associate")
        self.assertEqual(association["Properties"]["IntegrationType"], "LAMBDA_FUNCTION")
        self.assertEqual(association["Properties"]["InstanceId"], {"Ref": "ConnectInstanceArn"})

    def test_the_instance_parameter_must_be_an_instance_arn(self):
        import re

        pattern = load()["Parameters"]["ConnectInstanceArn"]["AllowedPattern"]
        self.assertRegex(INSTANCE_ARN, pattern)
        self.assertIsNone(re.match(pattern, "*"))
        self.assertIsNone(re.match(pattern, INSTANCE_ARN + "/contact/x"))


class OutputsTest(unittest.TestCase):
    def test_outputs_name_the_url_the_function_and_the_route(self):
        self.assertLessEqual({"ApiUrl", "FunctionArn", "Route"}, set(load()["Outputs"]))


if __name__ == "__main__":
    unittest.main()
