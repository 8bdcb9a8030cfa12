import { createServer } from 'node:http';

/** Child process: the upstream both HTTP clients call, on 127.0.0.1. */
const body = JSON.stringify({ id: 1, name: 'widget', price: 9.99, tags: ['a', 'b', 'c'] });
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('READY\n'));
