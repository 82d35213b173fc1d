"""The harness's settings for an Elasticsearch-API server that is osmem-server: the client
speaks plain JSON to it (see tests/search/elastic.py). Production code is unchanged."""

from bench.load.settings import *  # noqa: F403
from tests.search.elastic import PlainJsonNode

ELASTICSEARCH_CLIENT_OPTIONS = {"node_class": PlainJsonNode}
