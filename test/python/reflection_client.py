#!/usr/bin/python3
"""A gRPC client that is not Node's, driving mvnet-agent through server reflection only.

    /usr/bin/python3 test/python/reflection_client.py [TLS OPTIONS] HOST:PORT '<Network as JSON>'

TLS options, as an orchestrator in another language would connect to an agent with --tlsverify and
--token-auth-file: --tlscacert FILE (verify the agent against this CA: TLS), --tlscert FILE and
--tlskey FILE (a client certificate), --token TOKEN (grpcio's access-token call credentials, which
send `authorization: Bearer TOKEN`, kube-apiserver's form). Without --tlscacert: plaintext.

Uses Debian's python3-grpcio and python3-grpc-tools (run it with /usr/bin/python3: a python3 earlier on
PATH may lack grpc). There is no grpc_reflection package here, so this is its own reflection client:

1. compiles grpc/reflection/{v1,v1alpha}/reflection.proto from /usr/share/grpc-proto at run time into a
   temp dir, and loads the generated modules by file path (a package import of `grpc.reflection...`
   would collide with the installed `grpc` package);
2. for BOTH v1 and v1alpha: list_services, then file_containing_symbol for every service and
   file_by_filename for every dependency, transitively, adding each FileDescriptorProto to a fresh
   DescriptorPool in dependency order (which fails when the server sends a file without its imports,
   or a map field whose entry type is misnamed);
3. resolves every message (nested ones included), every map entry and every method's input and
   output type; checks mvnet.v1.Subnet.aux_addresses is a map and ApplyRequest.confirm_within a
   google.protobuf.Duration;
4. with message classes built from the reflected descriptors only, calls grpc.health.v1.Health/Check
   (expects SERVING), then mvnet.v1.AgentService/CreateNetwork with {"network": <argument>}, and prints
   the response as JSON on one line starting with `CreateNetworkResponse: `.

Exit status: 0 success; 1 a reflection check failed; 2 bad usage; 3 an RPC failed (the line on stderr
starts with `rpc error: <method>: <STATUS_CODE>: <details>`).
"""
import argparse
import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool, json_format, message_factory

GRPC_PROTO_ROOT = '/usr/share/grpc-proto'
REFLECTION_VERSIONS = ('v1', 'v1alpha')
REQUIRED_SERVICES = (
    'mvnet.v1.AgentService',
    'grpc.health.v1.Health',
    'grpc.reflection.v1.ServerReflection',
    'grpc.reflection.v1alpha.ServerReflection',
)
RPC_TIMEOUT_S = 20


class CheckFailed(Exception):
    """A reflection or API check failed: exit 1."""


class RpcFailed(Exception):
    """An RPC returned an error status: exit 3."""


def report(line):
    print(f'ok: {line}', flush=True)


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# --- 1. the reflection protos, compiled at run time and loaded by path --------------------------------


def compile_reflection_protos(out_dir):
    """Runs grpc_tools.protoc on both reflection.proto files; returns {version: module}."""
    sources = [f'grpc/reflection/{v}/reflection.proto' for v in REFLECTION_VERSIONS]
    for source in sources:
        check(os.path.isfile(os.path.join(GRPC_PROTO_ROOT, source)),
              f'{GRPC_PROTO_ROOT}/{source} is missing (Debian package grpc-proto)')
    argv = [sys.executable, '-m', 'grpc_tools.protoc', f'-I{GRPC_PROTO_ROOT}', f'--python_out={out_dir}', *sources]
    result = subprocess.run(argv, capture_output=True, text=True)
    check(result.returncode == 0, f'protoc failed ({result.returncode}): {result.stderr.strip()}')
    modules = {}
    for version in REFLECTION_VERSIONS:
        path = os.path.join(out_dir, 'grpc', 'reflection', version, 'reflection_pb2.py')
        check(os.path.isfile(path), f'protoc wrote no {path}')
        # By file path, under a name of our own: `import grpc.reflection...` would look inside grpcio.
        spec = importlib.util.spec_from_file_location(f'mvnet_reflection_{version}_pb2', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[version] = module
    return modules


# --- 2. a reflection client over one bidirectional stream -----------------------------------------------


class ReflectionStream:
    """One ServerReflectionInfo stream, used request by request, as grpcurl does."""

    _END = object()

    def __init__(self, channel, version, pb2):
        self.version = version
        self.pb2 = pb2
        self.method = f'/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo'
        call = channel.stream_stream(
            self.method,
            request_serializer=pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=pb2.ServerReflectionResponse.FromString,
        )
        self._requests = queue.Queue()
        self._call = call(iter(self._requests.get, self._END), timeout=RPC_TIMEOUT_S * 3)

    def ask(self, **request_fields):
        request = self.pb2.ServerReflectionRequest(**request_fields)
        self._requests.put(request)
        try:
            response = next(self._call)
        except StopIteration:
            raise CheckFailed(f'{self.method}: the server ended the stream on {request_fields}') from None
        except grpc.RpcError as err:
            raise RpcFailed(f'{self.method}: {err.code().name}: {err.details()}') from None
        if response.WhichOneof('message_response') == 'error_response':
            e = response.error_response
            raise CheckFailed(f'{self.version} reflection error for {request_fields}: code {e.error_code}: {e.error_message}')
        return response

    def list_services(self):
        response = self.ask(list_services='')
        check(response.WhichOneof('message_response') == 'list_services_response',
              f'{self.version} list_services: unexpected answer {response.WhichOneof("message_response")}')
        return [s.name for s in response.list_services_response.service]

    def files(self, **request_fields):
        """The FileDescriptorProtos of a file_by_filename / file_containing_symbol answer."""
        response = self.ask(**request_fields)
        check(response.WhichOneof('message_response') == 'file_descriptor_response',
              f'{self.version} {request_fields}: unexpected answer {response.WhichOneof("message_response")}')
        files = []
        for raw in response.file_descriptor_response.file_descriptor_proto:
            fdp = descriptor_pb2.FileDescriptorProto()
            fdp.ParseFromString(raw)
            files.append(fdp)
        check(files, f'{self.version} {request_fields}: no file descriptor in the answer')
        return files

    def close(self):
        self._requests.put(self._END)
        self._call.cancel()


def camel_case(name):
    parts = name.split('_')
    return ''.join(p[:1].upper() + p[1:] for p in parts)


def check_map_entries(fdp):
    """protoc's rule, checked explicitly (whatever the protobuf backend): a map field's type is a nested
    `<FieldInCamelCase>Entry` with map_entry set and fields key = 1, value = 2."""
    count = 0

    def walk(message, prefix):
        nonlocal count
        full = f'{prefix}{message.name}'
        nested = {n.name: n for n in message.nested_type}
        for field in message.field:
            if field.label != descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED or not field.type_name:
                continue
            entry_name = field.type_name.rsplit('.', 1)[-1]
            entry = nested.get(entry_name) if field.type_name == f'.{full}.{entry_name}' else None
            if entry is None or not entry.options.map_entry:
                continue
            count += 1
            expected = camel_case(field.name) + 'Entry'
            check(entry_name == expected,
                  f'{fdp.name}: map field {full}.{field.name} has entry type {entry_name}, expected {expected}')
            numbers = {f.name: f.number for f in entry.field}
            check(numbers == {'key': 1, 'value': 2},
                  f'{fdp.name}: map entry {full}.{entry_name} has fields {numbers}, expected key=1 value=2')
        for name, n in nested.items():
            if not n.options.map_entry:
                walk(n, f'{full}.')
        # A nested type flagged map_entry but named unlike any field is the misnamed-entry bug too.
        used = {f.type_name.rsplit('.', 1)[-1] for f in message.field}
        for name, n in nested.items():
            check(not n.options.map_entry or name in used,
                  f'{fdp.name}: map entry type {full}.{name} is used by no field')

    for message in fdp.message_type:
        walk(message, f'{fdp.package}.' if fdp.package else '')
    return count


def load_pool(stream, services):
    """Fetches the files of `services` and all their imports; returns (pool, files in dependency order)."""
    pool = descriptor_pool.DescriptorPool()
    fetched = {}  # file name -> FileDescriptorProto, as the server sent it
    added = []  # file names, in the order they went into the pool
    maps = 0
    by_filename = []  # the imports that did not come with an answer and were asked for by name

    def remember(fdp, asked_for=None):
        check(fdp.name, f'{stream.version}: the server sent a file descriptor without a name')
        if asked_for is not None:
            check(fdp.name == asked_for, f'{stream.version}: asked for {asked_for}, got {fdp.name}')
        fetched.setdefault(fdp.name, fdp)

    def add(name, path):
        nonlocal maps
        if name in added:
            return
        check(name not in path, f'{stream.version}: import cycle {" -> ".join(path + [name])}')
        if name not in fetched:
            # The first file answers the request; more may follow (its imports, as grpc-java sends them).
            files = stream.files(file_by_filename=name)
            by_filename.append(name)
            remember(files[0], asked_for=name)
            for fdp in files[1:]:
                remember(fdp)
        fdp = fetched[name]
        for dependency in fdp.dependency:
            add(dependency, path + [name])
        maps += check_map_entries(fdp)
        try:
            pool.Add(fdp)
            # The pure-Python pool builds lazily: force the build now, to fail on this file.
            pool.FindFileByName(name)
        except Exception as err:  # TypeError from the C++ pool, KeyError/TypeError from the Python one
            raise CheckFailed(f'{stream.version}: DescriptorPool rejected {name} '
                              f'(imports {list(fdp.dependency)}): {type(err).__name__}: {err}') from None
        added.append(name)

    for service in services:
        files = stream.files(file_containing_symbol=service)
        for fdp in files:
            remember(fdp)
        first = files[0]
        check(any(s.name == service.rsplit('.', 1)[-1] for s in first.service) and
              service.startswith(f'{first.package}.' if first.package else ''),
              f'{stream.version}: file_containing_symbol {service} returned {first.name}, which does not declare it')
        add(first.name, [])
    return pool, added, maps, by_filename


# --- 3. resolve everything ------------------------------------------------------------------------------


def resolve_all(pool, file_names):
    """Finds every message (nested included), enum and method type by name; returns counts."""
    messages = enums = methods = 0

    def walk(message_desc):
        nonlocal messages, enums
        found = pool.FindMessageTypeByName(message_desc.full_name)
        check(found.full_name == message_desc.full_name, f'{message_desc.full_name} resolved as {found.full_name}')
        messages += 1
        for field in message_desc.fields:
            if field.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
                check(field.message_type is not None, f'{field.full_name}: message type unresolved')
                pool.FindMessageTypeByName(field.message_type.full_name)
            elif field.type == descriptor.FieldDescriptor.TYPE_ENUM:
                check(field.enum_type is not None, f'{field.full_name}: enum type unresolved')
                pool.FindEnumTypeByName(field.enum_type.full_name)
        for enum in message_desc.enum_types:
            pool.FindEnumTypeByName(enum.full_name)
            enums += 1
        for nested in message_desc.nested_types:
            walk(nested)

    for name in file_names:
        file_desc = pool.FindFileByName(name)
        for message_desc in file_desc.message_types_by_name.values():
            walk(message_desc)
        for enum in file_desc.enum_types_by_name.values():
            pool.FindEnumTypeByName(enum.full_name)
            enums += 1
        for service in file_desc.services_by_name.values():
            check(pool.FindServiceByName(service.full_name).full_name == service.full_name, service.full_name)
            for method in service.methods:
                for role, t in (('input', method.input_type), ('output', method.output_type)):
                    check(t is not None, f'{method.full_name}: {role} type unresolved')
                    pool.FindMessageTypeByName(t.full_name)
                pool.FindMethodByName(method.full_name)
                methods += 1
    return messages, enums, methods


def check_mvnet_types(pool, version):
    subnet = pool.FindMessageTypeByName('mvnet.v1.Subnet')
    aux = subnet.fields_by_name.get('aux_addresses')
    check(aux is not None, 'mvnet.v1.Subnet has no field aux_addresses')
    entry = aux.message_type
    check(entry is not None and entry.GetOptions().map_entry,
          f'mvnet.v1.Subnet.aux_addresses is not a map (type {entry.full_name if entry else None})')
    check(pool.FindMessageTypeByName(entry.full_name) is not None, f'{entry.full_name} does not resolve')
    kinds = {f.name: f.type for f in entry.fields}
    string = descriptor.FieldDescriptor.TYPE_STRING
    check(kinds == {'key': string, 'value': string}, f'{entry.full_name}: expected map<string, string>, got {kinds}')
    report(f'{version} mvnet.v1.Subnet.aux_addresses is map<string, string> (entry {entry.full_name})')

    confirm = pool.FindMessageTypeByName('mvnet.v1.ApplyRequest').fields_by_name.get('confirm_within')
    check(confirm is not None, 'mvnet.v1.ApplyRequest has no field confirm_within')
    check(confirm.message_type is not None and confirm.message_type.full_name == 'google.protobuf.Duration',
          f'mvnet.v1.ApplyRequest.confirm_within is {confirm.message_type.full_name if confirm.message_type else confirm.type}')
    check(confirm.message_type.file.name == 'google/protobuf/duration.proto',
          f'google.protobuf.Duration comes from {confirm.message_type.file.name}')
    report(f'{version} mvnet.v1.ApplyRequest.confirm_within is google.protobuf.Duration (google/protobuf/duration.proto)')


# --- 4. dynamic calls -----------------------------------------------------------------------------------


def message_class(pool, full_name):
    desc = pool.FindMessageTypeByName(full_name)
    if hasattr(message_factory, 'GetMessageClass'):  # protobuf >= 4.22
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)  # protobuf 3.21 / 4.21 (Debian bookworm)


def unary(channel, pool, service, method_name, request_json):
    """Calls service/method with a request parsed from JSON, all types taken from the reflected pool."""
    method = pool.FindServiceByName(service).methods_by_name[method_name]
    request_class = message_class(pool, method.input_type.full_name)
    response_class = message_class(pool, method.output_type.full_name)
    request = request_class()
    try:
        json_format.Parse(request_json, request)
    except json_format.ParseError as err:
        raise CheckFailed(f'cannot parse the request as {method.input_type.full_name}: {err}') from None
    path = f'/{service}/{method_name}'
    call = channel.unary_unary(path, request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    try:
        return call(request, timeout=RPC_TIMEOUT_S)
    except grpc.RpcError as err:
        raise RpcFailed(f'{path}: {err.code().name}: {err.details()}') from None


def open_channel(address, options):
    """Plaintext, or TLS verified against --tlscacert with an optional client certificate and token."""
    # Loopback: no HTTP proxy from the environment, whatever it says.
    channel_options = [('grpc.enable_http_proxy', 0)]
    if options.tlscacert is None:
        return grpc.insecure_channel(address, options=channel_options)

    def read(path):
        with open(path, 'rb') as f:
            return f.read()

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read(options.tlscacert),
        private_key=read(options.tlskey) if options.tlskey else None,
        certificate_chain=read(options.tlscert) if options.tlscert else None,
    )
    if options.token is not None:
        credentials = grpc.composite_channel_credentials(credentials, grpc.access_token_call_credentials(options.token))
    return grpc.secure_channel(address, credentials, options=channel_options)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog=argv[0], description='A reflection-only gRPC client of mvnet-agent.')
    parser.add_argument('--tlscacert', help='verify the agent against this CA (PEM): TLS')
    parser.add_argument('--tlscert', help='client certificate (PEM)')
    parser.add_argument('--tlskey', help='client key (PEM)')
    parser.add_argument('--token', help='bearer token (needs TLS)')
    parser.add_argument('address', metavar='HOST:PORT')
    parser.add_argument('network_json', metavar='NETWORK_JSON')
    options = parser.parse_args(argv[1:])
    if (options.tlscert is None) != (options.tlskey is None):
        parser.error('--tlscert and --tlskey go together')
    if options.tlscacert is None and (options.tlscert or options.token):
        parser.error('--tlscert and --token need TLS: add --tlscacert')
    return options


def main(argv):
    try:
        options = parse_arguments(argv)
    except SystemExit as exit:
        return 2 if exit.code else 0
    address, network_json = options.address, options.network_json
    try:
        network = json.loads(network_json)
    except json.JSONDecodeError as err:
        print(f'NETWORK_JSON is not JSON: {err}', file=sys.stderr)
        return 2
    if not isinstance(network, dict):
        print('NETWORK_JSON must be a JSON object (an mvnet.v1.Network)', file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix='mvnet-reflection-')
    channel = open_channel(address, options)
    try:
        grpc.channel_ready_future(channel).result(timeout=RPC_TIMEOUT_S)
        modules = compile_reflection_protos(tmp)
        report(f'compiled grpc.reflection v1 and v1alpha from {GRPC_PROTO_ROOT} with grpc_tools.protoc')
        pool = None
        for version in REFLECTION_VERSIONS:
            stream = ReflectionStream(channel, version, modules[version])
            try:
                services = stream.list_services()
                missing = [s for s in REQUIRED_SERVICES if s not in services]
                check(not missing, f'{version} list_services lacks {missing} (got {services})')
                report(f'{version} list_services: {", ".join(services)}')
                version_pool, files, maps, by_filename = load_pool(stream, services)
                report(f'{version} built a DescriptorPool from {len(files)} files in dependency order: {", ".join(files)}')
                report(f'{version} imports fetched with file_by_filename (not sent with the answers): '
                       f'{", ".join(by_filename) or "none"}')
                messages, enums, methods = resolve_all(version_pool, files)
                report(f'{version} resolved {messages} messages (nested included), {enums} enums, '
                       f'{methods} methods with their input/output types, {maps} map entries checked')
                check_mvnet_types(version_pool, version)
                pool = pool or version_pool
            finally:
                stream.close()

        health = unary(channel, pool, 'grpc.health.v1.Health', 'Check', '{"service": ""}')
        status = json.loads(json_format.MessageToJson(health))
        check(status.get('status') == 'SERVING', f'grpc.health.v1.Health/Check: {status}')
        report('grpc.health.v1.Health/Check: SERVING')

        response = unary(channel, pool, 'mvnet.v1.AgentService', 'CreateNetwork',
                         json.dumps({'network': network}))
        report('/mvnet.v1.AgentService/CreateNetwork through a message class built from reflection')
        print('CreateNetworkResponse: ' + json_format.MessageToJson(response, indent=None), flush=True)
        return 0
    except CheckFailed as err:
        print(f'check failed: {err}', file=sys.stderr)
        return 1
    except RpcFailed as err:
        print(f'rpc error: {err}', file=sys.stderr)
        return 3
    except grpc.FutureTimeoutError:
        print(f'cannot connect to {address} within {RPC_TIMEOUT_S} s', file=sys.stderr)
        return 3
    finally:
        channel.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
