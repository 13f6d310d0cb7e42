"""The trainer of `bench/run updates --trainer python`: the Python client (clients/python/ingot_actor.py) in a
process of its own, pushing the tensors of a safetensors file the benchmark wrote. One command per line on stdin,
one answer line on stdout, as dev.ingot.bench.update.TrainerMain answers:

  raw PORT                  the tensors' bytes over one plain loopback socket, whole tensors per sendall; the
                            clock stops at the receiver's one-byte receipt
  push PORT VERSION LABEL   a FULL update with ingot_actor.push_tcp; the clock stops at the commit's answer
  http PORT VERSION LABEL   the same through the HTTP routes with ingot_actor.WeightPusher, one connection

Usage: python3 python_trainer.py CLIENT_DIR FILE BUCKET_BYTES CHECKSUMS TOKEN
"""
import os
import socket
import sys
import time

client_dir, path, bucket_bytes, checksums, token = sys.argv[1:6]
sys.path.insert(0, client_dir)
import ingot_actor  # noqa: E402  (found through client_dir)

tensors = ingot_actor.read_safetensors(path)
bucket_bytes = int(bucket_bytes)
checksums = checksums == "true"


def buckets():
    count, size = 0, 0
    for _, _, data in tensors.values():
        if count == 0 or size + len(data) > bucket_bytes:
            count, size = count + 1, 0
        size += len(data)
    return count


def raw(port):
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _, _, data in tensors.values():
            sock.sendall(data)
            sent += len(data)
        sock.shutdown(socket.SHUT_WR)
        if len(sock.recv(1)) != 1:
            raise RuntimeError("the receiver closed without its receipt")
    return "bytes %d" % sent


def push(port, version, label):
    answer = ingot_actor.push_tcp("127.0.0.1", port, token, tensors, version, label=label, bucket_bytes=bucket_bytes,
                                  checksums=checksums)
    return "bytes %d buckets %d version %d swap_ms %d" % (answer["bytes"], buckets(), answer["version"], answer["swap_ms"])


def push_http(port, version, label):
    pusher = ingot_actor.WeightPusher("http://127.0.0.1:%d" % port, token=token, bucket_bytes=bucket_bytes, checksums=checksums)
    answer = pusher.push(tensors, version, label=label)
    return "bytes %d buckets %d version %d swap_ms %d" % (answer["bytes"], buckets(), answer["version"], answer["swap_ms"])


print("ready", flush=True)
for line in sys.stdin:
    words = line.split()
    before, start = os.times(), time.perf_counter_ns()
    if words[0] == "raw":
        result = raw(int(words[1]))
    elif words[0] == "push":
        result = push(int(words[1]), int(words[2]), words[3])
    elif words[0] == "http":
        result = push_http(int(words[1]), int(words[2]), words[3])
    else:
        raise SystemExit("unknown command: " + line)
    wall = time.perf_counter_ns() - start
    after = os.times()
    user = after.user - before.user
    system = after.system - before.system
    print("done %s wall_ns %d cpu_ns %d user_ns %d" % (result, wall, int((user + system) * 1e9), int(user * 1e9)), flush=True)
