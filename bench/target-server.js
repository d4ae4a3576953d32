// A minimal loopback HTTP target for benchmarks: answers 200 "ok" on every port it is given.
import http from 'node:http';

const ports = [];
for (let i = 0; i < Number(process.argv[2] ?? 1); i++) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
