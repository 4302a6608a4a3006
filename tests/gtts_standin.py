"""A local stand-in for Google Translate's TTS endpoint (the real one is unreachable here).

It speaks the requested text with espeak-ng, encodes a real MP3 with ffmpeg and
answers in the batchexecute format gTTS parses. Only for tests.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def mp3_for(text: str) -> bytes:
    wav = subprocess.run(["espeak-ng", "--stdout", text], capture_output=True, check=True).stdout
    return subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            "pipe:0",
            "-ar",
            "24000",
            "-ac",
            "1",
            "-f",
            "mp3",
            "pipe:1",
        ],
        input=wav,
        capture_output=True,
        check=True,
    ).stdout


class _Handler(BaseHTTPRequestHandler):
    requests_seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        payload = urllib.parse.parse_qs(body)["f.req"][0]
        inner = json.loads(json.loads(payload)[0][0][1])
        text = inner[0]
        type(self).requests_seen.append(text)
        audio = base64.b64encode(mp3_for(text)).decode("ascii")
        line = json.dumps(
            [["wrb.fr", "jQ1olc", json.dumps([audio]), None, None, None, "generic"]],
            separators=(",", ":"),
        )
        answer = ")]}'\n\n" + str(len(line)) + "\n" + line + "\n"
        data = re.sub(r"\s+$", "\n", answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class StandIn:
    """``with StandIn() as url:`` serves the stand-in on 127.0.0.1 until the block ends."""

    def __enter__(self) -> str:
        _Handler.requests_seen = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def requests(self) -> list[str]:
        return list(_Handler.requests_seen)
