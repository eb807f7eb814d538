"""A cosiflash.v1.StationService client that is not Cosiflash's: Python grpcio with stubs that
protoc generated from proto/cosiflash/v1/station_service.proto. Prints one JSON object per line.

usage: station_client.py STUBS_DIR unix:/socket disks [IMAGE_URL [IMAGE_HASH]]
       station_client.py STUBS_DIR unix:/socket inspect IMAGE_URL [IMAGE_HASH]
       station_client.py STUBS_DIR unix:/socket flash IMAGE_URL IMAGE_HASH [DEVICE...]
       station_client.py STUBS_DIR unix:/socket report JOB_ID
       station_client.py STUBS_DIR unix:/socket log [SINCE]
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402
from cosiflash.v1 import station_service_pb2 as pb  # noqa: E402
from cosiflash.v1 import station_service_pb2_grpc  # noqa: E402


def show(message):
    return MessageToDict(message, preserving_proto_field_name=True, including_default_value_fields=True)


target, command, args = sys.argv[2], sys.argv[3], sys.argv[4:]
with grpc.insecure_channel(target) as channel:
    stub = station_service_pb2_grpc.StationServiceStub(channel)
    try:
        if command == "disks":
            request = pb.ListDisksRequest(image_url=args[0] if args else "")
            if len(args) > 1:
                request.image_hash = args[1]
            for disk in stub.ListDisks(request).disks:
                print(json.dumps(show(disk)))
        elif command == "inspect":
            request = pb.InspectRequest(image_url=args[0])
            if len(args) > 1:
                request.image_hash = args[1]
            print(json.dumps(show(stub.Inspect(request))))
        elif command == "flash":
            request = pb.FlashRequest(image_url=args[0], image_hash=args[1], devices=args[2:])
            for event in stub.Flash(request):
                kind = event.WhichOneof("event")
                print(json.dumps({"kind": kind, "has_timestamp": event.HasField("timestamp"), **show(getattr(event, kind))}), flush=True)
        elif command == "report":
            print(json.dumps(show(stub.GetReport(pb.GetReportRequest(job_id=args[0])))))
        elif command == "log":
            reply = stub.ListLog(pb.ListLogRequest(since=args[0] if args else ""))
            print(json.dumps({"file": reply.file}))
            for entry in reply.entries:
                print(json.dumps(show(entry)))
    except grpc.RpcError as error:
        print(json.dumps({"rpc_error": error.code().name, "details": error.details()}))
