"""What CloudFormation makes of a template's values for given parameter values: the intrinsic functions
the template tests need to read roles, policies and routes as a stack would hold them. Used by
tests/template_test.py and tests/role_permissions.py.

Resources the stack creates have no values here: a Ref to one reads `${Name}` and a GetAtt
`${Name.Attribute}`, the same text Fn::Sub keeps for them, so that an expected ARN can name them."""

# The pseudo parameters of the account and region every template test deploys into.
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "stack",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/6c1f8f40-0000-4000-8000-000000000001",
}

NO_VALUE = object()


class Unmodelled(Exception):
    """A construct these tests do not evaluate: better a loud failure than a guess."""


class Stack:
    """A template with parameter values (the others at their Default) and its conditions."""

    def __init__(self, template, parameters=None):
        self.template = template
        defaults = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
        self.parameters = {**defaults, **(parameters or {})}
        self.conditions = template.get("Conditions", {})
        self._conditions = {}

    def condition(self, name):
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self.conditions[name]))
        return self._conditions[name]

    def exists(self, resource):
        """Whether a resource (its template entry) is created: its Condition holds, or it has none."""
        return "Condition" not in resource or self.condition(resource["Condition"])

    def resources(self, kind=None):
        """The resources this stack creates (of `kind`), as {name: entry}."""
        return {name: r for name, r in self.template.get("Resources", {}).items()
                if self.exists(r) and (kind is None or r["Type"] == kind)}

    def value(self, name):
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.parameters:
            return self.parameters[name]
        return "${%s}" % name

    def substitute(self, text, variables):
        out, i = [], 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out.append(text[i:])
                break
            end = text.index("}", start)
            out.append(text[i:start])
            name = text[start + 2:end]
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")
            elif name in variables:
                out.append(str(variables[name]))
            else:
                out.append(self.value(name))
            i = end + 1
        return "".join(out)

    def resolve(self, node):
        if isinstance(node, list):
            return [v for v in map(self.resolve, node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (function, argument), = node.items()
            if function == "Ref":
                return NO_VALUE if argument == "AWS::NoValue" else self.value(argument)
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::If":
                name, yes, no = argument
                return self.resolve(yes if self.condition(name) else no)
            if function == "Fn::GetAtt":
                target, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
                return "${%s.%s}" % (target, attribute)
            if function == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self.substitute(text, {k: self.resolve(v) for k, v in variables.items()})
            if function in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Split", "Fn::Select", "Fn::Join"):
                values = self.resolve(argument)
                if function == "Fn::Equals":
                    return values[0] == values[1]
                if function == "Fn::Not":
                    return not values[0]
                if function == "Fn::And":
                    return all(values)
                if function == "Fn::Or":
                    return any(values)
                if function == "Fn::Split":
                    return values[1].split(values[0])
                if function == "Fn::Select":
                    return values[1][int(values[0])]
                return values[0].join(str(v) for v in values[1])
            if function.startswith("Fn::"):
                raise Unmodelled(f"{function} is not evaluated by these tests")
        resolved = ((key, self.resolve(value)) for key, value in node.items())
        return {key: value for key, value in resolved if value is not NO_VALUE}


def condition_parameters(template, name, seen=None):
    """The parameters a condition of the template reads, through the conditions it names."""
    seen = set() if seen is None else seen
    found = set()

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if list(node) == ["Ref"] and node["Ref"] in template.get("Parameters", {}):
                found.add(node["Ref"])
            elif list(node) == ["Condition"] and node["Condition"] not in seen:
                seen.add(node["Condition"])
                found.update(condition_parameters(template, node["Condition"], seen))
            else:
                for value in node.values():
                    walk(value)

    walk(template["Conditions"][name])
    return found


def conditions_in(node):
    """The names of the conditions a part of a template uses (Fn::If, Condition)."""
    found = set()
    if isinstance(node, list):
        for item in node:
            found |= conditions_in(item)
    elif isinstance(node, dict):
        if "Fn::If" in node and len(node) == 1:
            found.add(node["Fn::If"][0])
        if isinstance(node.get("Condition"), str):
            found.add(node["Condition"])
        for value in node.values():
            found |= conditions_in(value)
    return found
