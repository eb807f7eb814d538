"""A gRPC client that is not Cosiflash's: Python grpcio with stubs that protoc generated from
Cosiflash's proto/ files. Prints one JSON object per line.

usage: trident_client.py STUBS_DIR unix:/socket version
       trident_client.py STUBS_DIR unix:/socket stream IMAGE_URL [IMAGE_HASH]
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402
from trident.v1 import streaming_service_pb2, streaming_service_pb2_grpc  # noqa: E402
from trident.v1 import servicing_pb2  # noqa: E402
from trident.v1 import version_service_pb2, version_service_pb2_grpc  # noqa: E402

target, command = sys.argv[2], sys.argv[3]
with grpc.insecure_channel(target) as channel:
    try:
        if command == "version":
            reply = version_service_pb2_grpc.VersionServiceStub(channel).Version(version_service_pb2.VersionRequest())
            print(json.dumps({"version": reply.version}))
        else:
            request = streaming_service_pb2.StreamDiskRequest(
                image_url=sys.argv[4],
                reboot=servicing_pb2.RebootManagement(handling=servicing_pb2.TRIDENT_HANDLES_REBOOT),
            )
            if len(sys.argv) > 5:
                request.image_hash = sys.argv[5]
            for response in streaming_service_pb2_grpc.StreamingServiceStub(channel).StreamDisk(request):
                kind = response.WhichOneof("response")
                body = MessageToDict(getattr(response, kind), preserving_proto_field_name=True)
                print(json.dumps({"kind": kind, "has_timestamp": response.HasField("timestamp"), **body}), flush=True)
    except grpc.RpcError as error:
        print(json.dumps({"rpc_error": error.code().name, "details": error.details()}))
