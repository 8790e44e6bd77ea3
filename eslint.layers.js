// The layers of DESIGN.md, as no-restricted-imports options for eslint.config.js. Imports run one way:
//
//   api  →  app  →  domain  ←  store, kernel
//
// - domain/ is pure: the model and its rules, and the ports (domain/ports) that store/ and kernel/
//   implement. It imports no other layer, no generated proto code, no runtime that does I/O.
// - app/ holds the services that carry out what the domain plans; it reaches the state and the kernel
//   only through the domain's ports.
// - api/ decodes, calls the application, encodes; it never reaches the state or the kernel itself.
// - store/ and kernel/ implement the ports: they import the domain, never the app or the api, nor each
//   other.
// - The files at agent/src/ itself (main, startAgent, openHost) compose the layers; nothing imports them.
// - Processes and system calls (execa, child_process, koffi) only in kernel/ (the one seam to the kernel).
// - client/ (the SDK and the CLI) never imports the agent; both may import common/.
//
// Relative import paths are matched with regexes: a layer folder is agent/src/<layer>, so from any file
// below agent/src a path `(../)+<layer>/...` that leaves the file's own layer names another layer.

const leaving = (layers) => `^(\\.\\./)+(${layers.join('|')})(/|$)`;

const spawn = [
  ...['execa', 'child_process', 'node:child_process'].map((name) => ({
    name,
    message: 'Processes are spawned only under agent/src/kernel/ (the kernel port); go through it.',
  })),
  {
    name: 'koffi',
    message: 'System calls (setns, netlink) are made only under agent/src/kernel/ (the kernel port).',
  },
];
const spawnPatterns = [
  {
    group: ['execa/*'],
    message: 'Processes are spawned only under agent/src/kernel/ (the kernel port); go through it.',
  },
];

const io = ['fs', 'node:fs', 'os', 'node:os', 'net', 'node:net', 'readline', 'node:readline', 'http2'].map(
  (name) => ({ name, message: 'agent/src/domain is pure: no I/O. Read through a port it owns.' }),
);
const sqlite = { name: 'better-sqlite3', message: 'Only agent/src/store touches SQLite.' };
const logging = { name: 'pino', message: 'agent/src/domain does not log: the application does.' };

const generated = {
  regex: '(^|/)proto/gen(/|$)',
  message: 'Generated proto code belongs to the api: convert proto <-> domain in agent/src/api.',
};
const grpc = {
  group: ['nice-grpc', 'nice-grpc-*', '@grpc/*'],
  message: 'The gRPC runtime belongs to agent/src/api.',
};
const composition = {
  regex: '^(\\.\\./)+(main|startAgent|openHost)$',
  message: 'The files at agent/src/ compose the layers: nothing below them imports them.',
};
const faultPoint = {
  regex: '^(\\.\\./)+faultPoint$',
  message: 'agent/src/domain is pure: fault points are marked by the application and the kernel.',
};
const against = (layers, why) => ({ regex: leaving(layers), message: why });

/** Per layer: the files, and what they may not import. */
const layers = [
  {
    files: ['agent/src/domain/**/*.ts'],
    paths: [...spawn, ...io, sqlite, logging],
    patterns: [
      ...spawnPatterns,
      against(
        ['app', 'api', 'store', 'kernel'],
        'agent/src/domain imports no other layer: it owns the ports they implement.',
      ),
      generated,
      grpc,
      composition,
      faultPoint,
    ],
  },
  {
    files: ['agent/src/app/**/*.ts'],
    paths: [...spawn, sqlite],
    patterns: [
      ...spawnPatterns,
      against(
        ['api', 'store', 'kernel'],
        'agent/src/app reaches the state and the kernel through the ports in agent/src/domain/ports.',
      ),
      generated,
      grpc,
      composition,
    ],
  },
  {
    files: ['agent/src/api/**/*.ts'],
    paths: [...spawn, sqlite],
    patterns: [
      ...spawnPatterns,
      against(
        ['store', 'kernel'],
        'agent/src/api calls the application (agent/src/app), never the state or the kernel.',
      ),
      composition,
    ],
  },
  {
    files: ['agent/src/store/**/*.ts'],
    paths: [...spawn],
    patterns: [
      ...spawnPatterns,
      against(
        ['app', 'api', 'kernel'],
        'agent/src/store implements a domain port: it imports agent/src/domain only.',
      ),
      generated,
      grpc,
      composition,
    ],
  },
  {
    files: ['agent/src/kernel/**/*.ts'],
    paths: [sqlite],
    patterns: [
      against(
        ['app', 'api', 'store'],
        'agent/src/kernel implements domain ports: it imports agent/src/domain only.',
      ),
      generated,
      grpc,
      composition,
    ],
  },
  {
    files: ['agent/src/*.ts'],
    paths: [...spawn],
    patterns: [...spawnPatterns],
  },
  {
    files: ['client/src/**/*.ts', 'common/**/*.ts'],
    paths: [...spawn],
    patterns: [
      ...spawnPatterns,
      {
        regex: '(^|/)agent(/|$)',
        message: 'The SDK and the CLI talk to the agent over gRPC only: never import it.',
      },
    ],
  },
];

module.exports = { layers };
