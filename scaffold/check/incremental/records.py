"""The cache's codecs: every record a cache holds (facts, findings and diagnostics, import
edges, the simulation's failures and runs), and facts encoded with them."""

from __future__ import annotations

import marshal

from scaffold.check import model
from scaffold.check.incremental.codec import LazyCodec, records_of
from scaffold.check.model import ModuleFacts

__all__ = ["CODEC", "decode_facts", "decode_sent_facts", "encode_facts", "model_codec"]


def _every_record() -> tuple[type, ...]:
    # model's first: their tags are then the same as in _MODEL_CODEC's.
    from scaffold.check.imports import graph, run_memory, simulation
    from scaffold.check.incremental import runs

    return (*records_of(model), *records_of(graph, run_memory, simulation, runs))


# Every record the cache holds: facts, findings and diagnostics (model), import edges, the
# simulation's failures and the records of its runs; gathered here, above the modules that
# define them, so that none of them imports the cache; built when first used.
CODEC = LazyCodec(_every_record)
# The records of model alone, tagged as in CODEC: what a stored report needs to be read.
_MODEL_CODEC = LazyCodec(lambda: records_of(model))


def model_codec() -> LazyCodec:
    """CODEC once built, else the codec of model's records alone."""
    # For facts and reports, which hold model's records alone: a run that only parses what
    # changed (its report kept) need not import and build those of the graph and simulation.
    return CODEC if CODEC.built is not None else _MODEL_CODEC


def encode_facts(facts: ModuleFacts) -> bytes:
    """ModuleFacts as marshal bytes of builtins: compact, and fast to load."""
    return marshal.dumps(model_codec().encode(facts))  # type: ignore[arg-type]


def decode_facts(data: bytes) -> ModuleFacts:
    """The inverse of `encode_facts`; raises ValueError for data it did not write."""
    try:
        facts = model_codec().decode(marshal.loads(data))
    except (EOFError, TypeError, IndexError, KeyError, ValueError) as exc:
        raise ValueError(f"bad cache entry: {exc}") from exc
    if not isinstance(facts, ModuleFacts):
        raise ValueError("bad cache entry: not a ModuleFacts")
    return facts


def decode_sent_facts(data: bytes | memoryview) -> ModuleFacts:
    """`decode_facts` of what a pool worker of this process encoded and sent down its pipe,
    without checking each field's type: the same code wrote it a moment ago, where a cache
    file read back (`decode_facts`) may have been forged or damaged on disk."""
    return model_codec().decode_trusted(marshal.loads(data))  # type: ignore[return-value]
