# A line server with SMTP's rule on line ends, for the tests of --crlf:
#   crlf_strict.py KIND ADDRESS [CERT KEY]
# KIND is tcp, tls or unix; ADDRESS a port (on 127.0.0.1) or, for unix, a path. A line ending in
# CR LF is answered "250 ok LINE"; a line ending in a bare LF is answered "500 line must end in
# CR LF" and the connection is closed. The server closes once the client has closed its side.
import asyncio, ssl, sys

kind, where = sys.argv[1], sys.argv[2]
tls = None
if kind == "tls":
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[3], sys.argv[4])


async def client(reader, writer):
    while line := await reader.readline():
        if not line.endswith(b"\r\n"):
            writer.write(b"500 line must end in CR LF\r\n")
            break
        writer.write(b"250 ok " + line)
        await writer.drain()
    await writer.drain()
    writer.close()


async def main():
    if kind == "unix":
        server = await asyncio.start_unix_server(client, where)
    else:
        server = await asyncio.start_server(client, "127.0.0.1", int(where), ssl=tls)
    async with server:
        await server.serve_forever()

asyncio.run(main())
