"""Client of the platform's gateway for agency systems, over the binary RPC (docs/clients.md).

    from dvc_client import Client, RPCError, StatusCode, dossier_pb2

The message classes are protoc's, generated from proto/ (committed under dvc_client/_proto;
proto/generate.sh regenerates them): dossier_pb2, catalog_pb2, payment_pb2, notify_pb2,
gateway_pb2.
"""

from ._proto.dvc.catalog.v1 import catalog_pb2
from ._proto.dvc.dossier.v1 import dossier_pb2
from ._proto.dvc.gateway.v1 import gateway_pb2
from ._proto.dvc.notify.v1 import notify_pb2
from ._proto.dvc.payment.v1 import payment_pb2
from .client import Client, RetryPolicy
from .errors import RPCError, StatusCode

__all__ = ["Client", "RetryPolicy", "RPCError", "StatusCode",
           "catalog_pb2", "dossier_pb2", "gateway_pb2", "notify_pb2", "payment_pb2"]
__version__ = "1.0.0"
