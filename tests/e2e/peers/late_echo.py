# A line server that answers each line late, for the tests of the end of piped input:
#   late_echo.py KIND ADDRESS DELAY [CERT KEY]
# KIND is tcp, tls, unix, ws or wss; ADDRESS a port (on 127.0.0.1) or, for unix, a path. Each
# line (each message, over WebSocket) is sent back DELAY seconds after the one before was, in
# order; a DELAY of "never" answers nothing and never closes. Over a byte stream the server closes
# once the client has closed its side and every answer is out; over WebSocket (and TLS, where the
# client does not half-close) it answers the client's close.
import asyncio, ssl, sys

kind, where, delay = sys.argv[1], sys.argv[2], sys.argv[3]
tls = None
if kind in ("tls", "wss"):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[4], sys.argv[5])


async def answer(send, text):
    if delay == "never":
        return
    await asyncio.sleep(float(delay))
    await send(text)


async def stream_client(reader, writer):
    async def send(line):
        writer.write(line)
        await writer.drain()
    while line := await reader.readline():
        await answer(send, line)
    if delay == "never":
        await asyncio.Future()  # neither answers nor closes: only --linger ends the client's wait
    writer.close()


async def ws_client(ws):
    async for message in ws:
        await answer(ws.send, message)


async def main():
    if kind in ("ws", "wss"):
        import websockets
        async with websockets.serve(ws_client, "127.0.0.1", int(where), ssl=tls):
            await asyncio.Future()
    elif kind == "unix":
        server = await asyncio.start_unix_server(stream_client, where)
    else:
        server = await asyncio.start_server(stream_client, "127.0.0.1", int(where), ssl=tls)
    async with server:
        await server.serve_forever()

asyncio.run(main())
