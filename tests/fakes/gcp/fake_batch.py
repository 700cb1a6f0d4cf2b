"""Google's batch endpoint for the fake (POST /batch/compute/v1), which gcloud uses for a
command on several resources: a multipart/mixed body whose parts (Content-Type:
application/http) are each one HTTP request; the answer is a multipart/mixed body of the
answers, part for part, with Content-ID "response-" + the request part's Content-ID. Each part
goes through the app as a request of its own (and counts as one against the quotas, as Google
counts batched calls).
"""

import email.parser
import email.policy
import uuid

from flask import Response, request


def _split_http(payload):
    head, _, body = payload.partition("\r\n\r\n")
    if not _ and "\n\n" in payload:
        head, _, body = payload.partition("\n\n")
    lines = head.replace("\r\n", "\n").split("\n")
    method, target = lines[0].split(" ")[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip()] = v.strip()
    return method, target, headers, body


def install(app):
    @app.post("/batch/compute/v1")
    def batch():
        ctype = request.headers.get("Content-Type", "")
        raw = b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request.get_data()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        if not msg.is_multipart():
            return Response("batch body is not multipart/mixed", status=400)
        client = app.test_client()
        boundary = "batch_" + uuid.uuid4().hex
        out = []
        for part in msg.iter_parts():
            content_id = (part.get("Content-ID") or "").strip("<>")
            payload = part.get_payload(decode=True).decode()
            method, target, headers, body = _split_http(payload)
            if "Authorization" not in headers and request.headers.get("Authorization"):
                headers["Authorization"] = request.headers["Authorization"]
            resp = client.open(target, method=method, headers=headers, data=body.encode())
            text = resp.get_data(as_text=True)
            out.append("--%s\r\nContent-Type: application/http\r\nContent-ID: <response-%s>\r\n\r\n"
                       "HTTP/1.1 %s\r\nContent-Type: application/json; charset=UTF-8\r\n"
                       "Content-Length: %d\r\n\r\n%s\r\n"
                       % (boundary, content_id, resp.status, len(text.encode()), text))
        out.append("--%s--\r\n" % boundary)
        return Response("".join(out), status=200,
                        content_type="multipart/mixed; boundary=" + boundary)
