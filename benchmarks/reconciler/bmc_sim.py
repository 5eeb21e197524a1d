"""A fast simulator of Sidero "api" power endpoints for the reconciler benchmark: one asyncio
HTTP/1.1 server answering POST /<m>/poweron|poweroff|reboot|pxeboot and GET /<m>/status
({"PoweredOn": bool}) for any machine <m>; every machine starts powered off. Writes its port
to PORT_FILE and, on SIGTERM, the request count to PORT_FILE.count.
Usage: bmc_sim.py PORT_FILE"""
import asyncio
import signal
import sys

port_file = sys.argv[1]
power = {}
requests = 0


async def handle(reader, writer):
    global requests
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            method, path, _ = line.decode().split(" ", 2)
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v.strip())
            if length:
                await reader.readexactly(length)
            requests += 1
            machine, _, op = path.strip("/").rpartition("/")
            code, body = 200, b"{}"
            if method == "GET" and op == "status":
                body = b'{"PoweredOn": %s}' % (b"true" if power.get(machine) else b"false")
            elif method == "POST" and op in ("poweron", "reboot"):
                power[machine] = True
            elif method == "POST" and op == "poweroff":
                power[machine] = False
            elif method == "POST" and op == "pxeboot":
                pass
            else:
                code, body = 404, b"{}"
            writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                         % (code, len(body), body))
            await writer.drain()
    except (ConnectionError, ValueError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()
    with open(port_file + ".count", "w") as f:
        f.write(str(requests))


asyncio.run(main())
