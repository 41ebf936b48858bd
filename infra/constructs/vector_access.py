"""Who may use the vector store, and how much: the functions that search (readers) and those that index (writers).
Belongs in the stack that owns the function roles (the vectors stack must not know them: the functions need its
endpoint, so naming the roles there would be a cross-stack cycle).

What each side sends (privategpt/rag/stores/opensearch.py):
- readers (search, count): ``POST <index>/_search`` (with ``?search_pipeline=`` for hybrid) and, on a domain,
  ``POST <index>/_count`` (Serverless counts with a ``_search`` aggregation);
- writers (ingestion: ``ensure_index``, ``upsert``, ``delete_document``): ``HEAD <index>``, ``PUT <index>``,
  ``GET <index>/_mapping``, ``PUT _search/pipeline/<index>-hybrid``, ``POST <index>/_bulk`` (index and delete
  actions), ``POST <index>/_search``; on a domain also ``POST <index>/_refresh``, ``POST <index>/_delete_by_query``
  and ``POST <index>/_count``. No HTTP DELETE is ever sent: deletes go through ``_bulk`` or ``_delete_by_query``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchserverless as aoss
from constructs import Construct

from infra.config import DeployConfig
from infra.stacks.vectors import VectorsStack, hybrid_pipeline_name, index_name

# --- Serverless data access policy permissions (docs: serverless-genref.html) ---
# readers: _search on the index
AOSS_READER_INDEX = ["aoss:ReadDocument"]
# writers: HEAD and GET _mapping (DescribeIndex), PUT <index> (CreateIndex), _bulk (WriteDocument), _search
# (ReadDocument)
AOSS_WRITER_INDEX = ["aoss:CreateIndex", "aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument"]
# writers: PUT _search/pipeline/<id>, create then update on every cold start. Serverless documents hybrid search with
# the normalization processor (serverless-configure-neural-search.html) but the stored docs did not show which data
# permission a search pipeline needs; pipelines (like templates and aliases) are collection items.
AOSS_WRITER_COLLECTION = ["aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]
# admin principals (config.vectors.admin_principals): inspect, repair, re-create or drop the index and the pipeline
AOSS_ADMIN_INDEX = [
    "aoss:CreateIndex",
    "aoss:DeleteIndex",
    "aoss:DescribeIndex",
    "aoss:ReadDocument",
    "aoss:UpdateIndex",
    "aoss:WriteDocument",
]
AOSS_ADMIN_COLLECTION = [
    "aoss:CreateCollectionItems",
    "aoss:DeleteCollectionItems",
    "aoss:DescribeCollectionItems",
    "aoss:UpdateCollectionItems",
]

# --- OpenSearch Service domain (identity policies on the roles; the domain policy delegates to IAM) ---
ES_READER_ACTIONS = ["es:ESHttpGet", "es:ESHttpPost"]  # _search and _count take GET or POST
ES_WRITER_ACTIONS = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
# the index's APIs the writers call (besides HEAD and PUT on the index itself and PUT on the pipeline): each path
# named, no wildcard (an identity policy's resource is domain/<name>/<request path>: docs ac.html)
ES_WRITER_INDEX_APIS = ["_mapping", "_bulk", "_search", "_count", "_refresh", "_delete_by_query"]


class VectorAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vectors: VectorsStack,
        readers: Sequence[iam.IRole],
        writers: Sequence[iam.IRole],
        config: DeployConfig,
    ) -> None:
        super().__init__(scope, construct_id)
        self._vectors = vectors
        self._index = index_name(config)
        self._pipeline = hybrid_pipeline_name(config)
        if vectors.auth == "aoss":
            self.data_access_policy: aoss.CfnAccessPolicy | None = self._aoss(readers, writers, config)
        else:
            self.data_access_policy = None
            self._es(readers, writers)

    def environment(self) -> dict[str, str]:
        """The functions' vector store settings (merged into their environment by the app)."""
        return {
            "PGPT_VECTOR_STORE": "opensearch",
            "PGPT_OPENSEARCH_URL": self._vectors.endpoint,
            "PGPT_OPENSEARCH_AUTH": self._vectors.auth,
        }

    # --- Serverless: a data access policy naming the roles, and aoss:APIAccessAll in IAM ---

    def _aoss(
        self, readers: Sequence[iam.IRole], writers: Sequence[iam.IRole], config: DeployConfig
    ) -> aoss.CfnAccessPolicy:
        collection = self._vectors.collection_name
        assert collection is not None
        index = [f"index/{collection}/{self._index}"]
        whole = [f"collection/{collection}"]
        statements: list[dict[str, Any]] = []
        if readers:
            statements.append(
                {
                    "Description": "functions that search",
                    "Rules": [{"ResourceType": "index", "Resource": index, "Permission": AOSS_READER_INDEX}],
                    "Principal": [role.role_arn for role in readers],
                }
            )
        if writers:
            statements.append(
                {
                    "Description": "functions that index",
                    "Rules": [
                        {"ResourceType": "index", "Resource": index, "Permission": AOSS_WRITER_INDEX},
                        {"ResourceType": "collection", "Resource": whole, "Permission": AOSS_WRITER_COLLECTION},
                    ],
                    "Principal": [role.role_arn for role in writers],
                }
            )
        admins = list(config.vectors.admin_principals)
        if admins:
            statements.append(
                {
                    "Description": "operators (vectors.admin_principals)",
                    "Rules": [
                        {
                            "ResourceType": "index",
                            "Resource": [f"index/{collection}/*"],
                            "Permission": AOSS_ADMIN_INDEX,
                        },
                        {"ResourceType": "collection", "Resource": whole, "Permission": AOSS_ADMIN_COLLECTION},
                    ],
                    "Principal": admins,
                }
            )
        if not statements:
            raise ValueError("VectorAccess needs at least one reader, writer or admin principal")
        policy = aoss.CfnAccessPolicy(
            self,
            "DataAccessPolicy",
            name=collection,
            type="data",
            description="Who may read and write the chunk index",
            policy=Stack.of(self).to_json_string(statements),
        )
        api = iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self._vectors.collection_arn])
        roles = _unique([*readers, *writers])
        iam.Policy(self, "CollectionApiAccess", roles=roles, statements=[api])
        return policy

    # --- domain: identity policies on the roles, scoped to the index and the pipeline ---

    def _es(self, readers: Sequence[iam.IRole], writers: Sequence[iam.IRole]) -> None:
        domain = self._vectors.domain
        assert domain is not None
        arn = domain.domain_arn
        if readers:
            read = iam.PolicyStatement(
                actions=ES_READER_ACTIONS,
                resources=[f"{arn}/{self._index}/_search", f"{arn}/{self._index}/_count"],
            )
            iam.Policy(self, "ReadIndex", roles=list(readers), statements=[read])
        if writers:
            write = iam.PolicyStatement(
                actions=ES_WRITER_ACTIONS,
                resources=[
                    f"{arn}/{self._index}",
                    *(f"{arn}/{self._index}/{api}" for api in ES_WRITER_INDEX_APIS),
                    f"{arn}/_search/pipeline/{self._pipeline}",
                ],
            )
            iam.Policy(self, "WriteIndex", roles=list(writers), statements=[write])


def _unique(roles: Sequence[iam.IRole]) -> list[iam.IRole]:
    seen: set[int] = set()
    kept: list[iam.IRole] = []
    for role in roles:
        if id(role) not in seen:
            seen.add(id(role))
            kept.append(role)
    return kept
