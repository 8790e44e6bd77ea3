import fs from 'node:fs';
import path from 'node:path';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';

/** The descriptor set buf builds (imports included), committed beside the generated code. */
const DESCRIPTOR_SET = path.join(__dirname, '../../../../proto/gen/descriptor.binpb');

/**
 * Reflection under both names grpcurl and other clients try: grpc.reflection.v1 and the older v1alpha,
 * whose messages are the same. nice-grpc-server-reflection serves only v1, so v1alpha is the same
 * implementation registered under a copy of the definition with the v1alpha path.
 */
export function reflectionServices(serviceNames: string[]) {
  const impl = ServerReflection(fs.readFileSync(locateDescriptorSet()), [
    ...serviceNames,
    'grpc.reflection.v1.ServerReflection',
    'grpc.reflection.v1alpha.ServerReflection',
  ]);
  const v1alpha = {
    serverReflectionInfo: {
      ...ServerReflectionService.serverReflectionInfo,
      path: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
    },
  } as unknown as typeof ServerReflectionService;
  return [
    { definition: ServerReflectionService, impl },
    { definition: v1alpha, impl },
  ];
}

/** The descriptor set, found from compiled (dist/agent/src/api) or source (agent/src/api) code. */
function locateDescriptorSet(): string {
  const fromSource = path.join(__dirname, '../../../proto/gen/descriptor.binpb');
  return fs.existsSync(DESCRIPTOR_SET) ? DESCRIPTOR_SET : fromSource;
}
