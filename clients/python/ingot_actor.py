#!/usr/bin/env python3
"""Push weights into a running Ingot server from Python, with the standard library only.

A trainer (PyTorch or anything else) hands over tensors as ``name -> (dtype, shape, data)`` where
``dtype`` is a safetensors type name ("F32", "BF16", "F16", ...), ``shape`` a list of ints and
``data`` the little-endian, row-major bytes (``bytes``, ``bytearray`` or a ``memoryview``; for a
PyTorch tensor ``t.contiguous().view(torch.uint8).numpy()`` gives one without copying). The tensors
travel in buckets, each one safetensors blob with per-tensor CRC32s, streamed straight from the
buffers you pass. A bucket that fails on the way is sent again under the same ``seq``; if the push
still fails, the update is aborted on the server and ``IngotError`` is raised. ``connections=N`` sends
up to N buckets at once, each on its own connection, into the same update.

As a module::

    from ingot_actor import WeightPusher
    pusher = WeightPusher("http://127.0.0.1:8080", token="...")
    result = pusher.push({"model.norm.weight": ("F32", [64], norm_bytes)}, version=7, mode="PARTIAL")

As a command (pushes the tensors of a .safetensors file)::

    python3 ingot_actor.py push --url http://127.0.0.1:8080 --token-file token.txt --version 7 model.safetensors
    python3 ingot_actor.py info --url http://127.0.0.1:8080

Over the ``tcp`` transport plugin (``ingot serve --transport tcp``; JSON head lines and raw bytes on one
socket, no HTTP), ``push_tcp(host, port, token, tensors, version, ...)`` or::

    python3 ingot_actor.py push-tcp --host 127.0.0.1 --port 7070 --token-file token.txt --version 7 model.safetensors

The protocol is described in docs/weight-updates.md.
"""

import argparse
import concurrent.futures
import http.client
import json
import mmap
import socket
import struct
import sys
import time
import urllib.parse
import zlib

__all__ = ["WeightPusher", "IngotError", "read_safetensors", "push_tcp"]

DTYPE_SIZES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
    "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}
CHUNK = 1 << 20


class IngotError(Exception):
    """The server refused a request (status > 0) or could not be reached (status 0)."""

    def __init__(self, message, status=0, code=""):
        super().__init__(message)
        self.status = status
        self.code = code


def _byte_size(dtype, shape):
    if dtype not in DTYPE_SIZES:
        raise ValueError("unknown dtype %r; known: %s" % (dtype, ", ".join(DTYPE_SIZES)))
    n = DTYPE_SIZES[dtype]
    for d in shape:
        n *= int(d)
    return n


def _bucket_header(tensors, checksums):
    """The length prefix and JSON header of a bucket: tensors back to back in the given order."""
    header = {}
    if checksums:
        header["__metadata__"] = {"crc32:" + name: "%08x" % (zlib.crc32(data) & 0xFFFFFFFF)
                                  for name, _, _, data in tensors}
    offset = 0
    for name, dtype, shape, data in tensors:
        end = offset + len(data)
        header[name] = {"dtype": dtype, "shape": [int(d) for d in shape], "data_offsets": [offset, end]}
        offset = end
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw, offset


class WeightPusher:
    """Opens an update, sends buckets, commits; aborts the update when it gives up."""

    def __init__(self, base_url, token=None, bucket_bytes=64 << 20, retries=5, backoff=0.25, timeout=600.0,
                 checksums=True, connections=1):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https"):
            raise ValueError("base_url must be http:// or https://, got %r" % base_url)
        self.scheme = url.scheme
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.prefix = url.path.rstrip("/")
        self.token = token
        self.bucket_bytes = int(bucket_bytes)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.timeout = float(timeout)
        self.checksums = checksums
        if not 1 <= int(connections) <= 16:
            raise ValueError("connections must be between 1 and 16 (the server receives at most 16 buckets of an"
                             " update at once), got %r" % connections)
        self.connections = int(connections)  # buckets sent at once, each on its own connection

    # --- the protocol ---

    def push(self, tensors, version, mode="FULL", format="hf", label="", policy="finish", force=False):
        """Pushes ``tensors`` (a dict name -> (dtype, shape, data), or an iterable of (name, dtype, shape, data)).

        Returns the commit's answer: {"version", "label", "tensors", "bytes", "staging_ms", "swap_ms"}.
        """
        items = tensors.items() if isinstance(tensors, dict) else ((t[0], t[1:]) for t in tensors)
        begin = {"version": int(version), "mode": mode.upper(), "format": format, "label": label,
                 "policy": policy.lower(), "force": bool(force)}
        update = self._retrying("open the update", lambda: self._json("POST", "/v1/weights/updates", begin, 201))
        update_id = update["id"]
        try:
            if self.connections == 1:
                for seq, (bucket, head) in enumerate(self._with_headers_ahead(self._buckets(items))):
                    self._send_bucket_retrying(update_id, seq, bucket, head)
            else:
                self._send_in_parallel(update_id, self._buckets(items))
            return self._json("POST", "/v1/weights/updates/%s/commit" % update_id, None, 200)
        except BaseException:
            self.abort(update_id)
            raise

    def abort(self, update_id):
        """Aborts an open update; quiet when it has already ended."""
        try:
            self._json("DELETE", "/v1/weights/updates/%s" % update_id, None, 200)
        except IngotError:
            pass

    def info(self):
        """The served version, label, format and tensor list."""
        return self._json("GET", "/v1/weights", None, 200)

    # --- buckets ---

    def _buckets(self, items):
        bucket, size = [], 0
        for name, (dtype, shape, data) in items:
            view = memoryview(data).cast("B")
            if len(view) != _byte_size(dtype, shape):
                raise ValueError("tensor %r: %d bytes of data but %s%s needs %d"
                                 % (name, len(view), dtype, list(shape), _byte_size(dtype, shape)))
            if bucket and size + len(view) > self.bucket_bytes:
                yield bucket
                bucket, size = [], 0
            bucket.append((name, dtype, shape, view))
            size += len(view)
        if bucket:
            yield bucket

    def _with_headers_ahead(self, buckets):
        """Each bucket with its header, the next one's checksums computed on another thread while this one is sent
        (zlib releases the GIL), so the connection does not sit idle during a pass over the next bucket."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingot-crc") as pool:
            buckets = iter(buckets)
            bucket = next(buckets, None)
            head = pool.submit(_bucket_header, bucket, self.checksums) if bucket is not None else None
            while bucket is not None:
                following = next(buckets, None)
                ahead = pool.submit(_bucket_header, following, self.checksums) if following is not None else None
                yield bucket, head.result()
                bucket, head = following, ahead

    def _send_bucket_retrying(self, update_id, seq, bucket, head=None):
        return self._retrying("send bucket %d of update %s" % (seq, update_id),
                              lambda: self._send_bucket(update_id, seq, bucket, head))

    def _send_in_parallel(self, update_id, buckets):
        """Up to ``connections`` buckets at once; the first failure stops the rest (checksums and sockets release the GIL)."""
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.connections, thread_name_prefix="ingot-bucket")
        pending = set()
        try:
            for seq, bucket in enumerate(buckets):
                if len(pending) >= self.connections:
                    done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    for f in done:
                        f.result()
                pending.add(pool.submit(self._send_bucket_retrying, update_id, seq, bucket))
            for f in concurrent.futures.as_completed(pending):
                f.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _send_bucket(self, update_id, seq, bucket, head=None):
        head, data_bytes = head or _bucket_header(bucket, self.checksums)
        conn = self._connection()
        try:
            conn.putrequest("PUT", self.prefix + "/v1/weights/updates/%s/buckets?seq=%d" % (update_id, seq))
            self._headers(conn, "application/octet-stream", len(head) + data_bytes)
            conn.send(head)
            for _, _, _, view in bucket:
                for at in range(0, len(view), CHUNK):
                    conn.send(view[at:at + CHUNK])  # a slice of a memoryview is a view, not a copy
            return self._answer(conn, 200)
        finally:
            conn.close()

    # --- HTTP ---

    def _connection(self):
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=self.timeout)

    def _headers(self, conn, content_type, length):
        if self.token:
            conn.putheader("Authorization", "Bearer " + self.token)
        if content_type:
            conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(length))
        conn.endheaders()

    def _json(self, method, path, body, status):
        payload = b"" if body is None else json.dumps(body).encode("utf-8")
        conn = self._connection()
        try:
            try:
                conn.putrequest(method, self.prefix + path)
                self._headers(conn, "application/json" if body is not None else None, len(payload))
                if payload:
                    conn.send(payload)
            except OSError as e:
                raise IngotError("cannot reach %s:%d: %s" % (self.host, self.port, e))
            return self._answer(conn, status)
        finally:
            conn.close()

    def _answer(self, conn, status):
        try:
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise IngotError("the connection to %s:%d broke: %s" % (self.host, self.port, e))
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {}
        if response.status == status:
            return answer
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        raise IngotError("HTTP %d: %s" % (response.status, error.get("message") or raw.decode("utf-8", "replace")),
                         response.status, error.get("code", ""))

    def _retrying(self, what, call):
        for attempt in range(self.retries + 1):
            try:
                return call()
            except (IngotError, OSError) as e:
                status = getattr(e, "status", 0)
                retryable = status == 0 or status >= 500 or getattr(e, "code", "") in ("bucket_incomplete", "bucket_corrupted")
                if not retryable or attempt == self.retries:
                    raise
                print("ingot_actor: could not %s (%s); trying again" % (what, e), file=sys.stderr)
                time.sleep(min(10.0, self.backoff * (2 ** attempt)))


_SUMMED_SLICE = 1 << 20


def _tcp_send(sock, reader, head, datas=(), trailer=None):
    """Sends one head line (and the tensors' bytes after it, then ``trailer()``'s line) over the tcp transport;
    its answer is left to read. A failed send raises the server's refusal if it sent one before closing (the
    answer to a bucket sent earlier may come first: one bucket goes ahead of its answer)."""
    try:
        sock.sendall(json.dumps(head, separators=(",", ":")).encode("utf-8") + b"\n")
        for data in datas:
            sock.sendall(data)
        if trailer is not None:
            sock.sendall(json.dumps(trailer(), separators=(",", ":")).encode("utf-8") + b"\n")
    except OSError as sent:
        while True:
            try:
                line = reader.readline(1 << 20)
            except OSError:
                line = b""
            if not line:
                raise IngotError("tcp transport: the connection broke: %s" % sent)
            _tcp_checked(json.loads(line))


def _tcp_answer(reader):
    """Reads the next answer line; a refusal raises IngotError with the server's code."""
    line = reader.readline(1 << 20)
    if not line:
        raise IngotError("tcp transport: the server closed the connection without an answer")
    return _tcp_checked(json.loads(line))


def _tcp_checked(answer):
    if not answer.get("ok"):
        raise IngotError(answer.get("error", "refused"), code=answer.get("code", ""))
    return answer


def _tcp_exchange(sock, reader, head, datas=(), trailer=None):
    """Sends one head line (and what follows it) and returns its answer."""
    _tcp_send(sock, reader, head, datas, trailer)
    return _tcp_answer(reader)


def push_tcp(host, port, token, tensors, version, mode="FULL", format="hf", label="", policy="finish",
             force=False, bucket_bytes=256 << 20, checksums=True, timeout=600.0):
    """Pushes ``tensors`` ({name: (dtype, shape, data)}) as one update over the ``tcp`` transport (one connection,
    see docs/weight-updates.md, "TCP transport"). Returns the commit's answer (version, tensors, bytes, staging_ms,
    swap_ms). A refusal raises IngotError with the server's ``code``; the server has then aborted the update."""
    items = [(name, dtype, list(shape), memoryview(data).cast("B")) for name, (dtype, shape, data) in tensors.items()]
    buckets, current, size = [], [], 0
    for item in items:
        if _byte_size(item[1], item[2]) != len(item[3]):
            raise ValueError("tensor %r: %d bytes given, %s%s takes %d" % (item[0], len(item[3]), item[1], item[2],
                                                                          _byte_size(item[1], item[2])))
        if current and size + len(item[3]) > bucket_bytes:
            buckets.append(current)
            current, size = [], 0
        current.append(item)
        size += len(item[3])
    if current:
        buckets.append(current)
    if not buckets:
        raise ValueError("nothing to push: no tensors")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        _tcp_exchange(sock, reader, {"op": "begin", "token": token, "version": int(version), "mode": mode.upper(),
                                     "format": format, "label": label, "policy": policy, "force": bool(force)})
        # One bucket ahead: the next bucket goes out before the previous one's answer is read, so the socket never
        # runs dry while the server drains what is in flight and answers.
        answer_pending = False
        for bucket in buckets:
            heads = [{"name": name, "dtype": dtype, "shape": shape, "bytes": len(data)} for name, dtype, shape, data in bucket]
            if not checksums:
                _tcp_send(sock, reader, {"op": "bucket", "tensors": heads}, [t[3] for t in bucket])
            else:
                # Each slice is summed right after it is sent, while it is still in cache; the sums follow the bytes.
                crcs = []

                def summed_slices(bucket=bucket, crcs=crcs):
                    for _, _, _, data in bucket:
                        crc = 0
                        for at in range(0, len(data), _SUMMED_SLICE):
                            piece = data[at:at + _SUMMED_SLICE]
                            yield piece
                            crc = zlib.crc32(piece, crc)
                        crcs.append("%08x" % (crc & 0xFFFFFFFF))

                _tcp_send(sock, reader, {"op": "bucket", "crc32": "after", "tensors": heads}, summed_slices(),
                          trailer=lambda crcs=crcs: {"op": "sums", "crc32": crcs})
            if answer_pending:
                _tcp_answer(reader)
            answer_pending = True
        _tcp_answer(reader)
        return _tcp_exchange(sock, reader, {"op": "commit"})


def read_safetensors(path):
    """The tensors of a .safetensors file as {name: (dtype, shape, memoryview)}, views of one mapping."""
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    (n,) = struct.unpack("<Q", view[:8])
    header = json.loads(bytes(view[8:8 + n]))
    header.pop("__metadata__", None)
    base = 8 + n
    ordered = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    return {name: (t["dtype"], t["shape"], view[base + t["data_offsets"][0]:base + t["data_offsets"][1]])
            for name, t in ordered}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Push weights to an Ingot server (see docs/weight-updates.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    push = sub.add_parser("push", help="push the tensors of a .safetensors file")
    push.add_argument("file")
    push.add_argument("--version", type=int, required=True)
    push.add_argument("--partial", action="store_true", help="a PARTIAL update (default FULL)")
    push.add_argument("--format", default="hf", help="whose native names the file uses (default hf)")
    push.add_argument("--label", default="")
    push.add_argument("--policy", default="finish", choices=["finish", "pause", "abort", "recompute"])
    push.add_argument("--force", action="store_true", help="accept a version that does not increase")
    push.add_argument("--bucket-mb", type=float, default=64)
    push.add_argument("--connections", type=int, default=1, help="buckets sent at once (default 1)")
    info = sub.add_parser("info", help="show the served version and tensors")
    for p in (push, info):
        p.add_argument("--url", required=True)
    tcp = sub.add_parser("push-tcp", help="push the tensors of a .safetensors file over the tcp transport")
    tcp.add_argument("file")
    tcp.add_argument("--host", default="127.0.0.1")
    tcp.add_argument("--port", type=int, required=True)
    tcp.add_argument("--version", type=int, required=True)
    tcp.add_argument("--partial", action="store_true", help="a PARTIAL update (default FULL)")
    tcp.add_argument("--format", default="hf")
    tcp.add_argument("--label", default="")
    tcp.add_argument("--policy", default="finish", choices=["finish", "pause", "abort", "recompute"])
    tcp.add_argument("--force", action="store_true")
    tcp.add_argument("--bucket-mb", type=float, default=256)
    tcp.add_argument("--no-checksums", action="store_true")
    for p in (push, info, tcp):
        p.add_argument("--token")
        p.add_argument("--token-file")
    args = parser.parse_args(argv)
    token = args.token
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.readline().strip()
    try:
        if args.command == "push-tcp":
            start = time.monotonic()
            result = push_tcp(args.host, args.port, token, read_safetensors(args.file), args.version,
                              mode="PARTIAL" if args.partial else "FULL", format=args.format, label=args.label,
                              policy=args.policy, force=args.force, bucket_bytes=int(args.bucket_mb * (1 << 20)),
                              checksums=not args.no_checksums)
            print("pushed version %d over tcp: %d tensors, %d bytes in %.2f s (swap %d ms)"
                  % (result["version"], result["tensors"], result["bytes"], time.monotonic() - start, result["swap_ms"]))
            return 0
        if args.command == "info":
            print(json.dumps(WeightPusher(args.url, token=token).info(), indent=2))
            return 0
        pusher = WeightPusher(args.url, token=token, bucket_bytes=int(args.bucket_mb * (1 << 20)),
                              connections=args.connections)
        start = time.monotonic()
        result = pusher.push(read_safetensors(args.file), args.version, mode="PARTIAL" if args.partial else "FULL",
                             format=args.format, label=args.label, policy=args.policy, force=args.force)
        elapsed = time.monotonic() - start
        print("pushed version %d: %d tensors, %d bytes in %.2f s (swap %d ms)"
              % (result["version"], result["tensors"], result["bytes"], elapsed, result["swap_ms"]))
        return 0
    except IngotError as e:
        print("ingot_actor: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
