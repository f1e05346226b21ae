/**
 * A guard in front of werift's DTLS handshake (werift 0.25): retransmitted handshake records
 * from the peer never reach it again; our last flight is sent again in their place.
 *
 * Why (issue 18, the browser share's lost RTP): a loaded server answers the browser's
 * handshake slowly, and Chromium retransmits its flight after ~50 ms. werift handles a
 * retransmitted flight as a new one. As DTLS client it makes a new ECDHE key for every
 * ServerKeyExchange it reads, and a ServerHelloDone read after the handshake completed runs
 * flight 5 again — a new premaster secret, a new master secret, the record cipher
 * re-initialised. When Chromium's retransmission and its Finished sat in the socket together,
 * werift read both, said "connected", and exported the SRTP keys from the second master
 * secret: every packet the browser sent then failed SRTP authentication, silently, while
 * both ends said DTLS was connected (measured: 0 of 383 packets decrypted; Chromium reported
 * them sent). As DTLS server werift likewise recomputes the master secret for a retransmitted
 * ClientKeyExchange — over a handshake hash that by then holds the client's Finished.
 *
 * The guard sits on the ICE connection's data event, before werift's DTLS socket: a
 * datagram whose handshake records were all seen before (the same message and fragment in
 * epoch 0; any encrypted handshake record — the Finished — after the first) is a
 * retransmission and is dropped. If our reply to the original has been made since, it is
 * sent again (what a retransmission asks for); otherwise the reply is still being made and
 * goes out when it is. One exception: the client's first ClientHello, again before anything
 * followed it, reaches werift — its HelloVerifyRequest was lost, and werift, which keeps no
 * flight for that (it is stateless, RFC 6347 4.2.1), only sends it again when asked again. Anything else (new handshake records, alerts, application data,
 * SRTP) passes unchanged.
 */
import type { RTCDtlsTransport } from "werift";

const HANDSHAKE = 22;
const CHANGE_CIPHER_SPEC = 20;
const RECORD_HEADER = 13;
const CLIENT_HELLO = 1;

/**
 * The keys of a datagram's handshake records ("e0:<seq>:<offset>:<length>" in epoch 0,
 * "e1" when encrypted), or null when it holds anything but handshake and change-cipher-spec
 * records (or is not DTLS at all).
 */
export function handshakeKeys(data: Uint8Array): string[] | null {
  const keys: string[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + RECORD_HEADER > data.length) return null;
    const type = data[at];
    const epoch = (data[at + 3] << 8) | data[at + 4];
    const length = (data[at + 11] << 8) | data[at + 12];
    const body = at + RECORD_HEADER;
    if (body + length > data.length) return null;
    if (type === HANDSHAKE && epoch === 0 && length >= 12) {
      const seq = (data[body + 4] << 8) | data[body + 5];
      const offset = (data[body + 6] << 16) | (data[body + 7] << 8) | data[body + 8];
      const fragment = (data[body + 9] << 16) | (data[body + 10] << 8) | data[body + 11];
      keys.push(`e0:${seq}:${offset}:${fragment}`);
    } else if (type === HANDSHAKE && epoch > 0) {
      keys.push(`e${epoch}`);
    } else if (type !== CHANGE_CIPHER_SPEC) {
      return null;
    }
    at = body + length;
  }
  return keys.length > 0 ? keys : null;
}

/** Puts the guard (see the top) on a werift DTLS transport; call before it connects. */
export function guardDtlsRetransmissions(transport: RTCDtlsTransport): void {
  const data = transport.iceTransport.connection.onData;
  const deliver = data.execute;
  /** Each record seen, with the reply that was our last flight when it arrived. */
  const seen = new Map<string, Buffer[] | undefined>();
  data.execute = (...args) => {
    const [buffer] = args;
    const keys = handshakeKeys(buffer);
    const context = transport.dtls?.dtls;
    if (!keys || !context) return deliver(...args);
    if (!keys.every((key) => seen.has(key))) {
      for (const key of keys) if (!seen.has(key)) seen.set(key, context.lastMessage);
      return deliver(...args);
    }
    // The first ClientHello again, nothing after it yet: our HelloVerifyRequest was lost, and
    // werift keeps no flight for it. It answers this one as it did the first (the same cookie)
    // and changes nothing the handshake needs yet; dropped, the handshake would wait forever.
    if (
      keys.length === 1 && keys[0].startsWith("e0:0:") && buffer[RECORD_HEADER] === CLIENT_HELLO
    ) {
      if ([...seen.keys()].every((key) => key.startsWith("e0:0:"))) return deliver(...args);
    }
    // A retransmission: answer it with our reply if that was made after its original.
    const reply = context.lastMessage;
    const answered = reply.length > 0 && keys.some((key) => seen.get(key) !== reply);
    if (answered) {
      for (const message of reply) transport.dtls!.transport.send(message).catch(() => {});
    }
  };
}
