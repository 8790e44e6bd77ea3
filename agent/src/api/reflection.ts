import fs from 'node:fs';
import path from 'node:path';
import type { ServiceImplementation } from 'nice-grpc';
import type { ServerReflectionService } from 'nice-grpc-server-reflection';

/** The descriptor set buf builds (imports included), committed beside the generated code. */
const DESCRIPTOR_SET = path.join(__dirname, '../../../../proto/gen/descriptor.binpb');

type ReflectionDefinition = typeof ServerReflectionService;
type ReflectionModule = typeof import('nice-grpc-server-reflection');

const PATHS = [
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
];

/**
 * Reflection under both names grpcurl and other clients try: grpc.reflection.v1 and the older v1alpha,
 * whose messages are the same. nice-grpc-server-reflection serves only v1, so v1alpha is the same
 * implementation registered under a copy of the definition with the v1alpha path.
 *
 * Only tools call reflection, and seldom: nice-grpc-server-reflection (with google-protobuf) and the
 * descriptor set parsed into its objects would hold ~3 MB of the agent's heap from the start (a
 * twentieth of its idle memory). So they are loaded by the first reflection call: the definitions
 * registered here only know their paths, and hand every message and call to the real ones. The
 * descriptor set is read now, so that an install without it fails at start, as before.
 */
export function reflectionServices(serviceNames: string[]) {
  const descriptorSet = fs.readFileSync(locateDescriptorSet());
  let loaded: { real: ReflectionDefinition; impl: ServiceImplementation<ReflectionDefinition> } | undefined;
  const load = () => {
    if (!loaded) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
      const reflection = require('nice-grpc-server-reflection') as ReflectionModule;
      const impl = reflection.ServerReflection(descriptorSet, [
        ...serviceNames,
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      loaded = { real: reflection.ServerReflectionService, impl };
    }
    return loaded;
  };
  const method = () => load().real.serverReflectionInfo;
  const impl: ServiceImplementation<ReflectionDefinition> = {
    serverReflectionInfo: (requests, context) => load().impl.serverReflectionInfo(requests, context),
  };
  return PATHS.map((methodPath) => ({
    definition: {
      serverReflectionInfo: {
        path: methodPath,
        requestStream: true,
        responseStream: true,
        requestSerialize: (value) => method().requestSerialize(value),
        requestDeserialize: (bytes) => method().requestDeserialize(bytes),
        responseSerialize: (value) => method().responseSerialize(value),
        responseDeserialize: (bytes) => method().responseDeserialize(bytes),
      },
    } as ReflectionDefinition,
    impl,
  }));
}

/** The descriptor set, found from compiled (dist/agent/src/api) or source (agent/src/api) code. */
function locateDescriptorSet(): string {
  const fromSource = path.join(__dirname, '../../../proto/gen/descriptor.binpb');
  return fs.existsSync(DESCRIPTOR_SET) ? DESCRIPTOR_SET : fromSource;
}
