"""A Sidero "api" power endpoint for ferrum-bmcd's tests: POST /<m>/poweron|poweroff|reboot|pxeboot,
GET /<m>/status -> {"PoweredOn": bool}, for any machine name <m>. Machines named "broken" answer 500,
"slow" answer after 3 s, "garbage" answer /status with non-JSON. Every request is appended to
CALLS_FILE as "<METHOD> <path>". Usage: api_server.py PORT_FILE CALLS_FILE"""
import http.server
import json
import sys
import threading
import time

port_file, calls_file = sys.argv[1], sys.argv[2]
lock = threading.Lock()
state = {}  # machine -> {"on": bool, "pxe": bool}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        with lock:
            with open(calls_file, "a") as f:
                f.write(f"{method} {self.path}\n")
        parts = self.path.strip("/").split("/")
        if len(parts) != 2:
            return self.reply(404, '{"error":"not found"}')
        machine, action = parts
        if machine == "slow":
            time.sleep(3)
        if machine == "broken":
            return self.reply(500, '{"error":"simulated failure"}')
        with lock:
            m = state.setdefault(machine, {"on": False, "pxe": False})
            if method == "GET" and action == "status":
                if machine == "garbage":
                    return self.reply(200, "<html>not json</html>")
                return self.reply(200, json.dumps({"PoweredOn": m["on"]}))
            if method == "POST" and action in ("poweron", "reboot"):
                m["on"] = True
            elif method == "POST" and action == "poweroff":
                m["on"] = False
            elif method == "POST" and action == "pxeboot":
                m["pxe"] = True
            else:
                return self.reply(404, '{"error":"unknown action"}')
        return self.reply(200, "{}")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os

os.rename(port_file + ".tmp", port_file)
server.serve_forever()
