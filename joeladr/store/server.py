"""A Qdrant server or cluster through qdrant-client (used when JOELADR_QDRANT_URL is set).

Tests run this adapter against qdrant-client's local mode (``location=":memory:"`` or a
path), and against a real server when ``QDRANT_URL`` is set.

qdrant-client's errors are wrapped here and their chain is cut: an error names the status
and Qdrant's own one-line reason, never a raw response body, the API key or the URL's
password (also not under ``--debug``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from joeladr.errors import StoreError
from joeladr.redact import redact, redact_url
from joeladr.store import DENSE, SPARSE, Hit, Point, SparseVector, all_pages, check_dimension


class QdrantServerStore:
    def __init__(self, client: Any, collection: str, dimension: int) -> None:
        self.client = client
        self.collection = collection
        self.dimension = dimension

    @classmethod
    def connect(
        cls,
        *,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "joeladr",
        dimension: int,
        location: str | None = None,
        path: str | None = None,
        shard_number: int | None = None,
        replication_factor: int | None = None,
        timeout: int = 30,
    ) -> QdrantServerStore:
        from qdrant_client import QdrantClient

        try:
            if location or path:
                client = QdrantClient(location=location, path=path)
            else:
                import warnings

                with warnings.catch_warnings():  # "api key over http": the user chose the URL
                    warnings.simplefilter("ignore")
                    client = QdrantClient(url=url, api_key=api_key, timeout=timeout)
            store = cls(client, collection, dimension)
            store._ensure_collection(dimension, shard_number, replication_factor, local=bool(location or path))
        except StoreError:
            raise
        except Exception as exc:
            where = redact_url(url) if url else (location or path)
            raise StoreError(f"cannot use the Qdrant server at {where}: {_describe(exc)}", hint=_hint(exc)) from None
        return store

    def _ensure_collection(
        self, dimension: int, shard_number: int | None, replication_factor: int | None, *, local: bool = False
    ) -> None:
        from qdrant_client import models

        if self.client.collection_exists(self.collection):
            info = self.client.get_collection(self.collection)
            vectors = info.config.params.vectors
            size = vectors[DENSE].size if isinstance(vectors, dict) and DENSE in vectors else None
            if size != dimension:
                raise StoreError(
                    f"Qdrant collection '{self.collection}' holds {size}-dimension vectors, not {dimension}",
                    hint="set [store] collection to another name",
                )
            return
        self.client.create_collection(
            self.collection,
            vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=shard_number,
            replication_factor=replication_factor,
        )
        if not local:  # local mode has no payload indexes (and warns)
            self.client.create_payload_index(self.collection, "source_id", models.PayloadSchemaType.KEYWORD)

    def upsert(self, points: Sequence[Point]) -> None:
        from qdrant_client import models

        if not points:
            return
        for point in points:
            check_dimension(point.dense, self.dimension)

        def write() -> None:
            structs = [
                models.PointStruct(
                    id=p.id,
                    vector={
                        DENSE: p.dense,
                        SPARSE: models.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
                    },
                    payload=p.payload,
                )
                for p in points
            ]
            self.client.upsert(self.collection, structs, wait=True)

        self._call(write)

    def nearest(self, dense: list[float], limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        check_dimension(dense, self.dimension)
        return self._query(dense, DENSE, limit, source_ids)

    def keyword(self, sparse: SparseVector, limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        from qdrant_client import models

        if not sparse.indices:
            return []
        vector = models.SparseVector(indices=sparse.indices, values=sparse.values)
        return self._query(vector, SPARSE, limit, source_ids)

    def _query(self, query: Any, using: str, limit: int, source_ids: Sequence[str] | None) -> list[Hit]:
        flt = _source_filter(source_ids)
        response = self._call(
            lambda: self.client.query_points(
                self.collection, query=query, using=using, limit=limit, query_filter=flt, with_payload=True
            )
        )
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        from qdrant_client import models

        check_dimension(dense, self.dimension)
        if not ids:
            return {}
        flt = models.Filter(must=[models.HasIdCondition(has_id=list(ids))])
        response = self._call(
            lambda: self.client.query_points(
                self.collection, query=dense, using=DENSE, limit=len(ids), query_filter=flt, with_payload=False
            )
        )
        return {str(p.id): float(p.score) for p in response.points}

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        flt = _source_filter([source_id])
        return all_pages(
            lambda at: self._call(
                lambda: self.client.scroll(self.collection, scroll_filter=flt, limit=1000, offset=at, with_payload=True)
            )
        )

    def delete(self, ids: Sequence[str]) -> None:
        from qdrant_client import models

        if ids:
            self._call(lambda: self.client.delete(self.collection, models.PointIdsList(points=list(ids)), wait=True))

    def close(self) -> None:
        self.client.close()

    def _call(self, action: Any) -> Any:
        try:
            return action()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Qdrant request failed: {_describe(exc)}", hint=_hint(exc)) from None


def _source_filter(source_ids: Sequence[str] | None) -> Any:
    from qdrant_client import models

    if not source_ids:
        return None
    return models.Filter(must=[models.FieldCondition(key="source_id", match=models.MatchAny(any=list(source_ids)))])


def _describe(exc: BaseException) -> str:
    """One line about a qdrant-client error: the HTTP status and Qdrant's reason, never the raw body."""
    status = getattr(exc, "status_code", None)
    if status is not None:
        reason = getattr(exc, "reason_phrase", "") or ""
        detail = ""
        try:
            error = exc.structured().get("status", {}).get("error")  # type: ignore[attr-defined]
            detail = f": {str(error).splitlines()[0][:200]}" if error else ""
        except Exception:
            detail = ""
        return redact(f"HTTP {status} {reason}".rstrip() + detail)
    source = getattr(exc, "source", None)  # ResponseHandlingException wraps the transport's error
    text = str(source if source is not None else exc).strip() or type(exc).__name__
    return redact(text.splitlines()[0][:200])


def _hint(exc: BaseException) -> str | None:
    if getattr(exc, "status_code", None) in (401, 403):
        return "check qdrant_api_key (JOELADR_QDRANT_API_KEY)"
    return None
