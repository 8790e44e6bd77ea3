/**
 * The rtnetlink nsid messages (linux/net_namespace.h): a netns known to another by a number, which
 * the link monitor (NETLINK_LISTEN_ALL_NSID) then hears its changes under.
 */
import { attr, parseAttributes, s32, u32, type Reply, type Request } from './netlinkMessage';

const RTM_NEWNSID = 88;
const RTM_GETNSID = 90;
const NETNSA_NSID = 1;
const NETNSA_FD = 3;
/** NETNSA_NSID_NOT_ASSIGNED: in a request, "any free nsid"; in an answer, "none". */
const NSID_NONE = -1;

/** struct rtgenmsg, padded: AF_UNSPEC. */
const rtgenmsg = () => Buffer.alloc(4);

/** RTM_NEWNSID: gives the netns whose file `netnsFd` is an nsid in the socket's netns (EEXIST when it has one). */
export function newNsid(netnsFd: number): Request {
  const attrs = [attr(NETNSA_NSID, s32(NSID_NONE)), attr(NETNSA_FD, u32(netnsFd))];
  return { type: RTM_NEWNSID, flags: 0, body: Buffer.concat([rtgenmsg(), ...attrs]) };
}

/** RTM_GETNSID: the nsid the socket's netns knows the netns whose file `netnsFd` is by. */
export function getNsid(netnsFd: number): Request {
  return { type: RTM_GETNSID, flags: 0, body: Buffer.concat([rtgenmsg(), attr(NETNSA_FD, u32(netnsFd))]) };
}

/** The nsid in an RTM_GETNSID answer; undefined when the netns has none. */
export function nsidOf(reply: Reply): number | undefined {
  const nsid = parseAttributes(reply.payload, 4).get(NETNSA_NSID)?.readInt32LE(0);
  return nsid === undefined || nsid === NSID_NONE ? undefined : nsid;
}
