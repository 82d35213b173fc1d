"""Test plumbing for the Elasticsearch backend: a transport node that speaks plain JSON to
an OpenSearch-API server (osmem-server), which refuses Elasticsearch's compatibility media
types and does not send the X-Elastic-Product header the client checks. Production code is
unchanged: the node class reaches the client through ELASTICSEARCH_CLIENT_OPTIONS."""

from __future__ import annotations

from elastic_transport import Urllib3HttpNode

COMPAT = "application/vnd.elasticsearch+"


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        headers = dict(headers or {})
        for name in list(headers):
            value = headers[name]
            if isinstance(value, str) and COMPAT in value:
                headers[name] = "application/x-ndjson" if "x-ndjson" in value else "application/json"
        response = super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)
        meta = response.meta
        meta.headers["X-Elastic-Product"] = "Elasticsearch"
        return response
