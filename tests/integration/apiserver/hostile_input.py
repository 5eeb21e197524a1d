"""ferrum-apiserver against hostile input (issue 17): invalid UTF-8 in paths, selectors and
bodies, and nesting past Kubernetes' 10,000 levels, must be answered (400/404 with a valid
JSON Status) and never end the process; nesting up to the limit must work end to end
(create, get, list, watch, merge and JSON patch). Each of these requests killed the server
before the fix."""
import base64
import json
import sys

from apiclient import Api, Checks

api = Api(sys.argv[1])
c = Checks()
MAX = 10_000


def alive(after):
    status, _, _ = api.request("GET", "/api/v1/namespaces/default")
    c.check(f"server still answers after {after}", status == 200, status)


def status_body(data):
    """The body as a Status; None unless it is valid UTF-8 JSON."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def expect(what, resp, code, message_has=None):
    status, _, data = resp
    body = status_body(data)
    ok = status == code and body is not None and body.get("kind") == "Status"
    if ok and message_has:
        ok = message_has in body.get("message", "")
    c.check(what, ok, f"status={status} body={data[:300]!r}")
    alive(what)


# ---- invalid UTF-8 ----
S = "/apis/metal.sidero.dev/v1alpha2/servers"
expect("GET servers/ab%FFcd is 404 with U+FFFD in the message",
       api.request("GET", S + "/ab%FFcd"), 404, "ab\ufffdcd")
expect("labelSelector a%3D%FF is 400", api.request("GET", S + "?labelSelector=a%3D%FF"), 400)
expect("fieldSelector with invalid UTF-8 is 400",
       api.request("GET", S + "?fieldSelector=spec.x%3D%FF"), 400)
CM = "/api/v1/namespaces/default/configmaps"
expect("JSON body with 0xFF inside a string is 400",
       api.request("POST", CM, b'{"metadata":{"name":"u1"},"data":{"k":"a\xffb"}}'), 400, "UTF-8")
expect("JSON body with 0xFF outside strings is 400",
       api.request("POST", CM, b'{"metadata":{"name":"u2"}\xff}'), 400)
expect("YAML body with 0xFF is 400",
       api.request("POST", CM, b"metadata:\n  name: u3\ndata:\n  k: a\xffb\n", "application/yaml"), 400, "UTF-8")
expect("merge patch with 0xFF is 400",
       api.request("PATCH", "/api/v1/namespaces/default", b'{"metadata":{"labels":{"a":"\xff"}}}',
                   "application/merge-patch+json"), 400, "UTF-8")
expect("DeleteOptions with 0xFF is 400",
       api.request("DELETE", CM + "/none", b'{"propagationPolicy":"\xff"}'), 400)
status, _ = api.json("GET", CM + "/u1")
c.check("nothing was created from the invalid bodies", status == 404, status)

# ---- nesting past the limit: refused before a tree is built ----
def arrays(depth):
    return "[" * depth + "]" * depth


for depth in (MAX + 1, 100_000):
    body = '{"metadata":{"name":"deep"},"data":{},"x":' + arrays(depth) + "}"
    expect(f"create with {depth} nested arrays is 400", api.request("POST", CM, body), 400,
           "exceeded max depth of 10000")
expect("merge patch with 70,000 nested arrays is 400",
       api.request("PATCH", "/api/v1/namespaces/default", '{"x":' + arrays(70_000) + "}",
                   "application/merge-patch+json"), 400, "exceeded max depth of 10000")
expect("JSON patch with a 70,000-deep value is 400",
       api.request("PATCH", "/api/v1/namespaces/default",
                   '[{"op":"add","path":"/x","value":' + arrays(70_000) + "}]", "application/json-patch+json"),
       400, "exceeded max depth of 10000")
expect("DeleteOptions with 70,000 nested arrays is 400",
       api.request("DELETE", CM + "/none", '{"preconditions":' + arrays(70_000) + "}"), 400)
# 20,000 levels: as deep as fits in the 64 KiB request head.
token = base64.urlsafe_b64encode(('{"start":' + arrays(20_000) + "}").encode()).decode().rstrip("=")
expect("a continue token of 20,000 nested arrays is 400", api.request("GET", CM + "?limit=1&continue=" + token), 400)
expect("YAML body nested 100,000 deep is 400",
       api.request("POST", CM, "metadata: {name: y}\nx: " + arrays(100_000) + "\n", "application/yaml"), 400)

# ---- up to the limit it works end to end ----
crd = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "deepthings.test.ferrum.dev"},
    "spec": {"group": "test.ferrum.dev", "scope": "Namespaced",
             "names": {"plural": "deepthings", "singular": "deepthing", "kind": "DeepThing",
                       "listKind": "DeepThingList"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                               "known": {"type": "object", "properties": {"a": {"type": "string"}}}}}}}]},
}
status, body = api.json("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
c.check("test CRD created", status == 201, body)
D = "/apis/test.ferrum.dev/v1/namespaces/default/deepthings"
# The object (1) -> spec (2) -> v: MAX - 2 arrays, MAX levels in all.
deep_value = arrays(MAX - 2)
body = '{"apiVersion":"test.ferrum.dev/v1","kind":"DeepThing","metadata":{"name":"at-limit"},"spec":{"v":' + \
    deep_value + "}}"
status, _, data = api.request("POST", D, body)
c.check("create nested exactly 10,000 levels is 201", status == 201, f"{status} {data[:200]!r}")
status, _, data = api.request("GET", D + "/at-limit")
c.check("get it back whole", status == 200 and data.count(b"[") == MAX - 2, status)
status, _, data = api.request("GET", D)
c.check("list it", status == 200 and data.count(b"[") == MAX - 2 + 1, status)  # and "items":[
status, _, data = api.request("GET", D + "?watch=true&timeoutSeconds=1")
c.check("watch from the current state sends it", status == 200 and data.count(b"[") == MAX - 2, status)
status, _, data = api.request("PATCH", D + "/at-limit", '{"spec":{"v":' + deep_value + ',"w":1}}',
                              "application/merge-patch+json")
c.check("merge patch at the limit is 200", status == 200, f"{status} {data[:200]!r}")
# Appending [] to the innermost array: a short body whose result would be MAX + 1 deep.
innermost = "/spec/v" + "/0" * (MAX - 3)
status, _, data = api.request("PATCH", D + "/at-limit", '[{"op":"add","path":"' + innermost + '/-","value":[]}]',
                              "application/json-patch+json")
c.check("a JSON patch that would nest one level deeper is refused", status == 422 and b"max depth" in data,
        f"{status} {data[:300]!r}")
alive("the patches at the limit")

# ---- Warning headers name client-chosen fields: no header injection ----
status, headers, data = api.request(
    "POST", D + "?fieldValidation=Warn",
    json.dumps({"apiVersion": "test.ferrum.dev/v1", "kind": "DeepThing", "metadata": {"name": "warned"},
                "known": {"a": "x", "b\r\nX-Injected: yes": "y"}}))
names = [k.lower() for k, _ in headers]
warnings = [v for k, v in headers if k.lower() == "warning"]
c.check("unknown field with CRLF is warned about", status == 201 and len(warnings) == 1, f"{status} {headers}")
c.check("the warning did not split into a header of its own", "x-injected" not in names, headers)
c.check("the warning text is escaped", warnings and "\\r\\n" in warnings[0], warnings)

alive("everything")
sys.exit(c.finish())
