# A line server that floods every client and writes down every line it receives, for the test of
# a server killed in mid-flood:
#   flood_recorder.py PORT RECORD
# Each client gets "flood N" lines without end (as fast as it reads them); each line received is
# appended to RECORD and flushed at once, so what the server got survives a SIGKILL.
import asyncio, sys

port, record = int(sys.argv[1]), sys.argv[2]


async def client(reader, writer):
    async def flood():
        n = 0
        while True:
            writer.write(b"".join(b"flood %d\n" % (n + i) for i in range(100)))
            n += 100
            await writer.drain()
            # drain() does not yield while the transport's buffer is under its high-water mark: a
            # client that reads as fast as this writes would starve the reader below for good.
            await asyncio.sleep(0)
    task = asyncio.ensure_future(flood())
    with open(record, "ab") as out:
        while line := await reader.readline():
            out.write(line)
            out.flush()
    task.cancel()


async def main():
    server = await asyncio.start_server(client, "127.0.0.1", port)
    async with server:
        await server.serve_forever()

asyncio.run(main())
