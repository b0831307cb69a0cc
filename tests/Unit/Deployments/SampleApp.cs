namespace Platform.Tests.Deployments;

/// <summary>
/// A tiny HTTP application in Python (standard library only) that the tests deploy from git. It listens on $PORT
/// and answers: /health; / with its version, $GREETING, its process id and "boot", a random id of this process (pids
/// inside a sandbox's PID namespace repeat from one start to the next); /env with the names of its environment
/// variables; /uid with the user it runs as; /grow by keeping 150 MB more; /burn?seconds=N by keeping a core busy for
/// N seconds, /calm by stopping that; /db by asking its database for 42 with psql.
/// </summary>
public static class SampleApp
{
    public const string StartCommand = "python3 app.py";

    public static Dictionary<string, string> Files(string version) => new() { ["app.py"] = Source.Replace("@VERSION@", version, StringComparison.Ordinal) };

    private const string Source = """
        import json
        import os
        import subprocess
        import threading
        import time
        import uuid
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        VERSION = "@VERSION@"
        BOOT = uuid.uuid4().hex
        HOARD = []
        BURN = {"until": 0.0}


        def burn():
            while time.monotonic() < BURN["until"]:
                pass


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/health":
                    self.answer(200, {"ok": True})
                elif self.path == "/":
                    self.answer(200, {"version": VERSION, "greeting": os.environ.get("GREETING"), "pid": os.getpid(), "boot": BOOT})
                elif self.path == "/env":
                    self.answer(200, sorted(os.environ))
                elif self.path == "/uid":
                    self.answer(200, {"uid": os.getuid()})
                elif self.path == "/grow":
                    HOARD.append(b"x" * (150 * 1024 * 1024))
                    self.answer(200, {"held_mb": 150 * len(HOARD)})
                elif self.path.startswith("/burn?seconds="):
                    BURN["until"] = time.monotonic() + float(self.path.split("=", 1)[1])
                    threading.Thread(target=burn, daemon=True).start()
                    self.answer(200, {"burning": True})
                elif self.path == "/calm":
                    BURN["until"] = 0.0
                    self.answer(200, {"burning": False})
                elif self.path == "/db":
                    done = subprocess.run(["psql", "-X", os.environ["DATABASE_MAIN_URL"], "-tAc", "select 42"],
                                          capture_output=True, text=True, timeout=20)
                    self.answer(200 if done.returncode == 0 else 500, {"out": done.stdout.strip(), "err": done.stderr.strip()})
                elif self.path == "/headers":
                    self.answer(200, {name.lower(): value for name, value in self.headers.items()})
                elif self.path.startswith("/read?"):
                    # Whether this instance can read a file: another application's environment or sources must stay closed.
                    target = self.path.split("?", 1)[1]
                    try:
                        with open(target, "rb") as handle:
                            handle.read(1)
                        self.answer(200, {"readable": True})
                    except OSError as error:
                        self.answer(200, {"readable": False, "error": error.strerror})
                else:
                    self.answer(404, {"error": "not found"})

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass


        print(f"starting version {VERSION} with greeting {os.environ.get('GREETING')}", flush=True)
        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()

        """;
}
