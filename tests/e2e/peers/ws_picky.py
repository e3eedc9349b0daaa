# A WebSocket echo server that asks of its clients what real APIs ask, for the tests of --header,
# --protocol and --origin:
#   ws_picky.py MODE PORT
# MODE picky: the upgrade must carry "Authorization: Bearer s3cret" (else 401) and the Origin
# https://chat.example (else 403), and offer subprotocol chat.v1 or chat.v2 (else 400); the server
# chooses chat.v2 if offered, else chat.v1. Once connected it says "subprotocol NAME" and echoes.
# MODE rogue: chooses subprotocol rogue.v9 whatever was offered (RFC 6455: the client must refuse).
# MODE none: chooses no subprotocol whatever was offered.
import asyncio, http, sys

import websockets
import websockets.server

mode, port = sys.argv[1], int(sys.argv[2])


async def echo(ws, path=None):
    await ws.send(f"subprotocol {ws.subprotocol}")
    async for message in ws:
        await ws.send(message)


def check_request(path, headers):
    if mode != "picky":
        return None
    if headers.get("Authorization") != "Bearer s3cret":
        return (http.HTTPStatus.UNAUTHORIZED, [], b"missing or wrong Authorization\n")
    if not headers.get("Sec-WebSocket-Protocol"):
        return (http.HTTPStatus.BAD_REQUEST, [], b"a subprotocol is required\n")
    return None


class Chooser(websockets.server.WebSocketServerProtocol):
    def select_subprotocol(self, client_subprotocols, server_subprotocols):
        if mode == "rogue":
            return "rogue.v9"
        if mode == "none":
            return None
        for choice in ("chat.v2", "chat.v1"):
            if choice in client_subprotocols:
                return choice
        return None


async def main():
    async with websockets.serve(
        echo, "127.0.0.1", port,
        origins=["https://chat.example"] if mode == "picky" else None,
        subprotocols=["chat.v2", "chat.v1"],
        process_request=check_request,
        create_protocol=Chooser,
    ):
        await asyncio.Future()

asyncio.run(main())
